/** Wording several renderers share, so every format says the same thing about the same model. */
import type { ReportModel, WaiverRow } from '../model.js';

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * "Roster hr.csv: 1,204 people, sha256 <hex>" when the audit joined a roster (`--roster`), else null.
 * Unescaped: the file name is the caller's; each renderer escapes it for its format.
 */
export function rosterLine(m: ReportModel): string | null {
  const r = m.meta.inputs.roster;
  if (!r) return null;
  return `Roster ${r.file}: ${r.rows.toLocaleString('en-US')} ${r.rows === 1 ? 'person' : 'people'}, sha256 ${r.sha256}`;
}

/** "19 rule checks in 1 organization" (a check is one rule in one organization). */
export function notEvaluatedCount(m: ReportModel): string {
  const ne = m.summary.notEvaluated;
  return `${plural(ne.checks, 'rule check')} in ${plural(ne.organizations, 'organization')}`;
}

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
