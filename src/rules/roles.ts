/**
 * Role names the catalogue knows. Atlas treats role names as open strings (the spec dropped its enums,
 * ../shared/atlas-openapi/NOTES.md §2.5), so a name outside this table is flagged by the `unknown-role`
 * rule rather than ignored: an unknown role may grant anything (fail closed).
 */

/** Organization roles: the closed `OrgUserRolesResponse.orgRoles` enum plus the Cloud Manager project creator. */
export const KNOWN_ORG_ROLES: readonly string[] = [
  'ORG_OWNER',
  'ORG_GROUP_CREATOR',
  'ORG_PROJECT_CREATOR',
  'ORG_BILLING_ADMIN',
  'ORG_BILLING_READ_ONLY',
  'ORG_STREAM_PROCESSING_ADMIN',
  'ORG_READ_ONLY',
  'ORG_MEMBER',
];

/** Project (group) roles: the last published enum plus the Cloud Manager-only roles. */
export const KNOWN_PROJECT_ROLES: readonly string[] = [
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
