/**
 * Database access of each project: its database users (also Review rows of kind
 * `databaseUser`), custom roles, IP access list and clusters, with what access history says about
 * each user's last use. A user's use is `unused` only where every cluster it can reach has
 * `collected` history; anywhere else it is `unknown` and says why, never an empty "last used".
 */
import { compareText } from '../../../domain/compare-text.js';
import {
  DEFAULT_MIN_PREFIX,
  databaseUserId,
  type NetworkExposure,
  networkAccessEntryId,
  networkEntryText,
  networkExposure,
  privilegedGrants,
} from '../../../domain/database-access.js';
import { databaseRoleText } from '../../../domain/database-roles.js';
import {
  reachableClusters,
  type SummariesByUser,
  summariesByUser,
  userSummaries,
} from '../../../domain/database-use.js';
import { identityKey } from '../../../domain/keys.js';
import type { Cluster, CustomRole, DatabaseUser, Organization, Project } from '../../../snapshot/schema.js';

type Summary = Cluster['accessHistory']['summaries'][number];

import type {
  ClusterRow,
  CustomRoleRow,
  DatabaseAccessCounts,
  DatabaseProjectRow,
  DatabaseUse,
  DatabaseUserClusterUse,
  DatabaseUserRow,
  NetworkAccessRow,
  RosterRow,
} from '../../model.js';
import { subjectStats } from '../finding-rows.js';
import { daysBetween, earliest, latest } from '../shared.js';
import type { OrgContext, SectionBuilder } from './context.js';

export function zeroDatabaseCounts(): DatabaseAccessCounts {
  return {
    users: 0,
    privileged: 0,
    unused: 0,
    useUnknown: 0,
    customRoles: 0,
    networkEntries: 0,
    worldOpen: 0,
    wide: 0,
  };
}

export function addDatabaseCounts(into: DatabaseAccessCounts, add: DatabaseAccessCounts): void {
  for (const k of Object.keys(into) as Array<keyof DatabaseAccessCounts>) into[k] += add[k];
}

/**
 * The `network-access-wide-cidr` rule's effective `minPrefixLength` (a number is the IPv4 prefix;
 * an object gives both), so "wide" in the report means what the rule means; its defaults otherwise.
 */
export function minPrefixOf(params: Record<string, unknown> | undefined): { ipv4: number; ipv6: number } {
  const p: unknown = params?.['minPrefixLength'];
  if (typeof p === 'number') return { ...DEFAULT_MIN_PREFIX, ipv4: p };
  if (typeof p !== 'object' || p === null) return { ...DEFAULT_MIN_PREFIX };
  const { ipv4, ipv6 } = p as { ipv4?: unknown; ipv6?: unknown };
  return {
    ipv4: typeof ipv4 === 'number' ? ipv4 : DEFAULT_MIN_PREFIX.ipv4,
    ipv6: typeof ipv6 === 'number' ? ipv6 : DEFAULT_MIN_PREFIX.ipv6,
  };
}

const STATUS_TEXT: Record<DatabaseUserClusterUse['status'], string> = {
  collected: 'collected',
  'not-requested': 'not requested',
  unsupported: 'unsupported',
  truncated: 'truncated',
};

/** "not requested", "unsupported (tier M0)": a cluster's access history status in words. */
export function historyStatusText(c: Pick<ClusterRow, 'historyStatus' | 'reason'>): string {
  const text = STATUS_TEXT[c.historyStatus];
  return c.reason ? `${text} (${c.reason})` : text;
}

function clusterUse(
  user: DatabaseUser,
  cluster: Cluster,
  summaries: SummariesByUser<Cluster, Summary>,
): DatabaseUserClusterUse {
  const mine = userSummaries(user, cluster, summaries);
  return {
    cluster: cluster.name,
    status: cluster.accessHistory.status,
    lastSuccessAt: latest(mine.map((s) => s.lastSuccessAt)),
    successes: mine.reduce((n, s) => n + s.successes, 0),
    failures: mine.reduce((n, s) => n + s.failures, 0),
  };
}

function useOf(
  uses: readonly DatabaseUserClusterUse[],
  historyCollected: boolean,
): { use: DatabaseUse; note: string } {
  if (uses.some((u) => u.lastSuccessAt !== null)) return { use: 'used', note: '' };
  const blind = uses.filter((u) => u.status !== 'collected');
  if (!historyCollected) return { use: 'unknown', note: 'access history not collected' };
  if (uses.length === 0) return { use: 'unknown', note: 'no cluster to read access history from' };
  if (blind.length === 0) return { use: 'unused', note: '' };
  return {
    use: 'unknown',
    note: blind.map((u) => `${u.cluster}: history ${STATUS_TEXT[u.status]}`).join('; '),
  };
}

/** What access history says about one user on each cluster it can reach (sorted), and in sum. */
function userUse(
  org: Organization,
  project: Project,
  user: DatabaseUser,
  summaries: SummariesByUser<Cluster, Summary>,
): { clusters: DatabaseUserClusterUse[]; use: DatabaseUse; note: string } {
  const clusters = reachableClusters(user, project.clusters)
    .map((c) => clusterUse(user, c, summaries))
    .sort((a, b) => compareText(a.cluster, b.cluster));
  return { clusters, ...useOf(clusters, org.coverage.accessHistory && org.coverage.clusters) };
}

/** Whether a user holds a privileged role, directly or through a custom role (its row's `privilegedRoles`). */
function privileged(project: Project, user: DatabaseUser): boolean {
  return user.roles.some((r) => privilegedGrants(r, project.customRoles).length > 0);
}

function userRow(
  ctx: OrgContext,
  project: Project,
  user: DatabaseUser,
  summaries: SummariesByUser<Cluster, Summary>,
): DatabaseUserRow {
  const { org } = ctx;
  const key = identityKey(
    org.id,
    'databaseUser',
    databaseUserId(project.id, user.databaseName, user.username),
  );
  const st = subjectStats(ctx.findings, key);
  const { clusters, use, note } = userUse(org, project, user, summaries);
  return {
    key,
    orgId: org.id,
    orgName: org.name,
    projectId: project.id,
    projectName: project.name,
    username: user.username,
    databaseName: user.databaseName,
    authKind: user.authKind,
    roles: user.roles.map(databaseRoleText).sort(compareText),
    privilegedRoles: [...new Set(user.roles.flatMap((r) => privilegedGrants(r, project.customRoles)))].sort(
      compareText,
    ),
    scopes: user.scopes.map((s) => s.name).sort(compareText),
    deleteAfterDate: user.deleteAfterDate,
    description: user.description,
    certificateExpiresAt: earliest(user.certificates.map((c) => c.notAfter)),
    use,
    lastSuccessAt: latest(clusters.map((c) => c.lastSuccessAt)),
    clusters,
    useNote: note,
    findingCount: st.count,
    maxSeverity: st.max,
    findingRules: st.rules,
  };
}

function customRoleRow(ctx: OrgContext, project: Project, role: CustomRole): CustomRoleRow {
  const key = identityKey(ctx.org.id, 'customRole', `${project.id}/${role.roleName}`);
  return {
    orgId: ctx.org.id,
    orgName: ctx.org.name,
    projectId: project.id,
    projectName: project.name,
    roleName: role.roleName,
    actions: role.actions
      .flatMap((a) =>
        a.resources.length === 0
          ? [a.action]
          : a.resources.map((r) =>
              r.cluster ? `${a.action} on cluster` : `${a.action} on ${r.db || '*'}.${r.collection || '*'}`,
            ),
      )
      .sort(compareText),
    inheritedRoles: role.inheritedRoles.map((r) => `${r.role}@${r.db}`).sort(compareText),
    privilegedRoles: privilegedGrants(
      { roleName: role.roleName, databaseName: 'admin' },
      project.customRoles,
    ),
    findingCount: subjectStats(ctx.findings, key).count,
  };
}

const EXPOSURE_ORDER: Record<NetworkExposure, number> = { world: 0, wide: 1, narrow: 2, 'security-group': 3 };

function networkRows(
  ctx: OrgContext,
  project: Project,
  minPrefix: { ipv4: number; ipv6: number },
): NetworkAccessRow[] {
  return project.networkAccess
    .map((e): NetworkAccessRow => {
      const entry = networkEntryText(e);
      const st = subjectStats(
        ctx.findings,
        identityKey(ctx.org.id, 'networkAccessEntry', networkAccessEntryId(project.id, entry)),
      );
      return {
        orgId: ctx.org.id,
        orgName: ctx.org.name,
        projectId: project.id,
        projectName: project.name,
        entry,
        exposure: networkExposure(e, minPrefix),
        comment: e.comment,
        deleteAfterDate: e.deleteAfterDate,
        findingCount: st.count,
        maxSeverity: st.max,
      };
    })
    .sort((a, b) => EXPOSURE_ORDER[a.exposure] - EXPOSURE_ORDER[b.exposure] || compareText(a.entry, b.entry));
}

/**
 * One project's database access counts straight from the snapshot, without a row: the summary and the
 * text format's database line read these, so `audit --format text` builds no database user row. The
 * same predicates as the rows (userUse, privileged, networkExposure); test/report/model-lazy.test.ts
 * recounts them from the rows.
 */
export function projectDatabaseCounts(
  org: Organization,
  project: Project,
  minPrefix: { ipv4: number; ipv6: number },
): DatabaseAccessCounts {
  const counts = zeroDatabaseCounts();
  const summaries = summariesByUser(project.clusters);
  for (const u of project.databaseUsers) {
    counts.users++;
    if (privileged(project, u)) counts.privileged++;
    const { use } = userUse(org, project, u, summaries);
    if (use === 'unused') counts.unused++;
    else if (use === 'unknown') counts.useUnknown++;
  }
  counts.customRoles = project.customRoles.length;
  for (const e of project.networkAccess) {
    counts.networkEntries++;
    const exposure = networkExposure(e, minPrefix);
    if (exposure === 'world') counts.worldOpen++;
    else if (exposure === 'wide') counts.wide++;
  }
  return counts;
}

function projectCounts(p: DatabaseProjectRow): DatabaseAccessCounts {
  return {
    users: p.users.length,
    privileged: p.users.filter((u) => u.privilegedRoles.length > 0).length,
    unused: p.users.filter((u) => u.use === 'unused').length,
    useUnknown: p.users.filter((u) => u.use === 'unknown').length,
    customRoles: p.customRoles.length,
    networkEntries: p.networkAccess.length,
    worldOpen: p.networkAccess.filter((n) => n.exposure === 'world').length,
    wide: p.networkAccess.filter((n) => n.exposure === 'wide').length,
  };
}

/** One project's database access. */
function databaseProject(
  ctx: OrgContext,
  project: Project,
  minPrefix: { ipv4: number; ipv6: number },
): DatabaseProjectRow {
  const summaries = summariesByUser(project.clusters);
  const users = project.databaseUsers
    .map((u) => userRow(ctx, project, u, summaries))
    .sort((a, b) => compareText(a.username, b.username) || compareText(a.databaseName, b.databaseName));
  const byKind = new Map<string, number>();
  for (const u of users) byKind.set(u.authKind, (byKind.get(u.authKind) ?? 0) + 1);
  const row: DatabaseProjectRow = {
    orgId: ctx.org.id,
    orgName: ctx.org.name,
    projectId: project.id,
    projectName: project.name,
    counts: zeroDatabaseCounts(),
    byAuthKind: [...byKind]
      .map(([authKind, count]) => ({ authKind, count }))
      .sort((a, b) => compareText(a.authKind, b.authKind)),
    users,
    customRoles: project.customRoles
      .map((r) => customRoleRow(ctx, project, r))
      .sort((a, b) => compareText(a.roleName, b.roleName)),
    networkAccess: networkRows(ctx, project, minPrefix),
    clusters: project.clusters
      .map((c) => ({
        name: c.name,
        tier: c.tier,
        historyStatus: c.accessHistory.status,
        reason: c.accessHistory.reason,
        from: c.accessHistory.from,
        to: c.accessHistory.to,
      }))
      .sort((a, b) => compareText(a.name, b.name)),
  };
  row.counts = projectCounts(row);
  return row;
}

/** Whether any database dataset of the org was collected (otherwise its projects add no section). */
export function databaseAccessCollected(org: Organization): boolean {
  const c = org.coverage;
  return c.databaseUsers || c.customRoles || c.networkAccess || c.clusters;
}

/** Database users are reviewed like every identity: one Review row each, kind `databaseUser`. */
export const databaseUserSection: SectionBuilder = (ctx, out) => {
  if (!databaseAccessCollected(ctx.org)) return;
  const notEvaluated = ctx.notEvaluated('databaseUser');
  for (const project of [...ctx.org.projects].sort(
    (a, b) => compareText(a.name, b.name) || compareText(a.id, b.id),
  )) {
    const dp = databaseProject(ctx, project, ctx.minPrefix);
    out.databaseProjects.push(dp);
    for (const u of dp.users) {
      out.roster.push({
        key: u.key,
        orgId: u.orgId,
        orgName: u.orgName,
        kind: 'databaseUser',
        subjectType: 'databaseUser',
        id: databaseUserId(u.projectId, u.databaseName, u.username),
        name: u.username,
        displayName: u.description ?? '',
        identityType: 'database',
        managedBy: null,
        status: `${u.authKind}${u.deleteAfterDate ? ', temporary' : ''}`,
        orgRoles: [],
        projectRoles: [
          `${u.projectName}: ${u.roles.join(', ')}${u.scopes.length ? ` (only ${u.scopes.join(', ')})` : ''}`,
        ],
        teams: [],
        createdAt: null,
        lastActivity: u.lastSuccessAt,
        daysSinceActivity: daysBetween(u.lastSuccessAt, ctx.asOf),
        expiresAt: earliest([u.deleteAfterDate, u.certificateExpiresAt]),
        findingCount: u.findingCount,
        openFindingCount: subjectStats(ctx.findings, u.key).open,
        maxSeverity: u.maxSeverity,
        findingRules: u.findingRules,
        notEvaluated: [...notEvaluated, ...(u.use === 'unknown' ? [`last use unknown: ${u.useNote}`] : [])],
      });
    }
    for (const n of dp.networkAccess) if (n.findingCount > 0) out.roster.push(networkEntryReviewRow(ctx, n));
  }
};

/**
 * A flagged IP access list entry (a rule fired on it) is a Review row of kind `networkAccessEntry`:
 * Keep, or Revoke to delete it (src/workbook/contract.ts). Unflagged entries get no row; the Network
 * access sheet lists every entry.
 */
function networkEntryReviewRow(ctx: OrgContext, n: NetworkAccessRow): RosterRow {
  const id = networkAccessEntryId(n.projectId, n.entry);
  const key = identityKey(ctx.org.id, 'networkAccessEntry', id);
  const st = subjectStats(ctx.findings, key);
  return {
    key,
    orgId: n.orgId,
    orgName: n.orgName,
    kind: 'networkAccessEntry',
    subjectType: 'networkAccessEntry',
    id,
    name: n.entry,
    displayName: n.comment ?? '',
    identityType: 'database',
    managedBy: null,
    status: n.exposure,
    orgRoles: [],
    projectRoles: [`${n.projectName}: IP access list`],
    teams: [],
    createdAt: null,
    lastActivity: null,
    daysSinceActivity: null,
    expiresAt: n.deleteAfterDate,
    findingCount: st.count,
    openFindingCount: st.open,
    maxSeverity: st.max,
    findingRules: st.rules,
    notEvaluated: ctx.notEvaluated('networkAccessEntry'),
  };
}
