/**
 * Database access of a generated project: clusters of several tiers, database users of every auth
 * kind, custom database roles, the project IP access list and each dedicated cluster's access
 * history, all clean (no database rule fires on them) and within Atlas's limits. Planters
 * (planters-database.ts) then change what their rule must find.
 *
 * Drawn from the org's own database stream, so adding database access left every estate a seed gave
 * before unchanged in everything else.
 *
 * Access history is kept as summaries over {@link ACCESS_HISTORY_DAYS} (the snapshot's shape); the log
 * lines the simulator serves are expanded from them by {@link accessLogLines}, deterministically, so
 * the summary of any window can be recomputed (expected.ts) from the same lines the server answers.
 */
import type {
  Cluster,
  CustomRole,
  DatabaseAccessSummary,
  DatabaseAuthKind,
  DatabaseUser,
  NetworkAccessEntry,
  Project,
} from '../snapshot/schema.js';
import { byKey, DAY, iso, type Rng } from './estate-random.js';
import { TEAM_AREAS } from './estate-words.js';

/** Days of access history the estate holds (the logs the simulator serves go back this far). */
export const ACCESS_HISTORY_DAYS = 180;
/** Atlas returns at most this many access log lines per request (`nLogs` maximum). */
export const MAX_ACCESS_LOG_LINES = 20_000;
/** Tiers that cannot provide database access history (tenant tiers; the spec: "M0, M2, M5"). */
const TENANT_TIERS: readonly string[] = ['M0', 'M2', 'M5'];
/** Dedicated tiers the generator uses (in every provider's instance-size enum). */
const DEDICATED_TIERS = ['M10', 'M20', 'M30', 'M40', 'M50'] as const;
/** The OIDC identity provider id that prefixes OIDC user names (`{idpId}/{name}`). */
export const OIDC_IDP_ID = '0oa1northwind';
/** The AWS account of the generated IAM principals. */
const AWS_ACCOUNT = '123456789012';
/** Built-in roles that grant no privilege a database rule flags (never `*AnyDatabase`, `atlasAdmin`...). */
const PLAIN_ROLES = ['read', 'readWrite'] as const;
/** Custom-role actions that no rule flags. */
const PLAIN_ACTIONS = [
  'FIND',
  'INSERT',
  'UPDATE',
  'REMOVE',
  'LIST_COLLECTIONS',
  'LIST_INDEXES',
  'COLL_STATS',
];
/** Auth kinds in the order a project's users take them (every kind once a project has nine users). */
export const AUTH_KINDS: readonly DatabaseAuthKind[] = [
  'scram',
  'x509-managed',
  'oidc-user',
  'aws-iam-role',
  'ldap-user',
  'x509-customer',
  'oidc-group',
  'ldap-group',
  'aws-iam-user',
];

/** Whether a cluster's tier can provide database access history. */
export function supportsAccessHistory(tier: string | null): boolean {
  return tier !== null && !TENANT_TIERS.includes(tier) && tier !== 'FLEX';
}

/** The clusters a database user can reach: its scoped clusters, or every cluster when unscoped. */
export function reachableClusters(project: Project, user: DatabaseUser): Cluster[] {
  const scoped = user.scopes.filter((s) => s.type === 'CLUSTER').map((s) => s.name);
  if (user.scopes.length === 0) return project.clusters;
  return project.clusters.filter((c) => scoped.includes(c.name));
}

/** The value that names an access list entry in its DELETE path: CIDR, address or security group. */
export function entryValue(entry: NetworkAccessEntry): string {
  return entry.cidrBlock ?? entry.ipAddress ?? entry.awsSecurityGroup ?? '';
}

/** What the generator knows of an org while it adds database access. */
export interface DatabaseContext {
  rng: Rng;
  now: number;
  /** Usernames (emails) of the org's active members, for OIDC and LDAP users that map to a person. */
  memberEmails: readonly string[];
  /** A fresh object id created at a time. */
  nextId: (atMs: number) => string;
  databaseUsersPerProject: number;
  /** Clusters per project; null: the project's own `clusterCount`. */
  clustersPerProject: number | null;
  /** Chance that a project's first cluster is a tenant tier. */
  tenantClusterShare: number;
}

/** Adds clean database access to every project (projects without clusters get none of it). */
export function addDatabaseAccess(ctx: DatabaseContext, projects: Project[]): void {
  for (const [index, project] of projects.entries()) addProjectAccess(ctx, project, index);
}

function addProjectAccess(ctx: DatabaseContext, project: Project, index: number): void {
  const { rng } = ctx;
  project.networkAccess = cleanAccessList(rng, ctx.now, index);
  const clusterCount = ctx.clustersPerProject ?? project.clusterCount ?? 0;
  project.clusterCount = clusterCount;
  if (clusterCount === 0) return;
  const area = TEAM_AREAS[index % TEAM_AREAS.length] ?? 'app';
  project.clusters = cleanClusters(ctx, clusterCount, area);
  project.customRoles = cleanCustomRoles(rng, area);
  const users: DatabaseUser[] = [];
  for (let i = 0; i < ctx.databaseUsersPerProject; i++) {
    const kind = AUTH_KINDS[i % AUTH_KINDS.length] ?? 'scram';
    // A person's identity needs a person: an org without members gets the group kinds instead.
    const personless = ctx.memberEmails.length === 0;
    const fitted =
      personless && kind === 'oidc-user'
        ? 'oidc-group'
        : personless && kind === 'ldap-user'
          ? 'ldap-group'
          : kind;
    let user = cleanUser(ctx, project, area, i, fitted);
    // Two users of one person in one project would share an identity: the later one is a group.
    if (users.some((u) => u.username === user.username)) {
      user = cleanUser(ctx, project, area, i, fitted === 'oidc-user' ? 'oidc-group' : 'ldap-group');
    }
    users.push(user);
  }
  project.databaseUsers = users.sort(byKey((u) => `${u.databaseName}/${u.username}`));
  writeCleanHistory(ctx, project);
}

/** Clusters: the first may be a tenant (M0/M2/M5); the rest dedicated. Names follow `^[a-zA-Z0-9][a-zA-Z0-9-]*$`. */
function cleanClusters(ctx: DatabaseContext, count: number, area: string): Cluster[] {
  const clusters: Cluster[] = [];
  for (let i = 0; i < count; i++) {
    const tenant = i === 0 && ctx.rng.chance(ctx.tenantClusterShare);
    const tier = tenant ? ctx.rng.pick(TENANT_TIERS) : ctx.rng.pick(DEDICATED_TIERS);
    const created = ctx.now - ctx.rng.int(200, 700) * DAY;
    clusters.push({
      id: ctx.nextId(created),
      name: `${area}-${tenant ? 'sandbox' : 'cluster'}${i}`,
      tier,
      clusterType: tenant ? 'REPLICASET' : ctx.rng.pick(['REPLICASET', 'REPLICASET', 'SHARDED']),
      paused: false,
      accessHistory: {
        status: supportsAccessHistory(tier) ? 'collected' : 'unsupported',
        reason: supportsAccessHistory(tier)
          ? null
          : `The ${tier} tier cannot provide database access history.`,
        from: iso(ctx.now - ACCESS_HISTORY_DAYS * DAY),
        to: iso(ctx.now),
        lines: 0,
        summaries: [],
      },
    });
  }
  return clusters.sort(byKey((c) => c.name));
}

function cleanCustomRoles(rng: Rng, area: string): CustomRole[] {
  const count = rng.int(0, 2);
  const roles: CustomRole[] = [];
  for (let i = 0; i < count; i++) {
    const actions = rng
      .shuffle([...PLAIN_ACTIONS])
      .slice(0, rng.int(2, 4))
      .sort()
      .map((action) => ({ action, resources: [{ cluster: false, db: `${area}db`, collection: '' }] }));
    roles.push({
      roleName: `${area}-${i === 0 ? 'writer' : 'reporting'}`,
      actions,
      inheritedRoles: rng.chance(0.5) ? [{ db: `${area}db`, role: 'read' }] : [],
    });
  }
  return roles;
}

/** Two to four commented entries: single addresses (`/32`), narrow CIDRs, sometimes a security group. */
function cleanAccessList(rng: Rng, now: number, index: number): NetworkAccessEntry[] {
  const entries: NetworkAccessEntry[] = [];
  const n = rng.int(2, 4);
  for (let i = 0; i < n; i++) {
    const kind = i === 0 ? 'address' : rng.pick(['address', 'cidr', 'cidr', 'group'] as const);
    const temporary = rng.chance(0.15);
    const deleteAfterDate = temporary ? iso(now + rng.int(1, 6) * DAY) : null;
    if (kind === 'address') {
      const ip = `203.0.113.${(index * 7 + i * 13 + rng.int(1, 5)) % 250}`;
      entries.push({
        cidrBlock: `${ip}/32`,
        ipAddress: ip,
        awsSecurityGroup: null,
        comment: rng.pick(['office egress', 'CI runners', 'bastion host', 'VPN gateway']),
        deleteAfterDate,
      });
    } else if (kind === 'cidr') {
      const prefix = rng.pick([24, 26, 28]);
      entries.push({
        cidrBlock: `10.${(index % 250) + 1}.${i * 16}.0/${prefix}`,
        ipAddress: null,
        awsSecurityGroup: null,
        comment: rng.pick(['app subnet', 'peered VPC', 'batch workers']),
        deleteAfterDate,
      });
    } else {
      entries.push({
        cidrBlock: null,
        ipAddress: null,
        awsSecurityGroup: `sg-${String(10_000_000 + index * 100 + i).padStart(8, '0')}`,
        comment: 'application security group',
        deleteAfterDate: null,
      });
    }
  }
  // One entry per value (two draws can name the same address).
  const byValue = new Map<string, NetworkAccessEntry>();
  for (const e of entries) if (!byValue.has(entryValue(e))) byValue.set(entryValue(e), e);
  return [...byValue.values()].sort(byKey(entryValue));
}

/**
 * The authentication database Atlas keeps a user of this kind in (spec, `CloudDatabaseUser.databaseName`):
 * `admin` for SCRAM-SHA and OIDC Workforce, `$external` for AWS IAM, X.509, LDAP and OIDC Workload. The
 * simulator's OIDC users and groups are workforce identities (people of the org and their IdP groups),
 * so they live in `admin`; the collector keeps whatever database Atlas names, and plans follow it.
 */
export function authDatabase(kind: DatabaseAuthKind): DatabaseUser['databaseName'] {
  return kind === 'scram' || kind === 'oidc-user' || kind === 'oidc-group' ? 'admin' : '$external';
}

/** A username and auth database for one auth kind; OIDC/LDAP users map to an org member's email. */
function identityFor(ctx: DatabaseContext, kind: DatabaseAuthKind, area: string, i: number): string {
  switch (kind) {
    case 'scram':
      return `svc-${area}-${i}`;
    case 'x509-managed':
      return `x509-${area}-${i}`;
    case 'x509-customer':
      return `CN=${area}-batch-${i},OU=apps,DC=northwind-traders,DC=com`;
    case 'ldap-user':
      return ctx.rng.pick(ctx.memberEmails);
    case 'ldap-group':
      return `CN=${area}-dba-${i},OU=groups,DC=northwind-traders,DC=com`;
    case 'aws-iam-user':
      return `arn:aws:iam::${AWS_ACCOUNT}:user/${area}-loader-${i}`;
    case 'aws-iam-role':
      return `arn:aws:iam::${AWS_ACCOUNT}:role/${area}-runtime-${i}`;
    case 'oidc-user':
      return `${OIDC_IDP_ID}/${ctx.rng.pick(ctx.memberEmails)}`;
    case 'oidc-group':
      return `${OIDC_IDP_ID}/${area}-db-readers-${i}`;
  }
}

function cleanUser(
  ctx: DatabaseContext,
  project: Project,
  area: string,
  i: number,
  kind: DatabaseAuthKind,
): DatabaseUser {
  const { rng, now } = ctx;
  const roles: DatabaseUser['roles'] = [
    {
      roleName: rng.pick(PLAIN_ROLES),
      databaseName: `${area}db`,
      collectionName: rng.chance(0.2) ? 'orders' : null,
    },
  ];
  const custom = project.customRoles;
  if (custom.length > 0 && rng.chance(0.3)) {
    roles.push({ roleName: rng.pick(custom).roleName, databaseName: 'admin', collectionName: null });
  }
  // Scoped to some clusters when the project has several (an unscoped user reaches them all).
  const names = project.clusters.map((c) => c.name);
  const scoped = names.length > 1 || rng.chance(0.3);
  const scopes = scoped
    ? rng
        .shuffle([...names])
        .slice(0, rng.int(1, Math.max(1, names.length - 1)))
        .sort()
        .map((name) => ({ name, type: 'CLUSTER' as const }))
    : [];
  const certificates =
    kind === 'x509-managed'
      ? [0, 1].slice(0, rng.int(1, 2)).map((k) => {
          const created = now - rng.int(10, 200) * DAY;
          return {
            id: String(1_000_000 + i * 10 + k + rng.int(0, 999) * 100),
            createdAt: iso(created),
            notAfter: iso(now + rng.int(60, 700) * DAY),
          };
        })
      : [];
  return {
    username: identityFor(ctx, kind, area, i),
    databaseName: authDatabase(kind),
    authKind: kind,
    roles,
    scopes,
    deleteAfterDate: rng.chance(0.1) ? iso(now + rng.int(1, 6) * DAY) : null,
    description: rng.chance(0.6) ? `${area} ${kind} access` : null,
    labels: rng.chance(0.5) ? [{ key: 'team', value: area }] : [],
    certificates: certificates.sort(byKey((c) => c.id)),
  };
}

/** Source addresses of a project's clients: its `/32` access list entries, or documentation addresses. */
function sourceIps(project: Project): string[] {
  const ips = project.networkAccess.map((e) => e.ipAddress).filter((ip): ip is string => ip !== null);
  return ips.length > 0 ? ips : ['198.51.100.20', '198.51.100.21'];
}

/**
 * Clean history: every user that can reach a dedicated cluster authenticated on one within 60 days
 * (the inactivity threshold is 90); some failures; a stranger's failed attempts on some clusters.
 */
function writeCleanHistory(ctx: DatabaseContext, project: Project): void {
  const { rng, now } = ctx;
  const ips = sourceIps(project);
  for (const user of project.databaseUsers) {
    const dedicated = reachableClusters(project, user).filter((c) => c.accessHistory.status === 'collected');
    if (dedicated.length === 0) continue; // reaches only tenant clusters: never in any log
    for (const [k, cluster] of dedicated.entries()) {
      if (k > 0 && rng.chance(0.5)) continue;
      const last = now - rng.int(0, 60) * DAY - rng.int(0, DAY - 1);
      setSummary(cluster, {
        username: user.username,
        authSource: user.databaseName,
        lastSuccessAt: iso(last),
        successes: rng.int(2, 12),
        failures: rng.chance(0.3) ? rng.int(1, 3) : 0,
        sourceIps: rng
          .shuffle([...ips])
          .slice(0, rng.int(1, Math.min(2, ips.length)))
          .sort(),
      });
    }
  }
  for (const cluster of project.clusters) {
    if (cluster.accessHistory.status !== 'collected' || !rng.chance(0.3)) continue;
    setSummary(cluster, {
      username: 'admin',
      authSource: 'admin',
      lastSuccessAt: null,
      successes: 0,
      failures: rng.int(1, 4),
      sourceIps: ['192.0.2.66'],
    });
  }
}

/** Sets (replaces) one user's summary on a cluster and recounts its lines. */
export function setSummary(cluster: Cluster, summary: DatabaseAccessSummary): void {
  const history = cluster.accessHistory;
  const others = history.summaries.filter((s) => s.username !== summary.username);
  const summaries = summary.successes + summary.failures > 0 ? [...others, summary] : others;
  history.summaries = summaries.sort(byKey((s) => s.username));
  history.lines = history.summaries.reduce((n, s) => n + s.successes + s.failures, 0);
}

/** One line of a cluster's database access log, in the simulator's terms. */
export interface AccessLogLine {
  timestamp: number;
  username: string;
  authSource: string;
  ipAddress: string;
  authResult: boolean;
}

/**
 * The log lines behind a cluster's summaries, newest first: a user's successes end at its
 * `lastSuccessAt`, a day apart (closer when the window is short), failures between them, addresses
 * in turn so each appears. Summarising them over the cluster's window gives back the summaries.
 */
export function accessLogLines(cluster: Cluster): AccessLogLine[] {
  const history = cluster.accessHistory;
  const from = Date.parse(history.from ?? '');
  const to = Date.parse(history.to ?? '');
  if (!Number.isFinite(from) || !Number.isFinite(to)) return [];
  const lines: AccessLogLine[] = [];
  for (const s of history.summaries) {
    const last = s.lastSuccessAt === null ? to - 3_600_000 : Date.parse(s.lastSuccessAt);
    const count = s.successes + s.failures;
    const step = Math.max(1, Math.min(DAY, Math.floor((last - from) / Math.max(1, count))));
    const authSource = s.authSource ?? 'admin';
    for (let i = 0; i < s.successes; i++) {
      const ipAddress = s.sourceIps[i % s.sourceIps.length] ?? '192.0.2.1';
      lines.push({
        timestamp: last - i * step,
        username: s.username,
        authSource,
        ipAddress,
        authResult: true,
      });
    }
    for (let j = 0; j < s.failures; j++) {
      const ipAddress = s.sourceIps[(s.successes + j) % s.sourceIps.length] ?? '192.0.2.1';
      const at = s.successes > 0 ? last - (s.successes + j) * step + Math.floor(step / 2) : last - j * step;
      lines.push({ timestamp: at, username: s.username, authSource, ipAddress, authResult: false });
    }
  }
  return lines.sort((a, b) => b.timestamp - a.timestamp || (a.username < b.username ? -1 : 1));
}

/** Per-user summaries of log lines (what a collector stores), sorted by username. */
export function summarize(lines: readonly AccessLogLine[]): DatabaseAccessSummary[] {
  const byUser = new Map<string, DatabaseAccessSummary & { ips: Set<string> }>();
  for (const line of lines) {
    let s = byUser.get(line.username);
    if (!s) {
      s = {
        username: line.username,
        authSource: line.authSource,
        lastSuccessAt: null,
        successes: 0,
        failures: 0,
        sourceIps: [],
        ips: new Set(),
      };
      byUser.set(line.username, s);
    }
    s.ips.add(line.ipAddress);
    if (line.authResult) {
      s.successes++;
      if (s.lastSuccessAt === null || Date.parse(s.lastSuccessAt) < line.timestamp)
        s.lastSuccessAt = iso(line.timestamp);
    } else s.failures++;
  }
  return [...byUser.values()]
    .map(({ ips, ...s }) => ({ ...s, sourceIps: [...ips].sort() }))
    .sort(byKey((s) => s.username));
}
