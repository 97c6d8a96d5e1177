/**
 * The read operations the simulator serves: the route table (path template, versions, sunsets, rate-limit
 * bucket) and the handlers that turn the estate into wire bodies of the requested version.
 */
import type { Organization, Project, ServiceAccount, User, UserStatus } from '../snapshot/schema.js';
import type { Principal } from './auth.js';
import type { ApiErrorSpec } from './http.js';
import type { EndpointSet } from './rate-limit.js';
import { databaseRoutes } from './routes-database.js';
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

/** What a read handler sees of its request. */
export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  version: string | null;
  principal: Principal;
}

/** A paginated list, a single object, or a bare array (the few unpaginated list endpoints). */
export type Listing =
  | { kind: 'list'; items: WireObject[] }
  | { kind: 'object'; body: WireObject }
  | { kind: 'array'; items: WireObject[] };

/** One read operation: its path, versions, bucket and handler. */
export interface Route {
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

export const OBJECT_ID = /^[a-f0-9]{24}$/;
const STATUSES: readonly UserStatus[] = ['PENDING', 'ACTIVE', 'INVITATION_EXPIRED', 'INVITATION_REJECTED'];
const V1 = '2023-01-01';
const V2025 = '2025-02-19';
const VSA = '2024-08-05';

/** A route from its template (`{name}` parameters) and its spec. */
export function route(
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

export function notFound(what: string, id: string): ApiErrorSpec {
  return {
    kind: 'error',
    status: 404,
    errorCode: 'RESOURCE_NOT_FOUND',
    detail: `Cannot find ${what} ${id}.`,
    parameters: [id],
  };
}
export function invalid(detail: string, parameters: unknown[] = []): ApiErrorSpec {
  return { kind: 'error', status: 400, errorCode: 'VALIDATION_ERROR', detail, parameters };
}

/** Indexes of the estate for O(1) lookups. */
export class EstateIndex {
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

/**
 * The read operations over `index`, in match order; `baseUrl` fills the links of response bodies, `now`
 * (the simulator's clock, ms) decides what has expired.
 */
export function buildRoutes(
  index: EstateIndex,
  baseUrl: () => string,
  leakPassword: boolean,
  now: () => number,
): Route[] {
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
  type Handler = (ctx: RequestContext) => Listing | ApiErrorSpec;
  /** A handler of an org's resource: runs only when the path names an org that exists. */
  const inOrg =
    (handle: (ctx: RequestContext, o: Organization) => Listing | ApiErrorSpec): Handler =>
    (ctx) => {
      const o = org(ctx);
      return 'kind' in o ? o : handle(ctx, o);
    };
  /** A handler of a project's resource: runs only when the path names a project that exists. */
  const inProject =
    (
      handle: (ctx: RequestContext, found: { org: Organization; project: Project }) => Listing | ApiErrorSpec,
    ): Handler =>
    (ctx) => {
      const found = project(ctx);
      return 'kind' in found ? found : handle(ctx, found);
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
      handle: inOrg((ctx, o) => {
        return userItems(ctx, o, o.users, (u) => `${baseUrl()}/api/atlas/v2/users/${u.id}`);
      }),
    }),
    route('/api/atlas/v2/orgs/{orgId}/teams', {
      versions: [V1],
      bucket: orgScope('teams-org'),
      handle: inOrg((_ctx, o) => {
        return { kind: 'list', items: o.teams.map((t) => teamResponse(t, o.id, baseUrl())) };
      }),
    }),
    route('/api/atlas/v2/orgs/{orgId}/teams/{teamId}/users', {
      versions: [V1, V2025],
      includeCount: false,
      bucket: orgScope('teams-org'),
      handle: inOrg((ctx, o) => {
        const teamId = ctx.params.teamId ?? '';
        if (!OBJECT_ID.test(teamId)) return invalid(`Invalid teamId ${teamId}.`, ['teamId']);
        const team = o.teams.find((t) => t.id === teamId);
        if (!team) return notFound('team', teamId);
        const byId = index.usersById.get(o.id);
        const members = team.memberIds.map((id) => byId?.get(id)).filter((u): u is User => u !== undefined);
        return userItems(ctx, o, members, (u) => `${baseUrl()}/api/atlas/v2/users/${u.id}`);
      }),
    }),
    route('/api/atlas/v2/orgs/{orgId}/groups', {
      versions: [V1],
      bucket: orgScope('organizations-org'),
      handle: inOrg((ctx, o) => {
        const prefix = ctx.query.get('name')?.toLowerCase();
        const items = o.projects
          .filter((p) => prefix === undefined || p.name.toLowerCase().startsWith(prefix))
          .map((p) => group(p, o.id, baseUrl()));
        return { kind: 'list', items };
      }),
    }),
    route('/api/atlas/v2/groups/{groupId}/teams', {
      versions: [V1],
      bucket: groupScope('teams-group'),
      handle: inProject((_ctx, found) => {
        return {
          kind: 'list',
          items: found.project.teams.map((t) => teamRole(t, found.project.id, baseUrl())),
        };
      }),
    }),
    route('/api/atlas/v2/groups/{groupId}/users', {
      versions: [V1, V2025],
      bucket: groupScope('users-group'),
      handle: inProject((ctx, found) => {
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
      }),
    }),
    route('/api/atlas/v2/orgs/{orgId}/apiKeys', {
      versions: [V1],
      bucket: orgScope('api-keys'),
      handle: inOrg((_ctx, o) => {
        return { kind: 'list', items: o.apiKeys.map((k) => apiKeyUserDetails(k, o.id, baseUrl())) };
      }),
    }),
    route('/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}/accessList', {
      versions: [V1],
      bucket: orgScope('api-keys'),
      handle: inOrg((ctx, o) => {
        const keyId = ctx.params.apiUserId ?? '';
        if (!OBJECT_ID.test(keyId)) return invalid(`Invalid apiUserId ${keyId}.`, ['apiUserId']);
        const key = o.apiKeys.find((k) => k.id === keyId);
        if (!key) return notFound('API key', keyId);
        return {
          kind: 'list',
          items: key.accessList.map((e) => userAccessListResponse(e, o.id, key.id, baseUrl())),
        };
      }),
    }),
    route('/api/atlas/v2/orgs/{orgId}/serviceAccounts', {
      versions: [VSA],
      includeCount: false,
      bucket: orgScope('service-accounts'),
      handle: inOrg((ctx, o) => {
        const withSystem = includeSystemManaged(ctx.query);
        if (typeof withSystem !== 'boolean') return withSystem;
        const items = o.serviceAccounts
          .filter((sa) => withSystem || !sa.systemManaged)
          .map(orgServiceAccount);
        return { kind: 'list', items };
      }),
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
      handle: inProject((ctx, found) => {
        const withSystem = includeSystemManaged(ctx.query);
        if (typeof withSystem !== 'boolean') return withSystem;
        const items = found.org.serviceAccounts
          .filter((sa) => withSystem || !sa.systemManaged)
          .map((sa) => ({ sa, roles: sa.projectRoles.find((r) => r.projectId === found.project.id)?.roles }))
          .filter((x): x is { sa: ServiceAccount; roles: string[] } => x.roles !== undefined)
          .map((x) => groupServiceAccount(x.sa, x.roles));
        return { kind: 'list', items };
      }),
    }),
    route('/api/atlas/v2/groups/{groupId}/apiKeys', {
      versions: [V1],
      bucket: groupScope('api-keys'),
      handle: inProject((_ctx, found) => {
        // Only keys assigned to the project; each item carries all the key's roles (spec description).
        const items = found.org.apiKeys
          .filter((k) => k.projectRoles.some((r) => r.projectId === found.project.id))
          .map((k) => apiKeyUserDetails(k, found.org.id, baseUrl()));
        return { kind: 'list', items };
      }),
    }),
    // Deprecated as a whole; a bare array, not a page (docs/atlas-api-notes.md §5).
    route('/api/atlas/v2/groups/{groupId}/invites', {
      versions: [V1],
      sunsets: { [V1]: '2027-07-01' },
      bucket: groupScope('projects-group'),
      handle: inProject((ctx, found) => {
        const username = ctx.query.get('username')?.toLowerCase();
        const items = found.org.projectInvitations
          .filter((inv) => inv.projectId === found.project.id)
          .filter((inv) => username === undefined || inv.username.toLowerCase() === username)
          .map((inv) => groupInvitation(inv, found.project, baseUrl()));
        return { kind: 'array', items };
      }),
    }),
    ...databaseRoutes(index.projects, baseUrl, leakPassword, now),
    route('/api/atlas/v2/orgs/{orgId}/settings', {
      versions: [V1],
      bucket: orgScope('org-settings'),
      handle: inOrg((_ctx, o) => {
        if (!o.settings) return notFound('settings of organization', o.id);
        return { kind: 'object', body: organizationSettings(o.settings) };
      }),
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
      handle: inOrg((_ctx, o) => {
        return { kind: 'object', body: legacyOrganization(o, baseUrl(), index.deleted.has(o.id)) };
      }),
    }),
    // Active users only, in the documented v1.0 shape: no dates, and every role the user holds in
    // any organization or project (Get All Organization Users).
    route('/api/public/v1.0/orgs/{orgId}/users', {
      versions: null,
      digestOnly: true,
      includeCount: true,
      bucket: null,
      handle: inOrg((_ctx, o) => {
        const items = o.users
          .filter((u) => u.status === 'ACTIVE')
          .map((u) =>
            legacyUser(u, index.rolesAnywhere.get(u.id) ?? [], `${baseUrl()}/api/public/v1.0/users/${u.id}`, {
              leakPassword,
            }),
          );
        return { kind: 'list', items };
      }),
    }),
    // Get All Projects in One Organization (v1.0): id and name, no creation date, no teams.
    route('/api/public/v1.0/orgs/{orgId}/groups', {
      versions: null,
      digestOnly: true,
      bucket: null,
      handle: inOrg((_ctx, o) => {
        return { kind: 'list', items: o.projects.map((p) => legacyGroup(p, o.id, baseUrl())) };
      }),
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
