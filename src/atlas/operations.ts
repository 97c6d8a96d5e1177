import * as z from 'zod';
import { CollectionError } from '../errors.js';
import { formatJsonPath } from '../util/validate.js';
import * as wire from './wire.js';

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
  /** Database Users, GROUP scope (docs/atlas-api-notes.md §6.3). */
  | 'database-users'
  /** The project IP access list: no documented endpoint set, so a bucket of its own per project. */
  | 'network-access'
  | 'legacy';

export interface Operation<W extends WireSchemas = WireSchemas> {
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
  /**
   * The version sent unless the caller picks another (`--api-version` for the user listings): the
   * first of `versions`; null for the unversioned legacy API.
   */
  defaultVersion: string | null;
  /**
   * The wire schema per version (`UNVERSIONED` for the legacy API): of one item of `results` for a
   * paginated operation, of the whole body otherwise. Only the fields the collector uses (wire.ts).
   */
  wire: W;
}

/** Wire schemas by version; the legacy API's one schema under `UNVERSIONED`. */
export type WireSchemas = Readonly<Record<string, z.ZodType>>;

/** The key of the legacy v1.0 API's schema in `Operation.wire` (it sends no `Accept` version). */
export const UNVERSIONED = 'v1.0';

/**
 * The data an operation answers with (an item of a listing, or the body), in any of its versions;
 * for a union of operations, the union of their data.
 */
export type WireOf<O extends Operation> = O extends Operation
  ? z.output<O['wire'][keyof O['wire'] & string]>
  : never;

function op<W extends WireSchemas>(o: Operation<W>): Operation<W> {
  return o;
}

export const operations = {
  listOrgs: op({
    operationId: 'listOrgs',
    method: 'GET',
    path: '/api/atlas/v2/orgs',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'organizations',
    scopeParam: null,
    roles: [],
    sunsets: {},
    wire: { '2023-01-01': wire.atlasOrganization },
  }),
  listOrgUsers: op({
    operationId: 'listOrgUsers',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/users',
    versions: ['2025-02-19', '2023-01-01'],
    defaultVersion: '2025-02-19',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'users',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: { '2023-01-01': '2027-07-01' },
    wire: { '2025-02-19': wire.orgUserResponse, '2023-01-01': wire.cloudAppUser },
  }),
  listOrgTeams: op({
    operationId: 'listOrgTeams',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/teams',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'teams',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { '2023-01-01': wire.teamResponse },
  }),
  listOrgTeamUsers: op({
    operationId: 'listOrgTeamUsers',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/teams/{teamId}/users',
    versions: ['2025-02-19', '2023-01-01'],
    defaultVersion: '2025-02-19',
    paginated: true,
    includeCount: false,
    rateLimitSet: 'teams',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: { '2023-01-01': '2027-07-01' },
    wire: { '2025-02-19': wire.orgUserResponse, '2023-01-01': wire.cloudAppUser },
  }),
  getOrgGroups: op({
    operationId: 'getOrgGroups',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/groups',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'organizations',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { '2023-01-01': wire.group },
  }),
  listGroupTeams: op({
    operationId: 'listGroupTeams',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/teams',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'teams',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
    wire: { '2023-01-01': wire.teamRole },
  }),
  listOrgApiKeys: op({
    operationId: 'listOrgApiKeys',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/apiKeys',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { '2023-01-01': wire.apiKeyUserDetails },
  }),
  listOrgApiKeyAccessListEntries: op({
    operationId: 'listOrgApiKeyAccessListEntries',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}/accessList',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { '2023-01-01': wire.userAccessListResponse },
  }),
  listOrgServiceAccounts: op({
    operationId: 'listOrgServiceAccounts',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts',
    versions: ['2024-08-05'],
    defaultVersion: '2024-08-05',
    paginated: true,
    includeCount: false,
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
    roles: ['Organization Read Only'],
    sunsets: {},
    wire: { '2024-08-05': wire.orgServiceAccount },
  }),
  getOrgSettings: op({
    operationId: 'getOrgSettings',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/settings',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: false,
    includeCount: false,
    rateLimitSet: 'organization-settings',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { '2023-01-01': wire.organizationSettings },
  }),
  /** Project API keys, to cross-check the org listing's project roles. */
  listGroupApiKeys: op({
    operationId: 'listGroupApiKeys',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/apiKeys',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'programmatic-api-keys',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
    wire: { '2023-01-01': wire.apiKeyUserDetails },
  }),
  /** IP access list of one service account. */
  listOrgServiceAccountAccessList: op({
    operationId: 'listOrgServiceAccountAccessList',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/accessList',
    versions: ['2024-08-05'],
    defaultVersion: '2024-08-05',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
    roles: ['Organization Read Only'],
    sunsets: {},
    wire: { '2024-08-05': wire.serviceAccountAccessListEntry },
  }),
  /** Projects of one service account, with its roles in each. */
  getOrgServiceAccountGroups: op({
    operationId: 'getOrgServiceAccountGroups',
    method: 'GET',
    path: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/groups',
    versions: ['2024-08-05'],
    defaultVersion: '2024-08-05',
    paginated: true,
    includeCount: false,
    rateLimitSet: 'service-accounts',
    scopeParam: 'orgId',
    roles: ['Organization Read Only'],
    sunsets: {},
    wire: { '2024-08-05': wire.serviceAccountGroup },
  }),
  /** Service accounts of one project, with their roles there (cross-check of the per-account listing). */
  listGroupServiceAccounts: op({
    operationId: 'listGroupServiceAccounts',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/serviceAccounts',
    versions: ['2024-08-05'],
    defaultVersion: '2024-08-05',
    paginated: true,
    includeCount: false,
    rateLimitSet: 'service-accounts',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
    wire: { '2024-08-05': wire.groupServiceAccount },
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
    defaultVersion: '2023-01-01',
    paginated: false,
    includeCount: false,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Owner'],
    sunsets: { '2023-01-01': '2027-07-01' },
    wire: { '2023-01-01': z.array(wire.groupInvitation) },
  }),
  // --- Database access. Every one needs Project Read Only (an Organization Read Only
  // holder has it in every project of the org), except the access history. ---
  /** Database users of one project (`CloudDatabaseUser`); the password field is never read. */
  listGroupDatabaseUsers: op({
    operationId: 'listGroupDatabaseUsers',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/databaseUsers',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
    wire: { '2023-01-01': wire.cloudDatabaseUser },
  }),
  /**
   * Atlas-managed X.509 certificates of one database user. The path names the username only: managed
   * X.509 users all live in `$external`.
   */
  listGroupDatabaseUserCerts: op({
    operationId: 'listGroupDatabaseUserCerts',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/databaseUsers/{username}/certs',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
    wire: { '2023-01-01': wire.userCert },
  }),
  /** Custom database roles of one project: a plain array, not paginated. */
  listGroupCustomDbRoleRoles: op({
    operationId: 'listGroupCustomDbRoleRoles',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/customDBRoles/roles',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: false,
    includeCount: false,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
    wire: { '2023-01-01': z.array(wire.userCustomDbRole) },
  }),
  /** The project IP access list. */
  listGroupAccessListEntries: op({
    operationId: 'listGroupAccessListEntries',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/accessList',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: {},
    wire: { '2023-01-01': wire.networkPermissionEntry },
  }),
  /** Clusters of one project; 2024-08-05 carries the tier per region config. */
  listGroupClusters: op({
    operationId: 'listGroupClusters',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/clusters',
    versions: ['2024-08-05', '2023-01-01'],
    defaultVersion: '2024-08-05',
    paginated: true,
    includeCount: true,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Read Only'],
    sunsets: { '2023-01-01': '2027-07-01' },
    wire: { '2024-08-05': wire.clusterDescription, '2023-01-01': wire.legacyAtlasCluster },
  }),
  /**
   * Database access history of one cluster (`start`/`end` in epoch ms, at most `nLogs` = 20000 lines),
   * not paginated: `{accessLogs: [...]}`. The spec: "You can't use this feature on tenant-tier
   * clusters (M0, M2, M5)".
   */
  getGroupDbAccessHistoryCluster: op({
    operationId: 'getGroupDbAccessHistoryCluster',
    method: 'GET',
    path: '/api/atlas/v2/groups/{groupId}/dbAccessHistory/clusters/{clusterName}',
    versions: ['2023-01-01'],
    defaultVersion: '2023-01-01',
    paginated: false,
    includeCount: false,
    rateLimitSet: 'projects',
    scopeParam: 'groupId',
    roles: ['Project Cluster Log Viewer', 'Project Database Access Admin'],
    sunsets: {},
    wire: { '2023-01-01': wire.mongoDbAccessLogsList },
  }),
  /** Cloud Manager / Ops Manager public API v1.0 (unversioned; HTTP Digest): every organization the key sees. */
  legacyListOrgs: op({
    operationId: 'legacyListOrgs',
    method: 'GET',
    path: '/api/public/v1.0/orgs',
    versions: null,
    defaultVersion: null,
    paginated: true,
    includeCount: false,
    rateLimitSet: 'legacy',
    scopeParam: null,
    roles: [],
    sunsets: {},
    wire: { [UNVERSIONED]: wire.atlasOrganization },
  }),
  /** Cloud Manager / Ops Manager public API v1.0: the projects of one organization. */
  legacyListOrgGroups: op({
    operationId: 'legacyListOrgGroups',
    method: 'GET',
    path: '/api/public/v1.0/orgs/{orgId}/groups',
    versions: null,
    defaultVersion: null,
    paginated: true,
    includeCount: false,
    rateLimitSet: 'legacy',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { [UNVERSIONED]: wire.legacyGroup },
  }),
  /** Cloud Manager / Ops Manager public API v1.0 (unversioned; HTTP Digest): one organization, for its name. */
  legacyGetOrg: op({
    operationId: 'legacyGetOrg',
    method: 'GET',
    path: '/api/public/v1.0/orgs/{orgId}',
    versions: null,
    defaultVersion: null,
    paginated: false,
    includeCount: false,
    rateLimitSet: 'legacy',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { [UNVERSIONED]: wire.atlasOrganization },
  }),
  /** Cloud Manager / Ops Manager public API v1.0 (unversioned; HTTP Digest). */
  legacyListOrgUsers: op({
    operationId: 'legacyListOrgUsers',
    method: 'GET',
    path: '/api/public/v1.0/orgs/{orgId}/users',
    versions: null,
    defaultVersion: null,
    paginated: true,
    includeCount: true,
    rateLimitSet: 'legacy',
    scopeParam: 'orgId',
    roles: ['Organization Member'],
    sunsets: {},
    wire: { [UNVERSIONED]: wire.legacyUser },
  }),
} as const satisfies Record<string, Operation>;

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

/**
 * Validates an operation's answer (`at` `$` for a body, `$.results[3]` for an item of a page) against
 * its wire schema for `version`, and returns it typed. Data that does not fit is a CollectionError
 * naming the endpoint and the JSON path (exit 3).
 */
export function parseWire<O extends Operation>(
  operation: O,
  version: string | null,
  value: unknown,
  at = '$',
): WireOf<O> {
  const schema = operation.wire[version ?? UNVERSIONED];
  if (schema === undefined)
    throw new Error(`internal: ${endpointName(operation)} has no wire schema for ${version}`);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as WireOf<O>;
  const issue = parsed.error.issues[0];
  throw new CollectionError({
    endpoint: endpointName(operation),
    jsonPath: formatJsonPath(issue?.path ?? []).replace(/^\$/, at),
    problem: issue?.message ?? 'invalid',
  });
}
