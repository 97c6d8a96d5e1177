/** Wording several renderers share, so every format says the same thing about the same model. */
import type { ReportModel, WaiverRow } from '../model.js';

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

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
