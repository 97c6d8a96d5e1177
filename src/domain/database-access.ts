/**
 * The vocabulary of database access that the report, the diff and the review share: the
 * subject kinds, a database user's identity id, which database roles are privileged, and how wide a
 * network access entry is. Pure; no snapshot types (domain sits below snapshot), only plain shapes.
 */
import { type CustomRoleShape, customRolePrivileges, isPrivilegedBuiltIn } from './database-roles.js';
import { databaseAccessId } from './keys.js';
import { entryBlock, type NetworkAccessEntryShape, networkAccessEntryValue } from './network-access.js';

/** The subject kinds of database access (docs/report.md "Database access"), beside SUBJECT_KINDS. */
const DATABASE_SUBJECT_KINDS = ['databaseUser', 'customRole', 'networkAccessEntry'] as const;
export type DatabaseSubjectKind = (typeof DATABASE_SUBJECT_KINDS)[number];

/**
 * A database user's id within its organization: `projectId/databaseName/username` (the one id the
 * rules, the report and the review use, src/domain/keys.ts). The project id is 24 hex digits and the
 * database is `admin` or `$external`, so splitting at the first two slashes gives the username back
 * whole, even an X.509 DN or an IAM ARN that contains slashes.
 */
export function databaseUserId(projectId: string, databaseName: string, username: string): string {
  return databaseAccessId(projectId, databaseName, username);
}

/** A network access entry's id within its organization: `projectId/entry` (CIDR, address or security group). */
export function networkAccessEntryId(projectId: string, entry: string): string {
  return databaseAccessId(projectId, entry);
}

/**
 * What a role grant makes privileged, in the rules' terms (src/domain/database-roles.ts, one
 * definition for the rules, the report and the diff): a privileged built-in role is itself; a custom
 * role of the project gives the privileged roles it inherits (`role@db`), the dangerous actions it
 * grants and any inherited role nobody defines (fail closed).
 */
export function privilegedGrants(
  grant: { roleName: string; databaseName: string },
  customRoles: readonly CustomRoleShape[],
): string[] {
  // customRolePrivileges resolves a project's list once, not once per grant (it is asked for every role
  // of every database user).
  const custom = customRolePrivileges(customRoles).get(grant.roleName);
  if (custom === undefined)
    return isPrivilegedBuiltIn(grant.roleName, grant.databaseName) ? [grant.roleName] : [];
  return [...custom.privilegedInherited, ...custom.dangerousActions, ...custom.unknownInherited].sort();
}

/** Default of `network-access-wide-cidr`'s `minPrefixLength`: IPv4 and IPv6. */
export const DEFAULT_MIN_PREFIX = { ipv4: 16, ipv6: 48 } as const;

/** How far an access list entry opens the project's clusters. */
export type NetworkExposure = 'world' | 'wide' | 'narrow' | 'security-group';

/** The exposure of one entry (CIDR block, single address, or AWS security group). */
export function networkExposure(
  entry: NetworkAccessEntryShape,
  minPrefix: { ipv4: number; ipv6: number } = DEFAULT_MIN_PREFIX,
): NetworkExposure {
  const block = entryBlock(entry);
  if (block === null) return entry.awsSecurityGroup !== null ? 'security-group' : 'narrow';
  if (block.prefixLength === 0) return 'world';
  return block.prefixLength < (block.version === 6 ? minPrefix.ipv6 : minPrefix.ipv4) ? 'wide' : 'narrow';
}

/** The entry as Atlas shows it: the CIDR block, else the address, else the security group. */
export const networkEntryText = networkAccessEntryValue;
