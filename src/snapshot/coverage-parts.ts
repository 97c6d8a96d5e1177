/** The coverage parts of database access (schema 3), the last of {@link COVERAGE_PARTS}. */
export const DATABASE_ACCESS_PARTS = [
  'databaseUsers',
  'databaseUserCerts',
  'customRoles',
  'networkAccess',
  'clusters',
  'accessHistory',
] as const;

/**
 * The parts of an organization's coverage (snapshot schema `coverage`), in the schema's order, the order
 * reasons and displays use. Kept apart from src/snapshot/schema.ts, whose module builds the whole
 * snapshot schema when it loads, so that `rules list` and the rule file schema name them without it;
 * test/snapshot/schema.test.ts holds the two equal.
 */
export const COVERAGE_PARTS = [
  'users',
  'invitations',
  'teams',
  'projects',
  'apiKeys',
  'serviceAccounts',
  'settings',
  'signIns',
  'serviceAccountAccess',
  'systemManagedServiceAccounts',
  'sessionTimeouts',
  'projectInvitations',
  ...DATABASE_ACCESS_PARTS,
] as const;
