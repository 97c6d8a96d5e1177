/**
 * The write operations of a revocation plan, as the simulator serves them to `review apply`: each
 * changes the in-memory estate (the `organizations` given to `startSimulator`, changed in place), so a
 * later collection sees the change.
 *
 * Checks, in the order Atlas applies them to reads (server.ts, routes.ts): route, auth (401 with a Digest
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
import * as z from 'zod';
import { atlasMediaType, type WriteOperation, writeOperations } from '../atlas/write-operations.js';
import type { ApiKey, Organization, Project, ProjectRole, ServiceAccount, User } from '../snapshot/schema.js';
import type { SimulatorAuth } from './auth.js';
import { authorize } from './authorize.js';
import { entryValue } from './estate-database.js';
import type { ApplyFault } from './faults.js';
import { apiError, matchParams, negotiateVersion, readBody } from './http.js';
import { type EndpointSet, rateLimited, type TakeToken } from './rate-limit.js';
import type { Responder } from './responder.js';
import { cloudDatabaseUser } from './routes-database.js';
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

/** The estate index of routes.ts (structural, so the two files stay independent); writes keep it current. */
interface WritableEstate {
  readonly orgs: Map<string, Organization>;
  readonly usersById: Map<string, Map<string, User>>;
  readonly projects: Map<string, { org: Organization; project: Project }>;
  readonly serviceAccounts: Map<string, Map<string, ServiceAccount>>;
  /** Every role of a user id across the estate (what the Cloud Manager v1.0 users list reports). */
  readonly rolesAnywhere: Map<string, FlatRole[]>;
}

/** An ApiError the simulator answers with (http.ts shapes the body). */
interface WriteError {
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
  // PATCH body of a database user. Like CloudAppUser (docs/atlas-api-notes.md §11.2) the schema doubles
  // as the create request, whose required fields an update need not repeat; identity fields, when
  // given, must name the user of the path (checked by the handler). A user keeps at least one role.
  CloudDatabaseUser: z.strictObject({
    username: z.string().max(1024).optional(),
    databaseName: z.enum(['admin', '$external']).optional(),
    groupId: z.string().regex(OBJECT_ID).optional(),
    roles: z
      .array(
        z.strictObject({
          roleName: z.string().min(1),
          databaseName: z.string().min(1),
          collectionName: z.string().optional(),
        }),
      )
      .min(1)
      .optional(),
    scopes: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9-]*$/),
          type: z.enum(['CLUSTER', 'DATA_LAKE', 'STREAM']),
        }),
      )
      .optional(),
    description: z.string().max(100).optional(),
    deleteAfterDate: z.iso.datetime({ offset: true }).optional(),
    labels: z.array(z.strictObject({ key: z.string(), value: z.string() })).optional(),
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
  deleteGroupDatabaseUser: ['2023-01-01'],
  updateGroupDatabaseUser: ['2023-01-01'],
  deleteGroupAccessListEntry: ['2023-01-01'],
};

type Found<T> = T | { error: WriteError };

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
const isError = <T>(found: Found<T>): found is { error: WriteError } =>
  typeof found === 'object' && found !== null && 'error' in found;
/** The next lookup, unless this one failed: lookups chain without repeating the error check. */
const then = <A, B>(found: Found<A>, next: (value: A) => Found<B>): Found<B> =>
  isError(found) ? found : next(found);

function uniq(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** A project identity (user, API key, service account) with its grant in the project it was asked about. */
interface InProject<T> {
  org: Organization;
  project: Project;
  member: T;
  grant: ProjectRole;
}

/**
 * The lookups of write operations: each resolves a path (and body) to the objects the operation
 * changes, or to the 400 / 404 Atlas answers; handlers receive what was found and only mutate.
 */
function writeTargets(estate: WritableEstate) {
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
  const user = (o: Organization, id: string): Found<User> => {
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
  /** An org identity named by a path parameter. */
  const inOrg =
    <T>(lookup: (o: Organization, id: string) => Found<T>, param: string) =>
    (ctx: WriteContext): Found<{ org: Organization; member: T }> =>
      then(org(ctx.params), (o) =>
        then(lookup(o, ctx.params[param] ?? ''), (member) => ({ org: o, member })),
      );
  /** A project identity named by a path parameter, with its grant in the project (404 without one). */
  const inProject =
    <T extends { projectRoles: ProjectRole[] }>(
      lookup: (o: Organization, id: string) => Found<T>,
      param: string,
      what: string,
      idOf: (member: T) => string,
    ) =>
    (ctx: WriteContext): Found<InProject<T>> =>
      then(project(ctx.params), (found) =>
        then(lookup(found.org, ctx.params[param] ?? ''), (member) => {
          const grant = member.projectRoles.find((p) => p.projectId === found.project.id);
          if (!grant) return notFound(`${what} in project ${found.project.id}:`, idOf(member));
          return { ...found, member, grant };
        }),
      );
  /** A member of a team, named by the body (`{id}`): listed by either side of the membership. */
  const teamMember = (ctx: WriteContext): Found<{ member: User; team: Organization['teams'][number] }> =>
    then(org(ctx.params), (o) => {
      const teamId = ctx.params.teamId ?? '';
      if (!OBJECT_ID.test(teamId)) return invalid(`Invalid teamId ${teamId}.`, ['teamId']);
      const team = o.teams.find((t) => t.id === teamId);
      if (!team) return notFound('team', teamId);
      return then(user(o, (ctx.body as { id: string }).id), (member) => {
        if (!team.memberIds.includes(member.id) && !member.teamIds.includes(team.id))
          return notFound(`member of team ${team.id}:`, member.id);
        return { member, team };
      });
    });
  return {
    orgUser: inOrg(user, 'userId'),
    orgApiKey: inOrg(apiKey, 'apiUserId'),
    orgServiceAccount: inOrg(serviceAccount, 'clientId'),
    projectUser: inProject(user, 'userId', 'user', (u) => u.id),
    projectApiKey: inProject(apiKey, 'apiUserId', 'API key', (k) => k.id),
    projectServiceAccount: inProject(serviceAccount, 'clientId', 'service account', (sa) => sa.clientId),
    teamMember,
    project,
  };
}

/** One write route before its path is compiled: what it looks up, then how it changes what was found. */
type WriteSpec = Omit<WriteRoute, 'pattern' | 'paramNames' | 'bodySchema' | 'versions'>;

/** Joins a lookup and a mutation into a handler: the mutation runs only on what the lookup found. */
function write<T>(
  operation: WriteOperation,
  bucket: WriteRoute['bucket'],
  find: (ctx: WriteContext) => Found<T>,
  apply: (target: T, ctx: WriteContext) => WriteAnswer,
): WriteSpec {
  return { operation, bucket, handle: (ctx) => then(find(ctx), (target) => apply(target, ctx)) };
}

/** The body of a service account update (org or project). */
type ServiceAccountUpdate = { name?: string | null; description?: string | null; roles?: string[] };

function renameServiceAccount(sa: ServiceAccount, body: ServiceAccountUpdate): void {
  if (typeof body.name === 'string') sa.name = body.name;
  if (body.description !== undefined) sa.description = body.description;
}

/** The write routes over `estate`; `baseUrl` fills the links of response bodies. */
function buildWriteRoutes(estate: WritableEstate, baseUrl: () => string): WriteRoute[] {
  const find = writeTargets(estate);
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
  const ops = writeOperations;

  const routes: WriteSpec[] = [
    write(ops.removeOrgUser, orgScope('users-org'), find.orgUser, ({ org, member: u }, ctx) => {
      const refused = activeOnly(ctx, u);
      if (refused) return refused;
      removeFromOrg(org, u);
      return { status: 204 };
    }),
    write(ops.addOrgUserRole, orgScope('users-org'), find.orgUser, ({ member: u }, ctx) => {
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
    }),
    write(ops.removeOrgUserRole, orgScope('users-org'), find.orgUser, ({ member: u }, ctx) => {
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
    }),
    write(ops.removeOrgTeamUser, orgScope('teams-org'), find.teamMember, ({ member: u, team }) => {
      team.memberIds = team.memberIds.filter((m) => m !== u.id);
      u.teamIds = u.teamIds.filter((t) => t !== team.id);
      return { status: 200, body: orgUserResponse(u) };
    }),
    write(ops.removeGroupUser, groupScope('users-group'), find.projectUser, ({ project, member: u }, ctx) => {
      const refused = activeOnly(ctx, u);
      if (refused) return refused;
      u.projectRoles = u.projectRoles.filter((p) => p.projectId !== project.id);
      reindex(u.id);
      return { status: 204 };
    }),
    write(ops.removeGroupUserRole, groupScope('users-group'), find.projectUser, (found, ctx) => {
      const { project, member: u, grant } = found;
      const { groupRole } = ctx.body as { groupRole: string };
      if (!grant.roles.includes(groupRole)) return notFound(`project role ${groupRole} of user`, u.id);
      if (grant.roles.length === 1)
        return invalid(
          `${groupRole} is the only role of user ${u.id} in project ${project.id}: a user must have at least one role at all times; remove the user from the project instead.`,
          [u.id, groupRole],
        );
      grant.roles = grant.roles.filter((r) => r !== groupRole);
      reindex(u.id);
      return { status: 200, body: groupUserResponse(u, grant.roles) };
    }),
    write(ops.deleteOrgApiKey, orgScope('api-keys'), find.orgApiKey, ({ org, member: key }) => {
      org.apiKeys = org.apiKeys.filter((k) => k.id !== key.id);
      return { status: 204 };
    }),
    write(ops.updateOrgApiKey, orgScope('api-keys'), find.orgApiKey, ({ org, member: key }, ctx) => {
      const body = ctx.body as { desc?: string; roles?: string[] };
      if (body.roles) key.orgRoles = uniq(body.roles);
      if (body.desc !== undefined) key.description = body.desc;
      return { status: 200, body: apiKeyUserDetails(key, org.id, baseUrl()) };
    }),
    write(ops.updateGroupApiKeyRoles, groupScope('api-keys'), find.projectApiKey, (found, ctx) => {
      const body = ctx.body as { desc?: string; roles?: string[] };
      // "You must specify at least one valid role for the project."
      if (!body.roles) return invalid('Specify at least one role for the project.', ['roles']);
      found.grant.roles = uniq(body.roles);
      if (body.desc !== undefined) found.member.description = body.desc;
      return { status: 200, body: apiKeyUserDetails(found.member, found.org.id, baseUrl()) };
    }),
    write(ops.removeGroupApiKey, groupScope('api-keys'), find.projectApiKey, ({ project, member: key }) => {
      key.projectRoles = key.projectRoles.filter((p) => p.projectId !== project.id);
      return { status: 204 };
    }),
    write(
      ops.deleteOrgServiceAccount,
      orgScope('service-accounts'),
      find.orgServiceAccount,
      ({ org, member: sa }) => {
        org.serviceAccounts = org.serviceAccounts.filter((s) => s.clientId !== sa.clientId);
        estate.serviceAccounts.get(org.id)?.delete(sa.clientId);
        return { status: 204 };
      },
    ),
    write(
      ops.updateOrgServiceAccount,
      orgScope('service-accounts'),
      find.orgServiceAccount,
      ({ member: sa }, ctx) => {
        const body = ctx.body as ServiceAccountUpdate;
        if (body.roles) {
          // A service account, like any org identity, keeps at least one org role.
          if (body.roles.length === 0)
            return invalid('A service account needs at least one organization role.');
          sa.orgRoles = uniq(body.roles);
        }
        renameServiceAccount(sa, body);
        return { status: 200, body: orgServiceAccount(sa) };
      },
    ),
    write(
      ops.updateGroupServiceAccount,
      groupScope('service-accounts'),
      find.projectServiceAccount,
      (found, ctx) => {
        const body = ctx.body as ServiceAccountUpdate;
        if (body.roles) {
          // As for API keys: a project member keeps a role; with none left it leaves the project (DELETE).
          if (body.roles.length === 0)
            return invalid(
              'A service account in a project needs at least one project role; remove it from the project instead.',
            );
          found.grant.roles = uniq(body.roles);
        }
        renameServiceAccount(found.member, body);
        return { status: 200, body: groupServiceAccount(found.member, found.grant.roles) };
      },
    ),
    write(
      ops.deleteGroupServiceAccount,
      groupScope('service-accounts'),
      find.projectServiceAccount,
      (found) => {
        // "The Service Account will still be a part of the Organization it was created in."
        found.member.projectRoles = found.member.projectRoles.filter((p) => p.projectId !== found.project.id);
        return { status: 204 };
      },
    ),
    ...databaseWrites(find.project, groupScope('projects-group'), baseUrl),
  ];
  return routes.map(compileWriteRoute);
}

type DatabaseUserPatch = z.infer<typeof REQUEST_SCHEMAS.CloudDatabaseUser> & {
  roles?: Array<{ roleName: string; databaseName: string; collectionName?: string }>;
  scopes?: Array<{ name: string; type: 'CLUSTER' | 'DATA_LAKE' | 'STREAM' }>;
  labels?: Array<{ key: string; value: string }>;
  username?: string;
  databaseName?: string;
  groupId?: string;
  description?: string;
  deleteAfterDate?: string;
};

/** The database-access writes: a database user's DELETE and PATCH, an access list entry's DELETE. */
function databaseWrites(
  project: (params: Record<string, string>) => Found<{ org: Organization; project: Project }>,
  bucket: WriteRoute['bucket'],
  baseUrl: () => string,
): WriteSpec[] {
  const ops = writeOperations;
  /** The user named by `{databaseName}/{username}` (404 when the project has none by that identity). */
  const databaseUser = (ctx: WriteContext) =>
    then(project(ctx.params), ({ project: p }) => {
      const databaseName = ctx.params.databaseName ?? '';
      const username = ctx.params.username ?? '';
      const user = p.databaseUsers.find((u) => u.databaseName === databaseName && u.username === username);
      return user ? { project: p, user } : notFound(`database user ${databaseName}/`, username);
    });
  return [
    write(ops.deleteGroupDatabaseUser, bucket, databaseUser, ({ project: p, user }) => {
      p.databaseUsers = p.databaseUsers.filter((u) => u !== user);
      return { status: 204 };
    }),
    write(ops.updateGroupDatabaseUser, bucket, databaseUser, ({ project: p, user }, ctx) => {
      const body = ctx.body as DatabaseUserPatch;
      const mismatch = (['username', 'databaseName', 'groupId'] as const).find(
        (f) => body[f] !== undefined && body[f] !== (f === 'groupId' ? p.id : user[f]),
      );
      if (mismatch) return invalid(`${mismatch} cannot be changed by an update.`, [mismatch]);
      if (body.roles) {
        user.roles = body.roles.map((r) => ({
          roleName: r.roleName,
          databaseName: r.databaseName,
          collectionName: r.collectionName ?? null,
        }));
      }
      if (body.scopes) {
        const unknown = body.scopes.find(
          (s) => s.type === 'CLUSTER' && !p.clusters.some((c) => c.name === s.name),
        );
        if (unknown) return invalid(`No cluster named ${unknown.name} in project ${p.id}.`, [unknown.name]);
        user.scopes = body.scopes.map((s) => ({ name: s.name, type: s.type }));
      }
      if (body.description !== undefined) user.description = body.description;
      if (body.deleteAfterDate !== undefined) user.deleteAfterDate = body.deleteAfterDate;
      if (body.labels) user.labels = body.labels.map((l) => ({ key: l.key, value: l.value }));
      return { status: 200, body: cloudDatabaseUser(user, p.id, baseUrl(), false) };
    }),
    // The entry value is a CIDR block (its `/` URL-encoded), an address or a security group.
    write(
      ops.deleteGroupAccessListEntry,
      bucket,
      (ctx) =>
        then(project(ctx.params), ({ project: p }) => {
          const value = ctx.params.entryValue ?? '';
          const entry = p.networkAccess.find(
            (e) => entryValue(e) === value || e.ipAddress === value || e.cidrBlock === `${value}/32`,
          );
          return entry ? { project: p, entry } : notFound('access list entry', value);
        }),
      ({ project: p, entry }) => {
        p.networkAccess = p.networkAccess.filter((e) => e !== entry);
        return { status: 204 };
      },
    ),
  ];
}

/** The path pattern, versions and body schema of a write route, from its operation. */
function compileWriteRoute(r: WriteSpec): WriteRoute {
  const paramNames: string[] = [];
  const source = r.operation.path
    .split(/\{(\w+)\}/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(part);
      return '([^/:]+)';
    })
    .join('');
  const name = r.operation.operationId as keyof typeof SIM_WRITE_VERSIONS;
  return {
    ...r,
    versions: SIM_WRITE_VERSIONS[name],
    pattern: new RegExp(`^${source}$`),
    paramNames,
    bodySchema: r.operation.requestSchema ? (REQUEST_SCHEMAS[r.operation.requestSchema] ?? null) : null,
  };
}

/** What the write handler shares with server.ts: the estate, auth, faults, buckets and the responder. */
export interface WriteServerDeps {
  estate: WritableEstate;
  baseUrl: () => string;
  auth: SimulatorAuth;
  applyFault: ApplyFault;
  takeToken: TakeToken;
  responder: Responder;
}

/** A refused write: the ApiError and the headers that go with it. */
type WriteRefusal = { error: WriteError; headers?: Record<string, string | number> };

/** The credential (401 with a Digest challenge), then its role and access list (403, x-rolesRequirements). */
function admitWrite(deps: WriteServerDeps, req: IncomingMessage, route: WriteRoute): WriteRefusal | null {
  const auth = deps.auth.authenticate(req, false);
  if (!('principal' in auth)) {
    return {
      error: { status: 401, errorCode: 'UNAUTHORIZED', detail: auth.detail },
      headers: { 'WWW-Authenticate': deps.auth.digestChallenge(auth.stale ?? false) },
    };
  }
  const refusal = authorize(auth.principal.access, route.operation.roles, req.socket.remoteAddress ?? '');
  return refusal ? { error: refusal } : null;
}

/**
 * The request body: in the request schema, sent as the same versioned media type (415 otherwise);
 * none where the operation takes none.
 */
async function writeBody(
  req: IncomingMessage,
  route: WriteRoute,
  version: string,
): Promise<{ body: unknown } | WriteRefusal> {
  const text = await readBody(req);
  const badRequest = (detail: string) => ({ error: { status: 400, errorCode: 'VALIDATION_ERROR', detail } });
  if (route.bodySchema === null) {
    return text.trim() === '' ? { body: null } : badRequest('This operation takes no request body.');
  }
  const media = atlasMediaType(version);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== media) {
    return {
      error: {
        status: 415,
        errorCode: 'UNSUPPORTED_MEDIA_TYPE',
        detail: `Content-Type ${contentType || '(none)'} is not supported; send ${media}.`,
        parameters: [contentType],
      },
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return badRequest('The request body is not valid JSON.');
  }
  const parsed = route.bodySchema.safeParse(body);
  if (parsed.success) return { body: parsed.data };
  const fields = parsed.error.issues.map((i) => ({
    field: i.path.length > 0 ? i.path.join('.') : '(body)',
    description: i.message,
  }));
  return {
    error: {
      status: 400,
      errorCode: 'VALIDATION_ERROR',
      detail: `Invalid ${route.operation.requestSchema}: ${fields.map((f) => `${f.field}: ${f.description}`).join('; ')}.`,
      parameters: fields.map((f) => f.field),
      badRequestDetail: { fields },
    },
  };
}

/** Takes a token from the route's bucket: the rate-limit headers to send, or the 429. */
function writeBucket(
  deps: WriteServerDeps,
  route: WriteRoute,
  params: Record<string, string>,
  url: URL,
): Record<string, number> | WriteRefusal {
  const { set, scope } = route.bucket(params);
  const taken = deps.takeToken(set, scope);
  if (taken && 'retryAfter' in taken) {
    return rateLimited(set, taken, [url.pathname, taken.retryAfter, taken.spec.capacity, taken.spec.refill]);
  }
  return taken ? taken.headers : {};
}

/** Sends the handler's answer: 200 with the versioned body, or 204 with the media type and no body. */
async function sendAnswer(
  deps: WriteServerDeps,
  res: ServerResponse,
  answer: { status: 200; body: WireObject } | { status: 204 },
  version: string,
  rateHeaders: Record<string, number>,
): Promise<void> {
  const media = atlasMediaType(version);
  if (answer.status === 200) return deps.responder.send(res, 200, answer.body, rateHeaders, media);
  await deps.responder.wait(deps.responder.latencyMs);
  if (!res.destroyed) {
    res.writeHead(204, { 'Content-Type': media, ...rateHeaders });
    res.end();
  }
}

const refusedWrite = (value: object): value is WriteRefusal => 'error' in value;

/**
 * The write handler of the simulator: answers a request whose method and path are a write operation
 * and returns true; returns false for anything else (server.ts then answers it as a read).
 */
export function simulatorWrites(
  deps: WriteServerDeps,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const routes = buildWriteRoutes(deps.estate, deps.baseUrl);
  const match = (method: string | undefined, pathname: string) => {
    for (const route of routes) {
      if (route.operation.method !== method) continue;
      const params = matchParams(route.pattern, route.paramNames, pathname);
      if (params) return { route, params };
    }
    return null;
  };
  return async (req, res, url) => {
    const matched = match(req.method, url.pathname);
    if (!matched) return false;
    const { route, params } = matched;
    const endpoint = `${route.operation.method} ${route.operation.path}`;
    const fail = async ({ error, headers }: WriteRefusal) => {
      deps.responder.record(req, url, error.status, endpoint);
      const detail = error.badRequestDetail ? { badRequestDetail: error.badRequestDetail } : {};
      await deps.responder.send(res, error.status, { ...apiError(error), ...detail }, headers);
      return true;
    };
    const refusal = admitWrite(deps, req, route);
    if (refusal) return fail(refusal);
    if (await deps.applyFault(req, res, url, endpoint)) return true;
    // Version: Accept names one the operation has (docs/atlas-api-notes.md §1), else 406.
    const negotiated = negotiateVersion(req.headers.accept ?? '', route.versions);
    if (!('version' in negotiated)) return fail({ error: negotiated });
    const { version } = negotiated;
    const body = await writeBody(req, route, version);
    if (refusedWrite(body)) return fail(body);
    const rateHeaders = writeBucket(deps, route, params, url);
    if (refusedWrite(rateHeaders)) return fail(rateHeaders);
    const answer = route.handle({ params, version, body: body.body });
    if ('error' in answer) return fail({ error: answer.error, headers: rateHeaders });
    deps.responder.record(req, url, answer.status, endpoint);
    await sendAnswer(deps, res, answer, version, rateHeaders);
    return true;
  };
}
