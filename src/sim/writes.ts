/**
 * The write operations of a revocation plan, as the simulator serves them to `review apply`: each
 * changes the in-memory estate (the `organizations` given to `startSimulator`, changed in place), so a
 * later collection sees the change.
 *
 * Checks, in the order Atlas applies them to reads (server.ts): route, auth (401 with a Digest
 * challenge), the credential's role against the operation's `x-rolesRequirements` (403), injected
 * faults, the version (`Accept`, 406), the body's media type (`Content-Type` of the same version, 415),
 * the body against the request schema (400, `badRequestDetail`), the rate-limit bucket (429), then the
 * spec's rules, in `ApiError` bodies:
 * - an org user keeps at least one org role, a project user at least one project role: `:removeRole`
 *   of the last one is 400 (removeOrgUserRole / removeGroupUserRole descriptions);
 * - removeOrgUser and removeGroupUser remove pending users only with 2025-02-19; with 2023-01-01 a
 *   pending user is refused with 400 (the spec states the rule, not the answer: the simulator's choice);
 * - updateGroupApiKeyRoles needs at least one role; with no role left a key is removed from the project;
 * - a missing org, project, user, team, key, service account, membership or role is 404
 *   RESOURCE_NOT_FOUND; `:addRole` of a role already held is 409 CONFLICT (the spec lists 409 for it).
 * Unsupported media types answer 415 `UNSUPPORTED_MEDIA_TYPE` (no 415 in the spec: the simulator's
 * choice of code). Validation is zod on the request schemas as the spec extracts define them; the
 * simulator is stricter than the schemas in one way: unknown body fields are refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { atlasMediaType, type WriteOperation, writeOperations } from '../atlas/write-operations.js';
import type { ApiKey, Organization, Project, ServiceAccount, User } from '../snapshot/schema.js';
import { authorize, type SimulatorAccess } from './authorize.js';
import type { BucketSpec, EndpointSet } from './server.js';
import {
  apiKeyUserDetails,
  type FlatRole,
  flatRoles,
  groupServiceAccount,
  groupUserResponse,
  orgServiceAccount,
  orgUserResponse,
  type WireObject,
} from './wire.js';

/** The estate index of server.ts (structural, so the two files stay independent); writes keep it current. */
export interface WritableEstate {
  readonly orgs: Map<string, Organization>;
  readonly usersById: Map<string, Map<string, User>>;
  readonly projects: Map<string, { org: Organization; project: Project }>;
  readonly serviceAccounts: Map<string, Map<string, ServiceAccount>>;
  /** Every role of a user id across the estate (what the Cloud Manager v1.0 users list reports). */
  readonly rolesAnywhere: Map<string, FlatRole[]>;
}

/** An ApiError the simulator answers with (server.ts shapes the body). */
export interface WriteError {
  status: number;
  errorCode: string;
  detail: string;
  parameters?: unknown[];
  badRequestDetail?: { fields: Array<{ field: string; description: string }> };
}

/** What a handler answers: a JSON body (200) or none (204), or an error. */
type WriteAnswer = { status: 200; body: WireObject } | { status: 204 } | { error: WriteError };

interface WriteContext {
  params: Record<string, string>;
  version: string;
  body: unknown;
}

interface WriteRoute {
  operation: WriteOperation;
  /** Every version the spec lists for the operation (test/sim/writes.test.ts checks the extracts). */
  versions: readonly string[];
  pattern: RegExp;
  paramNames: string[];
  bodySchema: z.ZodType | null;
  bucket: (params: Record<string, string>) => { set: EndpointSet; scope: string };
  handle: (ctx: WriteContext) => WriteAnswer;
}

const OBJECT_ID = /^[a-f0-9]{24}$/;
const CLIENT_ID = /^mdb_sa_id_[a-fA-F\d]{24}$/;
const ORG_ROLES = [
  'ORG_OWNER',
  'ORG_GROUP_CREATOR',
  'ORG_BILLING_ADMIN',
  'ORG_BILLING_READ_ONLY',
  'ORG_STREAM_PROCESSING_ADMIN',
  'ORG_READ_ONLY',
  'ORG_MEMBER',
] as const;
/** The spec's name pattern of service accounts (`^[\p{L}\p{N}\-_.,' ]*$`). */
const SA_TEXT = /^[\p{L}\p{N}\-_.,' ]*$/u;

// Request schemas, as the spec extracts define them (components.schemas.<name>).
const atLeastOne = (v: { desc?: unknown; roles?: unknown }) => v.desc !== undefined || v.roles !== undefined;
export const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  AddOrRemoveOrgRole: z.strictObject({ orgRole: z.enum(ORG_ROLES) }),
  AddOrRemoveGroupRole: z.strictObject({ groupRole: z.string() }),
  AddOrRemoveUserFromTeam: z.strictObject({ id: z.string().regex(OBJECT_ID) }),
  // "This request requires a minimum of one of the two body parameters"; roles: "provide a minimum of one".
  UpdateAtlasOrganizationApiKey: z
    .strictObject({
      desc: z.string().min(1).max(250).optional(),
      roles: z.array(z.enum(ORG_ROLES)).min(1).optional(),
    })
    .refine(atLeastOne, 'give desc or roles'),
  UpdateAtlasProjectApiKey: z
    .strictObject({
      desc: z.string().min(1).max(250).optional(),
      roles: z.array(z.string()).min(1).optional(),
    })
    .refine(atLeastOne, 'give desc or roles'),
  OrgServiceAccountUpdateRequest: z.strictObject({
    name: z.string().min(1).max(64).regex(SA_TEXT).nullable().optional(),
    description: z.string().min(1).max(250).regex(SA_TEXT).nullable().optional(),
    roles: z.array(z.enum(ORG_ROLES)).optional(),
  }),
  GroupServiceAccountUpdateRequest: z.strictObject({
    name: z.string().min(1).max(64).regex(SA_TEXT).nullable().optional(),
    description: z.string().min(1).max(250).regex(SA_TEXT).nullable().optional(),
    roles: z.array(z.string()).optional(),
  }),
};

/** Versions per operation: every `contentVersion` the extracts list for it. */
export const SIM_WRITE_VERSIONS: Readonly<Record<keyof typeof writeOperations, readonly string[]>> = {
  removeOrgUser: ['2023-01-01', '2025-02-19'],
  addOrgUserRole: ['2025-02-19'],
  removeOrgUserRole: ['2025-02-19'],
  removeOrgTeamUser: ['2025-02-19'],
  removeGroupUser: ['2023-01-01', '2025-02-19'],
  removeGroupUserRole: ['2025-02-19'],
  deleteOrgApiKey: ['2023-01-01'],
  updateOrgApiKey: ['2023-01-01'],
  updateGroupApiKeyRoles: ['2023-01-01'],
  removeGroupApiKey: ['2023-01-01'],
  deleteOrgServiceAccount: ['2024-08-05'],
  updateOrgServiceAccount: ['2024-08-05'],
  updateGroupServiceAccount: ['2024-08-05'],
  deleteGroupServiceAccount: ['2024-08-05'],
};

const notFound = (what: string, id: string): { error: WriteError } => ({
  error: {
    status: 404,
    errorCode: 'RESOURCE_NOT_FOUND',
    detail: `Cannot find ${what} ${id}.`,
    parameters: [id],
  },
});
const invalid = (detail: string, parameters: unknown[] = []): { error: WriteError } => ({
  error: { status: 400, errorCode: 'VALIDATION_ERROR', detail, parameters },
});

function uniq(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The write routes over `estate`; `baseUrl` fills the links of response bodies. */
function buildWriteRoutes(estate: WritableEstate, baseUrl: () => string): WriteRoute[] {
  type Found<T> = T | { error: WriteError };
  const org = (params: Record<string, string>): Found<Organization> => {
    const id = params.orgId ?? '';
    if (!OBJECT_ID.test(id)) return invalid(`Invalid orgId ${id}.`, ['orgId']);
    return estate.orgs.get(id) ?? notFound('organization', id);
  };
  const project = (params: Record<string, string>): Found<{ org: Organization; project: Project }> => {
    const id = params.groupId ?? '';
    if (!OBJECT_ID.test(id)) return invalid(`Invalid groupId ${id}.`, ['groupId']);
    return estate.projects.get(id) ?? notFound('project', id);
  };
  const orgUser = (o: Organization, id: string): Found<User> => {
    if (!OBJECT_ID.test(id)) return invalid(`Invalid userId ${id}.`, ['userId']);
    return estate.usersById.get(o.id)?.get(id) ?? notFound(`user in organization ${o.id}:`, id);
  };
  const apiKey = (o: Organization, id: string): Found<ApiKey> => {
    if (!OBJECT_ID.test(id)) return invalid(`Invalid apiUserId ${id}.`, ['apiUserId']);
    return o.apiKeys.find((k) => k.id === id) ?? notFound('API key', id);
  };
  const serviceAccount = (o: Organization, id: string): Found<ServiceAccount> => {
    if (!CLIENT_ID.test(id)) return invalid(`Invalid clientId ${id}.`, ['clientId']);
    return estate.serviceAccounts.get(o.id)?.get(id) ?? notFound('service account', id);
  };
  /** After a change to a user's roles or membership: the flat roles the v1.0 users list reports. */
  const reindex = (userId: string) => {
    const roles = [...estate.orgs.values()].flatMap((o) => {
      const u = estate.usersById.get(o.id)?.get(userId);
      return u && u.status === 'ACTIVE' ? flatRoles(u, o.id) : [];
    });
    if (roles.length > 0) estate.rolesAnywhere.set(userId, roles);
    else estate.rolesAnywhere.delete(userId);
  };
  /** 2023-01-01 of the user removals sees active users only (spec: "only active users can be removed"). */
  const activeOnly = (ctx: WriteContext, u: User): { error: WriteError } | null =>
    ctx.version === '2023-01-01' && u.status !== 'ACTIVE'
      ? invalid(
          `User ${u.id} is ${u.status}: version 2023-01-01 removes active users only; use 2025-02-19.`,
          [u.id],
        )
      : null;
  const removeFromOrg = (o: Organization, u: User) => {
    o.users = o.users.filter((x) => x.id !== u.id);
    for (const t of o.teams) t.memberIds = t.memberIds.filter((m) => m !== u.id);
    estate.usersById.get(o.id)?.delete(u.id);
    reindex(u.id);
  };
  const orgScope = (set: EndpointSet) => (p: Record<string, string>) => ({ set, scope: `org:${p.orgId}` });
  const groupScope = (set: EndpointSet) => (p: Record<string, string>) => ({
    set,
    scope: `group:${p.groupId}`,
  });

  const routes: Array<Omit<WriteRoute, 'pattern' | 'paramNames' | 'bodySchema' | 'versions'>> = [
    {
      operation: writeOperations.removeOrgUser,
      bucket: orgScope('users-org'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const u = orgUser(o, ctx.params.userId ?? '');
        if ('error' in u) return u;
        const refused = activeOnly(ctx, u);
        if (refused) return refused;
        removeFromOrg(o, u);
        return { status: 204 };
      },
    },
    {
      operation: writeOperations.addOrgUserRole,
      bucket: orgScope('users-org'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const u = orgUser(o, ctx.params.userId ?? '');
        if ('error' in u) return u;
        const { orgRole } = ctx.body as { orgRole: string };
        if (u.orgRoles.includes(orgRole))
          return {
            error: {
              status: 409,
              errorCode: 'CONFLICT',
              detail: `User ${u.id} already has organization role ${orgRole}.`,
              parameters: [u.id, orgRole],
            },
          };
        u.orgRoles = [...u.orgRoles, orgRole];
        reindex(u.id);
        return { status: 200, body: orgUserResponse(u) };
      },
    },
    {
      operation: writeOperations.removeOrgUserRole,
      bucket: orgScope('users-org'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const u = orgUser(o, ctx.params.userId ?? '');
        if ('error' in u) return u;
        const { orgRole } = ctx.body as { orgRole: string };
        if (!u.orgRoles.includes(orgRole)) return notFound(`organization role ${orgRole} of user`, u.id);
        if (u.orgRoles.length === 1)
          return invalid(
            `${orgRole} is the only organization role of user ${u.id}: a user must have at least one role at all times; add the new role before removing the old one.`,
            [u.id, orgRole],
          );
        u.orgRoles = u.orgRoles.filter((r) => r !== orgRole);
        reindex(u.id);
        return { status: 200, body: orgUserResponse(u) };
      },
    },
    {
      operation: writeOperations.removeOrgTeamUser,
      bucket: orgScope('teams-org'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const teamId = ctx.params.teamId ?? '';
        if (!OBJECT_ID.test(teamId)) return invalid(`Invalid teamId ${teamId}.`, ['teamId']);
        const team = o.teams.find((t) => t.id === teamId);
        if (!team) return notFound('team', teamId);
        const u = orgUser(o, (ctx.body as { id: string }).id);
        if ('error' in u) return u;
        if (!team.memberIds.includes(u.id) && !u.teamIds.includes(team.id))
          return notFound(`member of team ${team.id}:`, u.id);
        team.memberIds = team.memberIds.filter((m) => m !== u.id);
        u.teamIds = u.teamIds.filter((t) => t !== team.id);
        return { status: 200, body: orgUserResponse(u) };
      },
    },
    {
      operation: writeOperations.removeGroupUser,
      bucket: groupScope('users-group'),
      handle: (ctx) => {
        const found = project(ctx.params);
        if ('error' in found) return found;
        const u = orgUser(found.org, ctx.params.userId ?? '');
        if ('error' in u) return u;
        if (!u.projectRoles.some((p) => p.projectId === found.project.id))
          return notFound(`user in project ${found.project.id}:`, u.id);
        const refused = activeOnly(ctx, u);
        if (refused) return refused;
        u.projectRoles = u.projectRoles.filter((p) => p.projectId !== found.project.id);
        reindex(u.id);
        return { status: 204 };
      },
    },
    {
      operation: writeOperations.removeGroupUserRole,
      bucket: groupScope('users-group'),
      handle: (ctx) => {
        const found = project(ctx.params);
        if ('error' in found) return found;
        const u = orgUser(found.org, ctx.params.userId ?? '');
        if ('error' in u) return u;
        const grant = u.projectRoles.find((p) => p.projectId === found.project.id);
        if (!grant) return notFound(`user in project ${found.project.id}:`, u.id);
        const { groupRole } = ctx.body as { groupRole: string };
        if (!grant.roles.includes(groupRole)) return notFound(`project role ${groupRole} of user`, u.id);
        if (grant.roles.length === 1)
          return invalid(
            `${groupRole} is the only role of user ${u.id} in project ${found.project.id}: a user must have at least one role at all times; remove the user from the project instead.`,
            [u.id, groupRole],
          );
        grant.roles = grant.roles.filter((r) => r !== groupRole);
        reindex(u.id);
        return { status: 200, body: groupUserResponse(u, grant.roles) };
      },
    },
    {
      operation: writeOperations.deleteOrgApiKey,
      bucket: orgScope('api-keys'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const key = apiKey(o, ctx.params.apiUserId ?? '');
        if ('error' in key) return key;
        o.apiKeys = o.apiKeys.filter((k) => k.id !== key.id);
        return { status: 204 };
      },
    },
    {
      operation: writeOperations.updateOrgApiKey,
      bucket: orgScope('api-keys'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const key = apiKey(o, ctx.params.apiUserId ?? '');
        if ('error' in key) return key;
        const body = ctx.body as { desc?: string; roles?: string[] };
        if (body.roles) key.orgRoles = uniq(body.roles);
        if (body.desc !== undefined) key.description = body.desc;
        return { status: 200, body: apiKeyUserDetails(key, o.id, baseUrl()) };
      },
    },
    {
      operation: writeOperations.updateGroupApiKeyRoles,
      bucket: groupScope('api-keys'),
      handle: (ctx) => {
        const found = project(ctx.params);
        if ('error' in found) return found;
        const key = apiKey(found.org, ctx.params.apiUserId ?? '');
        if ('error' in key) return key;
        const grant = key.projectRoles.find((p) => p.projectId === found.project.id);
        if (!grant) return notFound(`API key in project ${found.project.id}:`, key.id);
        const body = ctx.body as { desc?: string; roles?: string[] };
        // "You must specify at least one valid role for the project."
        if (!body.roles) return invalid('Specify at least one role for the project.', ['roles']);
        grant.roles = uniq(body.roles);
        if (body.desc !== undefined) key.description = body.desc;
        return { status: 200, body: apiKeyUserDetails(key, found.org.id, baseUrl()) };
      },
    },
    {
      operation: writeOperations.removeGroupApiKey,
      bucket: groupScope('api-keys'),
      handle: (ctx) => {
        const found = project(ctx.params);
        if ('error' in found) return found;
        const key = apiKey(found.org, ctx.params.apiUserId ?? '');
        if ('error' in key) return key;
        if (!key.projectRoles.some((p) => p.projectId === found.project.id))
          return notFound(`API key in project ${found.project.id}:`, key.id);
        key.projectRoles = key.projectRoles.filter((p) => p.projectId !== found.project.id);
        return { status: 204 };
      },
    },
    {
      operation: writeOperations.deleteOrgServiceAccount,
      bucket: orgScope('service-accounts'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const sa = serviceAccount(o, ctx.params.clientId ?? '');
        if ('error' in sa) return sa;
        o.serviceAccounts = o.serviceAccounts.filter((s) => s.clientId !== sa.clientId);
        estate.serviceAccounts.get(o.id)?.delete(sa.clientId);
        return { status: 204 };
      },
    },
    {
      operation: writeOperations.updateOrgServiceAccount,
      bucket: orgScope('service-accounts'),
      handle: (ctx) => {
        const o = org(ctx.params);
        if ('error' in o) return o;
        const sa = serviceAccount(o, ctx.params.clientId ?? '');
        if ('error' in sa) return sa;
        const body = ctx.body as { name?: string | null; description?: string | null; roles?: string[] };
        if (body.roles) {
          // A service account, like any org identity, keeps at least one org role.
          if (body.roles.length === 0)
            return invalid('A service account needs at least one organization role.');
          sa.orgRoles = uniq(body.roles);
        }
        if (typeof body.name === 'string') sa.name = body.name;
        if (body.description !== undefined) sa.description = body.description;
        return { status: 200, body: orgServiceAccount(sa) };
      },
    },
    {
      operation: writeOperations.updateGroupServiceAccount,
      bucket: groupScope('service-accounts'),
      handle: (ctx) => {
        const found = project(ctx.params);
        if ('error' in found) return found;
        const sa = serviceAccount(found.org, ctx.params.clientId ?? '');
        if ('error' in sa) return sa;
        const grant = sa.projectRoles.find((p) => p.projectId === found.project.id);
        if (!grant) return notFound(`service account in project ${found.project.id}:`, sa.clientId);
        const body = ctx.body as { name?: string | null; description?: string | null; roles?: string[] };
        if (body.roles) {
          // As for API keys: a project member keeps a role; with none left it leaves the project (DELETE).
          if (body.roles.length === 0)
            return invalid(
              'A service account in a project needs at least one project role; remove it from the project instead.',
            );
          grant.roles = uniq(body.roles);
        }
        if (typeof body.name === 'string') sa.name = body.name;
        if (body.description !== undefined) sa.description = body.description;
        return { status: 200, body: groupServiceAccount(sa, grant.roles) };
      },
    },
    {
      operation: writeOperations.deleteGroupServiceAccount,
      bucket: groupScope('service-accounts'),
      handle: (ctx) => {
        const found = project(ctx.params);
        if ('error' in found) return found;
        const sa = serviceAccount(found.org, ctx.params.clientId ?? '');
        if ('error' in sa) return sa;
        if (!sa.projectRoles.some((p) => p.projectId === found.project.id))
          return notFound(`service account in project ${found.project.id}:`, sa.clientId);
        // "The Service Account will still be a part of the Organization it was created in."
        sa.projectRoles = sa.projectRoles.filter((p) => p.projectId !== found.project.id);
        return { status: 204 };
      },
    },
  ];
  return routes.map((r) => {
    const paramNames: string[] = [];
    const source = r.operation.path
      .split(/\{(\w+)\}/)
      .map((part, i) => {
        if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        paramNames.push(part);
        return '([^/:]+)';
      })
      .join('');
    const name = r.operation.operationId as keyof typeof writeOperations;
    return {
      ...r,
      versions: SIM_WRITE_VERSIONS[name],
      pattern: new RegExp(`^${source}$`),
      paramNames,
      bodySchema: r.operation.requestSchema ? (REQUEST_SCHEMAS[r.operation.requestSchema] ?? null) : null,
    };
  });
}

/** What the write handler borrows from server.ts: auth, faults, buckets and the response helpers. */
export interface WriteServerDeps {
  estate: WritableEstate;
  baseUrl: () => string;
  authenticate: (
    req: IncomingMessage,
    digestOnly: boolean,
  ) => { principal: { access?: SimulatorAccess } } | { detail: string; stale?: boolean };
  digestChallenge: (stale: boolean) => string;
  applyFault: (req: IncomingMessage, res: ServerResponse, url: URL, endpoint: string) => Promise<boolean>;
  takeToken: (
    set: EndpointSet,
    scope: string,
  ) => { headers: Record<string, number> } | { retryAfter: number; spec: BucketSpec } | null;
  record: (req: IncomingMessage, url: URL, status: number, endpoint: string) => void;
  send: (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers?: Record<string, string | number>,
    contentType?: string,
  ) => Promise<void>;
  apiError: (spec: WriteError) => unknown;
  readBody: (req: IncomingMessage) => Promise<string>;
  wait: (ms: number) => Promise<void>;
  latencyMs: number;
}

/**
 * The write handler of the simulator: answers a request whose method and path are a write operation
 * and returns true; returns false for anything else (server.ts then answers it as before).
 */
export function simulatorWrites(
  deps: WriteServerDeps,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const routes = buildWriteRoutes(deps.estate, deps.baseUrl);
  return async (req, res, url) => {
    let matched: { route: WriteRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      if (route.operation.method !== req.method) continue;
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      matched = { route, params };
      break;
    }
    if (!matched) return false;
    const { route, params } = matched;
    const endpoint = `${route.operation.method} ${route.operation.path}`;
    const fail = async (error: WriteError, headers: Record<string, string | number> = {}) => {
      deps.record(req, url, error.status, endpoint);
      const detail = error.badRequestDetail ? { badRequestDetail: error.badRequestDetail } : {};
      await deps.send(res, error.status, { ...(deps.apiError(error) as object), ...detail }, headers);
    };

    const auth = deps.authenticate(req, false);
    if (!('principal' in auth)) {
      await fail(
        { status: 401, errorCode: 'UNAUTHORIZED', detail: auth.detail },
        { 'WWW-Authenticate': deps.digestChallenge(auth.stale ?? false) },
      );
      return true;
    }
    const refusal = authorize(auth.principal.access, route.operation.roles, req.socket.remoteAddress ?? '');
    if (refusal) {
      await fail(refusal);
      return true;
    }
    if (await deps.applyFault(req, res, url, endpoint)) return true;

    // Version: Accept names one the operation has (docs/atlas-api-notes.md §1), else 406.
    const accept = req.headers.accept ?? '';
    const version = /application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2}|preview)\+json/.exec(accept)?.[1] ?? null;
    if (version === null || !route.versions.includes(version)) {
      await fail({
        status: 406,
        errorCode: 'INVALID_VERSION_DATE',
        detail: version
          ? `Version ${version} is not available for this resource; use one of ${route.versions.join(', ')}.`
          : `Missing or invalid Accept header; send application/vnd.atlas.<date>+json with one of ${route.versions.join(', ')}.`,
        parameters: [accept],
      });
      return true;
    }

    // Body: in the request schema, sent as the same versioned media type; none where none is taken.
    const text = await deps.readBody(req);
    let body: unknown = null;
    if (route.bodySchema === null) {
      if (text.trim() !== '') {
        await fail({
          status: 400,
          errorCode: 'VALIDATION_ERROR',
          detail: 'This operation takes no request body.',
        });
        return true;
      }
    } else {
      const media = atlasMediaType(version);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (contentType !== media) {
        await fail({
          status: 415,
          errorCode: 'UNSUPPORTED_MEDIA_TYPE',
          detail: `Content-Type ${contentType || '(none)'} is not supported; send ${media}.`,
          parameters: [contentType],
        });
        return true;
      }
      try {
        body = JSON.parse(text);
      } catch {
        await fail({
          status: 400,
          errorCode: 'VALIDATION_ERROR',
          detail: 'The request body is not valid JSON.',
        });
        return true;
      }
      const parsed = route.bodySchema.safeParse(body);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => ({
          field: i.path.length > 0 ? i.path.join('.') : '(body)',
          description: i.message,
        }));
        await fail({
          status: 400,
          errorCode: 'VALIDATION_ERROR',
          detail: `Invalid ${route.operation.requestSchema}: ${fields.map((f) => `${f.field}: ${f.description}`).join('; ')}.`,
          parameters: fields.map((f) => f.field),
          badRequestDetail: { fields },
        });
        return true;
      }
      body = parsed.data;
    }

    const { set, scope } = route.bucket(params);
    const taken = deps.takeToken(set, scope);
    if (taken && 'retryAfter' in taken) {
      await fail(
        {
          status: 429,
          errorCode: 'RATE_LIMITED',
          detail: `Rate limit exceeded for ${set}; retry in ${taken.retryAfter} seconds.`,
          parameters: [url.pathname, taken.retryAfter, taken.spec.capacity, taken.spec.refill],
        },
        { 'Retry-After': taken.retryAfter, 'RateLimit-Limit': taken.spec.capacity, 'RateLimit-Remaining': 0 },
      );
      return true;
    }
    const rateHeaders = taken ? taken.headers : {};

    const answer = route.handle({ params, version, body });
    if ('error' in answer) {
      await fail(answer.error, rateHeaders);
      return true;
    }
    deps.record(req, url, answer.status, endpoint);
    const media = atlasMediaType(version);
    if (answer.status === 200) {
      await deps.send(res, 200, answer.body, rateHeaders, media);
      return true;
    }
    // 204 No Content: the spec's media type, no body.
    await deps.wait(deps.latencyMs);
    if (!res.destroyed) {
      res.writeHead(204, { 'Content-Type': media, ...rateHeaders });
      res.end();
    }
    return true;
  };
}
