/**
 * The terms a generated estate is described in: its options, the violation kinds it plants and the
 * names and limits planters and the generator share.
 */

import type { SubjectKind } from '../domain/subject.js';

/** Sizes and switches of a generated estate. */
export interface EstateOptions {
  /** PRNG seed; the same options always give the same estate. */
  seed: number;
  /** The reference time: every date is placed relative to it. */
  now: Date;
  orgs: number;
  /** All users of an org, invitations included. */
  usersPerOrg: number;
  teamsPerOrg: number;
  projectsPerOrg: number;
  /** Default 3. */
  apiKeysPerOrg?: number;
  /** User-managed service accounts; default 2. */
  serviceAccountsPerOrg?: number;
  /** Service accounts Atlas manages itself (MCP integrations); default 1. */
  systemManagedServiceAccountsPerOrg?: number;
  /**
   * Database users per project that has clusters (default 6; every auth kind appears from 9). Atlas
   * allows 100 per project.
   */
  databaseUsersPerProject?: number;
  /** Clusters per project; default 0 to 4 at random (a project without clusters has no database users). */
  clustersPerProject?: number;
  /** Chance that a project's first cluster is a tenant tier (M0/M2/M5, no access history); default 0.3. */
  tenantClusterShare?: number;
  /** Plant policy violations and list them in `planted` (default true). */
  plantViolations?: boolean;
}

/** A violation placed in the data on purpose; the audit stage must report it. */
export interface PlantedViolation {
  /** One of {@link VIOLATION_KINDS}. */
  kind: ViolationKind;
  orgId: string;
  subjectType: SubjectKind;
  /**
   * Org id, user id, team id, project id, API key id or service account clientId; for database
   * access, the ids planters-database.ts documents (`{projectId}/{databaseName}/{username}`, ...).
   */
  subjectId: string;
  /** What exactly was planted, for humans reading a test failure. */
  note: string;
}

/** The violation kinds the generator plants (the audit rules key on these strings). */
export const VIOLATION_KINDS = [
  'too-many-org-owners',
  'too-few-org-owners',
  'stale-last-auth',
  'never-signed-in',
  'idle-privileged-user',
  'user-without-team',
  'direct-project-roles',
  'stale-invitation',
  'expired-invitation',
  'outside-email-domain',
  'empty-team',
  'team-membership-mismatch',
  'too-many-project-owners',
  'api-key-org-owner',
  'api-key-no-access-list',
  'service-account-secret-expired',
  'service-account-secret-unused',
  'mfa-not-required',
  'api-access-list-not-required',
  'unknown-role',
  'service-account-no-access-list',
  'session-timeout-too-long',
  // Database access (schema 3): one planter each in planters-database.ts.
  'project-db-users-no-access-list',
  'db-user-privileged',
  'custom-role-dangerous-actions',
  'db-user-unscoped',
  'db-user-temporary-expired',
  'db-user-inactive',
  'db-user-never-used',
  'x509-cert-expiring',
  'db-user-orphan-identity',
  'network-access-open-to-world',
  'network-access-wide-cidr',
  'network-access-no-comment',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/** Email domains of the generated company; everything else is outside. */
export const COMPANY_EMAIL_DOMAINS = ['northwind-traders.com', 'nwt-labs.io'] as const;
/** Outside domains used for planted outsiders (a webmail and a contractor). */
export const OUTSIDE_EMAIL_DOMAINS = ['gmail.com', 'bytecraft-contractors.com'] as const;

/**
 * The unknown role planted for `unknown-role`. It is a project role because project role names
 * are free strings in every API version, while 2025-02-19 `orgRoles` is a closed enum that a real
 * Atlas response cannot break.
 */
export const PLANTED_UNKNOWN_ROLE = 'GROUP_SUPERUSER';

/** Atlas limits (docs/atlas-api-notes.md §9) the generator never exceeds. */
export const LIMITS = {
  usersPerTeam: 250,
  teamsPerUser: 100,
  teamsPerProject: 100,
  /** Database users per project (Atlas: 100). */
  databaseUsersPerProject: 100,
} as const;

/** Privileged users (idle-privileged-user fires after 30 days) sign in within this many days. */
export const PRIVILEGED_WINDOW_DAYS = 25;
