/**
 * One organization's summary: coverage and completeness of its evidence, rules not evaluated there,
 * and its counts (identities from the section builders, findings from the finding index).
 */
import type { NotEvaluated } from '../../audit/types.js';
import { COVERAGE_PARTS, type Coverage, type Organization } from '../../snapshot/schema.js';
import type { CompletenessRow, IdentityCounts, OrgSummary } from '../model.js';
import type { FindingIndex } from './finding-rows.js';
import { groupByReason, zeroFindingCounts } from './shared.js';

/** Parts read only when asked for (`collect --include`): not collecting them is not a gap. */
const OPTIONAL_COVERAGE_PARTS: Array<keyof Coverage> = ['projectInvitations', 'accessHistory'];
/** Coverage parts that are details of another part. */
const PART_OF: Partial<Record<keyof Coverage, keyof Coverage>> = {
  serviceAccountAccess: 'serviceAccounts',
  systemManagedServiceAccounts: 'serviceAccounts',
  sessionTimeouts: 'settings',
  databaseUserCerts: 'databaseUsers',
};
/** Parts every collection should cover; a missing one makes the org's evidence partial. */
const REQUIRED_COVERAGE_PARTS = COVERAGE_PARTS.filter((p) => !OPTIONAL_COVERAGE_PARTS.includes(p));

export function orgSummary(
  org: Organization,
  identities: IdentityCounts,
  findings: FindingIndex,
  notEvaluated: readonly NotEvaluated[],
): OrgSummary {
  const completeness: CompletenessRow[] = org.completeness.map((c) => ({
    endpoint: c.endpoint,
    itemsRead: c.itemsRead,
    totalCount: c.totalCount,
    pages: c.pages,
    matches: c.totalCount === null || c.totalCount === c.itemsRead,
  }));
  // A part of a dataset that was not read at all is not named again (no service accounts: no need to
  // add "no service accounts' access lists").
  const missingCoverage = REQUIRED_COVERAGE_PARTS.filter(
    (p) => !org.coverage[p] && !(PART_OF[p] !== undefined && !org.coverage[PART_OF[p]]),
  );
  return {
    id: org.id,
    name: org.name,
    coverage: org.coverage,
    missingCoverage,
    notEvaluated: groupByReason(notEvaluated),
    optionalNotCollected: OPTIONAL_COVERAGE_PARTS.filter((p) => !org.coverage[p]),
    identities,
    teams: org.teams.length,
    projects: org.projects.length,
    findings: findings.byOrg.get(org.id) ?? zeroFindingCounts(),
    settings: org.settings,
    completeness,
    complete: completeness.every((c) => c.matches),
    notes: [...org.notes],
  };
}
