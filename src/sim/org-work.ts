/**
 * The working state of one organization while it is generated, shared by the generator's phases
 * (generate.ts) and the planters (planters.ts), and the people in it.
 */
import type { Project, Team, User, UserStatus } from '../snapshot/schema.js';
import { DAY, type IdMaker, iso, type Rng } from './estate-random.js';
import { COMPANY_EMAIL_DOMAINS, type PlantedViolation, type ViolationKind } from './estate-terms.js';
import { COUNTRIES, FIRST_NAMES, LAST_NAMES } from './estate-words.js';

/** Mutable working state of one org while it is generated. */
export interface WorkUser {
  user: User;
  /** Holds an admin org role or sits in a project-owner team: must have signed in recently. */
  privileged: boolean;
  /** Reserved for a planted violation: kept as a plain ORG_MEMBER outside admin teams. */
  reserved: boolean;
}

/** State shared across the orgs of one estate (ids and usernames are unique estate-wide). */
export interface EstateState {
  ids: IdMaker;
  now: number;
  usernames: Set<string>;
  nextSuffix: Map<string, number>;
  publicKeys: Set<string>;
  planted: PlantedViolation[];
}

/**
 * Generates an estate. Deterministic: same options, same estate (deep-equal). Organizations pass
 * `organizationSchema`, arrays are sorted by id, `coverage` is all true, `completeness` and

/** Lists a planted violation of the org being generated. */
type Recorder = (
  kind: ViolationKind,
  subjectType: PlantedViolation['subjectType'],
  subjectId: string,
  note: string,
) => void;

/**
 * One organization while it is generated. The generator fills it phase by phase (users, org roles,
 * invitations, teams, projects, sign-ins, direct grants, member lists, keys, service accounts,
 * settings); planters read and change it at the phase they hook.
 */
export interface OrgWork {
  /** The org's stream: everything generated before the complete population (schema 2). */
  readonly rng: Rng;
  /** The org's second stream, for what schema 2 added; draws on it leave `rng`'s estate unchanged. */
  readonly population: Rng;
  /** The org's database-access stream (schema 3): draws on it leave the rest of the estate unchanged. */
  readonly database: Rng;
  readonly state: EstateState;
  readonly opts: { usersPerOrg: number };
  readonly plan: ReadonlySet<ViolationKind>;
  readonly now: number;
  readonly orgId: string;
  readonly record: Recorder;
  /** Active users (invitations excluded), in creation order. */
  active: WorkUser[];
  /** How many active users become ORG_OWNER (the first ones). */
  ownerCount: number;
  owners: WorkUser[];
  /** Plain members each planter set aside in the reserve phase, by kind. */
  readonly reserved: Map<ViolationKind, WorkUser[]>;
  invitations: User[];
  teams: Team[];
  /** Regular teams a planter keeps without members. */
  readonly keptEmpty: Set<Team>;
  /** Regular teams users are placed in (not kept empty). */
  fillable: Team[];
  /** Team id -> member ids, as the team endpoint will list them. */
  readonly members: Map<string, Set<string>>;
  /** User id -> team ids, as the users endpoint will list them. */
  readonly userTeams: Map<string, Set<string>>;
  projects: Project[];
  /** Users whose sign-in a planter placed (stale, never signed in): never made privileged quietly. */
  readonly signInPlanted: Set<string>;
  /** Grants `roles` on `project` to a team (at most LIMITS.teamsPerProject teams per project). */
  grant(project: Project, teamId: string, roles: readonly string[]): void;
  /** The project roles a user holds through its teams: project id -> roles. */
  teamRolesOf(userId: string): Map<string, Set<string>>;
}

export const ADMIN_ORG_ROLES = new Set([
  'ORG_OWNER',
  'ORG_GROUP_CREATOR',
  'ORG_BILLING_ADMIN',
  'ORG_STREAM_PROCESSING_ADMIN',
]);

export function uniqueUsername(
  rng: Rng,
  state: EstateState,
  first: string,
  last: string,
  domains: readonly string[],
): string {
  const domain = rng.pick(domains);
  const base = `${first}.${last}`.toLowerCase();
  let name = `${base}@${domain}`;
  // Remember the next free suffix per base so 50,000 users do not rescan long suffix chains.
  let k = state.nextSuffix.get(base) ?? 2;
  while (state.usernames.has(name)) name = `${base}${k++}@${domain}`;
  state.nextSuffix.set(base, k);
  state.usernames.add(name);
  return name;
}

export function newActiveUser(
  rng: Rng,
  state: EstateState,
  createdMs: number,
  domains: readonly string[],
): User {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  return {
    id: state.ids.next(createdMs),
    username: uniqueUsername(rng, state, firstName, lastName, domains),
    firstName,
    lastName,
    country: rng.pick(COUNTRIES),
    status: 'ACTIVE',
    orgRoles: ['ORG_MEMBER'],
    projectRoles: [],
    teamIds: [],
    createdAt: iso(createdMs),
    lastAuth: null,
    invitationCreatedAt: null,
    invitationExpiresAt: null,
    inviterUsername: null,
  };
}

export function newInvitation(
  rng: Rng,
  state: EstateState,
  invitedMs: number,
  status: UserStatus,
  inviter: string,
): User {
  return {
    id: state.ids.next(invitedMs),
    username: uniqueUsername(rng, state, rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES), COMPANY_EMAIL_DOMAINS),
    firstName: null,
    lastName: null,
    country: null,
    status,
    orgRoles: [rng.chance(0.85) ? 'ORG_MEMBER' : 'ORG_READ_ONLY'],
    projectRoles: [],
    teamIds: [],
    createdAt: null,
    lastAuth: null,
    invitationCreatedAt: iso(invitedMs),
    // Atlas invitations expire 30 days after they are sent; a rejected one has no expiry.
    invitationExpiresAt: status === 'INVITATION_REJECTED' ? null : iso(invitedMs + 30 * DAY),
    inviterUsername: inviter,
  };
}
