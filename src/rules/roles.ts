/**
 * Role names the catalogue knows. Atlas treats role names as open strings (the spec dropped its enums,
 * ../shared/atlas-openapi/NOTES.md §2.5), so a name outside this table is flagged by the `unknown-role`
 * rule rather than ignored: an unknown role may grant anything (fail closed).
 */

/** Org roles of Atlas's closed 2025-02-19 `OrgUserRolesResponse.orgRoles` enum (NOTES.md §2.5). */
export const ATLAS_ORG_ROLES = [
  'ORG_OWNER',
  'ORG_GROUP_CREATOR',
  'ORG_BILLING_ADMIN',
  'ORG_BILLING_READ_ONLY',
  'ORG_STREAM_PROCESSING_ADMIN',
  'ORG_READ_ONLY',
  'ORG_MEMBER',
] as const;

/** Project (group) roles of the last published Atlas enum (NOTES.md §2.5). */
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

/** Organization roles: Atlas's, plus the Cloud Manager project creator (NOTES.md §10). */
export const KNOWN_ORG_ROLES: readonly string[] = [...ATLAS_ORG_ROLES, 'ORG_PROJECT_CREATOR'];

/** Project roles: Atlas's, plus the Cloud Manager / Ops Manager-only roles (NOTES.md §10). */
export const KNOWN_PROJECT_ROLES: readonly string[] = [
  ...ATLAS_PROJECT_ROLES,
  'GROUP_AUTOMATION_ADMIN',
  'GROUP_BACKUP_ADMIN',
  'GROUP_MONITORING_ADMIN',
  'GROUP_USER_ADMIN',
];

export const ORG_OWNER = 'ORG_OWNER';
export const GROUP_OWNER = 'GROUP_OWNER';

/** Builds the set of known role names, plus any extra names a policy declares as known. */
export function knownRoleSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...KNOWN_ORG_ROLES, ...KNOWN_PROJECT_ROLES, ...extra]);
}
