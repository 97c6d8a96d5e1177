/**
 * What data a rule needs, and whether an organization's snapshot holds it.
 *
 * A rule is evaluated in an organization only when the snapshot holds every part of the data its
 * verdict depends on; elsewhere it is "not evaluated" with a reason (neither a finding nor a pass:
 * a rule that cannot see sign-ins must not be counted as finding no stale user). The needs are the
 * union of three declarations, so a rule author cannot forget the common ones:
 * - the subject kind's listing: a team rule needs teams, an API key rule the API keys (SUBJECT_LISTING);
 * - the facts the rule's conditions read: each fact names the coverage it is derived from
 *   (`requires` in src/rules/facts.ts), e.g. `daysSinceLastAuth` needs `signIns`;
 * - the rule file's own `requires`, for a need no fact expresses (expired-invitation compares `status`,
 *   which only shows expired invitations where the listing has `invitations`).
 */
import type { SubjectKind } from '../domain/subject.js';
import { COVERAGE_PARTS } from '../snapshot/coverage-parts.js';
import type { Coverage, CoveragePart } from '../snapshot/schema.js';
import { INPUT_PARTS, type InputPart } from './facts/spec.js';
import { FACTS } from './facts.js';
import { factsOf } from './load.js';
import type { NestedCondition } from './schema.js';

/** The coverage part that lists the subjects of each kind (orgs are always there). */
export const SUBJECT_LISTING: Readonly<Record<SubjectKind, CoveragePart | null>> = {
  org: null,
  user: 'users',
  team: 'teams',
  project: 'projects',
  apiKey: 'apiKeys',
  serviceAccount: 'serviceAccounts',
  databaseUser: 'databaseUsers',
  customRole: 'customRoles',
  networkAccessEntry: 'networkAccess',
};

/** What each coverage part is, in words: a reason reads "no <label>". */
const COVERAGE_LABELS: Readonly<Record<CoveragePart, string>> = {
  users: 'user data',
  invitations: 'invitation data',
  teams: 'team data',
  projects: 'project data',
  apiKeys: 'API key data',
  serviceAccounts: 'service account data',
  settings: 'organization settings',
  signIns: 'sign-in data',
  serviceAccountAccess: "service accounts' project roles and access lists",
  systemManagedServiceAccounts: 'system-managed service accounts',
  sessionTimeouts: 'session timeout settings',
  projectInvitations: 'project invitations',
  databaseUsers: 'database users',
  databaseUserCerts: "database users' X.509 certificates",
  customRoles: 'custom database roles',
  networkAccess: 'project IP access lists',
  clusters: 'cluster data',
  accessHistory: 'database access history',
};

/** "invitation data, team data and sign-in data": coverage part names in words (unknown names as they are). */
export function coverageText(parts: readonly string[]): string {
  const words = parts.map((p) =>
    p in COVERAGE_LABELS
      ? COVERAGE_LABELS[p as CoveragePart]
      : p in INPUT_LABELS
        ? INPUT_LABELS[p as InputPart]
        : p,
  );
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** The coverage a rule needs, in coverage order. */
export function ruleRequirements(
  subject: SubjectKind,
  conditions: NestedCondition,
  explicit: readonly CoveragePart[] = [],
): CoveragePart[] {
  const needs = new Set<CoveragePart>(explicit);
  const listing = SUBJECT_LISTING[subject];
  if (listing) needs.add(listing);
  for (const fact of factsOf(conditions))
    for (const part of FACTS[subject][fact]?.requires ?? []) needs.add(part);
  return COVERAGE_PARTS.filter((p) => needs.has(p));
}

/**
 * The audit inputs beyond the snapshot a rule needs (the roster), from the facts its conditions read.
 * Without one the rule is not evaluated in any org: "no roster" is neither a finding nor a pass.
 */
export function ruleInputs(subject: SubjectKind, conditions: NestedCondition): InputPart[] {
  const needs = new Set<InputPart>();
  for (const fact of factsOf(conditions))
    for (const part of FACTS[subject][fact]?.inputs ?? []) needs.add(part);
  return INPUT_PARTS.filter((p) => needs.has(p));
}

/** What each input part is, in words: a reason reads "no roster". */
const INPUT_LABELS: Readonly<Record<InputPart, string>> = { roster: 'roster (--roster)' };

/** The parts of `requires` that an org's coverage lacks, in coverage order (empty: the rule can run). */
export function missingCoverage(requires: readonly CoveragePart[], coverage: Coverage): CoveragePart[] {
  return COVERAGE_PARTS.filter((p) => requires.includes(p) && !coverage[p]);
}

/** The reason a rule was not evaluated: "no sign-in data", "no sign-in data, no team data". */
export function notEvaluatedReason(missing: readonly (CoveragePart | InputPart)[]): string {
  return missing
    .map((p) => `no ${p in INPUT_LABELS ? INPUT_LABELS[p as InputPart] : COVERAGE_LABELS[p as CoveragePart]}`)
    .join(', ');
}
