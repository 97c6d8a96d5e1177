/**
 * The database access of one project: database users (+ the certificates Atlas manages for
 * `x509-managed` users), custom roles, the IP access list and clusters (+ each dedicated cluster's
 * access history when asked for). Every read is recorded for completeness like the other listings;
 * any failure fails the collection (all or nothing), except a cluster that cannot provide access
 * history, which is recorded per cluster.
 */
import { endpointName, operations, type WireOf } from '../atlas/operations.js';
import { readOne } from '../atlas/read.js';
import type { Cluster, Completeness, Project } from '../snapshot/schema.js';
import { readAccessHistory, unsupportedTierReason } from './access-history.js';
import type { OrgReader } from './collect.js';
import {
  accessHistoryNotRequested,
  clusterFromWire,
  clusterTier,
  customRoleFromWire,
  databaseUserCertFromWire,
  databaseUserFromWire,
  networkAccessEntryFromWire,
  networkAccessKey,
} from './database-access.js';

/** The access-history window (`--since DAYS` ending at the collection time), or null when not asked. */
export interface HistoryWindow {
  from: Date;
  to: Date;
}

export type DatabaseAccess = Pick<Project, 'databaseUsers' | 'customRoles' | 'networkAccess' | 'clusters'>;

/** Reads and normalises one project's database access. */
export async function readDatabaseAccess(
  reader: OrgReader,
  projectId: string,
  window: HistoryWindow | null,
): Promise<DatabaseAccess> {
  const project = { pathParams: { groupId: projectId }, scopeId: projectId };
  const [users, customRoles, entries, clusters] = await Promise.all([
    readDatabaseUsers(reader, projectId),
    readCustomRoles(reader, projectId),
    reader.all({ operation: operations.listGroupAccessListEntries, ...project, key: networkAccessKey }),
    reader.all({ operation: operations.listGroupClusters, ...project, key: byName }),
  ]);
  return {
    databaseUsers: users,
    customRoles: reader.normalise(() => customRoles.map(customRoleFromWire)),
    networkAccess: reader.normalise(() => entries.map(networkAccessEntryFromWire)),
    clusters: await Promise.all(clusters.map((c) => readCluster(reader, projectId, c, window))),
  };
}

const byName = (item: unknown): string | null =>
  item && typeof item === 'object' && 'name' in item && typeof item.name === 'string' ? item.name : null;

/** A database user's identity in a listing: (`databaseName`, `username`). */
function databaseUserKey(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const { username, databaseName } = item as Record<string, unknown>;
  return typeof username === 'string' && typeof databaseName === 'string'
    ? `${databaseName}/${username}`
    : null;
}

/** Database users, and the certificates of each `x509-managed` one (the path names the username only). */
async function readDatabaseUsers(reader: OrgReader, projectId: string) {
  const wireUsers = await reader.all({
    operation: operations.listGroupDatabaseUsers,
    pathParams: { groupId: projectId },
    scopeId: projectId,
    key: databaseUserKey,
  });
  const users = reader.normalise(() => wireUsers.map(databaseUserFromWire));
  return Promise.all(
    users.map(async (user) => {
      if (user.authKind !== 'x509-managed') return user;
      const certs = await reader.all({
        operation: operations.listGroupDatabaseUserCerts,
        pathParams: { groupId: projectId, username: user.username },
        scopeId: projectId,
        key: (c) => (c && typeof c === 'object' && '_id' in c ? String(c._id) : null),
      });
      return { ...user, certificates: reader.normalise(() => certs.map(databaseUserCertFromWire)) };
    }),
  );
}

/** Custom roles: a plain array (not paginated), recorded as a one-page listing. */
async function readCustomRoles(reader: OrgReader, projectId: string) {
  const op = operations.listGroupCustomDbRoleRoles;
  const roles = await readOne(reader.options.client, op, { groupId: projectId }, projectId);
  reader.options.onProgress?.({ kind: 'page', endpoint: endpointName(op), page: 1, items: roles.length });
  reader.completeness.push(oneShot(op.method, op.path.replace('{groupId}', projectId), roles.length));
  return roles;
}

function oneShot(method: string, path: string, itemsRead: number): Completeness {
  return { endpoint: `${method} ${path}`, itemsRead, totalCount: null, pages: 1 };
}

/**
 * A cluster and its access history: `not-requested` without `--include access-history`; `unsupported`
 * for a tenant or flex tier (not asked) or when Atlas refuses for that reason; else read.
 */
async function readCluster(
  reader: OrgReader,
  projectId: string,
  c: WireOf<typeof operations.listGroupClusters>,
  window: HistoryWindow | null,
): Promise<Cluster> {
  if (window === null) return reader.normalise(() => clusterFromWire(c, accessHistoryNotRequested()));
  const { tier, provider } = clusterTier(c);
  const reason = unsupportedTierReason(tier, provider);
  const span = { from: window.from.toISOString(), to: window.to.toISOString() };
  if (reason !== null) {
    const history = { status: 'unsupported' as const, reason, ...span, lines: 0, summaries: [] };
    return reader.normalise(() => clusterFromWire(c, history));
  }
  const op = operations.getGroupDbAccessHistoryCluster;
  const path = op.path.replace('{groupId}', projectId).replace('{clusterName}', encodeURIComponent(c.name));
  let requests = 0;
  const history = await reader.normaliseAsync(() =>
    readAccessHistory({
      client: reader.options.client,
      projectId,
      clusterName: c.name,
      ...window,
      onRequest: (lines) => {
        requests += 1;
        reader.options.onProgress?.({
          kind: 'page',
          endpoint: endpointName(op),
          page: requests,
          items: lines,
        });
      },
    }),
  );
  reader.completeness.push({ ...oneShot(op.method, path, history.lines), pages: requests });
  return reader.normalise(() => clusterFromWire(c, history));
}
