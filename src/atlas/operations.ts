/**
 * The Atlas operations this tool calls, keyed by method + path template (operationIds were renamed
 * upstream, docs/atlas-api-notes.md §1, so they are informational only). Each lists the exact response version that
 * the vendored spec extracts (test/fixtures/atlas-openapi) record for it (`info.x-extract.operations[*].contentVersion`);
 * test/atlas/operations.test.ts checks this table against those files so it cannot drift.
 */

/** Rate-limit endpoint sets and their scope (docs/atlas-api-notes.md §6.3). Buckets are per set x scope id. */
export type RateLimitSet =
  | 'users'
  | 'teams'
  | 'organizations'
  | 'organization-settings'
  | 'programmatic-api-keys'
  | 'service-accounts'
  | 'projects'
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
  /**
   * The least role that may call the operation: the spec's `x-rolesRequirements` (any one of them
   * suffices). Empty when the spec names none (`listOrgs`: any role in an organization shows it).
   * For the legacy v1.0 API, the Cloud Manager documentation's requirement.
   */
  roles: readonly string[];
  /** Versions that the spec withdraws on a date (`x-sunset`), version -> date. */
  sunsets: Readonly<Record<string, string>>;
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
    roles: [],
    sunsets: {},
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
    roles: ['Organization Member'],
    sunsets: { '2023-01-01': '2027-07-01' },
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
    roles: ['Organization Member'],
    sunsets: {},
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
    roles: ['Organization Member'],
    sunsets: { '2023-01-01': '2027-07-01' },
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
    roles: ['Organization Member'],
    sunsets: {},
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
    roles: ['Project Read Only'],
    sunsets: {},
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
    roles: ['Organization Member'],
    sunsets: {},
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
    roles: ['Organization Member'],
    sunsets: {},
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
    roles: ['Organization Read Only'],
    sunsets: {},
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
    roles: ['Organization Member'],
    sunsets: {},
  }),
  /** Project API keys, to cross-check the org listing's project roles. */
  listGroupApiKeys: op({
    operationId: 'listGroupApiKeys',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/apiKeys',
    versions: ['2023-01-01'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
  }),
  /** IP access list of one service account. */
  listOrgServiceAccountAccessList: op({
    operationId: 'listOrgServiceAccountAccessList',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/accessList',
    versions: ['2024-08-05'],
    paginated: true,
    includeCount: true,
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
    roles: ['Organization Read Only'],
    sunsets: {},
  }),
  /** Projects of one service account, with its roles in each. */
  getOrgServiceAccountGroups: op({
    operationId: 'getOrgServiceAccountGroups',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/groups',
    versions: ['2024-08-05'],
    paginated: true,
    includeCount: false,
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
    roles: ['Organization Read Only'],
    sunsets: {},
  }),
  /** Service accounts of one project, with their roles there (cross-check of the per-account listing). */
  listGroupServiceAccounts: op({
    operationId: 'listGroupServiceAccounts',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/serviceAccounts',
    versions: ['2024-08-05'],
    paginated: true,
    includeCount: false,
    rateLimitSet: 'service-accounts',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
  }),
  /**
   * Invitations made through the deprecated project-invite endpoint, which `listOrgUsers` does not
   * show. Deprecated as a whole; its only version is withdrawn on 2027-07-01. Not paginated (a plain
   * array). Needs Project Owner, a write-capable role, so it is collected only when asked for.
   */
  listGroupInvites: op({
    operationId: 'listGroupInvites',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/invites',
    versions: ['2023-01-01'],
    paginated: false,
    includeCount: false,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Owner'],
    sunsets: { '2023-01-01': '2027-07-01' },
  }),
  /** Cloud Manager / Ops Manager public API v1.0 (unversioned; HTTP Digest): every organization the key sees. */
  legacyListOrgs: op({
    operationId: 'legacyListOrgs',
    method: 'GET',
    path: '/api/public/v1.0/orgs',
    versions: null,
    paginated: true,
    includeCount: false,
    rateLimitSet: 'legacy',
    scopeParam: null,
    roles: [],
    sunsets: {},
  }),
  /** Cloud Manager / Ops Manager public API v1.0: the projects of one organization. */
  legacyListOrgGroups: op({
    operationId: 'legacyListOrgGroups',
    method: 'GET',
    path: '/api/public/v1.0/orgs/{orgId}/groups',
    versions: null,
    paginated: true,
    includeCount: false,
    rateLimitSet: 'legacy',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
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
    roles: ['Organization Member'],
    sunsets: {},
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
    roles: ['Organization Member'],
    sunsets: {},
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
