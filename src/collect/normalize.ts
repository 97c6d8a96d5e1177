/**
 * Wire bodies of every API version -> the one canonical shape (src/snapshot/schema.ts).
 * Fields are picked explicitly, so nothing the snapshot must not hold (password, secrets, private
 * keys) can pass through. Dates become UTC ISO strings; absent values become null.
 */

import type {
  AccessListEntry,
  ApiKey,
  OrgSettings,
  Project,
  ProjectInvitation,
  ProjectRole,
  ServiceAccount,
  User,
} from '../snapshot/schema.js';
import { noDatabaseAccess } from '../snapshot/schema.js';
import type * as wire from './wire-types.js';

/**
 * Normalises a timestamp to UTC ISO-8601 as Atlas writes it (`2025-01-06T02:03:07Z`: milliseconds only
 * when non-zero); throws on an unparseable value (the caller names the endpoint).
 */
export function isoOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`unparseable timestamp ${JSON.stringify(value)}`);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

interface UserOptions {
  orgId: string;
  keepPii: boolean;
  /** Project ids of the org when known: project roles elsewhere are not this org's to review. */
  projectIds: ReadonlySet<string> | null;
}

/** Splits a flat `CloudAccessRoleAssignment[]` into this org's roles and per-project roles. */
function splitFlatRoles(
  roles: ReadonlyArray<wire.CloudAccessRoleAssignment> | null | undefined,
  orgId: string,
  projectIds: ReadonlySet<string> | null,
): { orgRoles: string[]; projectRoles: Array<{ projectId: string; roles: string[] }> } {
  const orgRoles: string[] = [];
  const byProject = new Map<string, string[]>();
  for (const role of roles ?? []) {
    if (!role.roleName) continue;
    if (role.groupId) {
      if (projectIds && !projectIds.has(role.groupId)) continue;
      byProject.set(role.groupId, [...(byProject.get(role.groupId) ?? []), role.roleName]);
    } else if (role.orgId === orgId) {
      orgRoles.push(role.roleName);
    }
  }
  return { orgRoles, projectRoles: [...byProject].map(([projectId, r]) => ({ projectId, roles: r })) };
}

function withPii(
  user: Omit<User, 'mobileNumber'>,
  mobileNumber: string | null | undefined,
  keepPii: boolean,
): User {
  return keepPii ? { ...user, mobileNumber: mobileNumber ?? null } : user;
}

/**
 * Cloud Manager / Ops Manager v1.0 users: active users only, flat roles, and no dates at all (the
 * snapshot's `coverage.signIns` is false, so null here does not mean "never signed in").
 */
export function userFromLegacyUser(u: wire.LegacyUser, opts: UserOptions): User {
  return userFromCloudAppUser({ ...u, createdAt: null, lastAuth: null }, opts);
}

/** A v1.0 project: id and name only (no creation date, no cluster count, no teams). */
export function projectFromLegacyGroup(g: wire.LegacyGroup): Project {
  return { id: g.id, name: g.name, createdAt: null, clusterCount: null, teams: [], ...noDatabaseAccess() };
}

/** 2023-01-01 `CloudAppUser`: active users only, flat roles. */
export function userFromCloudAppUser(u: wire.CloudAppUser, opts: UserOptions): User {
  const { orgRoles, projectRoles } = splitFlatRoles(u.roles, opts.orgId, opts.projectIds);
  return withPii(
    {
      id: u.id,
      username: u.username,
      firstName: u.firstName ?? null,
      lastName: u.lastName ?? null,
      country: u.country ?? null,
      status: 'ACTIVE',
      orgRoles,
      projectRoles,
      teamIds: u.teamIds ?? [],
      createdAt: isoOrNull(u.createdAt),
      lastAuth: isoOrNull(u.lastAuth),
      invitationCreatedAt: null,
      invitationExpiresAt: null,
      inviterUsername: null,
    },
    u.mobileNumber,
    opts.keepPii,
  );
}

/** 2025-02-19 `OrgUserResponse` (active users and invitations), nested roles. */
export function userFromOrgUserResponse(u: wire.OrgUserResponse, opts: UserOptions): User {
  const projectRoles = (u.roles.groupRoleAssignments ?? [])
    .filter((a): a is { groupId: string; groupRoles: string[] | null | undefined } => Boolean(a.groupId))
    .filter((a) => !opts.projectIds || opts.projectIds.has(a.groupId))
    .map((a) => ({ projectId: a.groupId, roles: a.groupRoles ?? [] }));
  return withPii(
    {
      id: u.id,
      username: u.username,
      firstName: u.firstName ?? null,
      lastName: u.lastName ?? null,
      country: u.country ?? null,
      status: u.orgMembershipStatus,
      orgRoles: u.roles.orgRoles ?? [],
      projectRoles,
      teamIds: u.teamIds ?? [],
      createdAt: isoOrNull(u.createdAt),
      lastAuth: isoOrNull(u.lastAuth),
      invitationCreatedAt: isoOrNull(u.invitationCreatedAt),
      invitationExpiresAt: isoOrNull(u.invitationExpiresAt),
      inviterUsername: u.inviterUsername ?? null,
    },
    u.mobileNumber,
    opts.keepPii,
  );
}

export function projectFromGroup(g: wire.Group, teams: wire.TeamRole[]): Project {
  return {
    id: g.id,
    name: g.name,
    createdAt: isoOrNull(g.created),
    clusterCount: g.clusterCount ?? null,
    teams: teams.map((t) => ({ teamId: t.teamId, roles: t.roleNames })),
    ...noDatabaseAccess(),
  };
}

export function accessListEntry(e: wire.UserAccessListResponse): AccessListEntry {
  return {
    cidrBlock: e.cidrBlock ?? null,
    ipAddress: e.ipAddress ?? null,
    createdAt: isoOrNull(e.created),
    lastUsedAt: isoOrNull(e.lastUsed),
    lastUsedAddress: e.lastUsedAddress ?? null,
    count: e.count ?? null,
  };
}

export function apiKeyFromWire(
  k: wire.ApiKeyUserDetails,
  accessList: AccessListEntry[],
  orgId: string,
  projectIds: ReadonlySet<string> | null,
): ApiKey {
  const { orgRoles, projectRoles } = splitFlatRoles(k.roles, orgId, projectIds);
  return {
    id: k.id,
    publicKey: k.publicKey,
    description: k.desc ?? null,
    orgRoles,
    projectRoles,
    accessList,
  };
}

/** `ServiceAccountIPAccessListEntry` -> the access-list entry shape API keys use (`requestCount` -> `count`). */
export function serviceAccountAccessListEntry(e: wire.ServiceAccountAccessListEntry): AccessListEntry {
  return {
    cidrBlock: e.cidrBlock ?? null,
    ipAddress: e.ipAddress ?? null,
    createdAt: isoOrNull(e.createdAt),
    lastUsedAt: isoOrNull(e.lastUsedAt),
    lastUsedAddress: e.lastUsedAddress ?? null,
    count: e.requestCount ?? null,
  };
}

/** A service account's project roles from `ServiceAccountGroup` items, kept to this org's projects. */
export function serviceAccountProjectRoles(
  groups: readonly wire.ServiceAccountGroup[],
  projectIds: ReadonlySet<string>,
): ProjectRole[] {
  return groups
    .filter((g) => projectIds.has(g.groupId))
    .map((g) => ({ projectId: g.groupId, roles: g.roles ?? [] }));
}

/** What the collector learned about a service account besides its org listing item. */
export interface ServiceAccountDetails {
  projectRoles: ProjectRole[];
  accessList: AccessListEntry[];
  systemManaged: boolean;
}

export function serviceAccountFromWire(
  s: wire.OrgServiceAccount,
  details: ServiceAccountDetails,
): ServiceAccount {
  return {
    clientId: s.clientId,
    name: s.name ?? '',
    description: s.description ?? null,
    createdAt: isoOrNull(s.createdAt),
    orgRoles: s.roles ?? [],
    secrets: (s.secrets ?? []).map((secret) => ({
      id: secret.id,
      createdAt: isoOrNull(secret.createdAt),
      expiresAt: isoOrNull(secret.expiresAt),
      lastUsedAt: isoOrNull(secret.lastUsedAt),
    })),
    projectRoles: details.projectRoles,
    accessList: details.accessList,
    systemManaged: details.systemManaged,
  };
}

/** `GroupInvitation` of one project's invitation listing. */
export function projectInvitationFromWire(inv: wire.GroupInvitation, projectId: string): ProjectInvitation {
  // The listing is per project: an item naming another one is not this project's to review.
  if (inv.groupId && inv.groupId !== projectId)
    throw new Error(`invitation ${inv.id} names project ${inv.groupId} but was listed under ${projectId}`);
  return {
    id: inv.id,
    projectId,
    username: inv.username,
    roles: inv.roles ?? [],
    createdAt: isoOrNull(inv.createdAt),
    expiresAt: isoOrNull(inv.expiresAt),
    inviterUsername: inv.inviterUsername ?? null,
  };
}

export function settingsFromWire(s: wire.OrganizationSettings): OrgSettings {
  return {
    multiFactorAuthRequired: s.multiFactorAuthRequired ?? null,
    apiAccessListRequired: s.apiAccessListRequired ?? null,
    restrictEmployeeAccess: s.restrictEmployeeAccess ?? null,
    maxServiceAccountSecretValidityInHours: s.maxServiceAccountSecretValidityInHours ?? null,
    securityContact: s.securityContact ?? null,
    idleSessionTimeoutInSeconds: s.customSessionTimeouts?.idleSessionTimeoutInSeconds ?? null,
    absoluteSessionTimeoutInSeconds: s.customSessionTimeouts?.absoluteSessionTimeoutInSeconds ?? null,
  };
}
