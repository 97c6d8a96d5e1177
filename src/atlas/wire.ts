/**
 * Wire schemas: the response bodies of each operation and version, as the spec extracts in
 * test/fixtures/atlas-openapi define them. Only the fields the collector uses are declared; zod strips the
 * rest, which is how `password` (CloudAppUser) and secret values never get past this layer. Patterns
 * are not enforced on responses (docs/atlas-api-notes.md §11.4: real names may fall outside the spec's patterns).
 */
import * as z from 'zod';

const str = z.string();
const optStr = z.string().nullish();
const optDate = z.string().nullish();

/** `CloudAccessRoleAssignment`: exactly one of orgId / groupId per entry (2023-01-01 users, v1.0 users, API keys). */
export const cloudAccessRoleAssignment = z.object({
  orgId: optStr,
  groupId: optStr,
  roleName: optStr,
});

/** `CloudAppUser` (listOrgUsers / listOrgTeamUsers 2023-01-01, and the legacy v1.0 users list). */
export const cloudAppUser = z.object({
  id: str,
  username: str,
  firstName: optStr,
  lastName: optStr,
  country: optStr,
  mobileNumber: optStr,
  createdAt: optDate,
  lastAuth: optDate,
  teamIds: z.array(str).nullish(),
  roles: z.array(cloudAccessRoleAssignment).nullish(),
});

/**
 * A user of the Cloud Manager / Ops Manager v1.0 listing (GET /api/public/v1.0/orgs/{orgId}/users).
 * The documented fields are id, username, emailAddress, firstName, lastName, country, mobileNumber,
 * links, teamIds and roles: no creation or sign-in date, so none is read even if a server sent one.
 * `roles` holds every role the user has, in every organization and project (docs/atlas-api-notes.md §10).
 */
export const legacyUser = z.object({
  id: str,
  username: str,
  firstName: optStr,
  lastName: optStr,
  country: optStr,
  mobileNumber: optStr,
  teamIds: z.array(str).nullish(),
  roles: z.array(cloudAccessRoleAssignment).nullish(),
});

/**
 * A project of the Cloud Manager / Ops Manager v1.0 listing (GET /api/public/v1.0/orgs/{orgId}/groups).
 * Only id and name are used: the v1.0 project has no creation date and counts replica sets and shards,
 * not clusters.
 */
export const legacyGroup = z.object({ id: str, name: str });

/** `OrgUserResponse` and its Active / Pending variants (listOrgUsers / listOrgTeamUsers 2025-02-19). */
export const orgUserResponse = z.object({
  id: str,
  username: str,
  orgMembershipStatus: z.enum(['PENDING', 'ACTIVE', 'INVITATION_EXPIRED', 'INVITATION_REJECTED']),
  roles: z.object({
    orgRoles: z.array(str).nullish(),
    groupRoleAssignments: z
      .array(z.object({ groupId: optStr, groupRoles: z.array(str).nullish() }))
      .nullish(),
  }),
  teamIds: z.array(str).nullish(),
  firstName: optStr,
  lastName: optStr,
  country: optStr,
  mobileNumber: optStr,
  createdAt: optDate,
  lastAuth: optDate,
  invitationCreatedAt: optDate,
  invitationExpiresAt: optDate,
  inviterUsername: optStr,
});

/** `AtlasOrganization` (listOrgs), and the v1.0 organization (legacyListOrgs, legacyGetOrg): same fields. */
export const atlasOrganization = z.object({ id: str, name: str, isDeleted: z.boolean().nullish() });

/** `TeamResponse` (listOrgTeams). */
export const teamResponse = z.object({ id: str, name: str });

/** `Group` (getOrgGroups). */
export const group = z.object({
  id: str,
  name: str,
  created: optDate,
  clusterCount: z.number().int().nullish(),
});

/** `TeamRole` (listGroupTeams). */
export const teamRole = z.object({ teamId: str, roleNames: z.array(str) });

/** `ApiKeyUserDetails` (listOrgApiKeys). `privateKey` (redacted by Atlas anyway) is not declared. */
export const apiKeyUserDetails = z.object({
  id: str,
  desc: optStr,
  publicKey: str,
  roles: z.array(cloudAccessRoleAssignment).nullish(),
});

/** `UserAccessListResponse` (listOrgApiKeyAccessListEntries). */
export const userAccessListResponse = z.object({
  cidrBlock: optStr,
  ipAddress: optStr,
  created: optDate,
  lastUsed: optDate,
  lastUsedAddress: optStr,
  count: z.number().int().nullish(),
});

/** `OrgServiceAccount` (listOrgServiceAccounts 2024-08-05). Secret values (`secret`, `maskedSecretValue`) are not declared. */
export const orgServiceAccount = z.object({
  clientId: str,
  name: optStr,
  description: optStr,
  createdAt: optDate,
  roles: z.array(str).nullish(),
  secrets: z
    .array(z.object({ id: str, createdAt: optDate, expiresAt: optDate, lastUsedAt: optDate }))
    .nullish(),
});

/**
 * `ServiceAccountIPAccessListEntry` (listOrgServiceAccountAccessList 2024-08-05). Unlike the API key
 * entry it names its dates `createdAt` / `lastUsedAt` and its counter `requestCount`.
 */
export const serviceAccountAccessListEntry = z.object({
  cidrBlock: optStr,
  ipAddress: optStr,
  createdAt: optDate,
  lastUsedAt: optDate,
  lastUsedAddress: optStr,
  requestCount: z.number().int().nullish(),
});

/** `ServiceAccountGroup` (getOrgServiceAccountGroups 2024-08-05): one project of a service account and its roles there. */
export const serviceAccountGroup = z.object({ groupId: str, roles: z.array(str).nullish() });

/** `GroupServiceAccount` (listGroupServiceAccounts 2024-08-05): its `roles` are the project roles. Secrets are not declared. */
export const groupServiceAccount = z.object({ clientId: str, roles: z.array(str).nullish() });

/** `GroupInvitation` (listGroupInvites 2023-01-01, a bare array): an invitation to one project. */
export const groupInvitation = z.object({
  id: str,
  groupId: optStr,
  username: str,
  roles: z.array(str).nullish(),
  createdAt: optDate,
  expiresAt: optDate,
  inviterUsername: optStr,
});

/** `OrganizationSettings` (getOrgSettings). */
export const organizationSettings = z.object({
  apiAccessListRequired: z.boolean().nullish(),
  multiFactorAuthRequired: z.boolean().nullish(),
  restrictEmployeeAccess: z.boolean().nullish(),
  maxServiceAccountSecretValidityInHours: z.number().int().nullish(),
  securityContact: optStr,
  /** `CustomSessionTimeouts`: null or absent fields are unset (Atlas's defaults apply). */
  customSessionTimeouts: z
    .object({
      absoluteSessionTimeoutInSeconds: z.number().int().nullish(),
      idleSessionTimeoutInSeconds: z.number().int().nullish(),
    })
    .nullish(),
});

// --- Database access: project database users, custom roles, access list, clusters ---

/** `DatabaseUserRole`: a built-in or custom role on one database (and optionally one collection). */
const databaseUserRole = z.object({ roleName: str, databaseName: str, collectionName: optStr });

/**
 * `CloudDatabaseUser` (listGroupDatabaseUsers 2023-01-01). The auth kind is spread over four type
 * fields (`x509Type`, `ldapAuthType`, `awsIAMType`, `oidcAuthType`), NONE or absent for SCRAM.
 * `password` is deliberately not declared: zod strips it here, so it never reaches the collector.
 */
export const cloudDatabaseUser = z.object({
  username: str,
  databaseName: str,
  x509Type: optStr,
  ldapAuthType: optStr,
  awsIAMType: optStr,
  oidcAuthType: optStr,
  roles: z.array(databaseUserRole).nullish(),
  scopes: z.array(z.object({ name: str, type: str })).nullish(),
  labels: z.array(z.object({ key: optStr, value: optStr })).nullish(),
  description: optStr,
  deleteAfterDate: optDate,
});

/** `UserCert` (listGroupDatabaseUserCerts): serial and dates only; `subject` is not kept. */
export const userCert = z.object({
  _id: z.union([z.number(), z.string()]),
  createdAt: optDate,
  notAfter: optDate,
});

/** `UserCustomDBRole` (listGroupCustomDbRoleRoles, a bare array). */
export const userCustomDbRole = z.object({
  roleName: str,
  actions: z
    .array(
      z.object({
        action: str,
        resources: z
          .array(z.object({ cluster: z.boolean().nullish(), db: optStr, collection: optStr }))
          .nullish(),
      }),
    )
    .nullish(),
  inheritedRoles: z.array(z.object({ db: str, role: str })).nullish(),
});

/** `NetworkPermissionEntry` (listGroupAccessListEntries). */
export const networkPermissionEntry = z.object({
  cidrBlock: optStr,
  ipAddress: optStr,
  awsSecurityGroup: optStr,
  comment: optStr,
  deleteAfterDate: optDate,
});

/**
 * `ClusterDescription20240805` (listGroupClusters 2024-08-05): the tier is the instance size of the
 * first electable region spec of the first replication spec (`TenantRegionConfig20240805` and the
 * dedicated providers' region configs all carry `electableSpecs.instanceSize`).
 */
export const clusterDescription = z.object({
  id: optStr,
  name: str,
  clusterType: optStr,
  paused: z.boolean().nullish(),
  replicationSpecs: z
    .array(
      z.object({
        regionConfigs: z
          .array(
            z.object({
              providerName: optStr,
              electableSpecs: z.object({ instanceSize: optStr }).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});

/** `MongoDBAccessLogs`: one authentication attempt. `logLine` and `hostname` are not read. */
export const mongoDbAccessLog = z.object({
  username: optStr,
  authSource: optStr,
  authResult: z.boolean().nullish(),
  ipAddress: optStr,
  timestamp: optDate,
});

/** `MongoDBAccessLogsList` (getGroupDbAccessHistoryCluster, not paginated). */
export const mongoDbAccessLogsList = z.object({ accessLogs: z.array(mongoDbAccessLog).nullish() });

/**
 * `LegacyAtlasCluster` (listGroupClusters 2023-01-01, withdrawn 2027-07-01): the tier is
 * `providerSettings.instanceSizeName`. Declared so the older version parses if asked for; the
 * collector sends 2024-08-05.
 */
export const legacyAtlasCluster = z.object({
  id: optStr,
  name: str,
  clusterType: optStr,
  paused: z.boolean().nullish(),
  providerSettings: z.object({ providerName: optStr, instanceSizeName: optStr }).nullish(),
});
