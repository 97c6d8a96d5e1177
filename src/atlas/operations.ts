/**
 * The Atlas operations this tool calls, keyed by method + path template (operationIds were renamed
 * upstream, NOTES.md §1, so they are informational only). Each lists the exact response version that
 * the spec extracts in shared/atlas-openapi record for it (`info.x-extract.operations[*].contentVersion`);
 * test/atlas/operations.test.ts checks this table against those files so it cannot drift.
 */

/** Rate-limit endpoint sets and their scope (NOTES.md §6.3). Buckets are per set x scope id. */
export type RateLimitSet =
  | 'users'
  | 'teams'
  | 'organizations'
  | 'organization-settings'
  | 'programmatic-api-keys'
  | 'service-accounts'
  | 'legacy';

export interface Operation {
  operationId: string;
  method: 'GET';
  /** Path template, e.g. `/api/atlas/v2/orgs/{orgId}/users`. */
  path: string;
  /**
   * `Accept` version per supported response version. `null` for the unversioned legacy v1.0 API.
   * Operations with more than one version (the user listings) pick one with the `--api-version` option.
   */
  versions: readonly string[] | null;
  paginated: boolean;
  /** Whether the operation accepts `includeCount` (listOrgTeamUsers and listOrgServiceAccounts do not). */
  includeCount: boolean;
  rateLimitSet: RateLimitSet;
  /** Path parameter whose value scopes the rate-limit bucket. */
  scopeParam: string | null;
}

function op(o: Operation): Operation {
  return o;
}

export const operations = {
  listOrgs: op({
    operationId: 'listOrgs',
    method: 'GET',
    path: '/api/atlas/v2/orgs',
    versions: ['2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'organizations',
    scopeParam: null,
  }),
  listOrgUsers: op({
    operationId: 'listOrgUsers',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/users',
    versions: ['2025-02-19', '2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'users',
    scopeParam: 'orgId',
  }),
  listOrgTeams: op({
    operationId: 'listOrgTeams',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/teams',
    versions: ['2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'teams',
    scopeParam: 'orgId',
  }),
  listOrgTeamUsers: op({
    operationId: 'listOrgTeamUsers',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/teams/{teamId}/users',
    versions: ['2025-02-19', '2023-01-01'],
    paginated: true,
    includeCount: false,
    rateLimitSet: 'teams',
    scopeParam: 'orgId',
  }),
  getOrgGroups: op({
    operationId: 'getOrgGroups',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/groups',
    versions: ['2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'organizations',
    scopeParam: 'orgId',
  }),
  listGroupTeams: op({
    operationId: 'listGroupTeams',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/teams',
    versions: ['2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'teams',
    scopeParam: 'groupId',
  }),
  listOrgApiKeys: op({
    operationId: 'listOrgApiKeys',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/apiKeys',
    versions: ['2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'orgId',
  }),
  listOrgApiKeyAccessListEntries: op({
    operationId: 'listOrgApiKeyAccessListEntries',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}/accessList',
    versions: ['2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'orgId',
  }),
  listOrgServiceAccounts: op({
    operationId: 'listOrgServiceAccounts',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts',
    versions: ['2024-08-05'],
    paginated: true,
    includeCount: false,
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
  }),
  getOrgSettings: op({
    operationId: 'getOrgSettings',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/settings',
    versions: ['2023-01-01'],
    paginated: false,
    includeCount: false,
    rateLimitSet: 'organization-settings',
    scopeParam: 'orgId',
  }),
  /** Cloud Manager / Ops Manager public API v1.0 (unversioned; HTTP Digest): one organization, for its name. */
  legacyGetOrg: op({
    operationId: 'legacyGetOrg',
    method: 'GET',
    path: '/api/public/v1.0/orgs/{orgId}',
    versions: null,
    paginated: false,
    includeCount: false,
    rateLimitSet: 'legacy',
    scopeParam: 'orgId',
  }),
  /** Cloud Manager / Ops Manager public API v1.0 (unversioned; HTTP Digest). */
  legacyListOrgUsers: op({
    operationId: 'legacyListOrgUsers',
    method: 'GET',
    path: '/api/public/v1.0/orgs/{orgId}/users',
    versions: null,
    paginated: true,
    includeCount: true,
    rateLimitSet: 'legacy',
    scopeParam: 'orgId',
  }),
} as const satisfies Record<string, Operation>;

export type OperationName = keyof typeof operations;

/** Fills a path template; values are URL-encoded. Throws on a missing parameter (a bug). */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`internal: missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}

/** `GET /api/atlas/v2/orgs/{orgId}/users` — how errors and completeness records name an operation. */
export function endpointName(operation: Operation): string {
  return `${operation.method} ${operation.path}`;
}
