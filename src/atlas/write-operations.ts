/**
 * The Atlas write operations a revocation plan may name and `review apply` may send, keyed by the
 * spec's operationId. Each carries its exact request/response version: the `contentVersion` that the
 * newest spec extract holding the operation records in `info.x-extract.operations` (sent as `Accept`,
 * and as `Content-Type` when there is a body), and its least role (`x-rolesRequirements`).
 * test/atlas/write-operations.test.ts checks this table against the vendored extracts so it cannot drift.
 *
 * Rules the spec states in the operation descriptions, which the plan follows:
 * - removeOrgUserRole / removeGroupUserRole: "A user must have at least one role at all times"; the
 *   last project role goes with removeGroupUser, the last org role is replaced by ORG_MEMBER first.
 * - removeOrgUser: "To remove pending or active users, use v2-{2025-02-19} or later".
 * - updateGroupApiKeyRoles: "You must specify at least one valid role for the project"; with none left
 *   the key is removed from the project (removeGroupApiKey).
 * - deleteGroupDatabaseUser / updateGroupDatabaseUser: `databaseName` is `$external` for AWS IAM, X.509,
 *   LDAP and OIDC Workload users and `admin` for SCRAM-SHA and OIDC Workforce; the username is a DN, an
 *   ARN or `<IdP id>/<name>` for external users, so it is URL-encoded as one path segment.
 * - deleteGroupAccessListEntry: "For CIDR blocks that use a subnet mask, replace the forward slash (`/`)
 *   with its URL-encoded value (`%2F`)".
 */
import type { RateLimitSet } from './operations.js';

export interface WriteOperation {
  operationId: string;
  method: 'DELETE' | 'POST' | 'PATCH';
  /** Path template, e.g. `/api/atlas/v2/orgs/{orgId}/users/{userId}`. */
  path: string;
  /** The one version sent: `application/vnd.atlas.<version>+json`. */
  version: string;
  /** Request body schema in the spec, or null when the operation takes no body. */
  requestSchema: string | null;
  /** `x-rolesRequirements`: the least role that may call it (any one suffices). */
  roles: readonly string[];
  /** Rate-limit endpoint set (docs/atlas-api-notes.md §6.3) and the path parameter that scopes its bucket. */
  rateLimitSet: RateLimitSet;
  scopeParam: 'orgId' | 'groupId';
}

function op(o: WriteOperation): WriteOperation {
  return o;
}

export const writeOperations = {
  removeOrgUser: op({
    operationId: 'removeOrgUser',
    method: 'DELETE',
    path: '/api/atlas/v2/orgs/{orgId}/users/{userId}',
    version: '2025-02-19',
    requestSchema: null,
    roles: ['Organization Owner'],
    rateLimitSet: 'users',
    scopeParam: 'orgId',
  }),
  addOrgUserRole: op({
    operationId: 'addOrgUserRole',
    method: 'POST',
    path: '/api/atlas/v2/orgs/{orgId}/users/{userId}:addRole',
    version: '2025-02-19',
    requestSchema: 'AddOrRemoveOrgRole',
    roles: ['Organization Owner'],
    rateLimitSet: 'users',
    scopeParam: 'orgId',
  }),
  removeOrgUserRole: op({
    operationId: 'removeOrgUserRole',
    method: 'POST',
    path: '/api/atlas/v2/orgs/{orgId}/users/{userId}:removeRole',
    version: '2025-02-19',
    requestSchema: 'AddOrRemoveOrgRole',
    roles: ['Organization Owner'],
    rateLimitSet: 'users',
    scopeParam: 'orgId',
  }),
  removeOrgTeamUser: op({
    operationId: 'removeOrgTeamUser',
    method: 'POST',
    path: '/api/atlas/v2/orgs/{orgId}/teams/{teamId}:removeUser',
    version: '2025-02-19',
    requestSchema: 'AddOrRemoveUserFromTeam',
    roles: ['Organization Owner'],
    rateLimitSet: 'teams',
    scopeParam: 'orgId',
  }),
  removeGroupUser: op({
    operationId: 'removeGroupUser',
    method: 'DELETE',
    path: '/api/atlas/v2/groups/{groupId}/users/{userId}',
    version: '2025-02-19',
    requestSchema: null,
    roles: ['Project Access Manager'],
    rateLimitSet: 'users',
    scopeParam: 'groupId',
  }),
  removeGroupUserRole: op({
    operationId: 'removeGroupUserRole',
    method: 'POST',
    path: '/api/atlas/v2/groups/{groupId}/users/{userId}:removeRole',
    version: '2025-02-19',
    requestSchema: 'AddOrRemoveGroupRole',
    roles: ['Project Access Manager'],
    rateLimitSet: 'users',
    scopeParam: 'groupId',
  }),
  deleteOrgApiKey: op({
    operationId: 'deleteOrgApiKey',
    method: 'DELETE',
    path: '/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}',
    version: '2023-01-01',
    requestSchema: null,
    roles: ['Organization Owner'],
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'orgId',
  }),
  updateOrgApiKey: op({
    operationId: 'updateOrgApiKey',
    method: 'PATCH',
    path: '/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}',
    version: '2023-01-01',
    requestSchema: 'UpdateAtlasOrganizationApiKey',
    roles: ['Organization Owner'],
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'orgId',
  }),
  updateGroupApiKeyRoles: op({
    operationId: 'updateGroupApiKeyRoles',
    method: 'PATCH',
    path: '/api/atlas/v2/groups/{groupId}/apiKeys/{apiUserId}',
    version: '2023-01-01',
    requestSchema: 'UpdateAtlasProjectApiKey',
    roles: ['Project Access Manager'],
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'groupId',
  }),
  removeGroupApiKey: op({
    operationId: 'removeGroupApiKey',
    method: 'DELETE',
    path: '/api/atlas/v2/groups/{groupId}/apiKeys/{apiUserId}',
    version: '2023-01-01',
    requestSchema: null,
    roles: ['Project Access Manager'],
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'groupId',
  }),
  deleteOrgServiceAccount: op({
    operationId: 'deleteOrgServiceAccount',
    method: 'DELETE',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}',
    version: '2024-08-05',
    requestSchema: null,
    roles: ['Organization Owner'],
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
  }),
  updateOrgServiceAccount: op({
    operationId: 'updateOrgServiceAccount',
    method: 'PATCH',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}',
    version: '2024-08-05',
    requestSchema: 'OrgServiceAccountUpdateRequest',
    roles: ['Organization Owner'],
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
  }),
  updateGroupServiceAccount: op({
    operationId: 'updateGroupServiceAccount',
    method: 'PATCH',
    path: '/api/atlas/v2/groups/{groupId}/serviceAccounts/{clientId}',
    version: '2024-08-05',
    requestSchema: 'GroupServiceAccountUpdateRequest',
    roles: ['Project Owner'],
    rateLimitSet: 'service-accounts',
    scopeParam: 'groupId',
  }),
  deleteGroupServiceAccount: op({
    operationId: 'deleteGroupServiceAccount',
    method: 'DELETE',
    path: '/api/atlas/v2/groups/{groupId}/serviceAccounts/{clientId}',
    version: '2024-08-05',
    requestSchema: null,
    roles: ['Project Owner'],
    rateLimitSet: 'service-accounts',
    scopeParam: 'groupId',
  }),
  deleteGroupDatabaseUser: op({
    operationId: 'deleteGroupDatabaseUser',
    method: 'DELETE',
    path: '/api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}',
    version: '2023-01-01',
    requestSchema: null,
    roles: ['Project Database Access Admin', 'Project Stream Processing Owner'],
    rateLimitSet: 'database-users',
    scopeParam: 'groupId',
  }),
  updateGroupDatabaseUser: op({
    operationId: 'updateGroupDatabaseUser',
    method: 'PATCH',
    path: '/api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}',
    version: '2023-01-01',
    requestSchema: 'CloudDatabaseUser',
    roles: ['Project Database Access Admin', 'Project Stream Processing Owner'],
    rateLimitSet: 'database-users',
    scopeParam: 'groupId',
  }),
  deleteGroupAccessListEntry: op({
    operationId: 'deleteGroupAccessListEntry',
    method: 'DELETE',
    path: '/api/atlas/v2/groups/{groupId}/accessList/{entryValue}',
    version: '2023-01-01',
    requestSchema: null,
    roles: ['Project Network Access Manager'],
    rateLimitSet: 'network-access',
    scopeParam: 'groupId',
  }),
} as const satisfies Record<string, WriteOperation>;

export type WriteOperationId = keyof typeof writeOperations;

/**
 * The spec's pattern of each path parameter the write operations use (`parameters[].schema.pattern`);
 * test/atlas/write-operations.test.ts checks them against the extracts.
 */
export const PATH_PARAMETER_PATTERNS: Readonly<Record<string, RegExp>> = {
  orgId: /^([a-f0-9]{24})$/,
  groupId: /^([a-f0-9]{24})$/,
  userId: /^([a-f0-9]{24})$/,
  teamId: /^([a-f0-9]{24})$/,
  apiUserId: /^([a-f0-9]{24})$/,
  clientId: /^mdb_sa_id_[a-fA-F\d]{24}$/,
  // The spec's text character for character (its identity escapes `\:` and `\-` kept), so the test
  // can compare it with the extract.
  entryValue:
    // biome-ignore lint/complexity/noUselessEscapeInRegex: the spec's pattern as written
    /^([0-9]{1,3}\.){3}[0-9]{1,3}(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){7}[0-9a-f]{1,4}(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){1,6}\:(%2[fF][0-9]{1,3})|(sg\-[a-f0-9]{8})?$/,
};

/**
 * Path parameters the spec gives no pattern: what the plan may put there. `databaseName` is the
 * `CloudDatabaseUser.databaseName` enum; a username is any non-empty text (a DN, an ARN, `<IdP>/<name>`).
 * The access-list pattern above is the spec's, over the URL-encoded value and open at its end (its last
 * branch matches anything), so an entry is also checked here: an address, a CIDR block or a security group.
 */
const PATH_PARAMETER_CHECKS: Readonly<Record<string, RegExp>> = {
  databaseName: /^(admin|\$external)$/,
  username: /^[^\u0000-\u001f\u007f]+$/,
  entryValue: /^(?:[0-9.]+(?:\/\d{1,2})?|[0-9a-fA-F:]+(?:\/\d{1,3})?|sg-[a-f0-9]{8,17})$/,
};

/**
 * The path parameters of `path` when it is `operation`'s template with every parameter filled in by a
 * value its spec pattern accepts; otherwise a sentence saying what is wrong.
 */
export function writePathParams(
  operation: WriteOperation,
  path: string,
): { params: Record<string, string> } | { problem: string } {
  const names: string[] = [];
  const source = operation.path
    .split(/\{(\w+)\}/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part);
      return '([^/?#]+)';
    })
    .join('');
  const m = new RegExp(`^${source}$`).exec(path);
  if (!m) return { problem: `${path} is not a path of ${operation.method} ${operation.path}` };
  const params: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const raw = m[i + 1] ?? '';
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      return { problem: `${name} ${JSON.stringify(raw)} is not URL-encoded text` };
    }
    const pattern = PATH_PARAMETER_CHECKS[name] ?? PATH_PARAMETER_PATTERNS[name];
    if (!pattern?.test(value) || encodeURIComponent(value) !== raw)
      return { problem: `${name} ${JSON.stringify(value)} is not a valid Atlas ${name}` };
    params[name] = value;
  }
  return { params };
}

/** The media type of an Atlas API version, as sent in `Accept` and `Content-Type`. */
export function atlasMediaType(version: string): string {
  return `application/vnd.atlas.${version}+json`;
}
