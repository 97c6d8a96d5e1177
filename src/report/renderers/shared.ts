/** Wording several renderers share, so every format says the same thing about the same model. */
import { presetSettingText } from '../../audit/policy.js';
import type { ControlRef } from '../../rules/frameworks.js';
import { groupDigits } from '../../util/numbers.js';
import type { ReportModel, WaiverRow } from '../model.js';

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * "Roster hr.csv: 1,204 people, sha256 <hex>" when the audit joined a roster (`--roster`), else null.
 * Unescaped: the file name is the caller's; each renderer escapes it for its format.
 */
export function rosterLine(m: ReportModel): string | null {
  const r = m.meta.inputs.roster;
  if (!r) return null;
  return `Roster ${r.file}: ${groupDigits(r.rows)} ${r.rows === 1 ? 'person' : 'people'}, sha256 ${r.sha256}`;
}

/** "19 rule checks in 1 organization" (a check is one rule in one organization). */
export function notEvaluatedCount(m: ReportModel): string {
  const ne = m.summary.notEvaluated;
  return `${plural(ne.checks, 'rule check')} in ${plural(ne.organizations, 'organization')}`;
}

/**
 * The Review rows by kind, every kind that has rows, so the parts add up to the Identities total. One-line
 * summaries (Markdown, email) give the counts; the HTML roster heading (`detailed`) also says how many
 * users are not people and how many service accounts Atlas manages, and always the database users.
 */
export function identityParts(id: ReportModel['summary']['identities'], detailed = false): string[] {
  const entries = id.accessListEntries;
  return [
    detailed ? `${id.users} users (${id.nonHumanUsers} non-human)` : `${id.users} users`,
    `${id.pendingInvitations} pending invitations`,
    ...(id.staleInvitations > 0 ? [`${id.staleInvitations} expired or rejected invitations`] : []),
    `${id.apiKeys} API keys`,
    detailed
      ? `${id.serviceAccounts} service accounts (${id.systemManagedServiceAccounts} managed by Atlas)`
      : `${id.serviceAccounts} service accounts`,
    ...(detailed || id.databaseUsers > 0 ? [`${id.databaseUsers} database users`] : []),
    ...(entries > 0 ? [`${entries} flagged access list ${entries === 1 ? 'entry' : 'entries'}`] : []),
  ];
}

/** A waiver's status in words, as the summary counts it ("1 expiring soon"), not the model's identifier. */
export const WAIVER_STATUS: Record<WaiverRow['status'], string> = {
  applied: 'applied',
  expired: 'expired',
  unused: 'unused',
  expiringSoon: 'expiring soon',
  notApplied: 'not applied',
};

/** One sentence per waiver that needs attention (every status but applied), unescaped. */
export function waiverText(w: WaiverRow): string {
  const who = `${w.ruleId} / ${w.subject}`;
  switch (w.status) {
    case 'expired':
      return `waiver expired on ${w.expiresOn}: ${who}`;
    case 'unused':
      return `waiver matches nothing: ${who}`;
    case 'expiringSoon':
      return `waiver expires on ${w.expiresOn}: ${who}`;
    case 'notApplied':
      return `waiver not applied: ${who}: ${w.problem ?? ''}`;
    default:
      return `waiver applied: ${who}`;
  }
}

/** The waivers needing attention, as sentences (model order). */
export function waiverAttention(m: ReportModel): string[] {
  return m.waivers.filter((w) => w.status !== 'applied').map(waiverText);
}

const DATASET_WORDS = [
  ['databaseUsers', 'database users'],
  ['customRoles', 'custom roles'],
  ['networkAccess', 'IP access lists'],
  ['clusters', 'clusters'],
] as const;

/**
 * "Database access: 5 users (2 privileged, 1 unused, 3 last use unknown), 1 custom role, 3 access
 * list entries (1 open to the world, 1 wide)", or what was not collected. Numbers only: no Atlas value.
 */
export function databaseAccessLine(m: ReportModel): string {
  const da = m.databaseAccess;
  const c = da.counts;
  if (!da.collected.databaseUsers && !da.collected.networkAccess && c.users === 0 && c.networkEntries === 0)
    return 'Database access: not collected';
  const users = `${plural(c.users, 'user')} (${c.privileged} privileged, ${c.unused} unused, ${c.useUnknown} last use unknown${da.collected.accessHistory ? '' : ': access history not collected everywhere'})`;
  const network = `${c.networkEntries} access list ${c.networkEntries === 1 ? 'entry' : 'entries'} (${c.worldOpen} open to the world, ${c.wide} wide)`;
  const partial = DATASET_WORDS.filter(([p]) => !da.collected[p]).map(([, words]) => words);
  const note = partial.length > 0 ? `; not collected in every organization: ${partial.join(', ')}` : '';
  return `Database access: ${users}, ${plural(c.customRoles, 'custom role')}, ${network}${note}`;
}

/** A control as compact text: the `--framework` id and the control id, e.g. "pci-dss-4 8.2.6". */
export function controlLabel(c: ControlRef): string {
  return `${c.framework} ${c.control}`;
}

/** Controls as one cell or line: "pci-dss-4 8.2.6; soc2 CC6.2" (unescaped). */
export function controlsText(controls: readonly ControlRef[]): string {
  return controls.map(controlLabel).join('; ');
}

/**
 * The framework selection in sentences (unescaped; none without `--framework`): the frameworks, each
 * rule param a preset set and by which control (or that the policy kept it), and the review cadence.
 */
export function frameworkLines(m: ReportModel): string[] {
  const fw = m.meta.frameworks;
  if (fw.selected.length === 0) return [];
  const lines = [`Frameworks: ${fw.selected.map((f) => `${f.name} (${f.id})`).join(', ')}`];
  for (const s of fw.settings) lines.push(`Preset: ${presetSettingText(s)}`);
  const c = fw.reviewCadence;
  if (c)
    lines.push(
      `Review cadence: at least every ${c.maxDays} days (${c.framework} ${c.control}: ${c.text}); next review by ${c.nextReviewBy}`,
    );
  return lines;
}
