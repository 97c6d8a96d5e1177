/**
 * The same estate one review later, for the demo's second quarter: a leaver, a joiner and a privilege
 * escalation in the first organization, so "Changes since the last review" has something to show; and
 * in its database access, the users the review revoked are gone and a few new ones appear.
 * Deterministic: the same estate and `now` give the same result.
 */
import { nonHumanUser } from '../domain/identities.js';
import type { DatabaseUser, Organization, Project, User } from '../snapshot/schema.js';
import { authDatabase, OIDC_IDP_ID, setSummary } from './estate-database.js';
import { COMPANY_EMAIL_DOMAINS } from './generate.js';

export interface EstateChanges {
  organizations: Organization[];
  /** What was changed, for the demo's output. */
  changes: string[];
}

/** A fresh 24-hex id derived from an existing one, not used anywhere in `taken`. */
function freshId(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const id = (BigInt(`0x${base}`) + BigInt(n) * 0x1000003n).toString(16).padStart(24, '0').slice(-24);
    if (!taken.has(id)) return id;
  }
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function nextQuarter(organizations: readonly Organization[], now: Date): EstateChanges {
  const [first, ...rest] = organizations;
  if (!first) return { organizations: [], changes: [] };
  const taken = new Set(
    organizations.flatMap((o) => [o.id, ...o.users.map((u) => u.id), ...o.teams.map((t) => t.id)]),
  );
  // People only: the user Atlas Charts creates neither leaves nor gets promoted.
  const members = first.users.filter(
    (u) => u.status === 'ACTIVE' && !u.orgRoles.includes('ORG_OWNER') && nonHumanUser(u.username) === null,
  );
  const leaver = members[0];
  const promoted = members[1];
  const changes: string[] = [];
  let users: User[] = first.users;
  let teams = first.teams;

  if (leaver) {
    users = users.filter((u) => u.id !== leaver.id);
    teams = teams.map((t) => ({ ...t, memberIds: t.memberIds.filter((id) => id !== leaver.id) }));
    changes.push(`${leaver.username} left ${first.name}`);
  }
  if (promoted) {
    users = users.map((u) => (u.id === promoted.id ? { ...u, orgRoles: ['ORG_OWNER'] } : u));
    changes.push(`${promoted.username} became ORG_OWNER of ${first.name}`);
  }
  const team = teams[0];
  const joinerId = freshId(first.users[0]?.id ?? first.id, taken);
  const iso = now.toISOString().replace('.000Z', 'Z');
  const joiner: User = {
    id: joinerId,
    username: `new.joiner@${COMPANY_EMAIL_DOMAINS[0]}`,
    firstName: 'New',
    lastName: 'Joiner',
    country: 'US',
    status: 'ACTIVE',
    orgRoles: ['ORG_MEMBER'],
    projectRoles: [],
    teamIds: team ? [team.id] : [],
    createdAt: iso,
    lastAuth: iso,
    invitationCreatedAt: null,
    invitationExpiresAt: null,
    inviterUsername: null,
  };
  users = [...users, joiner].sort(byId);
  if (team) {
    teams = teams.map((t) => (t.id === team.id ? { ...t, memberIds: [...t.memberIds, joinerId].sort() } : t));
  }
  changes.push(`${joiner.username} joined ${first.name}${team ? ` (team ${team.name})` : ''}`);
  const projects = nextDatabaseAccess(first, users, joiner.username, now, changes);
  return { organizations: [{ ...first, users, teams, projects }, ...rest], changes };
}

const userKey = (u: DatabaseUser) => `${u.databaseName}/${u.username}`;
const byUserKey = (a: DatabaseUser, b: DatabaseUser) =>
  userKey(a) < userKey(b) ? -1 : userKey(a) > userKey(b) ? 1 : 0;

/** Whether the review revoked a database user: a temporary user past its date, or an identity that maps to no member. */
function revoked(u: DatabaseUser, members: ReadonlySet<string>, at: number): boolean {
  if (u.deleteAfterDate !== null && Date.parse(u.deleteAfterDate) < at) return true;
  if (u.authKind !== 'oidc-user' && u.authKind !== 'ldap-user') return false;
  return !members.has(u.username.slice(u.username.indexOf('/') + 1).toLowerCase());
}

/**
 * The first org's database access next quarter: revoked users removed (as of the review, the old
 * quarter's end), and in the first project with a dedicated cluster a new application user and the
 * joiner's OIDC user, each scoped to that cluster and seen there the day before.
 */
function nextDatabaseAccess(
  org: Organization,
  users: readonly User[],
  joiner: string,
  now: Date,
  changes: string[],
): Project[] {
  const members = new Set(users.filter((u) => u.status === 'ACTIVE').map((u) => u.username.toLowerCase()));
  const reviewedAt = Math.max(
    ...org.projects.flatMap((p) => p.clusters.map((c) => Date.parse(c.accessHistory.to ?? '') || 0)),
    0,
  );
  const at = reviewedAt > 0 ? reviewedAt : now.getTime();
  const seen = new Date(now.getTime() - 86_400_000).toISOString().replace('.000Z', 'Z');
  let addedTo: string | null = null;
  const projects = org.projects.map((p) => {
    const kept = p.databaseUsers.filter((u) => {
      if (!revoked(u, members, at)) return true;
      changes.push(`database user ${u.username} removed from ${p.name}`);
      return false;
    });
    const cluster = p.clusters.find((c) => c.accessHistory.status === 'collected');
    if (addedTo !== null || !cluster) return { ...p, databaseUsers: kept };
    addedTo = p.id;
    const scopes = [{ name: cluster.name, type: 'CLUSTER' as const }];
    const newUser = (
      username: string,
      databaseName: DatabaseUser['databaseName'],
      authKind: DatabaseUser['authKind'],
    ): DatabaseUser => ({
      username,
      databaseName,
      authKind,
      roles: [{ roleName: 'read', databaseName: 'appdb', collectionName: null }],
      scopes,
      deleteAfterDate: null,
      description: 'added this quarter',
      labels: [],
      certificates: [],
    });
    const fresh = [
      newUser('svc-quarter-two', 'admin', 'scram'),
      newUser(`${OIDC_IDP_ID}/${joiner}`, authDatabase('oidc-user'), 'oidc-user'),
    ];
    const clusters = p.clusters.map((c) => {
      if (c !== cluster) return c;
      const copy = { ...c, accessHistory: { ...c.accessHistory, summaries: [...c.accessHistory.summaries] } };
      for (const u of fresh) {
        setSummary(copy, {
          username: u.username,
          authSource: u.databaseName,
          lastSuccessAt: seen,
          successes: 3,
          failures: 0,
          sourceIps: ['198.51.100.20'],
        });
      }
      return copy;
    });
    for (const u of fresh) changes.push(`database user ${u.username} added to ${p.name}`);
    return { ...p, clusters, databaseUsers: [...kept, ...fresh].sort(byUserKey) };
  });
  return projects;
}
