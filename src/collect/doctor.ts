/**
 * The preflight behind `doctor`: with the credentials and org options a collection would use, read
 * the first item of every dataset the collection needs (one request each, `itemsPerPage=1`) and say,
 * per organization and dataset, whether it can be read, and if not, the HTTP status, Atlas
 * `errorCode`, and the role to grant (the spec's `x-rolesRequirements`) or the API access-list entry
 * to add. It also measures the clock skew against the server's `Date` header. It never throws for a
 * refused dataset: the report is the result; only bad options fail before the first request.
 */
import type { AtlasClient } from '../atlas/client.js';
import { endpointName, type Operation, operations } from '../atlas/operations.js';
import { readAllPages } from '../atlas/paginate.js';
import { readList } from '../atlas/read.js';
import { AtlasApiError, CollectionError } from '../errors.js';
import type { OptionalDataset } from '../snapshot/optional-datasets.js';
import type { ApiKind, UsersApiVersion } from '../snapshot/schema.js';
import { unsupportedTierReason } from './access-history.js';
import { clusterTier } from './database-access.js';
import {
  ALL_MEMBERSHIP_STATUSES_QUERY,
  type Dataset,
  type DatasetScope,
  datasetsFor,
  leastRoleText,
  SYSTEM_MANAGED_QUERY,
} from './datasets.js';

/** Atlas errorCodes that mean "this IP is not on the credential's API access list". */
const ACCESS_LIST_CODES = new Set(['IP_ADDRESS_NOT_ON_ACCESS_LIST', 'ORG_REQUIRES_ACCESS_LIST']);

/** One dataset's probe. */
export interface DatasetCheck {
  dataset: string;
  label: string;
  /** `GET /api/atlas/v2/orgs/{orgId}/users` */
  endpoint: string;
  /** ok: readable; refused: the request failed; skipped: nothing to probe (no item of the parent list). */
  outcome: 'ok' | 'refused' | 'skipped';
  status: number | null;
  errorCode: string | null;
  detail: string | null;
  /** The least role the spec names for the operation. */
  leastRole: string;
  /** What to do when refused, in words. */
  fix: string | null;
}

interface OrgCheck {
  id: string;
  /** Null when the organization could not be read at all. */
  name: string | null;
  checks: DatasetCheck[];
}

export interface DoctorReport {
  baseUrl: string;
  api: ApiKind;
  usersVersion: UsersApiVersion | null;
  auth: { kind: 'service-account' | 'api-key'; id: string };
  /** Server `Date` minus the local clock, in whole seconds; null when no response carried a Date. */
  clockSkewSeconds: number | null;
  /** Checks made before any organization (the org listing). */
  global: DatasetCheck[];
  organizations: OrgCheck[];
  /** True when a collection with these options would read every dataset. */
  ok: boolean;
  requests: number;
}

export interface DoctorOptions {
  client: AtlasClient;
  api: ApiKind;
  usersVersion: UsersApiVersion;
  orgs: string[] | 'all';
  include?: readonly OptionalDataset[];
  /** The public half of the credential (client id or public key): never a secret. */
  credentialId: string;
  /** Local wall clock in ms (for the skew). */
  now: () => number;
}

/** The clock skew beyond which doctor warns (token lifetimes are computed from the local clock). */
export const CLOCK_SKEW_WARNING_SECONDS = 60;

/** Runs the preflight. Throws only for failures that are not about a dataset (none today). */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { client } = options;
  const datasets = datasetsFor(options.api, options.include ?? []);
  const prober = new Prober(options);
  // 1. Which organizations: the whole org listing (every page), as `collect` reads it.
  const orgs = await checkOrgListing(options, datasets);
  // 2. Every dataset of every organization, parents before the lists read per item of them.
  const organizations = await Promise.all(
    orgs.orgIds.map((orgId) => checkOrg(prober, datasets, orgs, orgId)),
  );
  const all = [...orgs.global, ...organizations.flatMap((o) => o.checks)];
  return {
    baseUrl: client.options.baseUrl.origin,
    api: options.api,
    usersVersion: options.api === 'atlas-v2' ? options.usersVersion : null,
    auth: { kind: client.auth.kind, id: options.credentialId },
    clockSkewSeconds: prober.medianSkewSeconds(),
    global: orgs.global,
    organizations,
    ok: all.every((c) => c.outcome !== 'refused'),
    requests: client.stats.requests,
  };
}

/** A refusal as doctor reports it: an HTTP failure, or an answer that does not fit (HTTP 200). */
function refusal(error: unknown): { status: number | null; errorCode: string | null; detail: string | null } {
  if (error instanceof AtlasApiError) return error.details;
  if (error instanceof CollectionError) return { status: 200, errorCode: null, detail: error.message };
  throw error;
}

/** Probes datasets one request each, and keeps the server's clock readings for the skew. */
class Prober {
  private readonly skews: number[] = [];
  constructor(readonly options: DoctorOptions) {}

  /** One probe: the first item of the dataset (or the object), its outcome, and the first item's id. */
  async probe(
    d: Dataset,
    params: Record<string, string>,
    idField: string | null,
  ): Promise<{ check: DatasetCheck; firstId: string | null; body: unknown }> {
    const { client, usersVersion, now } = this.options;
    const op = d.operation;
    const query = new URLSearchParams();
    if (op.paginated) {
      query.set('itemsPerPage', '1');
      query.set('pageNum', '1');
    }
    for (const [k, v] of extraQuery(op, usersVersion, now())) query.append(k, v);
    const base = { dataset: d.id, label: d.label, endpoint: endpointName(op), leastRole: leastRoleText(d) };
    try {
      const sent = now();
      const { body, headers } = await client.getJson(
        op,
        client.urlFor(op, params, query),
        versionFor(op, usersVersion),
        params.groupId ?? params.orgId ?? null,
      );
      const date = Date.parse(headers.get('date') ?? '');
      // The server stamps its Date between our send and receive: compare with the midpoint.
      if (!Number.isNaN(date)) this.skews.push(date - (sent + now()) / 2);
      const first = firstItem(body);
      const firstId =
        idField && first && typeof first[idField] === 'string' ? (first[idField] as string) : null;
      return {
        check: { ...base, outcome: 'ok', status: 200, errorCode: null, detail: null, fix: null },
        firstId,
        body,
      };
    } catch (error) {
      const { status, errorCode, detail } = refusal(error);
      return {
        check: { ...base, outcome: 'refused', status, errorCode, detail, fix: fixFor(d, status, errorCode) },
        firstId: null,
        body: null,
      };
    }
  }

  medianSkewSeconds(): number | null {
    const sorted = [...this.skews].sort((a, b) => a - b);
    const median = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : null;
    return median === null ? null : Math.round(median / 1000);
  }
}

function skipped(d: Dataset, why: string): DatasetCheck {
  return {
    dataset: d.id,
    label: d.label,
    endpoint: endpointName(d.operation),
    outcome: 'skipped',
    status: null,
    errorCode: null,
    detail: why,
    leastRole: leastRoleText(d),
    fix: null,
  };
}

/** The organizations to probe, their names, and the org listing's own check. */
interface OrgListing {
  global: DatasetCheck[];
  orgNames: Map<string, string>;
  orgIds: string[];
}

async function checkOrgListing(options: DoctorOptions, datasets: Dataset[]): Promise<OrgListing> {
  const orgNames = new Map<string, string>();
  const global: DatasetCheck[] = [];
  const orgIds = options.orgs === 'all' ? [] : options.orgs;
  const listing = datasets.find((d) => d.scope === 'caller');
  if (!listing || (options.api !== 'atlas-v2' && options.orgs !== 'all')) return { global, orgNames, orgIds };
  const base = {
    dataset: listing.id,
    label: listing.label,
    endpoint: endpointName(listing.operation),
    leastRole: leastRoleText(listing),
  };
  try {
    const result = await readAllPages(options.client, {
      operation: listing.operation,
      pathParams: {},
      version: versionFor(listing.operation, options.usersVersion),
      scopeId: null,
      key: (item) => idOf(item, 'id'),
    });
    for (const item of result.items) {
      const o = item as { id?: unknown; name?: unknown; isDeleted?: unknown };
      if (typeof o.id === 'string' && o.isDeleted !== true) orgNames.set(o.id, String(o.name ?? ''));
    }
    const detail = `${orgNames.size} organization(s) visible`;
    global.push({ ...base, outcome: 'ok', status: 200, errorCode: null, detail, fix: null });
    return { global, orgNames, orgIds: options.orgs === 'all' ? [...orgNames.keys()].sort() : orgIds };
  } catch (error) {
    const { status, errorCode, detail } = refusal(error);
    global.push({
      ...base,
      outcome: 'refused',
      status,
      errorCode,
      detail,
      fix: fixFor(listing, status, errorCode),
    });
    return { global, orgNames, orgIds };
  }
}

/** Every dataset of one organization, or why it is not probed. */
async function checkOrg(
  prober: Prober,
  datasets: Dataset[],
  orgs: OrgListing,
  orgId: string,
): Promise<OrgCheck> {
  // The organization listing was refused (bad credentials, an IP outside the access list): every
  // request would be refused the same way, so the org is not probed and the reason stands above.
  if (orgs.global[0]?.outcome === 'refused') {
    return {
      id: orgId,
      name: null,
      checks: datasets
        .filter((d) => d.scope !== 'caller')
        .map((d) => skipped(d, 'not probed: the organization listing was refused (see above)')),
    };
  }
  const name = orgs.orgNames.get(orgId) ?? null;
  if (prober.options.api === 'atlas-v2' && orgs.global[0]?.outcome === 'ok' && name === null)
    return { id: orgId, name: null, checks: [notVisible()] };
  const parents = await probeOrgLevel(prober, datasets, orgId);
  const perItem = datasets.filter((d) => d.scope !== 'org' && d.scope !== 'caller');
  const itemChecks = await Promise.all(perItem.map((d) => probePerItem(prober, d, parents, orgId)));
  return { id: orgId, name: parents.name ?? name, checks: [...parents.checks, ...itemChecks] };
}

function notVisible(): DatasetCheck {
  return {
    dataset: 'organization',
    label: 'organization',
    endpoint: endpointName(operations.listOrgs),
    outcome: 'refused',
    status: null,
    errorCode: null,
    detail: 'the organization is not visible to these credentials',
    leastRole: 'Organization Read Only',
    fix: 'check the org id, and give the identity Organization Read Only in that organization',
  };
}

/** What the org-level probes found: their checks, each parent list's first id and outcome, the org's name. */
interface OrgLevel {
  checks: DatasetCheck[];
  firstIds: Map<DatasetScope, string | null>;
  parentOutcome: Map<DatasetScope, DatasetCheck['outcome']>;
  /** The name the v1.0 organization object gave, if read. */
  name: string | null;
}

async function probeOrgLevel(prober: Prober, datasets: Dataset[], orgId: string): Promise<OrgLevel> {
  const level: OrgLevel = { checks: [], firstIds: new Map(), parentOutcome: new Map(), name: null };
  const parentOf = parentLists(prober.options.api);
  const checks = await Promise.all(
    datasets
      .filter((d) => d.scope === 'org')
      .map(async (d) => {
        const parent = parentOf.get(d.operation.path);
        const r = await prober.probe(d, { orgId }, parent?.[1] ?? null);
        if (parent) {
          level.firstIds.set(parent[0], r.firstId);
          level.parentOutcome.set(parent[0], r.check.outcome);
        }
        if (d.operation === operations.legacyGetOrg && r.body && typeof r.body === 'object') {
          const n = (r.body as { name?: unknown }).name;
          if (typeof n === 'string') level.name = n;
        }
        return r.check;
      }),
  );
  level.checks.push(...checks);
  return level;
}

/** The org-level listing whose first item a per-item dataset is probed with, by path: scope and id field. */
function parentLists(api: ApiKind): Map<string, [DatasetScope, string]> {
  return new Map([
    [operations.listOrgTeams.path, ['team', 'id']],
    [
      api === 'atlas-v2' ? operations.getOrgGroups.path : operations.legacyListOrgGroups.path,
      ['project', 'id'],
    ],
    [operations.listOrgApiKeys.path, ['apiKey', 'id']],
    [operations.listOrgServiceAccounts.path, ['serviceAccount', 'clientId']],
  ]);
}

async function probePerItem(
  prober: Prober,
  d: Dataset,
  parents: OrgLevel,
  orgId: string,
): Promise<DatasetCheck> {
  if (d.scope === 'databaseUser' || d.scope === 'cluster') return probeDatabaseItem(prober, d, parents);
  const id = parents.firstIds.get(d.scope) ?? null;
  if (parents.parentOutcome.get(d.scope) === 'refused')
    return skipped(d, `not probed: the ${scopeWord(d.scope)} listing was refused`);
  if (id === null) return skipped(d, `not probed: the organization has no ${scopeWord(d.scope)}`);
  const params: Record<string, string> =
    d.scope === 'project'
      ? { groupId: id }
      : d.scope === 'team'
        ? { orgId, teamId: id }
        : d.scope === 'apiKey'
          ? { orgId, apiUserId: id }
          : { orgId, clientId: id };
  return (await prober.probe(d, params, null)).check;
}

/**
 * Certificates and access history are read per database user and per cluster: the probe lists the
 * first project's database users (or clusters) and probes the first `x509-managed` user (or the first
 * cluster of a tier that has access history), one request at most; skipped when there is none.
 */
async function probeDatabaseItem(prober: Prober, d: Dataset, parents: OrgLevel): Promise<DatasetCheck> {
  const projectId = parents.firstIds.get('project') ?? null;
  if (parents.parentOutcome.get('project') === 'refused')
    return skipped(d, 'not probed: the project listing was refused');
  if (projectId === null) return skipped(d, 'not probed: the organization has no project');
  const { client } = prober.options;
  const pathParams = { groupId: projectId };
  try {
    if (d.scope === 'databaseUser') {
      const users = await readList(client, {
        operation: operations.listGroupDatabaseUsers,
        pathParams,
        scopeId: projectId,
        key: () => null,
      });
      const managed = users.items.find((u) => u.x509Type === 'MANAGED');
      if (managed === undefined)
        return skipped(d, 'not probed: the first project has no Atlas-managed X.509 user');
      return (await prober.probe(d, { groupId: projectId, username: managed.username }, null)).check;
    }
    const clusters = await readList(client, {
      operation: operations.listGroupClusters,
      pathParams,
      scopeId: projectId,
      key: () => null,
    });
    const dedicated = clusters.items.find((c) => {
      const { tier, provider } = clusterTier(c);
      return unsupportedTierReason(tier, provider) === null;
    });
    if (dedicated === undefined) return skipped(d, 'not probed: the first project has no dedicated cluster');
    return (await prober.probe(d, { groupId: projectId, clusterName: dedicated.name }, null)).check;
  } catch {
    // The listing itself is probed (and its refusal reported) as its own dataset.
    return skipped(
      d,
      `not probed: the first project's ${d.scope === 'cluster' ? 'clusters' : 'database users'} could not be listed`,
    );
  }
}

/** Query parameters a collection sends beyond paging, so the probe asks exactly what collect asks. */
function extraQuery(op: Operation, usersVersion: UsersApiVersion, nowMs: number): Array<[string, string]> {
  if ((op === operations.listOrgUsers || op === operations.listOrgTeamUsers) && usersVersion === '2025-02-19')
    return [...ALL_MEMBERSHIP_STATUSES_QUERY];
  if (op === operations.listOrgServiceAccounts || op === operations.listGroupServiceAccounts)
    return [...SYSTEM_MANAGED_QUERY];
  if (op.includeCount) return [['includeCount', 'true']];
  // Access history: the smallest question that still exercises the role (the last hour, one line).
  if (op === operations.getGroupDbAccessHistoryCluster) {
    return [
      ['start', String(nowMs - 3_600_000)],
      ['end', String(nowMs)],
      ['nLogs', '1'],
    ];
  }
  return [];
}

function versionFor(op: Operation, usersVersion: UsersApiVersion): string | null {
  if (op.versions === null) return null;
  return op.versions.includes(usersVersion) ? usersVersion : (op.versions[0] ?? null);
}

function firstItem(body: unknown): Record<string, unknown> | null {
  if (Array.isArray(body)) return (body[0] as Record<string, unknown>) ?? null;
  if (body && typeof body === 'object' && 'results' in body) {
    const results = (body as { results: unknown }).results;
    if (Array.isArray(results) && results[0] && typeof results[0] === 'object')
      return results[0] as Record<string, unknown>;
  }
  return null;
}

function idOf(item: unknown, field: string): string | null {
  const v = item && typeof item === 'object' ? (item as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' ? v : null;
}

function scopeWord(scope: DatasetScope): string {
  return {
    caller: 'organization',
    org: 'organization',
    team: 'team',
    project: 'project',
    apiKey: 'API key',
    serviceAccount: 'service account',
    databaseUser: 'database user',
    cluster: 'cluster',
  }[scope];
}

/** Where the role is granted: project datasets are covered by Organization Read Only; access history is not. */
function grantWhere(d: Dataset): string {
  if (d.scope === 'project' || d.scope === 'databaseUser')
    return ' (in every project, or Organization Read Only in the organization)';
  if (d.scope === 'cluster') return ' in every project';
  return '';
}

/** What to do about a refusal: the access list, the credentials, or the role the spec names. */
function fixFor(d: Dataset, status: number | null, errorCode: string | null): string {
  if (status === 403 && errorCode !== null && ACCESS_LIST_CODES.has(errorCode))
    return "add this machine's public IP address to the credential's API access list (Atlas: Organization Access Manager > the service account or API key > Access List)";
  if (status === 401)
    return 'the credentials were refused: check the client id and secret (or public and private key)';
  if (status === 404)
    return d.scope === 'org'
      ? 'not found: check the organization id'
      : `the ${scopeWord(d.scope)} was not found (deleted since it was listed?): run doctor again`;
  if (status === 403) return `grant ${leastRoleText(d)}${grantWhere(d)}`;
  if (status === 406 || status === 410) return 'this API version is not served: please report it';
  if (status === 429) return 'rate limited: wait and run doctor again';
  if (status === null) return 'no HTTP response: check the base URL, proxy and network';
  return 'see the Atlas error above';
}
