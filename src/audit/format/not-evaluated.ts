import { compareText } from '../../domain/compare-text.js';
import type { NotEvaluated } from '../types.js';

/** The one wording every format uses: "not evaluated: no sign-in data". */
export function notEvaluatedText(n: NotEvaluated): string {
  return `not evaluated: ${n.reason}`;
}

/** Not-evaluated entries ordered for reading: by organization, then rule id. */
export function byOrganization(list: readonly NotEvaluated[]): NotEvaluated[] {
  return [...list].sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) || compareText(a.orgId, b.orgId) || compareText(a.ruleId, b.ruleId),
  );
}

/** "19 rule checks in 1 organization" (a check is one rule in one organization). */
export function notEvaluatedCount(list: readonly NotEvaluated[]): string {
  const orgs = new Set(list.map((n) => n.orgId)).size;
  return `${list.length} rule check${list.length === 1 ? '' : 's'} in ${orgs} organization${orgs === 1 ? '' : 's'}`;
}
