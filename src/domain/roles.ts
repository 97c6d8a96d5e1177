/**
 * Role names the catalogue knows, and how much each one can do. Atlas treats role names as open strings
 * (the spec dropped its enums, docs/atlas-api-notes.md §2.5), so a name outside this table is
 * flagged by the `unknown-role` rules rather than ignored: an unknown role may grant anything (fail
 * closed). The table follows the "Atlas User Roles" documentation page
 * (https://www.mongodb.com/docs/atlas/reference/user-roles/), which lists each role's API name.
 */

/** Org roles of Atlas's closed 2025-02-19 `OrgUserRolesResponse.orgRoles` enum (docs/atlas-api-notes.md §2.5). */
export const ATLAS_ORG_ROLES = [
  'ORG_OWNER',
  'ORG_GROUP_CREATOR',
  'ORG_BILLING_ADMIN',
  'ORG_BILLING_READ_ONLY',
  'ORG_STREAM_PROCESSING_ADMIN',
  'ORG_READ_ONLY',
  'ORG_MEMBER',
] as const;

/** Project (group) roles of the last published Atlas enum (docs/atlas-api-notes.md §2.5). */
export const ATLAS_PROJECT_ROLES = [
  'GROUP_OWNER',
  'GROUP_CLUSTER_MANAGER',
  'GROUP_STREAM_PROCESSING_OWNER',
  'GROUP_DATA_ACCESS_ADMIN',
  'GROUP_DATA_ACCESS_READ_WRITE',
  'GROUP_DATA_ACCESS_READ_ONLY',
  'GROUP_READ_ONLY',
  'GROUP_SEARCH_INDEX_EDITOR',
  'GROUP_BACKUP_MANAGER',
  'GROUP_OBSERVABILITY_VIEWER',
  'GROUP_DATABASE_ACCESS_ADMIN',
] as const;

/**
 * The fine-grained project roles Atlas added after the spec dropped its enum: on the "Atlas User Roles"
 * page with their API names, absent from every spec enum (so real orgs hold them and the old table
 * flagged each grant as unknown).
 */
const ATLAS_FINE_GRAINED_PROJECT_ROLES = [
  'GROUP_ACCESS_MANAGER',
  'GROUP_REPLICA_SET_MANAGER',
  'GROUP_CLUSTER_CREATOR',
  'GROUP_CLUSTER_LOG_VIEWER',
  'GROUP_CLUSTER_RESILIENCE_TESTER',
  'GROUP_BACKUP_CREATOR',
  'GROUP_BACKUP_RECOVERY_OPERATOR',
  'GROUP_BACKUP_EXPORT_OPERATOR',
  'GROUP_NETWORK_ACCESS_MANAGER',
  'GROUP_TRIGGER_MANAGER',
  'GROUP_INDEX_MANAGER',
  'GROUP_REAL_TIME_PERFORMANCE_OPERATOR',
  'GROUP_SUPPORT_ACCESS_MANAGER',
  'GROUP_ALERTS_MANAGER',
  'GROUP_MODEL_OWNER',
] as const;

/** Cloud Manager / Ops Manager-only project roles (docs/atlas-api-notes.md §10). */
const CLOUD_MANAGER_PROJECT_ROLES = [
  'GROUP_AUTOMATION_ADMIN',
  'GROUP_BACKUP_ADMIN',
  'GROUP_MONITORING_ADMIN',
  'GROUP_USER_ADMIN',
] as const;

/** Organization roles: Atlas's, plus the Cloud Manager project creator (docs/atlas-api-notes.md §10). */
const KNOWN_ORG_ROLES: readonly string[] = [...ATLAS_ORG_ROLES, 'ORG_PROJECT_CREATOR'];

/** Project roles: Atlas's (enum and fine-grained), plus the Cloud Manager / Ops Manager-only roles. */
const KNOWN_PROJECT_ROLES: readonly string[] = [
  ...ATLAS_PROJECT_ROLES,
  ...ATLAS_FINE_GRAINED_PROJECT_ROLES,
  ...CLOUD_MANAGER_PROJECT_ROLES,
];

export const ORG_OWNER = 'ORG_OWNER';
export const GROUP_OWNER = 'GROUP_OWNER';

/**
 * How much a role can do, highest first:
 * - `owner`: owner-equivalent. Holds, or can grant itself, every privilege in its scope (the owners,
 *   and the roles that manage who has access: they can give anyone, themselves included, more).
 * - `write`: changes infrastructure, data, backups, network access or database users, but not who has
 *   Atlas access.
 * - `read`: views only (the Data Explorer read role included: it reads documents, changes nothing).
 */
export type RolePrivilege = 'owner' | 'write' | 'read';

const PRIVILEGE_RANK: Readonly<Record<RolePrivilege, number>> = { owner: 3, write: 2, read: 1 };

/** Every known role and its privilege; `satisfies` keeps it in step with the lists above. */
const ROLE_PRIVILEGE = {
  ORG_OWNER: 'owner',
  ORG_GROUP_CREATOR: 'write',
  ORG_BILLING_ADMIN: 'write',
  // Project Stream Processing Owner on every project of the org.
  ORG_STREAM_PROCESSING_ADMIN: 'write',
  ORG_BILLING_READ_ONLY: 'read',
  ORG_READ_ONLY: 'read',
  ORG_MEMBER: 'read',
  ORG_PROJECT_CREATOR: 'write',

  GROUP_OWNER: 'owner',
  // Invites users and manages teams, API keys and service accounts of the project.
  GROUP_ACCESS_MANAGER: 'owner',
  GROUP_USER_ADMIN: 'owner',
  GROUP_CLUSTER_MANAGER: 'write',
  GROUP_REPLICA_SET_MANAGER: 'write',
  GROUP_CLUSTER_CREATOR: 'write',
  GROUP_CLUSTER_RESILIENCE_TESTER: 'write',
  GROUP_STREAM_PROCESSING_OWNER: 'write',
  GROUP_DATA_ACCESS_ADMIN: 'write',
  GROUP_DATA_ACCESS_READ_WRITE: 'write',
  // Creates and changes database users and their roles: write access to the data plane's identities.
  GROUP_DATABASE_ACCESS_ADMIN: 'write',
  GROUP_BACKUP_MANAGER: 'write',
  GROUP_BACKUP_CREATOR: 'write',
  GROUP_BACKUP_RECOVERY_OPERATOR: 'write',
  // Exports snapshots (all the data) to a bucket.
  GROUP_BACKUP_EXPORT_OPERATOR: 'write',
  GROUP_NETWORK_ACCESS_MANAGER: 'write',
  GROUP_TRIGGER_MANAGER: 'write',
  GROUP_INDEX_MANAGER: 'write',
  GROUP_SEARCH_INDEX_EDITOR: 'write',
  // Kills running operations.
  GROUP_REAL_TIME_PERFORMANCE_OPERATOR: 'write',
  GROUP_SUPPORT_ACCESS_MANAGER: 'write',
  GROUP_ALERTS_MANAGER: 'write',
  GROUP_MODEL_OWNER: 'write',
  GROUP_AUTOMATION_ADMIN: 'write',
  GROUP_BACKUP_ADMIN: 'write',
  GROUP_MONITORING_ADMIN: 'write',
  GROUP_DATA_ACCESS_READ_ONLY: 'read',
  GROUP_READ_ONLY: 'read',
  GROUP_OBSERVABILITY_VIEWER: 'read',
  GROUP_CLUSTER_LOG_VIEWER: 'read',
} as const satisfies Record<
  | (typeof ATLAS_ORG_ROLES)[number]
  | 'ORG_PROJECT_CREATOR'
  | (typeof ATLAS_PROJECT_ROLES)[number]
  | (typeof ATLAS_FINE_GRAINED_PROJECT_ROLES)[number]
  | (typeof CLOUD_MANAGER_PROJECT_ROLES)[number],
  RolePrivilege
>;

/** ROLE_PRIVILEGE as a Map: a role name from Atlas is looked up as data, never as a property. */
const PRIVILEGE_OF: ReadonlyMap<string, RolePrivilege> = new Map(Object.entries(ROLE_PRIVILEGE));

/** The privilege of a role; null for a role the catalogue does not know. */
export function rolePrivilege(role: string): RolePrivilege | null {
  return PRIVILEGE_OF.get(role) ?? null;
}

/**
 * The highest privilege among some roles, by the table; null when it ranks none of them (no roles, or
 * only unknown ones: those are the `unknown-role` rules' business, and a policy's `extraKnownRoles` has
 * no rank to give).
 */
export function highestPrivilege(roles: Iterable<string>): RolePrivilege | null {
  let best: RolePrivilege | null = null;
  for (const role of roles) {
    const p = rolePrivilege(role);
    if (p !== null && (best === null || PRIVILEGE_RANK[p] > PRIVILEGE_RANK[best])) best = p;
  }
  return best;
}

/** Builds the set of known role names, plus any extra names a policy declares as known. */
export function knownRoleSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...KNOWN_ORG_ROLES, ...KNOWN_PROJECT_ROLES, ...extra]);
}
