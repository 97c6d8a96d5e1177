/**
 * The canonical Snapshot: the single source of truth for the shape of collected data.
 *
 * Every Atlas API version (v2 2025-02-19, v2 2023-01-01, Cloud Manager v1.0) is normalised into
 * this one shape by src/collect. Audit, report and review stages read only this shape.
 * Types are inferred from the zod schemas below; never hand-write a parallel interface.
 *
 * Invariants (checked by the schema or by the collector):
 * - `password` never appears anywhere (the schema is strict on users, so a stray field is an error).
 * - `mobileNumber` is present only when the user asked for `--keep-pii`.
 * - All timestamps are UTC ISO-8601 strings; absent values are `null`, not missing.
 * - Arrays are sorted by id (users by id, teams by id, ...) so files diff cleanly.
 */
import * as z from 'zod';
import { COVERAGE_PARTS, DATABASE_ACCESS_PARTS } from './coverage-parts.js';

/**
 * Snapshot file format version; bump on any incompatible change. Older versions are upgraded on read
 * (src/snapshot/upgrade.ts), so last quarter's snapshot still works with `--previous`.
 * v2: service accounts' project roles, IP access lists and system-managed flag; project invitations;
 * org session timeouts; and the coverage of each.
 * v3: database access under each project: database users (and their Atlas-managed X.509 certificates'
 * dates), custom database roles, the project IP access list, clusters and, per cluster, a summary of
 * database access history; and the coverage of each.
 * v4: `collector`: the command line that collected and the identity it used, with the roles the snapshot
 * shows that identity holding. A new key in a strict object is an incompatible change for a v3 reader
 * (it refuses the key), so it is a new version: a v3 reader then says "written by a newer version"
 * instead of naming an unknown key, and v3 files are upgraded with `collector: null` (not recorded).
 */
export const SNAPSHOT_SCHEMA_VERSION = 4 as const;

const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'expected a 24-hex Atlas id');
const isoDate = z.iso.datetime({ offset: true });
const nullableDate = isoDate.nullable();

/** Organization membership status, as in the 2025-02-19 `orgMembershipStatus` enum. */
const userStatusSchema = z.enum(['ACTIVE', 'PENDING', 'INVITATION_EXPIRED', 'INVITATION_REJECTED']);
export type UserStatus = z.infer<typeof userStatusSchema>;

/** Roles held in one project (a.k.a. group). Role names are open strings (the spec dropped its enum). */
const projectRoleSchema = z.strictObject({
  projectId: objectId,
  roles: z.array(z.string()),
});
export type ProjectRole = z.infer<typeof projectRoleSchema>;

/** One human identity of an organization: an active user or an invitation. */
const userSchema = z.strictObject({
  id: objectId,
  /** Login name; an email address in Atlas. */
  username: z.string().min(1),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  country: z.string().nullable(),
  /** Only kept with `--keep-pii`; otherwise the key is absent. */
  mobileNumber: z.string().nullable().optional(),
  status: userStatusSchema,
  /** Organization roles, e.g. ORG_OWNER. Direct grants as reported by the users endpoint. */
  orgRoles: z.array(z.string()),
  /** Project roles as reported by the users endpoint, one entry per project. */
  projectRoles: z.array(projectRoleSchema),
  /** Teams the users endpoint says the user belongs to. */
  teamIds: z.array(objectId),
  createdAt: nullableDate,
  /** Last sign-in; null when Atlas reports none (never signed in, or pending). */
  lastAuth: nullableDate,
  invitationCreatedAt: nullableDate,
  /** Null for rejected invitations and for active users. */
  invitationExpiresAt: nullableDate,
  inviterUsername: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

/** A team and its members as listed by the team-users endpoint. */
const teamSchema = z.strictObject({
  id: objectId,
  name: z.string(),
  /** User ids from GET /orgs/{orgId}/teams/{teamId}/users, sorted. */
  memberIds: z.array(objectId),
});
export type Team = z.infer<typeof teamSchema>;

/** A team's roles in one project (GET /groups/{groupId}/teams). */
const projectTeamSchema = z.strictObject({
  teamId: objectId,
  roles: z.array(z.string()),
});

/** How a database user authenticates, from the `x509Type`, `ldapAuthType`, `awsIAMType`, `oidcAuthType` fields. */
export const databaseAuthKindSchema = z.enum([
  'scram',
  'x509-managed',
  'x509-customer',
  'ldap-user',
  'ldap-group',
  'aws-iam-user',
  'aws-iam-role',
  'oidc-user',
  'oidc-group',
]);
export type DatabaseAuthKind = z.infer<typeof databaseAuthKindSchema>;

/** One role of a database user (`DatabaseUserRole`): a built-in role name or a custom role's name. */
export const databaseUserRoleSchema = z.strictObject({
  roleName: z.string().min(1),
  databaseName: z.string().min(1),
  /** Null when the role applies to the whole database. */
  collectionName: z.string().nullable(),
});
export type DatabaseUserRole = z.infer<typeof databaseUserRoleSchema>;

/** A cluster, data lake or stream instance a database user is limited to (`UserScope`). */
const databaseUserScopeSchema = z.strictObject({
  name: z.string().min(1),
  type: z.enum(['CLUSTER', 'DATA_LAKE', 'STREAM']),
});

/** Dates of an X.509 certificate Atlas manages for a user (`UserCert`); never the certificate itself. */
const databaseUserCertSchema = z.strictObject({
  /** The certificate's serial (`_id`) as a string. */
  id: z.string(),
  createdAt: nullableDate,
  notAfter: nullableDate,
});

/**
 * A database user of one project (GET /groups/{groupId}/databaseUsers, `CloudDatabaseUser`). Its
 * identity is (project, `databaseName`, `username`). The password is never read or stored.
 */
const databaseUserSchema = z.strictObject({
  username: z.string().min(1),
  /**
   * The authentication database, as Atlas names it (never derived from the auth kind): `admin` for
   * SCRAM-SHA and OIDC Workforce users and groups, `$external` for X.509, LDAP, AWS IAM and OIDC
   * Workload (spec, `CloudDatabaseUser.databaseName`). Part of the user's identity and of its DELETE path.
   */
  databaseName: z.enum(['admin', '$external']),
  authKind: databaseAuthKindSchema,
  roles: z.array(databaseUserRoleSchema),
  /** Empty: the user reaches every cluster and data lake of the project. */
  scopes: z.array(databaseUserScopeSchema),
  /** When Atlas deletes a temporary user; null: permanent. */
  deleteAfterDate: nullableDate,
  description: z.string().nullable(),
  labels: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  /** Atlas-managed X.509 certificates (x509-managed users only; empty otherwise or when not read). */
  certificates: z.array(databaseUserCertSchema),
});
export type DatabaseUser = z.infer<typeof databaseUserSchema>;

/** One privilege of a custom database role: an action on resources (`DatabasePrivilegeAction`). */
const customRoleActionSchema = z.strictObject({
  action: z.string().min(1),
  resources: z.array(
    z.strictObject({
      /** True: the action applies to the cluster resource (then db and collection are empty). */
      cluster: z.boolean(),
      db: z.string(),
      collection: z.string(),
    }),
  ),
});

/** A custom database role of one project (GET /groups/{groupId}/customDBRoles/roles). */
const customRoleSchema = z.strictObject({
  roleName: z.string().min(1),
  actions: z.array(customRoleActionSchema),
  inheritedRoles: z.array(z.strictObject({ db: z.string(), role: z.string() })),
});
export type CustomRole = z.infer<typeof customRoleSchema>;

/** One entry of the project IP access list (GET /groups/{groupId}/accessList, `NetworkPermissionEntry`). */
const networkAccessEntrySchema = z.strictObject({
  /** CIDR block; Atlas reports single addresses as `/32` (or `/128`) blocks too. */
  cidrBlock: z.string().nullable(),
  ipAddress: z.string().nullable(),
  /** An AWS security group id (VPC peering) instead of an address. */
  awsSecurityGroup: z.string().nullable(),
  comment: z.string().nullable(),
  /** When Atlas deletes a temporary entry; null: permanent. */
  deleteAfterDate: nullableDate,
});
export type NetworkAccessEntry = z.infer<typeof networkAccessEntrySchema>;

/**
 * One user's authentications against one cluster over the collection window, summarised from the
 * cluster's database access history (never the raw log lines).
 */
const databaseAccessSummarySchema = z.strictObject({
  username: z.string(),
  /** The authentication database reported by the log (`authSource`), e.g. `admin` or `$external`. */
  authSource: z.string().nullable(),
  lastSuccessAt: nullableDate,
  successes: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  /** Distinct addresses the attempts came from, sorted. */
  sourceIps: z.array(z.string()),
});
export type DatabaseAccessSummary = z.infer<typeof databaseAccessSummarySchema>;

/**
 * Whether the cluster's access history covers the window. `collected`: every user's summary is
 * there (a user with none made no attempt); `not-requested`: `--include access-history` was not
 * given; `unsupported`: the cluster cannot provide it (tenant or flex tiers, per the spec), or Atlas
 * refused it for that reason; `truncated`: Atlas returned its maximum number of lines, so the
 * summary may miss attempts. Only `collected` lets a rule conclude that a user was unused.
 */
const accessHistorySchema = z.strictObject({
  status: z.enum(['collected', 'not-requested', 'unsupported', 'truncated']),
  /** Why, for any status but `collected`. */
  reason: z.string().nullable(),
  /** The window asked for (UTC); null when not requested. */
  from: nullableDate,
  to: nullableDate,
  /** Log lines read. */
  lines: z.number().int().nonnegative(),
  summaries: z.array(databaseAccessSummarySchema),
});
export type AccessHistory = z.infer<typeof accessHistorySchema>;

/** A cluster of the project (GET /groups/{groupId}/clusters), with its access-history summary. */
const clusterSchema = z.strictObject({
  id: z.string().nullable(),
  name: z.string().min(1),
  /** Instance size of the first electable region (`M10`, `M0`, `FLEX`, ...); null when not reported. */
  tier: z.string().nullable(),
  clusterType: z.string().nullable(),
  paused: z.boolean().nullable(),
  accessHistory: accessHistorySchema,
});
export type Cluster = z.infer<typeof clusterSchema>;

export const projectSchema = z.strictObject({
  id: objectId,
  name: z.string(),
  createdAt: nullableDate,
  clusterCount: z.number().int().nonnegative().nullable(),
  teams: z.array(projectTeamSchema),
  // --- schema 3: database access (empty when its coverage part is false) ---
  databaseUsers: z.array(databaseUserSchema),
  customRoles: z.array(customRoleSchema),
  /** The project IP access list (who may reach its clusters over the network). */
  networkAccess: z.array(networkAccessEntrySchema),
  clusters: z.array(clusterSchema),
});
export type Project = z.infer<typeof projectSchema>;

/** A project's database access lists when they were not collected (their coverage parts are false). */
export function noDatabaseAccess(): Pick<
  Project,
  'databaseUsers' | 'customRoles' | 'networkAccess' | 'clusters'
> {
  return { databaseUsers: [], customRoles: [], networkAccess: [], clusters: [] };
}

/** One entry of an API key's or a service account's IP access list. */
const accessListEntrySchema = z.strictObject({
  cidrBlock: z.string().nullable(),
  ipAddress: z.string().nullable(),
  createdAt: nullableDate,
  lastUsedAt: nullableDate,
  lastUsedAddress: z.string().nullable(),
  count: z.number().int().nonnegative().nullable(),
});
export type AccessListEntry = z.infer<typeof accessListEntrySchema>;

/** An organization programmatic API key. The private key is never stored. */
const apiKeySchema = z.strictObject({
  id: objectId,
  /** The public half of the key (not a secret). */
  publicKey: z.string(),
  description: z.string().nullable(),
  orgRoles: z.array(z.string()),
  projectRoles: z.array(projectRoleSchema),
  accessList: z.array(accessListEntrySchema),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** Metadata of a service account secret. Never the secret value, not even masked. */
const serviceAccountSecretSchema = z.strictObject({
  id: objectId,
  createdAt: nullableDate,
  expiresAt: nullableDate,
  lastUsedAt: nullableDate,
});

export const serviceAccountSchema = z.strictObject({
  clientId: z.string().regex(/^mdb_sa_id_[a-fA-F\d]{24}$/, 'expected mdb_sa_id_<24 hex>'),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: nullableDate,
  orgRoles: z.array(z.string()),
  secrets: z.array(serviceAccountSecretSchema),
  // --- schema 2 ---
  /** Roles in each project (GET /orgs/{orgId}/serviceAccounts/{clientId}/groups), one entry per project. */
  projectRoles: z.array(projectRoleSchema),
  /** IP access list (GET /orgs/{orgId}/serviceAccounts/{clientId}/accessList). */
  accessList: z.array(accessListEntrySchema),
  /**
   * Managed by Atlas itself (e.g. MCP integrations), listed only with `includeSystemManaged=true`: not a
   * person, still reviewable. False when the listing could not tell (coverage.systemManagedServiceAccounts).
   */
  systemManaged: z.boolean(),
});
export type ServiceAccount = z.infer<typeof serviceAccountSchema>;

/** Security settings of the org (GET /orgs/{orgId}/settings); null fields were not reported. */
export const orgSettingsSchema = z.strictObject({
  multiFactorAuthRequired: z.boolean().nullable(),
  apiAccessListRequired: z.boolean().nullable(),
  restrictEmployeeAccess: z.boolean().nullable(),
  maxServiceAccountSecretValidityInHours: z.number().int().nullable(),
  securityContact: z.string().nullable(),
  // --- schema 2: `customSessionTimeouts`; null = unset, Atlas's default applies (coverage.sessionTimeouts) ---
  /** Idle session timeout; null: none on Atlas Commercial (600 s on Atlas for Government). */
  idleSessionTimeoutInSeconds: z.number().int().positive().nullable(),
  /** Absolute session timeout; null: Atlas's default of 43,200 s (12 hours). */
  absoluteSessionTimeoutInSeconds: z.number().int().positive().nullable(),
});
export type OrgSettings = z.infer<typeof orgSettingsSchema>;

/**
 * An invitation to one project made through the deprecated project-invite endpoint
 * (GET /groups/{groupId}/invites, `GroupInvitation`); the org users listing does not show these.
 */
const projectInvitationSchema = z.strictObject({
  id: objectId,
  projectId: objectId,
  /** Email address of the invited person. */
  username: z.string().min(1),
  /** Roles the invitation grants once accepted. */
  roles: z.array(z.string()),
  createdAt: nullableDate,
  expiresAt: nullableDate,
  inviterUsername: z.string().nullable(),
});
export type ProjectInvitation = z.infer<typeof projectInvitationSchema>;

/**
 * Which parts of the org the source API could provide. Cloud Manager / Ops Manager v1.0 gives users
 * (without dates) and the org's projects only. A rule that needs a part the org lacks is reported as
 * not evaluated there (src/rules/requirements.ts), never as passed.
 */
export const coverageSchema = z.strictObject({
  users: z.boolean(),
  /**
   * Pending, expired and rejected invitations. Only the 2025-02-19 users listing returns them;
   * 2023-01-01 and Cloud Manager v1.0 list active users only, so invitation rules cannot see any.
   */
  invitations: z.boolean(),
  /** Teams and their members. */
  teams: z.boolean(),
  /**
   * The org's projects. Their teams' roles are read with them only when `teams` is true as well
   * (Cloud Manager v1.0 lists projects, id and name, without teams).
   */
  projects: z.boolean(),
  apiKeys: z.boolean(),
  serviceAccounts: z.boolean(),
  settings: z.boolean(),
  /**
   * Users' sign-in and creation dates (`lastAuth`, `createdAt`). Both Atlas v2 users listings carry
   * them; the Cloud Manager v1.0 users listing has neither, so its users' dates are null without
   * meaning "never signed in".
   */
  signIns: z.boolean(),
  // --- schema 2 (false in a snapshot upgraded from schema 1) ---
  /** Each service account's project roles and IP access list were read. */
  serviceAccountAccess: z.boolean(),
  /** The service account listing included system-managed accounts (`includeSystemManaged=true`). */
  systemManagedServiceAccounts: z.boolean(),
  /** The org settings included the session timeouts (`customSessionTimeouts`). */
  sessionTimeouts: z.boolean(),
  /**
   * Invitations made through the deprecated project-invite endpoint were read (`--include
   * project-invitations`, which needs Project Owner). False when not asked for, or when the endpoint is gone.
   */
  projectInvitations: z.boolean(),
  // --- schema 3 (false in a snapshot upgraded from schema 1 or 2) ---
  /** Every project's database users were read. */
  databaseUsers: z.boolean(),
  /** The Atlas-managed X.509 certificates of every `x509-managed` database user were read. */
  databaseUserCerts: z.boolean(),
  /** Every project's custom database roles were read. */
  customRoles: z.boolean(),
  /** Every project's IP access list was read. */
  networkAccess: z.boolean(),
  /** Every project's clusters were read. */
  clusters: z.boolean(),
  /**
   * Database access history was asked for (`--include access-history`) and read for every cluster
   * that can provide it; each cluster's `accessHistory.status` says whether it did.
   */
  accessHistory: z.boolean(),
});
export type Coverage = z.infer<typeof coverageSchema>;
/** One part of {@link Coverage}: `users`, `invitations`, ..., `signIns`. */
export type CoveragePart = keyof Coverage;
/** Every coverage part, in schema order (the order reasons and displays use). */
/** The coverage parts of database access (schema 3). */
export { COVERAGE_PARTS, DATABASE_ACCESS_PARTS };

/** A coverage record in which exactly the named parts were collected. */
export function coverageOf(collected: Iterable<CoveragePart>): Coverage {
  const set = new Set(collected);
  return coverageSchema.parse(Object.fromEntries(COVERAGE_PARTS.map((p) => [p, set.has(p)])));
}

/**
 * Completeness evidence for one listing: items read vs the API's `totalCount` (an estimate per the
 * spec, so a mismatch is recorded, not fatal). `totalCount` is null when the endpoint has none.
 */
const completenessSchema = z.strictObject({
  /** Endpoint template with ids filled in, e.g. `GET /api/atlas/v2/orgs/{orgId}/users`. */
  endpoint: z.string(),
  itemsRead: z.number().int().nonnegative(),
  totalCount: z.number().int().nonnegative().nullable(),
  pages: z.number().int().nonnegative(),
});
export type Completeness = z.infer<typeof completenessSchema>;

export const organizationSchema = z.strictObject({
  id: objectId,
  name: z.string(),
  coverage: coverageSchema,
  users: z.array(userSchema),
  teams: z.array(teamSchema),
  projects: z.array(projectSchema),
  apiKeys: z.array(apiKeySchema),
  serviceAccounts: z.array(serviceAccountSchema),
  settings: orgSettingsSchema.nullable(),
  completeness: z.array(completenessSchema),
  /** Human-readable notes about anything odd seen while collecting (totalCount mismatch, ...). */
  notes: z.array(z.string()),
  // --- schema 2 ---
  /** Project invitations the users listing does not show; empty unless coverage.projectInvitations. */
  projectInvitations: z.array(projectInvitationSchema),
});
export type Organization = z.infer<typeof organizationSchema>;

const apiKindSchema = z.enum(['atlas-v2', 'cloud-manager']);
export type ApiKind = z.infer<typeof apiKindSchema>;
const authKindSchema = z.enum(['service-account', 'api-key']);
/** Response version used for the org users endpoint. */
const usersApiVersionSchema = z.enum(['2025-02-19', '2023-01-01']);
export type UsersApiVersion = z.infer<typeof usersApiVersionSchema>;

/**
 * Where the identity that collected appears in one collected organization: `found` in its service
 * account / API key listing (its roles there are those the listing shows), `not-found` (listed, but not
 * there: e.g. an API key of another organization), `not-collected` (the source API gave no such listing).
 */
const collectorOrgSchema = z.strictObject({
  orgId: objectId,
  status: z.enum(['found', 'not-found', 'not-collected']),
  /** Org roles as the snapshot shows them; empty unless `found`. */
  orgRoles: z.array(z.string()),
  /** Project roles as the snapshot shows them; empty unless `found`. */
  projectRoles: z.array(projectRoleSchema),
});

/** Who collected the snapshot, and how (schema 4). Never a secret: ids only, flag values scrubbed. */
export const collectorSchema = z.strictObject({
  /**
   * The command line that collected, as argv rebuilt from its parsed options (`collect --org …`); values
   * that could carry a secret are redacted, the environment is never read into it. Null when a library
   * caller gave none.
   */
  command: z.array(z.string().max(10_000)).max(500).nullable(),
  identity: z.strictObject({
    kind: authKindSchema,
    /** The service account's client id or the API key's public key: the public half, never the secret. */
    id: z.string().min(1).max(200),
    /** One entry per collected organization, in the snapshot's order. */
    organizations: z.array(collectorOrgSchema),
  }),
});
export type Collector = z.infer<typeof collectorSchema>;

export const snapshotSchema = z
  .strictObject({
    schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
    collectedAt: isoDate,
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    source: z.strictObject({
      baseUrl: z.string(),
      api: apiKindSchema,
      /** Users endpoint version for atlas-v2; null for cloud-manager (unversioned). */
      apiVersion: usersApiVersionSchema.nullable(),
      auth: authKindSchema,
      keepPii: z.boolean(),
    }),
    // --- schema 4 ---
    /** The command and identity that collected; null in a snapshot upgraded from schema 1 to 3. */
    collector: collectorSchema.nullable(),
    organizations: z.array(organizationSchema),
    stats: z.strictObject({
      requests: z.number().int().nonnegative(),
      retries: z.number().int().nonnegative(),
      durationMs: z.number().nonnegative(),
    }),
  })
  .superRefine((snapshot, ctx) => {
    // Ids are identities: a repeated one would double-count findings and confuse review decisions.
    const unique = <T>(
      items: readonly T[],
      id: (item: T) => string,
      path: (string | number)[],
      field: string,
    ) => {
      const seen = new Map<string, number>();
      items.forEach((item, index) => {
        const first = seen.get(id(item));
        if (first === undefined) seen.set(id(item), index);
        else {
          ctx.addIssue({
            code: 'custom',
            path: [...path, index, field],
            message: `duplicate ${field} ${JSON.stringify(id(item))} (also at index ${first})`,
          });
        }
      });
    };
    unique(snapshot.organizations, (o) => o.id, ['organizations'], 'id');
    snapshot.organizations.forEach((org, i) => {
      const at = (list: string) => ['organizations', i, list];
      unique(org.users, (u) => u.id, at('users'), 'id');
      unique(org.teams, (t) => t.id, at('teams'), 'id');
      unique(org.projects, (p) => p.id, at('projects'), 'id');
      unique(org.apiKeys, (k) => k.id, at('apiKeys'), 'id');
      unique(org.serviceAccounts, (sa) => sa.clientId, at('serviceAccounts'), 'clientId');
      unique(org.projectInvitations, (inv) => inv.id, at('projectInvitations'), 'id');
      org.projects.forEach((project, j) => {
        const inProject = (list: string) => [...at('projects'), j, list];
        unique(
          project.databaseUsers,
          (u) => `${u.databaseName}/${u.username}`,
          inProject('databaseUsers'),
          'username',
        );
        unique(project.customRoles, (r) => r.roleName, inProject('customRoles'), 'roleName');
        unique(project.clusters, (c) => c.name, inProject('clusters'), 'name');
      });
    });
  });
export type Snapshot = z.infer<typeof snapshotSchema>;
