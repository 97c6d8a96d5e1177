/**
 * Canonical snapshot data -> Atlas Admin API wire bodies, field for field as the spec extracts in
 * test/fixtures/atlas-openapi define them (docs/atlas-api-notes.md §2-§5, §10). The simulator serves these; the
 * collector must turn them back into the canonical shape. Absent values are omitted (Atlas omits
 * unset fields) except where the spec marks a field nullable (`invitationExpiresAt`, `lastUsedAt`).
 */
import type {
  AccessListEntry,
  ApiKey,
  Organization,
  OrgSettings,
  Project,
  ProjectInvitation,
  ProjectRole,
  ServiceAccount,
  Team,
  User,
} from '../snapshot/schema.js';

/** A JSON object as sent on the wire. */
export type WireObject = Record<string, unknown>;

/** `Link` (docs/atlas-api-notes.md §5). */
interface WireLink {
  href: string;
  rel: string;
}

function self(href: string): WireLink[] {
  return [{ href, rel: 'self' }];
}

/** Copies the entries whose value is neither undefined nor null (Atlas omits unset fields). */
function present(entries: Record<string, unknown>): WireObject {
  const out: WireObject = {};
  for (const [key, value] of Object.entries(entries))
    if (value !== undefined && value !== null) out[key] = value;
  return out;
}

/** `OrgUserResponse` (2025-02-19) item of listOrgUsers and listOrgTeamUsers (docs/atlas-api-notes.md §2.4). */
export function orgUserResponse(user: User): WireObject {
  const base: WireObject = {
    id: user.id,
    username: user.username,
    orgMembershipStatus: user.status,
    roles: {
      orgRoles: [...user.orgRoles],
      groupRoleAssignments: user.projectRoles.map((p) => ({
        groupId: p.projectId,
        groupRoles: [...p.roles],
      })),
    },
    teamIds: [...user.teamIds],
  };
  if (user.status === 'ACTIVE') {
    return {
      ...base,
      ...present({
        firstName: user.firstName,
        lastName: user.lastName,
        createdAt: user.createdAt,
        lastAuth: user.lastAuth,
        country: user.country,
        mobileNumber: user.mobileNumber,
      }),
    };
  }
  return {
    ...base,
    ...present({ invitationCreatedAt: user.invitationCreatedAt, inviterUsername: user.inviterUsername }),
    // Nullable in the spec: null for rejected invitations.
    invitationExpiresAt: user.invitationExpiresAt,
  };
}

/** `GroupUserResponse` (2025-02-19) item of listGroupUsers: project roles as a flat string list. */
export function groupUserResponse(user: User, roles: readonly string[]): WireObject {
  const { teamIds: _teamIds, ...rest } = orgUserResponse(user);
  return { ...rest, roles: [...roles] };
}

/**
 * `CloudAppUser` (2023-01-01 listOrgUsers / listOrgTeamUsers / listGroupUsers): active users only,
 * flat roles (docs/atlas-api-notes.md §2.3, §2.5). `leakPassword` adds a password the way a misbehaving server could,
 * to prove the collector drops it.
 */
export function cloudAppUser(
  user: User,
  orgId: string,
  selfHref: string,
  options: { leakPassword?: boolean } = {},
): WireObject {
  const roles = flatRoles(user, orgId);
  return {
    id: user.id,
    username: user.username,
    emailAddress: user.username,
    ...present({
      firstName: user.firstName,
      lastName: user.lastName,
      country: user.country,
      mobileNumber: user.mobileNumber,
      createdAt: user.createdAt,
      lastAuth: user.lastAuth,
    }),
    teamIds: [...user.teamIds],
    roles,
    links: self(selfHref),
    ...(options.leakPassword ? { password: 'Sim-Leaked-Passw0rd!' } : {}),
  };
}

/** One entry of a flat `roles` list: `{orgId, roleName}` or `{groupId, roleName}`. */
export type FlatRole = { orgId: string; roleName: string } | { groupId: string; roleName: string };

/** A user's roles in one org, flat: the org roles, then every project role. */
export function flatRoles(user: User, orgId: string): FlatRole[] {
  return [
    ...user.orgRoles.map((roleName) => ({ orgId, roleName })),
    ...user.projectRoles.flatMap((p) => p.roles.map((roleName) => ({ groupId: p.projectId, roleName }))),
  ];
}

/**
 * A user of the Cloud Manager / Ops Manager v1.0 org users list, exactly the documented fields (Get
 * All Organization Users: id, username, emailAddress, firstName, lastName, country, mobileNumber,
 * links, teamIds, roles) and nothing else: no creation or sign-in date. `rolesAnywhere` is every role
 * the user holds in every organization and project, as v1.0 reports it.
 */
export function legacyUser(
  user: User,
  rolesAnywhere: readonly FlatRole[],
  selfHref: string,
  options: { leakPassword?: boolean } = {},
): WireObject {
  return {
    id: user.id,
    username: user.username,
    emailAddress: user.username,
    ...present({
      firstName: user.firstName,
      lastName: user.lastName,
      country: user.country,
      mobileNumber: user.mobileNumber,
    }),
    links: self(selfHref),
    teamIds: [...user.teamIds],
    roles: rolesAnywhere.map((r) => ({ ...r })),
    ...(options.leakPassword ? { password: 'Sim-Leaked-Passw0rd!' } : {}),
  };
}

/**
 * A project of the Cloud Manager / Ops Manager v1.0 list "Get All Projects in One Organization": id,
 * name, orgId, agent and host counts, links; no creation date and no cluster count (v1.0 counts
 * replica sets and shards). The counts are derived from the project's clusters so they are stable.
 */
export function legacyGroup(project: Project, orgId: string, baseUrl: string): WireObject {
  const replicaSets = project.clusterCount ?? 0;
  return {
    id: project.id,
    name: project.name,
    orgId,
    activeAgentCount: replicaSets * 3,
    hostCounts: {
      arbiter: 0,
      config: 0,
      master: 0,
      mongos: 0,
      primary: replicaSets,
      secondary: replicaSets * 2,
      slave: 0,
    },
    publicApiEnabled: true,
    replicaSetCount: replicaSets,
    shardCount: 0,
    links: self(`${baseUrl}/api/public/v1.0/groups/${project.id}`),
  };
}

/** `AtlasOrganization` item of listOrgs. */
export function atlasOrganization(org: Organization, baseUrl: string, isDeleted = false): WireObject {
  return {
    id: org.id,
    name: org.name,
    isDeleted,
    skipDefaultAlertsSettings: false,
    links: self(`${baseUrl}/api/atlas/v2/orgs/${org.id}`),
  };
}

/** `TeamResponse` item of listOrgTeams. */
export function teamResponse(team: Team, orgId: string, baseUrl: string): WireObject {
  return {
    id: team.id,
    name: team.name,
    links: self(`${baseUrl}/api/atlas/v2/orgs/${orgId}/teams/${team.id}`),
  };
}

/** `Group` item of getOrgGroups. */
export function group(project: Project, orgId: string, baseUrl: string): WireObject {
  return {
    id: project.id,
    name: project.name,
    orgId,
    ...present({ created: project.createdAt, clusterCount: project.clusterCount }),
    tags: [],
    withDefaultAlertsSettings: true,
    links: self(`${baseUrl}/api/atlas/v2/groups/${project.id}`),
  };
}

/** `TeamRole` item of listGroupTeams. */
export function teamRole(entry: Project['teams'][number], projectId: string, baseUrl: string): WireObject {
  return {
    teamId: entry.teamId,
    roleNames: [...entry.roles],
    links: self(`${baseUrl}/api/atlas/v2/groups/${projectId}/teams/${entry.teamId}`),
  };
}

/**
 * `ApiKeyUserDetails` item of listOrgApiKeys. Atlas returns the private key redacted; the visible
 * tail is derived from the id so it is stable and clearly not a secret.
 */
export function apiKeyUserDetails(key: ApiKey, orgId: string, baseUrl: string): WireObject {
  return {
    id: key.id,
    ...present({ desc: key.description }),
    publicKey: key.publicKey,
    privateKey: `********-****-****-${key.id.slice(-12)}`,
    roles: [
      ...key.orgRoles.map((roleName) => ({ orgId, roleName })),
      ...key.projectRoles.flatMap((p) => p.roles.map((roleName) => ({ groupId: p.projectId, roleName }))),
    ],
    links: self(`${baseUrl}/api/atlas/v2/orgs/${orgId}/apiKeys/${key.id}`),
  };
}

/** `UserAccessListResponse` item of listOrgApiKeyAccessListEntries. */
export function userAccessListResponse(
  entry: AccessListEntry,
  orgId: string,
  keyId: string,
  baseUrl: string,
): WireObject {
  const address = encodeURIComponent(entry.ipAddress ?? entry.cidrBlock ?? '');
  return {
    ...present({
      cidrBlock: entry.cidrBlock,
      ipAddress: entry.ipAddress,
      created: entry.createdAt,
      lastUsed: entry.lastUsedAt,
      lastUsedAddress: entry.lastUsedAddress,
      count: entry.count,
    }),
    links: self(`${baseUrl}/api/atlas/v2/orgs/${orgId}/apiKeys/${keyId}/accessList/${address}`),
  };
}

/** `ServiceAccountSecret` as list items carry it: masked, as Atlas does. */
function maskedSecrets(account: ServiceAccount): WireObject[] {
  return account.secrets.map((s) => ({
    id: s.id,
    ...present({ createdAt: s.createdAt, expiresAt: s.expiresAt }),
    lastUsedAt: s.lastUsedAt,
    maskedSecretValue: `mdb_sa_sk_...${s.id.slice(-4)}`,
  }));
}

/**
 * `OrgServiceAccount` (2024-08-05) item of listOrgServiceAccounts. Nothing in it says whether Atlas
 * manages the account (the listing's `includeSystemManaged` filter is the only sign).
 */
export function orgServiceAccount(account: ServiceAccount): WireObject {
  return {
    clientId: account.clientId,
    name: account.name,
    ...present({ description: account.description, createdAt: account.createdAt }),
    roles: [...account.orgRoles],
    secrets: maskedSecrets(account),
  };
}

/** `GroupServiceAccount` (2024-08-05) item of listGroupServiceAccounts: `roles` are the project's. */
export function groupServiceAccount(account: ServiceAccount, projectRoles: readonly string[]): WireObject {
  return {
    clientId: account.clientId,
    name: account.name,
    ...present({ description: account.description, createdAt: account.createdAt }),
    roles: [...projectRoles],
    secrets: maskedSecrets(account),
  };
}

/** `ServiceAccountGroup` (2024-08-05) item of getOrgServiceAccountGroups. */
export function serviceAccountGroup(grant: ProjectRole): WireObject {
  return { groupId: grant.projectId, roles: [...grant.roles] };
}

/**
 * `ServiceAccountIPAccessListEntry` (2024-08-05) item of listOrgServiceAccountAccessList: `createdAt`,
 * `lastUsedAt` and `requestCount` where API key entries say `created`, `lastUsed` and `count`.
 */
export function serviceAccountAccessListEntry(entry: AccessListEntry): WireObject {
  return {
    ...present({
      cidrBlock: entry.cidrBlock,
      ipAddress: entry.ipAddress,
      createdAt: entry.createdAt,
      requestCount: entry.count,
    }),
    // Nullable in the spec: null until a request comes from the entry.
    lastUsedAddress: entry.lastUsedAddress,
    lastUsedAt: entry.lastUsedAt,
  };
}

/** `GroupInvitation` (2023-01-01) item of listGroupInvites (a bare array, not a page). */
export function groupInvitation(
  invitation: ProjectInvitation,
  project: Project,
  baseUrl: string,
): WireObject {
  return {
    id: invitation.id,
    groupId: project.id,
    groupName: project.name,
    username: invitation.username,
    roles: [...invitation.roles],
    ...present({
      createdAt: invitation.createdAt,
      expiresAt: invitation.expiresAt,
      inviterUsername: invitation.inviterUsername,
    }),
    links: self(`${baseUrl}/api/atlas/v2/groups/${project.id}/invites/${invitation.id}`),
  };
}

/** `OrganizationSettings` body of getOrgSettings (not paginated). */
export function organizationSettings(settings: OrgSettings): WireObject {
  return {
    ...present({
      apiAccessListRequired: settings.apiAccessListRequired,
      multiFactorAuthRequired: settings.multiFactorAuthRequired,
      restrictEmployeeAccess: settings.restrictEmployeeAccess,
      maxServiceAccountSecretValidityInHours: settings.maxServiceAccountSecretValidityInHours,
      securityContact: settings.securityContact,
    }),
    // `CustomSessionTimeouts`: an unset timeout is left out (its fields are integers in the spec).
    customSessionTimeouts: present({
      absoluteSessionTimeoutInSeconds: settings.absoluteSessionTimeoutInSeconds,
      idleSessionTimeoutInSeconds: settings.idleSessionTimeoutInSeconds,
    }),
    genAIFeaturesEnabled: true,
    streamsCrossGroupEnabled: false,
    operationsContact: null,
  };
}
