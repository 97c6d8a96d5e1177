/**
 * Ground truth for collector tests: what a faithful collector must produce from the simulator for a
 * given API view. `completeness` and `notes` are returned empty (they depend on paging; tests blank
 * them before comparing).
 */
import type { OptionalDataset } from '../snapshot/optional-datasets.js';
import {
  coverageOf,
  noDatabaseAccess,
  type Organization,
  type User,
  type UserStatus,
} from '../snapshot/schema.js';

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
        // The collector does not read database access yet: it says so rather than show empty lists.
        databaseUsers: false,
        databaseUserCerts: false,
        customRoles: false,
        networkAccess: false,
        clusters: false,
        accessHistory: false,
      },
      projects: org.projects.map((p) => ({ ...p, ...noDatabaseAccess() })),
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
