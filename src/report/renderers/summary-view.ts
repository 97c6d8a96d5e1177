/**
 * The view the HTML report and the email body share: the model plus a few layout-only arrangements of
 * it (tiles, severity strip, rules with open findings). Nothing here counts anything the model has not
 * already counted; it only picks and orders for display.
 */

import { SEVERITY_ORDER } from '../../domain/severity.js';
import { coverageText } from '../../rules/requirements.js';
import type { FindingRow, ReportModel, RosterRow } from '../model.js';
import { identityParts } from './shared.js';

/** One key-figure tile of the summary. */
interface Tile {
  value: number;
  label: string;
  detail: string;
  colour: string;
}

/** The view given to the summary partial. */
export interface SummaryView {
  m: ReportModel;
  verdict: { label: string; bg: string };
  tiles: Tile[];
  severities: Array<{ severity: string; open: number; waived: number }>;
  ruleRows: Array<{ ruleId: string; title: string; severity: string; open: number; waived: number }>;
  attention: string[];
  /** The roster's rows by kind, adding up to its total (the Review roster heading). */
  rosterParts: string;
}

const VERDICT: Record<ReportModel['verdict']['status'], { label: string; bg: string }> = {
  fail: { label: 'Action required', bg: '#9f1239' },
  attention: { label: 'Passed the gate, with findings to review', bg: '#b45309' },
  pass: { label: 'All clear', bg: '#15803d' },
};

/** Open findings with the gate off (`--fail-on never`): there was no gate to pass. */
const GATE_OFF = { label: 'Gate off, with findings to review', bg: '#b45309' };

/** No finding, but some rules could not run: never "All clear". */
const PASS_PARTIAL = { label: 'No findings in the rules that could run', bg: '#b45309' };

/** The finding of a revocation decided at sign-off that Atlas still shows (src/review/verify.ts). */
const REVOCATION_NOT_DONE = 'review-revocation-not-done';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Database users and what stands out about them; "not collected" rather than a zero that reads as none. */
function databaseTile(m: ReportModel): Tile {
  const c = m.summary.databaseAccess;
  if (!m.databaseAccess.collected.databaseUsers && c.users === 0)
    return { value: 0, label: 'Database users', detail: 'not collected', colour: '#b45309' };
  return {
    value: c.users,
    label: 'Database users',
    detail: `${c.privileged} privileged · ${c.unused} unused · ${plural(c.worldOpen, 'world-open entry', 'world-open entries')}`,
    colour: c.worldOpen > 0 ? '#9f1239' : c.privileged > 0 || c.unused > 0 ? '#c2410c' : '#334155',
  };
}

/** The headline tiles: organizations, identities, owners, database users, findings, waivers. */
function summaryTiles(m: ReportModel): Tile[] {
  const s = m.summary;
  const f = s.findings;
  const id = s.identities;
  const entries = id.accessListEntries;
  const tiles: Tile[] = [
    {
      value: s.organizations,
      label: 'Organizations',
      detail: s.incompleteOrgs > 0 ? `${s.incompleteOrgs} incomplete` : 'all complete',
      colour: s.incompleteOrgs > 0 ? '#b45309' : '#15803d',
    },
    {
      value: s.identities.total,
      label: 'Identities',
      // The parts add up to the total: every roster row is a user, an invitation (pending, expired or
      // rejected), a programmatic identity (API key, service account), a database user or a flagged
      // access list entry.
      detail: `${id.users} users · ${id.pendingInvitations + id.staleInvitations} invitations · ${id.apiKeys + id.serviceAccounts} programmatic${id.databaseUsers > 0 ? ` · ${id.databaseUsers} database` : ''}${entries > 0 ? ` · ${entries} access list ${entries === 1 ? 'entry' : 'entries'}` : ''}`,
      colour: '#334155',
    },
    {
      value: s.identities.ownerUsers,
      label: 'Human owners',
      detail: `+${s.identities.ownerProgrammatic} programmatic`,
      colour: s.identities.ownerProgrammatic > 0 ? '#c2410c' : '#334155',
    },
    databaseTile(m),
    {
      value: f.open,
      label: 'Open findings',
      detail: m.verdict.failOn === 'never' ? 'gate off' : `${f.gating} fail the gate`,
      colour: f.gating > 0 ? '#9f1239' : f.open > 0 ? '#b45309' : '#15803d',
    },
    {
      value: f.openBySeverity.critical + f.openBySeverity.high,
      label: 'Critical + high',
      detail: `${f.openBySeverity.critical} critical · ${f.openBySeverity.high} high`,
      colour: f.openBySeverity.critical > 0 ? '#9f1239' : f.openBySeverity.high > 0 ? '#c2410c' : '#15803d',
    },
    {
      value: s.waivers.applied,
      label: 'Waivers applied',
      detail: `${s.waivers.expired} expired · ${s.waivers.unused} unused`,
      colour: s.waivers.expired > 0 ? '#b45309' : '#334155',
    },
  ];
  return tiles;
}

/** What the review itself needs attention for: escalations, revocations not done, waivers. */
function reviewAttention(m: ReportModel): string[] {
  const s = m.summary;
  const attention: string[] = [];
  const esc = m.changes?.summary.escalations ?? 0;
  if (esc > 0)
    attention.push(
      `${plural(esc, 'privilege escalation', 'privilege escalations')} (a new owner role, privileged database role or world-open IP access list entry) since the last review.`,
    );
  // Revocations the sign-off decided but Atlas still shows (`--signoff`): first, they are overdue.
  const notDone = m.findings
    .flatMap((g) => g.rules)
    .filter((r) => r.ruleId === REVOCATION_NOT_DONE)
    .reduce((n, r) => n + r.open, 0);
  if (notDone > 0)
    attention.unshift(
      `${plural(notDone, 'revocation', 'revocations')} decided at the last sign-off ${notDone === 1 ? 'was' : 'were'} not carried out${m.meta.inputs.signoffFile ? ` (${m.meta.inputs.signoffFile})` : ''}; see ${REVOCATION_NOT_DONE}.`,
    );
  const w = s.waivers;
  const notApplied = m.waivers.filter((x) => x.status === 'notApplied').length;
  if (notApplied > 0)
    attention.push(
      `${plural(notApplied, 'waiver was', 'waivers were')} not applied (named by name where an id is needed, ambiguous, or older than the subject); the findings stay open.`,
    );
  if (w.expired > 0)
    attention.push(
      `${plural(w.expired, 'waiver has', 'waivers have')} expired; the findings they covered are open again.`,
    );
  if (w.expiringSoon > 0)
    attention.push(`${plural(w.expiringSoon, 'waiver expires', 'waivers expire')} soon.`);
  if (w.unused > 0)
    attention.push(
      `${plural(w.unused, 'waiver matches', 'waivers match')} no finding; remove or correct ${w.unused === 1 ? 'it' : 'them'}.`,
    );
  return attention;
}

/** Per organization: counts that do not tie out, data the source lacked, collection notes. */
function organizationAttention(m: ReportModel): string[] {
  const attention: string[] = [];
  for (const o of m.organizations) {
    if (!o.complete)
      attention.push(`${o.name}: items read differ from the API's totalCount (see Collection evidence).`);
    // One line per org: what the source lacked and how many rules that left unevaluated; the rule by
    // rule list is in Rule coverage (a line per reason drowned the list on a legacy estate).
    const notEvaluated = new Set(o.notEvaluated.flatMap((g) => g.rules)).size;
    const missing =
      o.missingCoverage.length > 0 ? `the source API did not provide ${coverageText(o.missingCoverage)}` : '';
    const rules =
      notEvaluated > 0
        ? `${plural(notEvaluated, 'rule', 'rules')} not evaluated for lack of data (see Rule coverage)`
        : '';
    if (missing || rules) attention.push(`${o.name}: ${[missing, rules].filter(Boolean).join('; ')}.`);
    if (o.notes.length > 0)
      attention.push(
        `${o.name}: ${plural(o.notes.length, 'collection note', 'collection notes')} (see Collection evidence).`,
      );
  }
  return attention;
}

/** The population: world-open network access, database users of unknown use, invitations. */
function populationAttention(m: ReportModel): string[] {
  const s = m.summary;
  const attention: string[] = [];
  const db = s.databaseAccess;
  if (db.worldOpen > 0)
    attention.push(
      `${plural(db.worldOpen, 'IP access list entry is', 'IP access list entries are')} open to the whole internet (see Database access).`,
    );
  if (db.useUnknown > 0)
    attention.push(
      `${plural(db.useUnknown, 'database user', 'database users')}: last use unknown (access history not collected for every cluster they can reach); not counted as unused.`,
    );
  if (s.identities.projectInvitations > 0)
    attention.push(
      `${plural(s.identities.projectInvitations, 'project invitation', 'project invitations')} made through the deprecated project-invite endpoint (not on the roster; see Project invitations).`,
    );
  if (s.identities.staleInvitations > 0)
    attention.push(
      `${plural(s.identities.staleInvitations, 'expired or rejected invitation is', 'expired or rejected invitations are')} still listed.`,
    );
  return attention;
}

export function summaryView(m: ReportModel): SummaryView {
  const f = m.summary.findings;
  const severities = SEVERITY_ORDER.map((severity) => ({
    severity,
    open: f.openBySeverity[severity],
    waived: f.bySeverity[severity] - f.openBySeverity[severity],
  }));
  const ruleRows = m.findings
    .flatMap((g) => g.rules)
    .filter((r) => r.open > 0)
    .map((r) => ({ ruleId: r.ruleId, title: r.title, severity: r.severity, open: r.open, waived: r.waived }));
  const attention = [...reviewAttention(m), ...organizationAttention(m), ...populationAttention(m)];
  const s = m.summary;
  const verdict =
    m.verdict.status === 'pass' && s.notEvaluated.checks > 0
      ? PASS_PARTIAL
      : m.verdict.status === 'attention' && m.verdict.failOn === 'never'
        ? GATE_OFF
        : VERDICT[m.verdict.status];
  return {
    m,
    verdict,
    tiles: summaryTiles(m),
    severities,
    ruleRows,
    attention,
    rosterParts: identityParts(s.identities, true).join(' · '),
  };
}

/** Open findings first in model order (most severe first), for short lists. */
export function topOpenFindings(m: ReportModel, limit: number): { top: FindingRow[]; more: number } {
  const open: FindingRow[] = [];
  let total = 0;
  for (const g of m.findings)
    for (const r of g.rules)
      for (const f of r.findings) {
        if (f.waived) continue;
        total++;
        if (open.length < limit) open.push(f);
      }
  return { top: open, more: total - open.length };
}

/** One organization's part of the roster. */
export interface RosterGroup {
  orgId: string;
  orgName: string;
  rows: RosterRow[];
  withFindings: number;
  /** The rows' distinct "not evaluated" entries ("no sign-in data: stale-last-auth, ..."), in row order. */
  notEvaluated: string[];
}

/** Roster rows grouped by organization, in model order. */
export function rosterByOrg(m: ReportModel): RosterGroup[] {
  const groups: RosterGroup[] = [];
  for (const row of m.roster) {
    let g = groups[groups.length - 1];
    if (!g || g.orgId !== row.orgId) {
      g = { orgId: row.orgId, orgName: row.orgName, rows: [], withFindings: 0, notEvaluated: [] };
      groups.push(g);
    }
    g.rows.push(row);
    if (row.openFindingCount > 0) g.withFindings++;
    for (const entry of row.notEvaluated) if (!g.notEvaluated.includes(entry)) g.notEvaluated.push(entry);
  }
  return groups;
}
