/**
 * A faithful local Atlas Admin API (the read endpoints an access review needs) on node:http.
 *
 * What it reproduces, with the spec section it follows (docs/atlas-api-notes.md):
 * - auth: OAuth2 client credentials at POST /api/oauth/token and HTTP Digest (RFC 7616, MD5,
 *   qop=auth) with the challenge Atlas sends (§7); the legacy Cloud Manager path is Digest only (§10);
 * - per-operation versions: `Accept: application/vnd.atlas.<date>+json`, 406 otherwise (§1);
 * - pagination with `links` self/next/previous and `totalCount` (§5), ApiError bodies (§6.1);
 * - a version past its `x-sunset` answers 410 VERSION_GONE, by the simulator's clock (§1);
 * - token-bucket rate limits per endpoint set x scope with 429 and Retry-After (§6.3);
 * - injectable latency and faults (status, reset, delay, first-N) for resilience tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseAuthParams } from '../atlas/auth/digest.js';
import type { Organization, Project, ServiceAccount, User, UserStatus } from '../snapshot/schema.js';
import { authorize, rolesOf, type SimulatorAccess } from './authorize.js';
import {
  apiKeyUserDetails,
  atlasOrganization,
  cloudAppUser,
  type FlatRole,
  flatRoles,
  group,
  groupInvitation,
  groupServiceAccount,
  groupUserResponse,
  legacyGroup,
  legacyUser,
  organizationSettings,
  orgServiceAccount,
  orgUserResponse,
  serviceAccountAccessListEntry,
  serviceAccountGroup,
  teamResponse,
  teamRole,
  userAccessListResponse,
  type WireObject,
} from './wire.js';
import { simulatorWrites } from './writes.js';

export type { SimulatorAccess } from './authorize.js';
export { type CollectorView, expectedOrganizations } from './expected.js';

/** Credentials the simulator accepts. */
export interface SimulatorCredentials {
  serviceAccounts?: { clientId: string; clientSecret: string; access?: SimulatorAccess }[];
  apiKeys?: { publicKey: string; privateKey: string; access?: SimulatorAccess }[];
}

/** Fake, simulator-only credentials used when none are given (printed by `simulate`). */
export const DEFAULT_CREDENTIALS = {
  serviceAccounts: [
    { clientId: 'mdb_sa_id_5f0c0ffee0ddba11ca7e5e75', clientSecret: 'mdb_sa_sk_simulator-only-not-a-secret' },
  ],
  apiKeys: [{ publicKey: 'simkeyab', privateKey: '5e1f0c0a-0000-4000-8000-51a0a7e5e75e' }],
} as const satisfies SimulatorCredentials;

/** The rate-limited endpoint sets of docs/atlas-api-notes.md §6.3 (set x scope). */
export type EndpointSet =
  | 'users-org'
  | 'users-group'
  | 'teams-org'
  | 'teams-group'
  | 'organizations-org'
  | 'organizations-user'
  | 'org-settings'
  | 'api-keys'
  | 'service-accounts'
  | 'projects-group';

/** One token bucket definition: `capacity` tokens, `refill` tokens added every `intervalSeconds`. */
export interface BucketSpec {
  capacity: number;
  refill: number;
  intervalSeconds: number;
}
/** Overrides of the Atlas defaults, per endpoint set (unlisted sets keep the Atlas numbers). */
export type RateLimitTable = Partial<Record<EndpointSet, BucketSpec>>;

/** Atlas defaults (docs include dated 2026-04-10, docs/atlas-api-notes.md §6.3). */
export const ATLAS_RATE_LIMITS: Readonly<Record<EndpointSet, BucketSpec>> = {
  'users-org': { capacity: 500, refill: 250, intervalSeconds: 60 },
  'users-group': { capacity: 1200, refill: 500, intervalSeconds: 60 },
  'teams-org': { capacity: 1200, refill: 500, intervalSeconds: 60 },
  'teams-group': { capacity: 1200, refill: 500, intervalSeconds: 60 },
  'organizations-org': { capacity: 500, refill: 250, intervalSeconds: 60 },
  'organizations-user': { capacity: 300, refill: 100, intervalSeconds: 60 },
  'org-settings': { capacity: 10, refill: 5, intervalSeconds: 60 },
  'api-keys': { capacity: 500, refill: 250, intervalSeconds: 60 },
  'service-accounts': { capacity: 500, refill: 250, intervalSeconds: 60 },
  // The table lists the Projects set for GET /groups (USER scope) only; project sub-resources without a
  // row of their own (GET /groups/{groupId}/invites) are assumed to use its numbers per project.
  'projects-group': { capacity: 1200, refill: 500, intervalSeconds: 60 },
};

/** An injected failure for requests whose path matches. */
export interface Fault {
  /** HTTP method to match (default: any). */
  method?: string;
  /** Matched against the URL path (a string must be equal; a RegExp is tested). */
  path: RegExp | string;
  /** Respond with this status and an ApiError body (e.g. 500, 503, 403, 429). */
  status?: number;
  errorCode?: string;
  /** Sent as `Retry-After` (429 and 503). */
  retryAfterSeconds?: number;
  /** Destroy the socket instead of answering (a connection reset). */
  reset?: boolean;
  /** Delay before the fault (or the normal answer when no status/reset is set). */
  delayMs?: number;
  /** Fault only the first N matching requests, then behave; default: forever. */
  times?: number;
}

export interface SimulatorOptions {
  organizations: Organization[];
  /** Default {@link DEFAULT_CREDENTIALS}. */
  credentials?: SimulatorCredentials;
  /** Added to every response. */
  latencyMs?: number;
  /** Default 'atlas'. */
  rateLimits?: 'atlas' | 'off' | RateLimitTable;
  /** Lifetime of OAuth access tokens (default 3600, as Atlas). */
  tokenTtlSeconds?: number;
  faults?: Fault[];
  /** Add a `password` field to 2023-01-01 / v1.0 user items (proves the collector drops it). */
  leakPassword?: boolean;
  /** Organizations the org listings (v2 and v1.0) report with `isDeleted: true`. */
  deletedOrgIds?: readonly string[];
  /** Clock in ms for buckets, tokens and nonces (default Date.now). */
  now?: () => number;
  host?: string;
  port?: number;
}

/** One served request. */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  accept: string | null;
}

export interface SimulatorStats {
  requests: number;
  byStatus: Record<number, number>;
  /** Keyed by `METHOD /path/{template}`. */
  byEndpoint: Record<string, number>;
  tokensIssued: number;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
  stats(): SimulatorStats;
  resetStats(): void;
  log: RequestLogEntry[];
}

// ---------------------------------------------------------------------------------------------
// Routes

type Principal = { kind: 'service-account' | 'api-key'; id: string; access?: SimulatorAccess };

interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  version: string | null;
  principal: Principal;
}

/** A paginated list, a single object, or a bare array (the few unpaginated list endpoints). */
type Listing =
  | { kind: 'list'; items: WireObject[] }
  | { kind: 'object'; body: WireObject }
  | { kind: 'array'; items: WireObject[] };

interface Route {
  template: string;
  pattern: RegExp;
  paramNames: string[];
  /** Accepted response versions; null = unversioned (Cloud Manager v1.0). */
  versions: string[] | null;
  digestOnly: boolean;
  /**
   * Whether the operation has the `includeCount` parameter (docs/atlas-api-notes.md §5). Without it the page still
   * carries `totalCount` (its schema has it, and the count is included by default).
   */
  includeCount: boolean;
  /** Versions withdrawn on a date (`x-sunset`): from then on the route answers 410 VERSION_GONE. */
  sunsets?: Record<string, string>;
  bucket: ((ctx: RequestContext) => { set: EndpointSet; scope: string }) | null;
  handle: (ctx: RequestContext) => Listing | ApiErrorSpec;
}

interface ApiErrorSpec {
  kind: 'error';
  status: number;
  errorCode: string;
  detail: string;
  parameters?: unknown[];
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const ERROR_CODES: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'RESOURCE_NOT_FOUND',
  406: 'INVALID_VERSION_DATE',
  409: 'CONFLICT',
  410: 'VERSION_GONE',
  429: 'RATE_LIMITED',
  500: 'UNEXPECTED_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

const OBJECT_ID = /^[a-f0-9]{24}$/;
const STATUSES: readonly UserStatus[] = ['PENDING', 'ACTIVE', 'INVITATION_EXPIRED', 'INVITATION_REJECTED'];
const V1 = '2023-01-01';
const V2025 = '2025-02-19';
const VSA = '2024-08-05';

function route(
  template: string,
  spec: Omit<Route, 'template' | 'pattern' | 'paramNames' | 'digestOnly' | 'includeCount'> & {
    digestOnly?: boolean;
    includeCount?: boolean;
  },
): Route {
  const paramNames: string[] = [];
  const source = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return {
    template,
    pattern: new RegExp(`^${source}$`),
    paramNames,
    digestOnly: spec.digestOnly ?? false,
    includeCount: spec.includeCount ?? true,
    ...spec,
  };
}

function notFound(what: string, id: string): ApiErrorSpec {
  return {
    kind: 'error',
    status: 404,
    errorCode: 'RESOURCE_NOT_FOUND',
    detail: `Cannot find ${what} ${id}.`,
    parameters: [id],
  };
}
function invalid(detail: string, parameters: unknown[] = []): ApiErrorSpec {
  return { kind: 'error', status: 400, errorCode: 'VALIDATION_ERROR', detail, parameters };
}

/** Indexes of the estate for O(1) lookups. */
class EstateIndex {
  readonly orgs = new Map<string, Organization>();
  readonly usersById = new Map<string, Map<string, User>>();
  readonly projects = new Map<string, { org: Organization; project: Project }>();
  readonly serviceAccounts = new Map<string, Map<string, ServiceAccount>>();
  /**
   * Every role of a user id across the estate, flat (org order, then the user's own order): what the
   * Cloud Manager v1.0 users list reports for a user, whichever org it is asked about.
   */
  readonly rolesAnywhere = new Map<string, FlatRole[]>();
  readonly deleted: ReadonlySet<string>;
  constructor(organizations: Organization[], deletedOrgIds: readonly string[] = []) {
    this.deleted = new Set(deletedOrgIds);
    for (const org of organizations) {
      this.orgs.set(org.id, org);
      this.usersById.set(org.id, new Map(org.users.map((u) => [u.id, u])));
      this.serviceAccounts.set(org.id, new Map(org.serviceAccounts.map((sa) => [sa.clientId, sa])));
      for (const project of org.projects) this.projects.set(project.id, { org, project });
      for (const u of org.users) {
        if (u.status !== 'ACTIVE') continue;
        this.rolesAnywhere.set(u.id, [...(this.rolesAnywhere.get(u.id) ?? []), ...flatRoles(u, org.id)]);
      }
    }
  }
}

const CLIENT_ID = /^mdb_sa_id_[a-fA-F\d]{24}$/;

/**
 * `includeSystemManaged` (listOrgServiceAccounts, listGroupServiceAccounts): default false, which
 * leaves out the service accounts Atlas manages itself.
 */
function includeSystemManaged(query: URLSearchParams): boolean | ApiErrorSpec {
  const raw = query.get('includeSystemManaged');
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  return invalid(`includeSystemManaged must be true or false, got ${raw}.`, ['includeSystemManaged']);
}

/** Statuses selected by `orgMembershipStatuses` / deprecated `orgMembershipStatus` (docs/atlas-api-notes.md §2.2). */
function selectStatuses(query: URLSearchParams): Set<UserStatus> | ApiErrorSpec {
  const many = query.getAll('orgMembershipStatuses');
  const one = query.getAll('orgMembershipStatus');
  if (many.length > 0 && one.length > 0) {
    return invalid('orgMembershipStatuses cannot be combined with orgMembershipStatus.', [
      'orgMembershipStatuses',
    ]);
  }
  const requested = many.length > 0 ? many : one;
  if (many.length > 4)
    return invalid('orgMembershipStatuses accepts at most 4 values.', ['orgMembershipStatuses']);
  if (requested.length === 0) return new Set<UserStatus>(['ACTIVE', 'PENDING']);
  const out = new Set<UserStatus>();
  for (const value of requested) {
    const status = STATUSES.find((s) => s === value);
    if (!status) return invalid(`Invalid organization membership status ${value}.`, [value]);
    out.add(status);
  }
  return out;
}

function buildRoutes(index: EstateIndex, baseUrl: () => string, leakPassword: boolean): Route[] {
  const org = (ctx: RequestContext): Organization | ApiErrorSpec => {
    const id = ctx.params.orgId ?? '';
    if (!OBJECT_ID.test(id)) return invalid(`Invalid orgId ${id}.`, ['orgId']);
    return index.orgs.get(id) ?? notFound('organization', id);
  };
  const orgScope = (set: EndpointSet) => (ctx: RequestContext) => ({ set, scope: `org:${ctx.params.orgId}` });
  const groupScope = (set: EndpointSet) => (ctx: RequestContext) => ({
    set,
    scope: `group:${ctx.params.groupId}`,
  });

  /** Users in the body shape of the request's version, filtered as that version filters. */
  const userItems = (
    ctx: RequestContext,
    o: Organization,
    users: User[],
    selfHref: (u: User) => string,
  ): Listing | ApiErrorSpec => {
    if (ctx.version === V2025) {
      const statuses = selectStatuses(ctx.query);
      if ('kind' in statuses) return statuses;
      const username = ctx.query.get('username')?.toLowerCase();
      const userId = ctx.query.get('userId');
      const items = users
        .filter((u) => statuses.has(u.status))
        .filter((u) => username === undefined || u.username.toLowerCase() === username)
        .filter((u) => userId === null || u.id === userId)
        .map(orgUserResponse);
      return { kind: 'list', items };
    }
    // 2023-01-01: active users only; the status filters are not supported.
    const items = users
      .filter((u) => u.status === 'ACTIVE')
      .map((u) => cloudAppUser(u, o.id, selfHref(u), { leakPassword }));
    return { kind: 'list', items };
  };

  const project = (ctx: RequestContext) => {
    const id = ctx.params.groupId ?? '';
    if (!OBJECT_ID.test(id)) return invalid(`Invalid groupId ${id}.`, ['groupId']);
    return index.projects.get(id) ?? notFound('project', id);
  };
  const serviceAccount = (ctx: RequestContext): ServiceAccount | ApiErrorSpec => {
    const o = org(ctx);
    if ('kind' in o) return o;
    const clientId = ctx.params.clientId ?? '';
    if (!CLIENT_ID.test(clientId)) return invalid(`Invalid clientId ${clientId}.`, ['clientId']);
    return index.serviceAccounts.get(o.id)?.get(clientId) ?? notFound('service account', clientId);
  };

  return [
    route('/api/atlas/v2/orgs', {
      versions: [V1],
      bucket: (ctx) => ({ set: 'organizations-user', scope: `user:${ctx.principal.id}` }),
      handle: (ctx) => {
        const prefix = ctx.query.get('name')?.toLowerCase();
        const items = [...index.orgs.values()]
          .filter((o) => prefix === undefined || o.name.toLowerCase().startsWith(prefix))
          .map((o) => atlasOrganization(o, baseUrl(), index.deleted.has(o.id)));
        return { kind: 'list', items };
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/users', {
      versions: [V1, V2025],
      bucket: orgScope('users-org'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        return userItems(ctx, o, o.users, (u) => `${baseUrl()}/api/atlas/v2/users/${u.id}`);
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/teams', {
      versions: [V1],
      bucket: orgScope('teams-org'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        return { kind: 'list', items: o.teams.map((t) => teamResponse(t, o.id, baseUrl())) };
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/teams/{teamId}/users', {
      versions: [V1, V2025],
      includeCount: false,
      bucket: orgScope('teams-org'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        const teamId = ctx.params.teamId ?? '';
        if (!OBJECT_ID.test(teamId)) return invalid(`Invalid teamId ${teamId}.`, ['teamId']);
        const team = o.teams.find((t) => t.id === teamId);
        if (!team) return notFound('team', teamId);
        const byId = index.usersById.get(o.id);
        const members = team.memberIds.map((id) => byId?.get(id)).filter((u): u is User => u !== undefined);
        return userItems(ctx, o, members, (u) => `${baseUrl()}/api/atlas/v2/users/${u.id}`);
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/groups', {
      versions: [V1],
      bucket: orgScope('organizations-org'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        const prefix = ctx.query.get('name')?.toLowerCase();
        const items = o.projects
          .filter((p) => prefix === undefined || p.name.toLowerCase().startsWith(prefix))
          .map((p) => group(p, o.id, baseUrl()));
        return { kind: 'list', items };
      },
    }),
    route('/api/atlas/v2/groups/{groupId}/teams', {
      versions: [V1],
      bucket: groupScope('teams-group'),
      handle: (ctx) => {
        const found = project(ctx);
        if ('kind' in found) return found;
        return {
          kind: 'list',
          items: found.project.teams.map((t) => teamRole(t, found.project.id, baseUrl())),
        };
      },
    }),
    route('/api/atlas/v2/groups/{groupId}/users', {
      versions: [V1, V2025],
      bucket: groupScope('users-group'),
      handle: (ctx) => {
        const found = project(ctx);
        if ('kind' in found) return found;
        const { org: o, project: p } = found;
        // Default flattenTeams=false: only users with a direct grant in the project.
        const direct = o.users
          .map((u) => ({ u, roles: u.projectRoles.find((r) => r.projectId === p.id)?.roles }))
          .filter((x): x is { u: User; roles: string[] } => x.roles !== undefined);
        if (ctx.version === V2025) {
          const statuses = selectStatuses(ctx.query);
          if ('kind' in statuses) return statuses;
          return {
            kind: 'list',
            items: direct.filter((x) => statuses.has(x.u.status)).map((x) => groupUserResponse(x.u, x.roles)),
          };
        }
        return userItems(
          ctx,
          o,
          direct.map((x) => x.u),
          (u) => `${baseUrl()}/api/atlas/v2/users/${u.id}`,
        );
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/apiKeys', {
      versions: [V1],
      bucket: orgScope('api-keys'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        return { kind: 'list', items: o.apiKeys.map((k) => apiKeyUserDetails(k, o.id, baseUrl())) };
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}/accessList', {
      versions: [V1],
      bucket: orgScope('api-keys'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        const keyId = ctx.params.apiUserId ?? '';
        if (!OBJECT_ID.test(keyId)) return invalid(`Invalid apiUserId ${keyId}.`, ['apiUserId']);
        const key = o.apiKeys.find((k) => k.id === keyId);
        if (!key) return notFound('API key', keyId);
        return {
          kind: 'list',
          items: key.accessList.map((e) => userAccessListResponse(e, o.id, key.id, baseUrl())),
        };
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/serviceAccounts', {
      versions: [VSA],
      includeCount: false,
      bucket: orgScope('service-accounts'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        const withSystem = includeSystemManaged(ctx.query);
        if (typeof withSystem !== 'boolean') return withSystem;
        const items = o.serviceAccounts
          .filter((sa) => withSystem || !sa.systemManaged)
          .map(orgServiceAccount);
        return { kind: 'list', items };
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/groups', {
      versions: [VSA],
      includeCount: false,
      bucket: orgScope('service-accounts'),
      handle: (ctx) => {
        const found = serviceAccount(ctx);
        if ('kind' in found) return found;
        return { kind: 'list', items: found.projectRoles.map(serviceAccountGroup) };
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/accessList', {
      versions: [VSA],
      bucket: orgScope('service-accounts'),
      handle: (ctx) => {
        const found = serviceAccount(ctx);
        if ('kind' in found) return found;
        return { kind: 'list', items: found.accessList.map(serviceAccountAccessListEntry) };
      },
    }),
    route('/api/atlas/v2/groups/{groupId}/serviceAccounts', {
      versions: [VSA],
      includeCount: false,
      bucket: groupScope('service-accounts'),
      handle: (ctx) => {
        const found = project(ctx);
        if ('kind' in found) return found;
        const withSystem = includeSystemManaged(ctx.query);
        if (typeof withSystem !== 'boolean') return withSystem;
        const items = found.org.serviceAccounts
          .filter((sa) => withSystem || !sa.systemManaged)
          .map((sa) => ({ sa, roles: sa.projectRoles.find((r) => r.projectId === found.project.id)?.roles }))
          .filter((x): x is { sa: ServiceAccount; roles: string[] } => x.roles !== undefined)
          .map((x) => groupServiceAccount(x.sa, x.roles));
        return { kind: 'list', items };
      },
    }),
    route('/api/atlas/v2/groups/{groupId}/apiKeys', {
      versions: [V1],
      bucket: groupScope('api-keys'),
      handle: (ctx) => {
        const found = project(ctx);
        if ('kind' in found) return found;
        // Only keys assigned to the project; each item carries all the key's roles (spec description).
        const items = found.org.apiKeys
          .filter((k) => k.projectRoles.some((r) => r.projectId === found.project.id))
          .map((k) => apiKeyUserDetails(k, found.org.id, baseUrl()));
        return { kind: 'list', items };
      },
    }),
    // Deprecated as a whole; a bare array, not a page (docs/atlas-api-notes.md §5).
    route('/api/atlas/v2/groups/{groupId}/invites', {
      versions: [V1],
      sunsets: { [V1]: '2027-07-01' },
      bucket: groupScope('projects-group'),
      handle: (ctx) => {
        const found = project(ctx);
        if ('kind' in found) return found;
        const username = ctx.query.get('username')?.toLowerCase();
        const items = found.org.projectInvitations
          .filter((inv) => inv.projectId === found.project.id)
          .filter((inv) => username === undefined || inv.username.toLowerCase() === username)
          .map((inv) => groupInvitation(inv, found.project, baseUrl()));
        return { kind: 'array', items };
      },
    }),
    route('/api/atlas/v2/orgs/{orgId}/settings', {
      versions: [V1],
      bucket: orgScope('org-settings'),
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        if (!o.settings) return notFound('settings of organization', o.id);
        return { kind: 'object', body: organizationSettings(o.settings) };
      },
    }),
    // Legacy Cloud Manager / Ops Manager: unversioned, Digest only (docs/atlas-api-notes.md §10). The org
    // resources give the collector the org names; their body matches the v2 organization.
    // Cloud Manager's limits are not documented (UNCERTAIN in docs/atlas-api-notes.md §10): not rate limited here.
    route('/api/public/v1.0/orgs', {
      versions: null,
      digestOnly: true,
      bucket: null,
      handle: () => ({
        kind: 'list',
        items: [...index.orgs.values()].map((o) => legacyOrganization(o, baseUrl(), index.deleted.has(o.id))),
      }),
    }),
    route('/api/public/v1.0/orgs/{orgId}', {
      versions: null,
      digestOnly: true,
      bucket: null,
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        return { kind: 'object', body: legacyOrganization(o, baseUrl(), index.deleted.has(o.id)) };
      },
    }),
    // Active users only, in the documented v1.0 shape: no dates, and every role the user holds in
    // any organization or project (Get All Organization Users).
    route('/api/public/v1.0/orgs/{orgId}/users', {
      versions: null,
      digestOnly: true,
      includeCount: true,
      bucket: null,
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        const items = o.users
          .filter((u) => u.status === 'ACTIVE')
          .map((u) =>
            legacyUser(u, index.rolesAnywhere.get(u.id) ?? [], `${baseUrl()}/api/public/v1.0/users/${u.id}`, {
              leakPassword,
            }),
          );
        return { kind: 'list', items };
      },
    }),
    // Get All Projects in One Organization (v1.0): id and name, no creation date, no teams.
    route('/api/public/v1.0/orgs/{orgId}/groups', {
      versions: null,
      digestOnly: true,
      bucket: null,
      handle: (ctx) => {
        const o = org(ctx);
        if ('kind' in o) return o;
        return { kind: 'list', items: o.projects.map((p) => legacyGroup(p, o.id, baseUrl())) };
      },
    }),
  ];
}

/** Cloud Manager v1.0 organization: `{id, name, isDeleted, links}` with v1.0 hrefs. */
function legacyOrganization(org: Organization, baseUrl: string, isDeleted: boolean): WireObject {
  return {
    id: org.id,
    name: org.name,
    isDeleted,
    links: [{ href: `${baseUrl}/api/public/v1.0/orgs/${org.id}`, rel: 'self' }],
  };
}

// ---------------------------------------------------------------------------------------------
// Auth helpers

const DIGEST_REALM = 'MMS Public API';
/** How long a Digest nonce stays fresh (then `stale=true`). */
const NONCE_TTL_MS = 5 * 60_000;

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Server

/** Starts the simulator on 127.0.0.1 (port 0 = any free port by default). */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const now = opts.now ?? (() => Date.now());
  const credentials: SimulatorCredentials = opts.credentials ?? DEFAULT_CREDENTIALS;
  const tokenTtlMs = (opts.tokenTtlSeconds ?? 3600) * 1000;
  const limits: Record<EndpointSet, BucketSpec> | null =
    opts.rateLimits === 'off'
      ? null
      : opts.rateLimits === undefined || opts.rateLimits === 'atlas'
        ? { ...ATLAS_RATE_LIMITS }
        : { ...ATLAS_RATE_LIMITS, ...opts.rateLimits };
  const faults = (opts.faults ?? []).map((fault) => ({ fault, used: 0 }));
  const index = new EstateIndex(opts.organizations, opts.deletedOrgIds);
  let baseUrl = '';
  const routes = buildRoutes(index, () => baseUrl, opts.leakPassword ?? false);

  const tokens = new Map<string, { expiresAt: number; principal: Principal }>();
  const nonces = new Map<string, number>();
  const buckets = new Map<string, { tokens: number; last: number }>();
  const log: RequestLogEntry[] = [];
  let stats: SimulatorStats = { requests: 0, byStatus: {}, byEndpoint: {}, tokensIssued: 0 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const record = (req: IncomingMessage, url: URL, status: number, endpoint: string) => {
    stats.requests++;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
    log.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      status,
      accept: req.headers.accept ?? null,
    });
  };

  const send = async (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string | number> = {},
    contentType = 'application/json',
  ) => {
    await wait(opts.latencyMs ?? 0);
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  // Field order as in spec §6.1: error, errorCode, detail, reason, parameters.
  const apiError = (spec: Omit<ApiErrorSpec, 'kind'>) => ({
    error: spec.status,
    errorCode: spec.errorCode,
    detail: spec.detail,
    reason: REASONS[spec.status] ?? 'Error',
    parameters: spec.parameters ?? [],
  });

  const digestChallenge = (stale = false) => {
    const nonce = randomBytes(16).toString('base64');
    // Every unauthenticated request gets a fresh nonce; drop expired ones so long runs stay small.
    if (nonces.size > 1000) for (const [n, at] of nonces) if (now() - at > NONCE_TTL_MS) nonces.delete(n);
    nonces.set(nonce, now());
    return `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
  };

  /** Authenticates a request; returns the principal or the reason it failed. */
  const authenticate = (
    req: IncomingMessage,
    digestOnly: boolean,
  ): { principal: Principal } | { detail: string; stale?: boolean } => {
    const header = req.headers.authorization ?? '';
    if (/^Bearer\s/i.test(header)) {
      if (digestOnly) return { detail: 'This API accepts HTTP Digest authentication only.' };
      const token = tokens.get(header.slice(7).trim());
      if (!token) return { detail: 'Invalid access token.' };
      if (token.expiresAt <= now()) return { detail: 'The access token has expired.' };
      return { principal: token.principal };
    }
    if (/^Digest\s/i.test(header)) {
      // The client's own linear parser (a regular expression here backtracked quadratically).
      const p = Object.fromEntries(parseAuthParams(header.slice(7)));
      const key = credentials.apiKeys?.find((k) => k.publicKey === p.username);
      if (!key || p.realm !== DIGEST_REALM) return { detail: 'Invalid API key or realm.' };
      const issued = p.nonce === undefined ? undefined : nonces.get(p.nonce);
      if (issued === undefined) return { detail: 'Unknown nonce.', stale: true };
      if (now() - issued > NONCE_TTL_MS) return { detail: 'Stale nonce.', stale: true };
      if (p.qop !== 'auth' || !/^[0-9a-fA-F]{8}$/.test(p.nc ?? '') || !p.cnonce) {
        return { detail: 'Digest requires qop=auth with nc and cnonce.' };
      }
      if (p.algorithm !== undefined && p.algorithm.toUpperCase() !== 'MD5')
        return { detail: 'Unsupported algorithm.' };
      if (p.uri !== req.url) return { detail: 'Digest uri does not match the request.' };
      const ha1 = md5(`${key.publicKey}:${DIGEST_REALM}:${key.privateKey}`);
      const ha2 = md5(`${req.method ?? 'GET'}:${p.uri}`);
      const expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
      if (expected !== p.response) return { detail: 'Digest response does not match.' };
      return { principal: { kind: 'api-key', id: key.publicKey, access: key.access } };
    }
    return { detail: 'Authentication required.' };
  };

  /** Takes a token from the request's bucket; returns rate-limit headers or the wait in seconds. */
  const takeToken = (
    set: EndpointSet,
    scope: string,
  ): { headers: Record<string, number> } | { retryAfter: number; spec: BucketSpec } | null => {
    if (!limits) return null;
    const spec = limits[set];
    const key = `${set}|${scope}`;
    const t = now();
    const intervalMs = spec.intervalSeconds * 1000;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: spec.capacity, last: t };
      buckets.set(key, bucket);
    }
    // Discrete refill: `refill` tokens every interval, capped at capacity (docs/atlas-api-notes.md §6.3).
    const periods = Math.floor((t - bucket.last) / intervalMs);
    if (periods > 0) {
      bucket.tokens = Math.min(spec.capacity, bucket.tokens + periods * spec.refill);
      bucket.last += periods * intervalMs;
    }
    if (bucket.tokens < 1) {
      return { retryAfter: Math.max(1, Math.ceil((bucket.last + intervalMs - t) / 1000)), spec };
    }
    bucket.tokens--;
    return { headers: { 'RateLimit-Limit': spec.capacity, 'RateLimit-Remaining': bucket.tokens } };
  };

  /** Applies the first matching fault; returns true when the response was taken over. */
  const applyFault = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    endpoint: string,
  ): Promise<boolean> => {
    for (const entry of faults) {
      const { fault } = entry;
      if (fault.method && fault.method.toUpperCase() !== req.method) continue;
      if (typeof fault.path === 'string' ? fault.path !== url.pathname : !fault.path.test(url.pathname))
        continue;
      if (fault.times !== undefined && entry.used >= fault.times) continue;
      entry.used++;
      await wait(fault.delayMs ?? 0);
      if (fault.reset) {
        record(req, url, 0, endpoint);
        req.socket.destroy();
        return true;
      }
      if (fault.status !== undefined) {
        const headers: Record<string, number> = {};
        if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = fault.retryAfterSeconds;
        record(req, url, fault.status, endpoint);
        await send(
          res,
          fault.status,
          apiError({
            status: fault.status,
            errorCode: fault.errorCode ?? ERROR_CODES[fault.status] ?? 'UNEXPECTED_ERROR',
            detail: `Injected fault for ${url.pathname}.`,
          }),
          headers,
        );
        return true;
      }
      return false;
    }
    return false;
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const endpoint = 'POST /api/oauth/token';
    if (await applyFault(req, res, url, endpoint)) return;
    const body = await readBody(req);
    const reply = async (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record(req, url, status, endpoint);
      await send(res, status, payload, { 'Cache-Control': 'no-store', ...headers });
    };
    // OAuth 2.0 error responses (RFC 6749 §5.2), not ApiError: this is the token endpoint.
    const header = req.headers.authorization ?? '';
    const basic = /^Basic\s+(.+)$/i.exec(header)?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const clientId = colon >= 0 ? decodeURIComponent(decoded.slice(0, colon)) : '';
    const secret = colon >= 0 ? decodeURIComponent(decoded.slice(colon + 1)) : '';
    const account = credentials.serviceAccounts?.find(
      (a) => a.clientId === clientId && a.clientSecret === secret,
    );
    if (!account) {
      await reply(
        401,
        { error: 'invalid_client', error_description: 'Invalid client credentials.' },
        {
          'WWW-Authenticate': 'Basic realm="MongoDB Cloud"',
        },
      );
      return;
    }
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') {
      await reply(400, {
        error: 'unsupported_grant_type',
        error_description: 'Use grant_type=client_credentials.',
      });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, {
      expiresAt: now() + tokenTtlMs,
      principal: { kind: 'service-account', id: clientId, access: account.access },
    });
    stats.tokensIssued++;
    await reply(200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: Math.floor(tokenTtlMs / 1000),
    });
  };

  // The write operations of revocation plans (review apply), in their own module.
  const writes = simulatorWrites({
    estate: index,
    baseUrl: () => baseUrl,
    authenticate,
    digestChallenge,
    applyFault,
    takeToken,
    record,
    send,
    apiError,
    readBody,
    wait,
    latencyMs: opts.latencyMs ?? 0,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (req.method === 'POST' && url.pathname === '/api/oauth/token') return handleToken(req, res, url);
    if (req.method !== 'GET' && (await writes(req, res, url))) return;
    const fail = async (
      endpoint: string,
      spec: Omit<ApiErrorSpec, 'kind'>,
      headers: Record<string, string | number> = {},
    ) => {
      record(req, url, spec.status, endpoint);
      await send(res, spec.status, apiError(spec), headers);
    };
    let matched: { route: Route; params: Record<string, string> } | undefined;
    for (const r of routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.paramNames.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      matched = { route: r, params };
      break;
    }
    if (!matched) {
      return fail(`${req.method} (unknown)`, {
        status: 404,
        errorCode: 'RESOURCE_NOT_FOUND',
        detail: `Cannot find resource ${url.pathname}.`,
        parameters: [url.pathname],
      });
    }
    const { route: r, params } = matched;
    const endpoint = `${req.method} ${r.template}`;
    if (req.method !== 'GET') {
      return fail(endpoint, {
        status: 405,
        errorCode: 'METHOD_NOT_ALLOWED',
        detail: `${req.method} is not supported here.`,
      });
    }
    const auth = authenticate(req, r.digestOnly);
    if (!('principal' in auth)) {
      return fail(
        endpoint,
        { status: 401, errorCode: 'UNAUTHORIZED', detail: auth.detail },
        { 'WWW-Authenticate': digestChallenge(auth.stale ?? false) },
      );
    }
    // The credential's role and API access list, as Atlas checks them (x-rolesRequirements).
    const refusal = authorize(auth.principal.access, rolesOf(endpoint), req.socket.remoteAddress ?? '');
    if (refusal) return fail(endpoint, refusal);
    if (await applyFault(req, res, url, endpoint)) return;

    let version: string | null = null;
    if (r.versions) {
      const accept = req.headers.accept ?? '';
      const m = /application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2}|preview)\+json/.exec(accept);
      version = m?.[1] ?? null;
      if (version === null || !r.versions.includes(version)) {
        return fail(endpoint, {
          status: 406,
          errorCode: 'INVALID_VERSION_DATE',
          detail: version
            ? `Version ${version} is not available for this resource; use one of ${r.versions.join(', ')}.`
            : `Missing or invalid Accept header; send application/vnd.atlas.<date>+json with one of ${r.versions.join(', ')}.`,
          parameters: [accept],
        });
      }
      const sunset = r.sunsets?.[version];
      if (sunset !== undefined && now() >= Date.parse(`${sunset}T00:00:00Z`)) {
        return fail(endpoint, {
          status: 410,
          errorCode: 'VERSION_GONE',
          detail: `Version ${version} of this resource was withdrawn on ${sunset}.`,
          parameters: [version],
        });
      }
    }

    // Pagination parameters (docs/atlas-api-notes.md §5): itemsPerPage 1..500 (default 100), pageNum >= 1.
    const page = parsePaging(url.searchParams);
    if ('error' in page)
      return fail(endpoint, {
        status: 400,
        errorCode: 'VALIDATION_ERROR',
        detail: page.error,
        parameters: [page.param],
      });

    const ctx: RequestContext = { params, query: url.searchParams, version, principal: auth.principal };
    let rateHeaders: Record<string, number> = {};
    if (r.bucket) {
      const { set, scope } = r.bucket(ctx);
      const taken = takeToken(set, scope);
      if (taken && 'retryAfter' in taken) {
        return fail(
          endpoint,
          {
            status: 429,
            errorCode: 'RATE_LIMITED',
            detail: `Rate limit exceeded for ${set}; retry in ${taken.retryAfter} seconds.`,
            parameters: [
              url.pathname,
              taken.retryAfter,
              taken.spec.capacity,
              taken.spec.refill,
              taken.spec.intervalSeconds,
            ],
          },
          {
            'Retry-After': taken.retryAfter,
            'RateLimit-Limit': taken.spec.capacity,
            'RateLimit-Remaining': 0,
          },
        );
      }
      if (taken) rateHeaders = taken.headers;
    }

    const result = r.handle(ctx);
    if (result.kind === 'error') return fail(endpoint, result);
    const contentType = version ? `application/vnd.atlas.${version}+json` : 'application/json';
    let body: WireObject | WireObject[];
    if (result.kind === 'object') body = result.body;
    else if (result.kind === 'array') body = result.items;
    else {
      const { items } = result;
      const start = (page.pageNum - 1) * page.itemsPerPage;
      const slice = items.slice(start, start + page.itemsPerPage);
      const href = (n: number) => {
        const q = new URLSearchParams(url.searchParams);
        q.set('pageNum', String(n));
        q.set('itemsPerPage', String(page.itemsPerPage));
        return `${baseUrl}${url.pathname}?${q.toString()}`;
      };
      const links = [];
      if (page.pageNum > 1) links.push({ href: href(page.pageNum - 1), rel: 'previous' });
      links.push({ href: href(page.pageNum), rel: 'self' });
      if (start + page.itemsPerPage < items.length) links.push({ href: href(page.pageNum + 1), rel: 'next' });
      // `totalCount` is left out only when asked (`includeCount=false`) where the parameter exists.
      body = {
        links,
        results: slice,
        ...(r.includeCount && !page.includeCount ? {} : { totalCount: items.length }),
      };
    }
    record(req, url, 200, endpoint);
    await send(res, 200, body, rateHeaders, contentType);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A simulator bug must show up as a 500 the test can see, not a hung request.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            error: 500,
            errorCode: 'UNEXPECTED_ERROR',
            detail: String(error),
            reason: 'Internal Server Error',
            parameters: [],
          }),
        );
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  return {
    baseUrl,
    log,
    stats: () => ({
      requests: stats.requests,
      byStatus: { ...stats.byStatus },
      byEndpoint: { ...stats.byEndpoint },
      tokensIssued: stats.tokensIssued,
    }),
    resetStats: () => {
      stats = { requests: 0, byStatus: {}, byEndpoint: {}, tokensIssued: 0 };
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function parsePaging(
  query: URLSearchParams,
): { itemsPerPage: number; pageNum: number; includeCount: boolean } | { error: string; param: string } {
  const int = (
    name: string,
    fallback: number,
    min: number,
    max: number,
  ): number | { error: string; param: string } => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw)) return { error: `${name} must be an integer, got ${raw}.`, param: name };
    const value = Number(raw);
    if (value < min || value > max)
      return { error: `${name} must be between ${min} and ${max}, got ${raw}.`, param: name };
    return value;
  };
  const itemsPerPage = int('itemsPerPage', 100, 1, 500);
  if (typeof itemsPerPage !== 'number') return itemsPerPage;
  const pageNum = int('pageNum', 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof pageNum !== 'number') return pageNum;
  const rawCount = query.get('includeCount');
  if (rawCount !== null && rawCount !== 'true' && rawCount !== 'false') {
    return { error: `includeCount must be true or false, got ${rawCount}.`, param: 'includeCount' };
  }
  return { itemsPerPage, pageNum, includeCount: rawCount !== 'false' };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // The token form is tiny; refuse to buffer anything large.
      if (size > 64 * 1024) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
