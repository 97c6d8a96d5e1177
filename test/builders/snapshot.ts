/**
 * Builders for small canonical snapshots in tests. Every builder takes a partial override and fills
 * the rest with sensible, schema-valid defaults; ids are deterministic (a counter rendered as 24 hex),
 * so tests stay reproducible. Reused by the audit, report and review tests.
 */
import { snapshotOf } from '../../src/sim/offline-snapshot.js';
import type {
  AccessListEntry,
  ApiKey,
  Organization,
  OrgSettings,
  Project,
  ProjectInvitation,
  ProjectRole,
  ServiceAccount,
  Snapshot,
  Team,
  User,
} from '../../src/snapshot/schema.js';
import { COVERAGE_PARTS, coverageOf, noDatabaseAccess } from '../../src/snapshot/schema.js';

let counter = 0;

/** A fresh deterministic 24-hex id (`prefix` lets ids of different kinds be told apart in output). */
export function nextId(prefix = 'a'): string {
  counter += 1;
  return (prefix.replace(/[^a-f0-9]/g, '') + counter.toString(16).padStart(24, '0'))
    .slice(-24)
    .padStart(24, '0');
}

/** Resets the id counter (call in beforeEach when a test compares ids). */
export function resetIds(): void {
  counter = 0;
}

/** The reference clock of the builders: timestamps default relative to it. */
export const BUILDER_NOW = new Date('2026-06-01T12:00:00.000Z');

/** ISO timestamp `days` days before `now` (negative: in the future). */
export function daysAgo(days: number, now: Date = BUILDER_NOW): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

/** An ACTIVE org member who signed in yesterday and was created a year ago. */
export function user(over: Partial<User> = {}): User {
  const id = over.id ?? nextId('b');
  return {
    id,
    username: `user-${id.slice(-6)}@example.com`,
    firstName: 'Test',
    lastName: 'User',
    country: 'US',
    status: 'ACTIVE',
    orgRoles: ['ORG_MEMBER'],
    projectRoles: [],
    teamIds: [],
    createdAt: daysAgo(365),
    lastAuth: daysAgo(1),
    invitationCreatedAt: null,
    invitationExpiresAt: null,
    inviterUsername: null,
    ...over,
  };
}

/** The member Atlas Charts creates: never signs in, in no team, on MongoDB's domain. */
export function chartsUser(over: Partial<User> = {}): User {
  return user({
    username: 'charts+6a1b2c3d4e5f60718293a4b5@mongodb.com',
    firstName: 'MongoDB',
    lastName: 'Charts',
    createdAt: daysAgo(400),
    lastAuth: null,
    ...over,
  });
}

/** A PENDING invitation created `invitedDaysAgo` days ago, expiring 30 days after it was sent. */
export function invitation(over: Partial<User> = {}, invitedDaysAgo = 1): User {
  return user({
    status: 'PENDING',
    createdAt: null,
    lastAuth: null,
    invitationCreatedAt: daysAgo(invitedDaysAgo),
    invitationExpiresAt: daysAgo(invitedDaysAgo - 30),
    inviterUsername: 'admin@example.com',
    ...over,
  });
}

/** Project roles entry. */
export function projectRole(projectId: string, ...roles: string[]): ProjectRole {
  return { projectId, roles };
}

export function team(over: Partial<Team> = {}): Team {
  const id = over.id ?? nextId('c');
  return { id, name: `team-${id.slice(-4)}`, memberIds: [], ...over };
}

export function project(over: Partial<Project> = {}): Project {
  const id = over.id ?? nextId('d');
  return {
    id,
    name: `project-${id.slice(-4)}`,
    createdAt: daysAgo(400),
    clusterCount: 1,
    teams: [],
    ...noDatabaseAccess(),
    ...over,
  };
}

export function accessListEntry(over: Partial<AccessListEntry> = {}): AccessListEntry {
  return {
    cidrBlock: '10.0.0.0/24',
    ipAddress: null,
    createdAt: daysAgo(100),
    lastUsedAt: daysAgo(1),
    lastUsedAddress: '10.0.0.7',
    count: 10,
    ...over,
  };
}

/** An API key with ORG_READ_ONLY and one access-list entry. */
export function apiKey(over: Partial<ApiKey> = {}): ApiKey {
  const id = over.id ?? nextId('e');
  return {
    id,
    publicKey: `pk${id.slice(-6)}`,
    description: `key ${id.slice(-4)}`,
    orgRoles: ['ORG_READ_ONLY'],
    projectRoles: [],
    accessList: [accessListEntry()],
    ...over,
  };
}

/**
 * A user-managed service account with ORG_READ_ONLY, no project roles, one access-list entry and one
 * secret created 10 days ago, used yesterday, expiring in 80 days.
 */
export function serviceAccount(over: Partial<ServiceAccount> = {}): ServiceAccount {
  const id = over.clientId ?? `mdb_sa_id_${nextId('f')}`;
  return {
    clientId: id,
    name: `sa-${id.slice(-4)}`,
    description: null,
    createdAt: daysAgo(200),
    orgRoles: ['ORG_READ_ONLY'],
    secrets: [{ id: nextId('5'), createdAt: daysAgo(10), expiresAt: daysAgo(-80), lastUsedAt: daysAgo(1) }],
    projectRoles: [],
    accessList: [accessListEntry()],
    systemManaged: false,
    ...over,
  };
}

/** A project invitation (deprecated project-invite endpoint) sent `invitedDaysAgo` days ago. */
export function projectInvitation(
  projectId: string,
  over: Partial<ProjectInvitation> = {},
  invitedDaysAgo = 1,
): ProjectInvitation {
  const id = over.id ?? nextId('9');
  return {
    id,
    projectId,
    username: `invitee-${id.slice(-4)}@example.com`,
    roles: ['GROUP_READ_ONLY'],
    createdAt: daysAgo(invitedDaysAgo),
    expiresAt: daysAgo(invitedDaysAgo - 30),
    inviterUsername: 'admin@example.com',
    ...over,
  };
}

/** Security settings that satisfy every rule. */
export function settings(over: Partial<OrgSettings> = {}): OrgSettings {
  return {
    multiFactorAuthRequired: true,
    apiAccessListRequired: true,
    restrictEmployeeAccess: false,
    maxServiceAccountSecretValidityInHours: 8760,
    securityContact: 'security@example.com',
    idleSessionTimeoutInSeconds: 900,
    absoluteSessionTimeoutInSeconds: null,
    ...over,
  };
}

/**
 * An organization with full coverage and compliant settings. With no `users` given it gets two
 * ACTIVE owners in one team, so org-level owner rules pass by default.
 */
export function org(over: Partial<Organization> = {}): Organization {
  const id = over.id ?? nextId('0');
  let users = over.users;
  let teams = over.teams;
  if (!users) {
    const t = team({ name: 'admins' });
    const a = user({ username: 'owner1@example.com', orgRoles: ['ORG_OWNER'], teamIds: [t.id] });
    const b = user({ username: 'owner2@example.com', orgRoles: ['ORG_OWNER'], teamIds: [t.id] });
    t.memberIds = [a.id, b.id].sort();
    users = [a, b];
    teams = teams ?? [t];
  }
  return {
    id,
    name: `org-${id.slice(-4)}`,
    coverage: coverageOf(COVERAGE_PARTS),
    teams: teams ?? [],
    projects: [],
    apiKeys: [],
    serviceAccounts: [],
    settings: settings(),
    completeness: [],
    notes: [],
    projectInvitations: [],
    ...over,
    users,
  };
}

/** Full coverage (as an Atlas v2 2025-02-19 collection has) with some parts switched off. */
export function coverage(over: Partial<Organization['coverage']> = {}): Organization['coverage'] {
  return { ...coverageOf(COVERAGE_PARTS), ...over };
}

/** What a Cloud Manager / Ops Manager v1.0 collection covers: users (without dates) and projects. */
export const LEGACY_COVERAGE: Organization['coverage'] = coverageOf(['users', 'projects']);

/** An ACTIVE user as Cloud Manager v1.0 lists one: no creation or sign-in date. */
export function legacyUser(over: Partial<User> = {}): User {
  return user({ createdAt: null, lastAuth: null, ...over });
}

/**
 * A v1.0-shaped organization: LEGACY_COVERAGE, no teams, keys, service accounts or settings. With
 * no `users` given it gets two ACTIVE owners (a healthy org), dates absent as v1.0 gives them.
 */
export function legacyOrg(over: Partial<Organization> = {}): Organization {
  return org({
    coverage: LEGACY_COVERAGE,
    users: [
      legacyUser({ username: 'owner1@example.com', orgRoles: ['ORG_OWNER'] }),
      legacyUser({ username: 'owner2@example.com', orgRoles: ['ORG_OWNER'] }),
    ],
    teams: [],
    settings: null,
    ...over,
  });
}

/** A snapshot of the given organizations, collected at BUILDER_NOW. */
export function snapshot(organizations: Organization[] = [org()], over: Partial<Snapshot> = {}): Snapshot {
  const base = snapshotOf(organizations, BUILDER_NOW);
  return {
    ...base,
    tool: { name: 'atlas-access-review', version: '0.0.0-test' },
    source: { ...base.source, baseUrl: 'https://cloud.mongodb.com' },
    ...over,
  };
}

/**
 * Makes team membership consistent on both sides: sets each team's memberIds from the users'
 * teamIds (sorted), so tests do not trip `team-membership-mismatch` unless they mean to.
 */
export function syncTeams(o: Organization): Organization {
  for (const t of o.teams)
    t.memberIds = o.users
      .filter((u) => u.teamIds.includes(t.id))
      .map((u) => u.id)
      .sort();
  return o;
}

/** A snapshot as the tool wrote it with schema 1 (before the complete population). */
/** The snapshot as schema 2 wrote it: no database access, no coverage parts for it. */
/** The snapshot as schema 3 wrote it: no `collector`. */
export function toSchema3(snap: Snapshot): Record<string, unknown> {
  const data = structuredClone(snap) as unknown as Record<string, unknown>;
  data.schemaVersion = 3;
  delete data.collector;
  return data;
}

export function toSchema2(snap: Snapshot): Record<string, unknown> {
  const data = toSchema3(snap) as unknown as Record<string, unknown> & {
    organizations: Array<{ coverage: Record<string, unknown>; projects: Array<Record<string, unknown>> }>;
  };
  data.schemaVersion = 2;
  for (const o of data.organizations) {
    for (const k of [
      'databaseUsers',
      'databaseUserCerts',
      'customRoles',
      'networkAccess',
      'clusters',
      'accessHistory',
    ])
      delete o.coverage[k];
    for (const p of o.projects) {
      delete p.databaseUsers;
      delete p.customRoles;
      delete p.networkAccess;
      delete p.clusters;
    }
  }
  return data;
}

export function toSchema1(snap: Snapshot): Record<string, unknown> {
  const data = toSchema2(snap) as unknown as Record<string, unknown> & {
    organizations: Array<
      Record<string, unknown> & {
        coverage: Record<string, unknown>;
        settings: Record<string, unknown> | null;
        serviceAccounts: Array<Record<string, unknown>>;
      }
    >;
  };
  data.schemaVersion = 1;
  for (const o of data.organizations) {
    for (const k of [
      'serviceAccountAccess',
      'systemManagedServiceAccounts',
      'sessionTimeouts',
      'projectInvitations',
      'signIns',
    ])
      delete o.coverage[k];
    delete o.projectInvitations;
    if (o.settings) {
      delete o.settings.idleSessionTimeoutInSeconds;
      delete o.settings.absoluteSessionTimeoutInSeconds;
    }
    for (const sa of o.serviceAccounts) {
      delete sa.projectRoles;
      delete sa.accessList;
      delete sa.systemManaged;
    }
  }
  return data;
}
