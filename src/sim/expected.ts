/**
 * Ground truth for collector tests: what a faithful collector must produce from the simulator for a
 * given API view. `completeness` and `notes` are returned empty (they depend on paging; tests blank
 * them before comparing).
 */
import type { OptionalDataset } from '../snapshot/optional-datasets.js';
import {
  type Cluster,
  coverageOf,
  noDatabaseAccess,
  type Organization,
  type Project,
  type User,
  type UserStatus,
} from '../snapshot/schema.js';
import { accessLogLines, MAX_ACCESS_LOG_LINES, summarize, supportsAccessHistory } from './estate-database.js';

/** Which API the collector used and how. */
export interface CollectorView {
  api: 'atlas-v2' | 'cloud-manager';
  /** Users endpoint version for atlas-v2; null for cloud-manager. */
  usersVersion: '2025-02-19' | '2023-01-01' | null;
  keepPii: boolean;
  /**
   * Membership statuses requested with 2025-02-19 (`orgMembershipStatuses`); default all four.
   * Applies to org users and team members alike.
   */
  statuses?: readonly UserStatus[];
  /** Optional datasets the collector was asked for (`--include`); default none. */
  include?: readonly OptionalDataset[];
  /**
   * The collector reads database access (users, certificates, custom roles, access list, clusters;
   * README "simulate"). Default false: the expected snapshot then says database access was not read.
   */
  databaseAccess?: boolean;
  /**
   * `--include access-history`: the window the collector asked each cluster for (UTC ISO, `start` and
   * `end` of the request; `--since` days before the collection). Absent: not requested.
   */
  accessHistory?: { from: string; to: string };
}

/** `reason` of a cluster's access history when it was not requested (collectors may word it otherwise: compare statuses). */
const NOT_REQUESTED_REASON = 'Not requested (--include access-history).';

/** A cluster's access history as a faithful collector records it for `view`. */
function expectedHistory(cluster: Cluster, view: CollectorView): Cluster['accessHistory'] {
  const window = view.accessHistory;
  if (!window) {
    return {
      status: 'not-requested',
      reason: NOT_REQUESTED_REASON,
      from: null,
      to: null,
      lines: 0,
      summaries: [],
    };
  }
  if (!supportsAccessHistory(cluster.tier)) {
    return {
      ...cluster.accessHistory,
      status: 'unsupported',
      from: window.from,
      to: window.to,
      lines: 0,
      summaries: [],
    };
  }
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const lines = accessLogLines(cluster)
    .filter((l) => l.timestamp >= from && l.timestamp <= to)
    .slice(0, MAX_ACCESS_LOG_LINES);
  const truncated = lines.length >= MAX_ACCESS_LOG_LINES;
  return {
    status: truncated ? 'truncated' : 'collected',
    reason: truncated ? `Atlas returned its maximum of ${MAX_ACCESS_LOG_LINES} lines.` : null,
    from: window.from,
    to: window.to,
    lines: lines.length,
    summaries: summarize(lines),
  };
}

/** A project's database access as the collector reads it for `view` (none when it does not). */
function expectedDatabaseAccess(project: Project, view: CollectorView): Project {
  if (!view.databaseAccess) return { ...project, ...noDatabaseAccess() };
  return {
    ...project,
    clusters: project.clusters.map((c) => ({ ...c, accessHistory: expectedHistory(c, view) })),
  };
}

const ALL_STATUSES: readonly UserStatus[] = [
  'ACTIVE',
  'PENDING',
  'INVITATION_EXPIRED',
  'INVITATION_REJECTED',
];

function withPii(user: User, keepPii: boolean): User {
  const { mobileNumber, ...rest } = user;
  return keepPii ? { ...rest, mobileNumber: mobileNumber ?? null } : rest;
}

/** The organizations a faithful collector produces from the simulator serving `orgs`, for `view`. */
export function expectedOrganizations(orgs: readonly Organization[], view: CollectorView): Organization[] {
  const activeOnly = view.api === 'cloud-manager' || view.usersVersion === '2023-01-01';
  const statuses = new Set<UserStatus>(activeOnly ? ['ACTIVE'] : (view.statuses ?? ALL_STATUSES));
  return orgs.map((org) => {
    const users = org.users.filter((u) => statuses.has(u.status)).map((u) => withPii(u, view.keepPii));
    const kept = new Set(users.map((u) => u.id));
    const withInvitations = view.include?.includes('project-invitations') ?? false;
    const base: Organization = {
      ...org,
      coverage: {
        ...org.coverage,
        invitations: !activeOnly,
        projectInvitations: withInvitations,
        // A collector that does not read database access says so rather than show empty lists.
        databaseUsers: view.databaseAccess ?? false,
        databaseUserCerts: view.databaseAccess ?? false,
        customRoles: view.databaseAccess ?? false,
        networkAccess: view.databaseAccess ?? false,
        clusters: view.databaseAccess ?? false,
        accessHistory: (view.databaseAccess ?? false) && view.accessHistory !== undefined,
      },
      projects: org.projects.map((p) => expectedDatabaseAccess(p, view)),
      users,
      teams: org.teams.map((t) => ({ ...t, memberIds: t.memberIds.filter((id) => kept.has(id)) })),
      completeness: [],
      notes: [],
      projectInvitations: withInvitations ? org.projectInvitations : [],
    };
    if (view.api === 'atlas-v2') return base;
    // Cloud Manager v1.0: users without dates (the listing has none) and projects by id and name.
    return {
      ...base,
      coverage: coverageOf(['users', 'projects']),
      users: users.map((u) => ({ ...u, createdAt: null, lastAuth: null })),
      teams: [],
      projects: org.projects.map((p) => ({
        id: p.id,
        name: p.name,
        createdAt: null,
        clusterCount: null,
        teams: [],
        ...noDatabaseAccess(),
      })),
      apiKeys: [],
      serviceAccounts: [],
      settings: null,
      projectInvitations: [],
    };
  });
}
