/**
 * The database-access reads (README "simulate"), in the wire shapes of the spec extracts: database users and
 * their Atlas-managed X.509 certificates, custom database roles, the project IP access list, clusters
 * and each cluster's database access history.
 *
 * - `customDBRoles/roles` and `dbAccessHistory` are not paginated (a bare array; `{accessLogs}`).
 * - Access history honours `start`/`end` (epoch ms; one without the other is 400, as the parameter
 *   descriptions say), `nLogs` (0..20000, default 20000), `authResult` and `ipAddress`; lines come
 *   newest first, so `nLogs` keeps the most recent.
 * - Tenant-tier clusters (M0, M2, M5) cannot use it ("You can't use this feature on tenant-tier
 *   clusters"): the spec documents only 400 for the operation, so the refusal is a 400 ApiError with
 *   {@link TENANT_HISTORY_REFUSAL}'s error code.
 */
import type { Cluster, DatabaseUser, Organization, Project } from '../snapshot/schema.js';
import {
  accessLogLines,
  entryValue,
  MAX_ACCESS_LOG_LINES,
  supportsAccessHistory,
} from './estate-database.js';
import type { ApiErrorSpec } from './http.js';
import {
  invalid,
  type Listing,
  notFound,
  OBJECT_ID,
  type RequestContext,
  type Route,
  route,
} from './routes.js';
import type { WireObject } from './wire.js';

const V1 = '2023-01-01';
const VCLUSTERS = '2024-08-05';
/** The 400 a tenant-tier cluster answers to the access-history request (the simulator's error code). */
export const TENANT_HISTORY_REFUSAL = { status: 400, errorCode: 'TENANT_CLUSTER_UNSUPPORTED' } as const;
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;
const EPOCH_MIN = 1_199_145_600_000;

type Found = { org: Organization; project: Project };
type Handler = (ctx: RequestContext) => Listing | ApiErrorSpec;

function link(href: string): WireObject[] {
  return [{ href, rel: 'self' }];
}

/** Spec fields that Atlas omits when unset. */
function defined(fields: Record<string, unknown>): WireObject {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));
}

/** The four auth-type fields of `CloudDatabaseUser` for one auth kind. */
function authTypes(kind: DatabaseUser['authKind']): WireObject {
  return {
    x509Type: kind === 'x509-managed' ? 'MANAGED' : kind === 'x509-customer' ? 'CUSTOMER' : 'NONE',
    ldapAuthType: kind === 'ldap-user' ? 'USER' : kind === 'ldap-group' ? 'GROUP' : 'NONE',
    awsIAMType: kind === 'aws-iam-user' ? 'USER' : kind === 'aws-iam-role' ? 'ROLE' : 'NONE',
    oidcAuthType: kind === 'oidc-user' ? 'USER' : kind === 'oidc-group' ? 'IDP_GROUP' : 'NONE',
  };
}

/** `CloudDatabaseUser` (2023-01-01). `password` only with `leakPassword` (proves the collector drops it). */
export function cloudDatabaseUser(
  u: DatabaseUser,
  groupId: string,
  baseUrl: string,
  leakPassword: boolean,
): WireObject {
  const path = `/api/atlas/v2/groups/${groupId}/databaseUsers/${encodeURIComponent(u.databaseName)}/${encodeURIComponent(u.username)}`;
  return defined({
    groupId,
    username: u.username,
    databaseName: u.databaseName,
    ...authTypes(u.authKind),
    roles: u.roles.map((r) =>
      defined({ roleName: r.roleName, databaseName: r.databaseName, collectionName: r.collectionName }),
    ),
    scopes: u.scopes.map((s) => ({ name: s.name, type: s.type })),
    labels: u.labels.map((l) => ({ key: l.key, value: l.value })),
    description: u.description,
    deleteAfterDate: u.deleteAfterDate,
    password: leakPassword && u.authKind === 'scram' ? 'simulator-leaked-password' : null,
    links: link(`${baseUrl}${path}`),
  });
}

/** `NetworkPermissionEntry`. */
function accessListEntry(e: Project['networkAccess'][number], groupId: string, baseUrl: string): WireObject {
  const value = encodeURIComponent(entryValue(e));
  return defined({
    groupId,
    cidrBlock: e.cidrBlock,
    ipAddress: e.ipAddress,
    awsSecurityGroup: e.awsSecurityGroup,
    comment: e.comment,
    deleteAfterDate: e.deleteAfterDate,
    links: link(`${baseUrl}/api/atlas/v2/groups/${groupId}/accessList/${value}`),
  });
}

/** `ClusterDescription20240805`: one replication spec, one region; tenants as `TENANT` region configs. */
function clusterDescription(c: Cluster, groupId: string, baseUrl: string): WireObject {
  const tenant = !supportsAccessHistory(c.tier);
  const regionConfig = tenant
    ? {
        providerName: 'TENANT',
        backingProviderName: 'AWS',
        regionName: 'US_EAST_1',
        priority: 7,
        electableSpecs: { instanceSize: c.tier },
      }
    : {
        providerName: 'AWS',
        regionName: 'US_EAST_1',
        priority: 7,
        electableSpecs: { instanceSize: c.tier, nodeCount: 3, diskSizeGB: 10 },
      };
  return defined({
    id: c.id,
    groupId,
    name: c.name,
    clusterType: c.clusterType,
    paused: c.paused,
    stateName: 'IDLE',
    mongoDBMajorVersion: '8.0',
    replicationSpecs: [{ zoneName: 'Zone 1', regionConfigs: [regionConfig] }],
    links: link(`${baseUrl}/api/atlas/v2/groups/${groupId}/clusters/${c.name}`),
  });
}

/** A boolean query parameter; undefined when absent. */
function booleanParam(query: URLSearchParams, name: string): boolean | undefined | ApiErrorSpec {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return invalid(`${name} must be true or false, got ${raw}.`, [name]);
}

/** An integer query parameter within bounds; `fallback` when absent. */
function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number | null) {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    return invalid(`${name} must be an integer from ${min} to ${max}, got ${raw}.`, [name]);
  }
  return value;
}

/** The history request's filters, validated as the spec's parameters define them. */
function historyFilters(query: URLSearchParams) {
  const start = intParam(query, 'start', EPOCH_MIN, Number.MAX_SAFE_INTEGER, null);
  if (typeof start === 'object' && start !== null) return start;
  const end = intParam(query, 'end', EPOCH_MIN, Number.MAX_SAFE_INTEGER, null);
  if (typeof end === 'object' && end !== null) return end;
  if ((start === null) !== (end === null))
    return invalid('start and end must be given together.', ['start', 'end']);
  const nLogs = intParam(query, 'nLogs', 0, MAX_ACCESS_LOG_LINES, MAX_ACCESS_LOG_LINES);
  if (typeof nLogs === 'object' && nLogs !== null) return nLogs;
  const authResult = booleanParam(query, 'authResult');
  if (typeof authResult === 'object') return authResult;
  return { start, end, nLogs: nLogs ?? MAX_ACCESS_LOG_LINES, authResult, ipAddress: query.get('ipAddress') };
}

/** `MongoDBAccessLogs` lines of a cluster, filtered and limited as the request asks. */
function accessHistory(ctx: RequestContext, found: Found): Listing | ApiErrorSpec {
  const name = ctx.params.clusterName ?? '';
  if (!CLUSTER_NAME.test(name)) return invalid(`Invalid clusterName ${name}.`, ['clusterName']);
  const cluster = found.project.clusters.find((c) => c.name === name);
  if (!cluster) return notFound('cluster', name);
  if (!supportsAccessHistory(cluster.tier)) {
    return {
      kind: 'error',
      ...TENANT_HISTORY_REFUSAL,
      detail: `Database access history is not available for tenant-tier cluster ${name} (${cluster.tier}).`,
      parameters: [name],
    };
  }
  const filters = historyFilters(ctx.query);
  if ('kind' in filters) return filters;
  const accessLogs = accessLogLines(cluster)
    .filter((l) => filters.start === null || l.timestamp >= filters.start)
    .filter((l) => filters.end === null || l.timestamp <= filters.end)
    .filter((l) => filters.authResult === undefined || l.authResult === filters.authResult)
    .filter((l) => filters.ipAddress === null || l.ipAddress === filters.ipAddress)
    .slice(0, filters.nLogs)
    .map((l) => {
      const at = new Date(l.timestamp).toISOString();
      const msg = l.authResult ? 'Authentication succeeded' : 'Authentication failed';
      return defined({
        groupId: found.project.id,
        hostname: `${name}-shard-00-00.abcde.mongodb.net`,
        username: l.username,
        authSource: l.authSource,
        authResult: l.authResult,
        failureReason: l.authResult
          ? null
          : 'AuthenticationFailed: SCRAM authentication failed, storedKey mismatch',
        ipAddress: l.ipAddress,
        timestamp: at,
        logLine: JSON.stringify({
          t: { $date: at },
          s: 'I',
          c: 'ACCESS',
          msg,
          attr: {
            principalName: l.username,
            authenticationDatabase: l.authSource,
            remote: `${l.ipAddress}:50712`,
          },
        }),
      });
    });
  return { kind: 'object', body: { accessLogs } };
}

/** The database-access read routes over the estate's projects; `now` is the simulator's clock (ms). */
export function databaseRoutes(
  projects: ReadonlyMap<string, Found>,
  baseUrl: () => string,
  leakPassword: boolean,
  now: () => number,
): Route[] {
  const inProject =
    (handle: (ctx: RequestContext, found: Found) => Listing | ApiErrorSpec): Handler =>
    (ctx) => {
      const id = ctx.params.groupId ?? '';
      if (!OBJECT_ID.test(id)) return invalid(`Invalid groupId ${id}.`, ['groupId']);
      const found = projects.get(id);
      return found ? handle(ctx, found) : notFound('project', id);
    };
  const bucket = (ctx: RequestContext) => ({
    set: 'projects-group' as const,
    scope: `group:${ctx.params.groupId}`,
  });
  return [
    route('/api/atlas/v2/groups/{groupId}/databaseUsers', {
      versions: [V1],
      bucket,
      handle: inProject((_ctx, { project }) => ({
        kind: 'list',
        items: project.databaseUsers.map((u) => cloudDatabaseUser(u, project.id, baseUrl(), leakPassword)),
      })),
    }),
    // The path names the user by username only: X.509 users Atlas manages live in `$external`.
    route('/api/atlas/v2/groups/{groupId}/databaseUsers/{username}/certs', {
      versions: [V1],
      bucket,
      handle: inProject((ctx, { project }) => {
        const username = ctx.params.username ?? '';
        const user = project.databaseUsers.find(
          (u) => u.databaseName === '$external' && u.username === username,
        );
        if (!user) return notFound('database user', username);
        if (user.authKind !== 'x509-managed') {
          return invalid(`Database user ${username} does not use X.509 certificates managed by Atlas.`, [
            username,
          ]);
        }
        // "Returns all unexpired X.509 certificates" (listGroupDatabaseUserCerts): one whose notAfter
        // has passed by the simulator's clock is not listed, as Atlas would not list it.
        const at = now();
        return {
          kind: 'list',
          items: user.certificates
            // A date that does not parse is kept: the simulator cannot judge it, and drops nothing it cannot.
            .filter((c) => c.notAfter === null || !(Date.parse(c.notAfter) <= at))
            .map((c) =>
              defined({
                _id: Number(c.id),
                groupId: project.id,
                createdAt: c.createdAt,
                notAfter: c.notAfter,
                subject: `CN=${username},DC=atlas,DC=mongodb,DC=com`,
                links: link(
                  `${baseUrl()}/api/atlas/v2/groups/${project.id}/databaseUsers/${encodeURIComponent(username)}/certs`,
                ),
              }),
            ),
        };
      }),
    }),
    route('/api/atlas/v2/groups/{groupId}/customDBRoles/roles', {
      versions: [V1],
      bucket,
      handle: inProject((_ctx, { project }) => ({
        kind: 'array',
        items: project.customRoles.map((r) => ({
          roleName: r.roleName,
          actions: r.actions.map((a) => ({
            action: a.action,
            resources: a.resources.map((x) => ({ ...x })),
          })),
          inheritedRoles: r.inheritedRoles.map((i) => ({ db: i.db, role: i.role })),
        })),
      })),
    }),
    route('/api/atlas/v2/groups/{groupId}/accessList', {
      versions: [V1],
      bucket,
      handle: inProject((_ctx, { project }) => ({
        kind: 'list',
        items: project.networkAccess.map((e) => accessListEntry(e, project.id, baseUrl())),
      })),
    }),
    route('/api/atlas/v2/groups/{groupId}/clusters', {
      versions: [VCLUSTERS],
      bucket,
      handle: inProject((_ctx, { project }) => ({
        kind: 'list',
        items: project.clusters.map((c) => clusterDescription(c, project.id, baseUrl())),
      })),
    }),
    route('/api/atlas/v2/groups/{groupId}/dbAccessHistory/clusters/{clusterName}', {
      versions: [V1],
      bucket,
      handle: inProject(accessHistory),
    }),
  ];
}
