/**
 * The vocabulary of database access that the report, the diff and the review share: the
 * subject kinds, a database user's identity id, which database roles are privileged, and how wide a
 * network access entry is. Pure; no snapshot types (domain sits below snapshot), only plain shapes.
 */

/** The subject kinds of database access (docs/report.md "Database access"), beside SUBJECT_KINDS. */
const DATABASE_SUBJECT_KINDS = ['databaseUser', 'customRole', 'networkAccessEntry'] as const;
export type DatabaseSubjectKind = (typeof DATABASE_SUBJECT_KINDS)[number];

/**
 * A database user's id within its organization: `projectId/databaseName/username`. The project id is
 * 24 hex digits and the database is `admin` or `$external`, so splitting at the first two slashes
 * gives the username back whole, even an X.509 DN or an IAM ARN that contains slashes.
 */
export function databaseUserId(projectId: string, databaseName: string, username: string): string {
  return `${projectId}/${databaseName}/${username}`;
}

/** A network access entry's id within its organization: `projectId/entry` (CIDR, address or security group). */
export function networkAccessEntryId(projectId: string, entry: string): string {
  return `${projectId}/${entry}`;
}

/**
 * Built-in roles that reach every database or administer the deployment (`atlasAdmin`,
 * the `*AnyDatabase` roles, `clusterManager`), per the "Built-In Roles" page of the MongoDB manual
 * and Atlas's "Database User Privileges" page.
 */
const PRIVILEGED_DATABASE_ROLES: readonly string[] = [
  'atlasAdmin',
  'readWriteAnyDatabase',
  'readAnyDatabase',
  'dbAdminAnyDatabase',
  'userAdminAnyDatabase',
  'clusterManager',
];

/** A custom role as far as privilege goes: its name and the roles it inherits. */
export interface InheritingRole {
  roleName: string;
  inheritedRoles: ReadonlyArray<{ role: string }>;
}

/**
 * The privileged built-in roles a role name grants: itself when built-in, or what a custom role of
 * the project inherits, transitively (a cycle is followed once).
 */
export function privilegedGrants(roleName: string, customRoles: readonly InheritingRole[]): string[] {
  const byName = new Map(customRoles.map((r) => [r.roleName, r]));
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    if (PRIVILEGED_DATABASE_ROLES.includes(name)) found.add(name);
    for (const inherited of byName.get(name)?.inheritedRoles ?? []) walk(inherited.role);
  };
  walk(roleName);
  return [...found].sort();
}

/** Default of `network-access-wide-cidr`'s `minPrefixLength`: IPv4 and IPv6. */
export const DEFAULT_MIN_PREFIX = { ipv4: 16, ipv6: 48 } as const;

/** How far an access list entry opens the project's clusters. */
export type NetworkExposure = 'world' | 'wide' | 'narrow' | 'security-group';

/** The exposure of one entry (CIDR block, single address, or AWS security group). */
export function networkExposure(
  entry: { cidrBlock: string | null; ipAddress: string | null; awsSecurityGroup: string | null },
  minPrefix: { ipv4: number; ipv6: number } = DEFAULT_MIN_PREFIX,
): NetworkExposure {
  if (entry.cidrBlock === null) return entry.awsSecurityGroup !== null ? 'security-group' : 'narrow';
  const [address = '', prefixText] = entry.cidrBlock.split('/');
  const prefix = prefixText === undefined ? null : Number(prefixText);
  const v6 = address.includes(':');
  if (prefix === 0) return 'world';
  if (prefix === null || !Number.isInteger(prefix)) return 'narrow';
  return prefix < (v6 ? minPrefix.ipv6 : minPrefix.ipv4) ? 'wide' : 'narrow';
}

/** The entry as Atlas shows it: the CIDR block, else the address, else the security group. */
export function networkEntryText(entry: {
  cidrBlock: string | null;
  ipAddress: string | null;
  awsSecurityGroup: string | null;
}): string {
  return entry.cidrBlock ?? entry.ipAddress ?? entry.awsSecurityGroup ?? '';
}
