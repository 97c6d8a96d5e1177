/**
 * Database users of every project as subjects: their privilege, scope, expiry, authentication kind,
 * last use (from the clusters' access history), X.509 certificates and whether their external
 * identity is a member of the org.
 */

import { databaseIdentity, isOidcWorkload } from '../../domain/database-identity.js';
import {
  BUILT_IN_DATABASE_ROLES,
  type CustomRolePrivilege,
  customRolePrivileges,
  databaseRoleText,
  isPrivilegedBuiltIn,
} from '../../domain/database-roles.js';
import {
  reachableClusters,
  type SummariesByUser,
  summariesByUser,
  userSummaries,
} from '../../domain/database-use.js';
import { databaseAccessId } from '../../domain/keys.js';
import type { Cluster, DatabaseAccessSummary, DatabaseUser, Project } from '../../snapshot/schema.js';
import { daysSince, type OrgView, sorted } from './org-view.js';
import { databaseUserRosterAddresses, ROSTER_FACTS, type RosterLookup, rosterFacts } from './roster.js';
import { clock, type Derived, defineDerivation, type FactValues, f, NAME, needs } from './spec.js';

const DAY_MS = 86_400_000;

const HISTORY = ['clusters', 'accessHistory'] as const;

const DATABASE_USER_FACTS = {
  name: NAME,
  projectName: f('string', 'Name of the project the database user belongs to'),
  databaseName: f('string', 'Authentication database: admin (SCRAM) or $external'),
  authKind: f('string', 'scram, x509-managed, x509-customer, ldap-user, ldap-group, aws-iam-user, ...'),
  roles: f('string[]', 'Roles as "role@database" or "role@database.collection"'),
  isPrivileged: needs(
    f(
      'boolean',
      'Holds a privileged built-in role (atlasAdmin, *AnyDatabase, clusterManager, ...) or a custom role that grants dangerous actions or inherits a privileged role; a role the project does not define counts too',
    ),
    'customRoles',
  ),
  privilegedRoles: needs(f('string[]', 'The roles that make the user privileged, with why'), 'customRoles'),
  isScoped: f('boolean', 'Limited to named clusters or data lakes (no scope: every cluster of the project)'),
  scopes: f('string[]', 'Scopes as "CLUSTER: name" or "DATA_LAKE: name"'),
  projectClusterCount: needs(f('number', 'Clusters in the user’s project'), 'clusters'),
  isPermanent: f('boolean', 'Has no deleteAfterDate'),
  deleteAfterDate: f('string', 'When Atlas deletes the temporary user (UTC); null when permanent', true),
  isPastDeleteAfterDate: clock(f('boolean', 'deleteAfterDate is at or before the audit time')),
  isPasswordAuth: f('boolean', 'Authenticates with a password (SCRAM)'),
  accessHistorySince: needs(
    f('string', 'Start of the access history window of the clusters the user can reach (UTC)', true),
    ...HISTORY,
  ),
  usedInWindow: needs(
    f('boolean', 'Authenticated successfully to a cluster it can reach within the access history window'),
    ...HISTORY,
  ),
  lastUsedAt: needs(
    f('string', 'Last successful authentication in the window (UTC); null when none', true),
    ...HISTORY,
  ),
  daysSinceLastUse: clock(
    needs(f('number', 'Whole days since lastUsedAt; null when not used in the window', true), ...HISTORY),
  ),
  certificateCount: needs(f('number', 'Atlas-managed X.509 certificates of the user'), 'databaseUserCerts'),
  expiredCertificateCount: clock(
    needs(
      f('number', 'Atlas-managed certificates whose notAfter is at or before the audit time'),
      'databaseUserCerts',
    ),
  ),
  daysUntilCertificateExpiry: clock(
    needs(
      f('number', 'Whole days until the first unexpired certificate expires; null when none', true),
      'databaseUserCerts',
    ),
  ),
  isPersonIdentity: f(
    'boolean',
    'An OIDC Workforce user (in admin) or an LDAP user: an identity of one person; an OIDC Workload user (in $external) is an application',
  ),
  identityAddress: f(
    'string',
    'The address derived from the external identity (OIDC "<idp>/<name>", LDAP DN); null when none',
    true,
  ),
  isOrgMember: needs(
    f(
      'boolean',
      'identityAddress is the username of a user of the org; null for non-person identities',
      true,
    ),
    'users',
  ),
  // The roster (`--roster`), joined by the address the identity states (OIDC and LDAP users; none for
  // groups, SCRAM, X.509 and AWS IAM users): docs/roster.md, "The join".
  ...ROSTER_FACTS,
};

type DatabaseUserFacts = FactValues<typeof DATABASE_USER_FACTS>;
type Unknown = Partial<Record<keyof DatabaseUserFacts, string>>;

/** Per project: what every user's derivation reads, computed once. */
interface ProjectIndex {
  project: Project;
  privileges: ReadonlyMap<string, CustomRolePrivilege>;
  /** Per cluster: its access-history summaries by username (src/domain/database-use.ts). */
  summariesOf: SummariesByUser<Cluster, DatabaseAccessSummary>;
}

/** The roles that make the user privileged, each with why. */
function privilegedRoles(u: DatabaseUser, ix: ProjectIndex): string[] {
  const out: string[] = [];
  for (const r of u.roles) {
    const custom = ix.privileges.get(r.roleName);
    if (custom) {
      if (!custom.privileged) continue;
      const why = [
        ...custom.dangerousActions,
        ...custom.privilegedInherited.map((x) => `inherits ${x}`),
        ...custom.unknownInherited.map((x) => `inherits unknown ${x}`),
      ];
      out.push(`${databaseRoleText(r)} (custom: ${why.join(', ')})`);
    } else if (isPrivilegedBuiltIn(r.roleName, r.databaseName)) {
      out.push(databaseRoleText(r));
    } else if (!BUILT_IN_DATABASE_ROLES.has(r.roleName)) {
      out.push(`${databaseRoleText(r)} (unknown role)`);
    }
  }
  return sorted(new Set(out));
}

type UsageFacts = Pick<
  DatabaseUserFacts,
  'accessHistorySince' | 'usedInWindow' | 'lastUsedAt' | 'daysSinceLastUse'
>;

/** Last use over the reachable clusters; unknown unless every one of them has a `collected` history. */
function usage(u: DatabaseUser, ix: ProjectIndex, now: Date): { facts: UsageFacts; unknown: Unknown } {
  const clusters = reachableClusters(u, ix.project.clusters);
  const gaps = clusters.filter((c) => c.accessHistory.status !== 'collected');
  const none: UsageFacts = {
    accessHistorySince: null,
    usedInWindow: false,
    lastUsedAt: null,
    daysSinceLastUse: null,
  };
  const why =
    clusters.length === 0
      ? 'reaches no cluster whose access history could be read'
      : gaps.length > 0
        ? `no access history from ${gaps.map((c) => `${c.name} (${c.accessHistory.status})`).join(', ')}`
        : null;
  if (why !== null) {
    const reason = `database user ${u.username}: ${why}`;
    return {
      facts: none,
      unknown: {
        accessHistorySince: reason,
        usedInWindow: reason,
        lastUsedAt: reason,
        daysSinceLastUse: reason,
      },
    };
  }
  // Each timestamp is parsed once: the estate has hundreds of thousands of users and summaries.
  let last: string | null = null;
  let lastMs = Number.NEGATIVE_INFINITY;
  let since: string | null = null;
  let sinceMs = Number.POSITIVE_INFINITY;
  for (const c of clusters) {
    const from = c.accessHistory.from;
    if (from !== null) {
      const ms = Date.parse(from);
      if (since === null || ms < sinceMs) {
        since = from;
        sinceMs = ms;
      }
    }
    for (const s of userSummaries(u, c, ix.summariesOf)) {
      if (s.lastSuccessAt === null) continue;
      const ms = Date.parse(s.lastSuccessAt);
      if (last === null || ms > lastMs) {
        last = s.lastSuccessAt;
        lastMs = ms;
      }
    }
  }
  return {
    facts: {
      accessHistorySince: since,
      usedInWindow: last !== null,
      lastUsedAt: last,
      daysSinceLastUse: daysSince(last, now),
    },
    unknown: {},
  };
}

type IdentityFacts = Pick<DatabaseUserFacts, 'isPersonIdentity' | 'identityAddress' | 'isOrgMember'>;

function identity(u: DatabaseUser, members: ReadonlySet<string>): { facts: IdentityFacts; unknown: Unknown } {
  const person = (u.authKind === 'oidc-user' && !isOidcWorkload(u)) || u.authKind === 'ldap-user';
  // The one derivation the roster join and the routing use too (src/domain/database-identity.ts).
  const address = person ? (databaseIdentity(u)?.address ?? null) : null;
  const facts = {
    isPersonIdentity: person,
    identityAddress: address,
    isOrgMember: person && address !== null ? members.has(address) : null,
  };
  if (!person || address !== null) return { facts, unknown: {} };
  return {
    facts,
    unknown: { isOrgMember: `database user ${u.username}: no address can be derived from its identity` },
  };
}

type CertificateFacts = Pick<
  DatabaseUserFacts,
  'certificateCount' | 'expiredCertificateCount' | 'daysUntilCertificateExpiry'
>;

function certificates(u: DatabaseUser, now: Date): CertificateFacts {
  let expired = 0;
  let next: number | null = null;
  for (const c of u.certificates) {
    if (c.notAfter === null) continue;
    const ms = Date.parse(c.notAfter) - now.getTime();
    if (ms <= 0) expired += 1;
    else {
      const days = Math.floor(ms / DAY_MS);
      if (next === null || days < next) next = days;
    }
  }
  return {
    certificateCount: u.certificates.length,
    expiredCertificateCount: expired,
    daysUntilCertificateExpiry: next,
  };
}

function deriveDatabaseUser(
  u: DatabaseUser,
  ix: ProjectIndex,
  people: { members: ReadonlySet<string>; roster: RosterLookup | null },
  now: Date,
): Derived<typeof DATABASE_USER_FACTS> {
  const { members, roster } = people;
  const p = ix.project;
  const privileged = privilegedRoles(u, ix);
  const use = usage(u, ix, now);
  const who = identity(u, members);
  const cert = certificates(u, now);
  // A person whose identity states no address can be joined neither to members nor to the roster.
  const unjoined = who.unknown.isOrgMember;
  const unknown: Unknown = {
    ...use.unknown,
    ...who.unknown,
    ...(unjoined ? { inRoster: unjoined, rosterStatus: unjoined } : {}),
  };
  const id = databaseAccessId(p.id, u.databaseName, u.username);
  return {
    ref: { type: 'databaseUser', id, name: u.username },
    aliases: [id, u.username],
    facts: Object.assign(
      {
        name: u.username,
        projectName: p.name,
        databaseName: u.databaseName,
        authKind: u.authKind,
        roles: sorted(u.roles.map(databaseRoleText)),
        isPrivileged: privileged.length > 0,
        privilegedRoles: privileged,
        isScoped: u.scopes.length > 0,
        scopes: sorted(u.scopes.map((s) => `${s.type}: ${s.name}`)),
        projectClusterCount: p.clusters.length,
        isPermanent: u.deleteAfterDate === null,
        deleteAfterDate: u.deleteAfterDate,
        isPastDeleteAfterDate: u.deleteAfterDate !== null && Date.parse(u.deleteAfterDate) <= now.getTime(),
        isPasswordAuth: u.authKind === 'scram',
        // Named one by one, not spread: three spreads into a 23-key literal cost more than the rest of
        // the derivation for 250,000 database users (bench/audit.ts); the roster's eight are assigned.
        accessHistorySince: use.facts.accessHistorySince,
        usedInWindow: use.facts.usedInWindow,
        lastUsedAt: use.facts.lastUsedAt,
        daysSinceLastUse: use.facts.daysSinceLastUse,
        certificateCount: cert.certificateCount,
        expiredCertificateCount: cert.expiredCertificateCount,
        daysUntilCertificateExpiry: cert.daysUntilCertificateExpiry,
        isPersonIdentity: who.facts.isPersonIdentity,
        identityAddress: who.facts.identityAddress,
        isOrgMember: who.facts.isOrgMember,
      },
      rosterFacts(roster, databaseUserRosterAddresses(u), now),
    ),
    ...(Object.keys(unknown).length > 0 ? { unknown } : {}),
  };
}

export const databaseUserDerivation = defineDerivation({
  facts: DATABASE_USER_FACTS,
  derive(view: OrgView) {
    // Members are ACTIVE users: an invitation (PENDING or expired) is not yet anyone's membership.
    const members = new Set(
      view.org.users.filter((u) => u.status === 'ACTIVE').map((u) => u.username.toLowerCase()),
    );
    return view.org.projects.flatMap((project) => {
      const ix: ProjectIndex = {
        project,
        privileges: customRolePrivileges(project.customRoles),
        summariesOf: summariesByUser(project.clusters),
      };
      const people = { members, roster: view.roster };
      return project.databaseUsers.map((u) => deriveDatabaseUser(u, ix, people, view.now));
    });
  },
});
