/**
 * Which endpoints make a snapshot, and the all-or-nothing collection of one or more organizations.
 * Every listing of an org is started at once; the client's concurrency limit and rate-limit pacing
 * decide how fast they go out. Any failure fails the whole collection (fail closed, docs/architecture.md principle 5):
 * a failed call is never an empty list.
 */
import type { AtlasClient } from '../atlas/client.js';
import { endpointName, type Operation, operations, type WireOf } from '../atlas/operations.js';
import type { ListingCompleteness } from '../atlas/paginate.js';
import { readList, readOne } from '../atlas/read.js';
import { AtlasApiError, CollectionError, KnownError } from '../errors.js';
import { canonicalizeOrganization } from '../snapshot/canonical.js';
import type { OptionalDataset } from '../snapshot/optional-datasets.js';
import {
  type ApiKind,
  COVERAGE_PARTS,
  type Completeness,
  coverageOf,
  type Organization,
  SNAPSHOT_SCHEMA_VERSION,
  type Snapshot,
  snapshotSchema,
  type UsersApiVersion,
} from '../snapshot/schema.js';
import { formatJsonPath } from '../util/validate.js';
import { TOOL } from '../version.js';
import { collectorIdentity } from './collector.js';
import {
  crossCheckProjectApiKeys,
  crossCheckProjectServiceAccounts,
  systemManagedIds,
} from './cross-check.js';
import { ALL_MEMBERSHIP_STATUSES_QUERY, SYSTEM_MANAGED_QUERY } from './datasets.js';
import {
  accessListEntry,
  apiKeyFromWire,
  projectFromGroup,
  projectFromLegacyGroup,
  projectInvitationFromWire,
  serviceAccountAccessListEntry,
  serviceAccountFromWire,
  serviceAccountProjectRoles,
  settingsFromWire,
  userFromCloudAppUser,
  userFromLegacyUser,
  userFromOrgUserResponse,
} from './normalize.js';
import { type HistoryWindow, readDatabaseAccess } from './read-database-access.js';

/** Every membership status, so the snapshot holds invitations (pending, expired, rejected) too. */

export interface CollectOptions {
  client: AtlasClient;
  api: ApiKind;
  /** Users/team-users response version (atlas-v2 only). */
  usersVersion: UsersApiVersion;
  /** Explicit org ids, or 'all' for every org the credentials can see (deleted ones left out). */
  orgs: string[] | 'all';
  keepPii: boolean;
  /** Wall clock, for `collectedAt` and duration. */
  now: () => Date;
  /** Progress events (the CLI prints them on a TTY). */
  onProgress?: (event: ProgressEvent) => void;
  /** Page size; Atlas's maximum unless a benchmark baseline asks for less. */
  itemsPerPage?: number;
  /** Optional datasets to read as well (`--include`, atlas-v2 only); default none. */
  include?: readonly OptionalDataset[];
  /** Days of database access history to read, ending at the collection time (`--since`, default 90). */
  accessHistoryDays?: number;
  /**
   * The command line that asked for this collection, recorded in the snapshot (`collector.command`). The
   * caller scrubs it (the CLI rebuilds it from parsed options, secrets redacted); absent: recorded as null.
   */
  command?: readonly string[] | undefined;
}

/** The default of `--since`: 90 days, the period PCI DSS 8.2.6 judges inactivity over. */
export const DEFAULT_ACCESS_HISTORY_DAYS = 90;

export type ProgressEvent =
  | { kind: 'page'; endpoint: string; page: number; items: number }
  | { kind: 'org-done'; orgId: string; name: string; done: number; total: number };

/**
 * Collects a snapshot. Throws AtlasApiError (a failed call) or CollectionError (an answer that does not
 * fit), both exit 3, on any failure; never returns a partial snapshot.
 */
export async function collectSnapshot(options: CollectOptions): Promise<Snapshot> {
  const started = options.now();
  const { client } = options;
  const orgRefs = await resolveOrganizations(options);
  const window = historyWindow(options, started);
  let done = 0;
  const organizations = await Promise.all(
    orgRefs.map(async (ref) => {
      const org =
        options.api === 'cloud-manager'
          ? await collectLegacyOrg(options, ref)
          : await collectAtlasOrg(options, ref, window);
      done += 1;
      options.onProgress?.({ kind: 'org-done', orgId: ref.id, name: ref.name, done, total: orgRefs.length });
      return canonicalizeOrganization(org);
    }),
  );
  organizations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const snapshot: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt: started.toISOString(),
    tool: { name: TOOL.name, version: TOOL.version },
    source: {
      baseUrl: client.options.baseUrl.origin,
      api: options.api,
      apiVersion: options.api === 'atlas-v2' ? options.usersVersion : null,
      auth: client.auth.kind,
      keepPii: options.keepPii,
    },
    collector: {
      command: options.command ? [...options.command] : null,
      identity: collectorIdentity(client.auth.kind, client.auth.principal, organizations),
    },
    organizations,
    stats: {
      requests: client.stats.requests,
      retries: client.stats.retries,
      durationMs: Math.max(0, options.now().getTime() - started.getTime()),
    },
  };
  const checked = snapshotSchema.safeParse(snapshot);
  if (!checked.success) {
    // Atlas answered with data the canonical schema cannot hold (e.g. an id that is not 24-hex).
    const issue = checked.error.issues[0];
    throw new CollectionError({
      endpoint: 'collection',
      jsonPath: null,
      problem: `the API returned data that does not fit the snapshot at ${formatJsonPath(issue?.path ?? [])}: ${issue?.message}`,
    });
  }
  return checked.data;
}

/** The access-history window when `--include access-history` was given: `--since` days up to `started`. */
function historyWindow(options: CollectOptions, started: Date): HistoryWindow | null {
  if (!(options.include?.includes('access-history') ?? false)) return null;
  const days = options.accessHistoryDays ?? DEFAULT_ACCESS_HISTORY_DAYS;
  return { from: new Date(started.getTime() - days * 86_400_000), to: started };
}

interface OrgRef {
  id: string;
  name: string;
}

async function resolveOrganizations(options: CollectOptions): Promise<OrgRef[]> {
  if (options.api === 'cloud-manager' && options.orgs !== 'all') {
    return Promise.all(options.orgs.map((id) => legacyOrgName(options, id)));
  }
  // Every org the credentials see, deleted ones left out (both APIs report `isDeleted`).
  const operation = options.api === 'cloud-manager' ? operations.legacyListOrgs : operations.listOrgs;
  const endpoint = endpointName(operation);
  const listed = await list(options, {
    operation,
    pathParams: {},
    key: byField('id'),
  });
  const visible = new Map(listed.items.filter((o) => !o.isDeleted).map((o) => [o.id, o.name]));
  if (options.orgs === 'all') {
    if (visible.size === 0) {
      throw new CollectionError(
        { endpoint, jsonPath: null, problem: 'the credentials see no organization' },
        { hint: 'give the service account or API key a role in the organizations to review' },
      );
    }
    return [...visible].map(([id, name]) => ({ id, name })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  return options.orgs.map((id) => {
    const name = visible.get(id);
    if (name === undefined) {
      throw new CollectionError(
        { endpoint, jsonPath: null, problem: `organization ${id} is not visible to these credentials` },
        { hint: 'check the org id, and that the credentials have a role in that organization' },
      );
    }
    return { id, name };
  });
}

/** An org named with `--org` on the v1.0 API: read one by one (Ops Manager users may see thousands). */
async function legacyOrgName(options: CollectOptions, id: string): Promise<OrgRef> {
  const op = operations.legacyGetOrg;
  const org = await readOne(options.client, op, { orgId: id }, id);
  if (org.isDeleted) {
    throw new CollectionError({
      endpoint: endpointName(op),
      jsonPath: null,
      problem: `organization ${id} is deleted`,
    });
  }
  return { id, name: org.name };
}

/** Lists every page of an operation for one org, recording its completeness evidence and notes. */
export interface OrgReader {
  options: CollectOptions;
  orgId: string;
  all<O extends Operation>(spec: ListSpec<O>): Promise<WireOf<O>[]>;
  completeness: Completeness[];
  notes: string[];
  /** Runs a normalisation step; a value that cannot be normalised is a CollectionError. */
  normalise<T>(step: () => T): T;
  /** The same for a step that also makes requests: their own errors (AtlasApiError, ...) pass through. */
  normaliseAsync<T>(step: () => Promise<T>): Promise<T>;
}

function orgReader(options: CollectOptions, orgId: string): OrgReader {
  const completeness: Completeness[] = [];
  const notes: string[] = [];
  return {
    options,
    orgId,
    completeness,
    notes,
    async all(spec) {
      const result = await list(options, spec);
      completeness.push(result.completeness);
      notes.push(...result.notes);
      return result.items;
    },
    normalise: (step) => normalise(orgId, step),
    async normaliseAsync(step) {
      try {
        return await step();
      } catch (error) {
        if (error instanceof KnownError) throw error;
        return normalise(orgId, () => {
          throw error;
        });
      }
    },
  };
}

/**
 * One Atlas v2 organization: users, teams + members, projects + team roles (+ API keys and service
 * accounts of each project, to cross-check), API keys + access lists, service accounts (system-managed
 * included) + project roles + access lists, settings, and project invitations when asked for. Every
 * listing starts at once; the client's concurrency and pacing decide how fast they go out.
 */
async function collectAtlasOrg(
  options: CollectOptions,
  ref: OrgRef,
  window: HistoryWindow | null,
): Promise<Organization> {
  const reader = orgReader(options, ref.id);
  const userListing = usersListing(options.usersVersion);
  const wantInvitations = options.include?.includes('project-invitations') ?? false;
  const [projectReads, users, teams, apiKeys, serviceAccounts, settings] = await Promise.all([
    readProjects(reader, wantInvitations, window),
    reader.all({ operation: operations.listOrgUsers, pathParams: { orgId: ref.id }, ...userListing }),
    readTeams(reader, userListing),
    readApiKeys(reader),
    readServiceAccounts(reader),
    readSettings(options, ref.id),
  ]);
  return assembleAtlasOrg(reader, ref, { projectReads, users, teams, apiKeys, serviceAccounts, settings });
}

/** Users and team members are read with the same version and every membership status. */
function usersListing(usersVersion: UsersApiVersion) {
  const modern = usersVersion === '2025-02-19';
  return {
    query: modern ? [...ALL_MEMBERSHIP_STATUSES_QUERY] : [],
    version: usersVersion,
    key: byField('id'),
  };
}

/**
 * The org's projects, each with its team roles, API keys, service accounts, database access and (asked
 * for) invitations.
 */
async function readProjects(reader: OrgReader, wantInvitations: boolean, window: HistoryWindow | null) {
  const groups = await reader.all({
    operation: operations.getOrgGroups,
    pathParams: { orgId: reader.orgId },
    key: byField('id'),
  });
  return Promise.all(
    groups.map(async (g) => {
      const project = { pathParams: { groupId: g.id }, scopeId: g.id };
      const [teams, apiKeys, serviceAccounts, invitations, databaseAccess] = await Promise.all([
        reader.all({
          operation: operations.listGroupTeams,
          ...project,
          key: byField('teamId'),
        }),
        reader.all({
          operation: operations.listGroupApiKeys,
          ...project,
          key: byField('id'),
        }),
        reader.all({
          operation: operations.listGroupServiceAccounts,
          ...project,
          key: byField('clientId'),
          query: [...SYSTEM_MANAGED_QUERY],
        }),
        wantInvitations ? projectInvitations(reader.options, g.id) : Promise.resolve(null),
        readDatabaseAccess(reader, g.id, window),
      ]);
      return {
        project: { ...projectFromGroup(g, teams), ...databaseAccess },
        apiKeys,
        serviceAccounts,
        invitations,
      };
    }),
  );
}

/** The org's teams with their members' ids. */
async function readTeams(reader: OrgReader, userListing: ReturnType<typeof usersListing>) {
  const { orgId } = reader;
  const teams = await reader.all({
    operation: operations.listOrgTeams,
    pathParams: { orgId },
    key: byField('id'),
  });
  return Promise.all(
    teams.map(async (team) => {
      const members = await reader.all({
        operation: operations.listOrgTeamUsers,
        pathParams: { orgId, teamId: team.id },
        ...userListing,
      });
      return { id: team.id, name: team.name, memberIds: members.map((m) => m.id) };
    }),
  );
}

/** An access-list entry is identified by its CIDR block, or its single address. */
const accessListKey = (e: unknown) => byField('cidrBlock')(e) ?? byField('ipAddress')(e);

/** The org's API keys with their access lists. */
async function readApiKeys(reader: OrgReader) {
  const { orgId } = reader;
  const keys = await reader.all({
    operation: operations.listOrgApiKeys,
    pathParams: { orgId },
    key: byField('id'),
  });
  return Promise.all(
    keys.map(async (key) => {
      const entries = await reader.all({
        operation: operations.listOrgApiKeyAccessListEntries,
        pathParams: { orgId, apiUserId: key.id },
        key: accessListKey,
      });
      return { key, accessList: entries.map(accessListEntry) };
    }),
  );
}

/**
 * The org's service accounts, system-managed included, with project roles and access lists. Nothing in
 * an item says whether Atlas manages the account: the default listing leaves those out, so an account
 * only the full listing has is system-managed (both listings are read).
 */
async function readServiceAccounts(reader: OrgReader) {
  const { orgId } = reader;
  const listing = {
    operation: operations.listOrgServiceAccounts,
    pathParams: { orgId },
    key: byField('clientId'),
  };
  const [userManaged, accounts] = await Promise.all([
    reader.all({ ...listing }),
    reader.all({ ...listing, query: [...SYSTEM_MANAGED_QUERY], variant: 'includeSystemManaged=true' }),
  ]);
  const details = await Promise.all(
    accounts.map(async (account) => {
      const pathParams = { orgId, clientId: account.clientId };
      const [groups, entries] = await Promise.all([
        reader.all({
          operation: operations.getOrgServiceAccountGroups,
          pathParams,
          key: byField('groupId'),
        }),
        reader.all({
          operation: operations.listOrgServiceAccountAccessList,
          pathParams,
          key: accessListKey,
        }),
      ]);
      return { account, groups, accessList: entries.map(serviceAccountAccessListEntry) };
    }),
  );
  return { userManaged, accounts: details };
}

async function readSettings(options: CollectOptions, orgId: string) {
  return settingsFromWire(await readOne(options.client, operations.getOrgSettings, { orgId }, orgId));
}

interface AtlasOrgReads {
  projectReads: Awaited<ReturnType<typeof readProjects>>;
  users: WireOf<typeof operations.listOrgUsers>[];
  teams: Organization['teams'];
  apiKeys: Awaited<ReturnType<typeof readApiKeys>>;
  serviceAccounts: Awaited<ReturnType<typeof readServiceAccounts>>;
  settings: Organization['settings'];
}

/** Normalises what was read into the canonical organization, with the cross-checks' notes. */
function assembleAtlasOrg(reader: OrgReader, ref: OrgRef, reads: AtlasOrgReads): Organization {
  const { orgId, options, notes, completeness } = reader;
  const projects = reads.projectReads.map((r) => r.project);
  const projectIds = new Set(projects.map((p) => p.id));
  // Project roles outside this org's projects are not this org's to review.
  const userOptions = { orgId, keepPii: options.keepPii, projectIds };
  const { apiKeys, serviceAccounts } = orgCredentials(reader, reads, projectIds);
  const invitations = invitationsOf(reader, reads.projectReads);
  const modern = options.usersVersion === '2025-02-19';
  const history = accessHistoryCovered(options, projects);
  return {
    id: orgId,
    name: ref.name,
    // Everything, except invitations from 2023-01-01 (active users only), project invitations not
    // asked for, and access history unless asked for and answered (in any status) for every cluster.
    coverage: coverageOf(
      COVERAGE_PARTS.filter(
        (p) =>
          (p !== 'invitations' || modern) &&
          (p !== 'projectInvitations' || invitations.covered) &&
          (p !== 'accessHistory' || history),
      ),
    ),
    users: normalise(orgId, () =>
      reads.users.map((u) =>
        'orgMembershipStatus' in u
          ? userFromOrgUserResponse(u, userOptions)
          : userFromCloudAppUser(u, userOptions),
      ),
    ),
    teams: reads.teams,
    projects,
    apiKeys,
    serviceAccounts,
    settings: reads.settings,
    completeness,
    notes,
    projectInvitations: invitations.items,
  };
}

/**
 * Access history covers the org when it was asked for and every cluster has a status other than
 * `not-requested` (`unsupported` and `truncated` clusters say so themselves, per cluster).
 */
function accessHistoryCovered(options: CollectOptions, projects: Organization['projects']): boolean {
  if (!(options.include?.includes('access-history') ?? false)) return false;
  return projects.every((p) => p.clusters.every((c) => c.accessHistory.status !== 'not-requested'));
}

/** The org's API keys and service accounts, normalised and cross-checked with the project-side listings. */
function orgCredentials(reader: OrgReader, reads: AtlasOrgReads, projectIds: Set<string>) {
  const { orgId, notes } = reader;
  const { userManaged, accounts } = reads.serviceAccounts;
  const systemManaged = systemManagedIds(
    accounts.map((s) => s.account.clientId),
    userManaged.map((s) => s.clientId),
  );
  notes.push(...systemManaged.notes);
  const apiKeys = normalise(orgId, () =>
    reads.apiKeys.map(({ key, accessList }) => apiKeyFromWire(key, accessList, orgId, projectIds)),
  );
  const serviceAccounts = normalise(orgId, () =>
    accounts.map(({ account, groups, accessList }) =>
      serviceAccountFromWire(account, {
        projectRoles: serviceAccountProjectRoles(groups, projectIds),
        accessList,
        systemManaged: systemManaged.ids.has(account.clientId),
      }),
    ),
  );
  notes.push(
    ...crossCheckProjectApiKeys(
      apiKeys,
      reads.projectReads.map((r) => ({ project: r.project, keys: r.apiKeys })),
      orgId,
    ),
    ...crossCheckProjectServiceAccounts(
      serviceAccounts,
      reads.projectReads.map((r) => ({ project: r.project, accounts: r.serviceAccounts })),
    ),
  );
  return { apiKeys, serviceAccounts };
}

/** Project invitations: all projects read, or none (the deprecated endpoint withdrawn: coverage false). */
function invitationsOf(reader: OrgReader, projectReads: AtlasOrgReads['projectReads']) {
  const wanted = reader.options.include?.includes('project-invitations') ?? false;
  const invitationReads = projectReads.map((r) => r.invitations).filter((r) => r !== null);
  const gone = invitationReads.find((r) => r.kind === 'gone');
  if (gone) reader.notes.push(gone.note);
  const covered = wanted && gone === undefined;
  if (!covered) return { covered, items: [] };
  for (const r of invitationReads) if (r.kind === 'read') reader.completeness.push(r.completeness);
  const items = normalise(reader.orgId, () =>
    invitationReads.flatMap((r) =>
      r.kind === 'read' ? r.items.map((inv) => projectInvitationFromWire(inv, r.projectId)) : [],
    ),
  );
  return { covered, items };
}

type InvitationRead =
  | {
      kind: 'read';
      projectId: string;
      items: WireOf<typeof operations.listGroupInvites>;
      completeness: Completeness;
    }
  | { kind: 'gone'; note: string };

/**
 * The invitations of one project (deprecated endpoint, a bare array, not paginated). Its only version is
 * withdrawn on its sunset date: then Atlas answers 410 (VERSION_GONE), or 404 once the path is removed,
 * and the dataset is reported as not collected instead of failing the collection. Any other failure
 * (403: the credentials lack Project Owner) fails it, as every other read does.
 */
async function projectInvitations(options: CollectOptions, projectId: string): Promise<InvitationRead> {
  const op = operations.listGroupInvites;
  const version = op.defaultVersion;
  if (version === null) throw new Error(`internal: ${endpointName(op)} lists no version`);
  let items: WireOf<typeof op>;
  try {
    items = await readOne(options.client, op, { groupId: projectId }, projectId);
  } catch (error) {
    if (error instanceof AtlasApiError && (error.details.status === 410 || error.details.status === 404)) {
      const why = [`HTTP ${error.details.status}`, error.details.errorCode].filter(Boolean).join(' ');
      return {
        kind: 'gone',
        note: `project invitations not collected: ${endpointName(op)} answered ${why} (the deprecated endpoint's version ${version} is withdrawn from ${op.sunsets[version] ?? 'its sunset date'}); invitations made through it are not in this snapshot`,
      };
    }
    throw error;
  }
  options.onProgress?.({ kind: 'page', endpoint: endpointName(op), page: 1, items: items.length });
  return {
    kind: 'read',
    projectId,
    items,
    completeness: {
      endpoint: `${op.method} ${op.path.replace('{groupId}', projectId)}`,
      itemsRead: items.length,
      totalCount: null,
      pages: 1,
    },
  };
}

/**
 * Cloud Manager / Ops Manager v1.0: the org's users (flat roles, no dates) and its projects. A v1.0
 * user's `roles` lists every role the user holds anywhere, so only this org's roles and the roles on
 * this org's projects are kept. Nothing else (teams, keys, settings) is read: coverage says so.
 */
async function collectLegacyOrg(options: CollectOptions, ref: OrgRef): Promise<Organization> {
  const orgId = ref.id;
  const [users, groups] = await Promise.all([
    list(options, {
      operation: operations.legacyListOrgUsers,
      pathParams: { orgId },
      key: byField('id'),
    }),
    list(options, {
      operation: operations.legacyListOrgGroups,
      pathParams: { orgId },
      key: byField('id'),
    }),
  ]);
  const projects = groups.items.map(projectFromLegacyGroup);
  const userOptions = { orgId, keepPii: options.keepPii, projectIds: new Set(projects.map((p) => p.id)) };
  return {
    id: orgId,
    name: ref.name,
    // Cloud Manager v1.0: users (without dates) and the org's projects, nothing else.
    coverage: coverageOf(['users', 'projects']),
    users: normalise(orgId, () => users.items.map((u) => userFromLegacyUser(u, userOptions))),
    teams: [],
    projects,
    apiKeys: [],
    serviceAccounts: [],
    settings: null,
    completeness: [users.completeness, groups.completeness],
    notes: [...users.notes, ...groups.notes],
    projectInvitations: [],
  };
}

interface Listed<T> {
  items: T[];
  completeness: Completeness;
  notes: string[];
}

/** One listing: the operation, its path parameters, and how to identify its items. */
interface ListSpec<O extends Operation> {
  operation: O;
  pathParams: Record<string, string>;
  /** Rate-limit scope (default: the org id, or the project id for project endpoints). */
  scopeId?: string;
  key: (item: unknown) => string | null;
  query?: Array<[string, string]>;
  /** Accept version (default: the operation's default version). */
  version?: string;
  /** Tells two listings of one endpoint apart in completeness records (see PageRequest.variant). */
  variant?: string;
}

/** Reads every page of an operation, typed; the completeness evidence in the snapshot's shape. */
async function list<O extends Operation>(
  options: CollectOptions,
  spec: ListSpec<O>,
): Promise<Listed<WireOf<O>>> {
  const result = await readList(options.client, {
    ...spec,
    scopeId: spec.scopeId ?? spec.pathParams.orgId ?? null,
    query: spec.query ?? [],
    itemsPerPage: options.itemsPerPage,
    onPage: (info) => options.onProgress?.({ kind: 'page', ...info }),
  });
  return { items: result.items, completeness: completenessRecord(result.completeness), notes: result.notes };
}

/** The snapshot's record of a listing's completeness evidence. */
function completenessRecord(listing: ListingCompleteness): Completeness {
  return {
    endpoint: listing.endpoint,
    itemsRead: listing.itemsRead,
    totalCount: listing.totalCount,
    pages: listing.pages,
  };
}

/** Runs a normalisation step; a value Atlas sent that cannot be normalised (a bad date) is an API failure. */
function normalise<T>(orgId: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw new CollectionError({
      endpoint: `organization ${orgId}`,
      jsonPath: null,
      problem: `cannot normalise the response: ${(error as Error).message}`,
    });
  }
}

/** Identity of a wire item by one of its string fields (for de-duplication across pages). */
function byField(name: string): (item: unknown) => string | null {
  return (item) => {
    if (item && typeof item === 'object' && name in item) {
      const value = (item as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : null;
    }
    return null;
  };
}
