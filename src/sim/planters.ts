/**
 * One planter per violation kind: where the kind is planned (which orgs) and what it changes in an
 * org at the generator's phases (generate.ts walks {@link PLANTERS} at each phase). A new rule adds its
 * kind to VIOLATION_KINDS, one planter here and one line in {@link PLANTERS}.
 *
 * Planters are clean-data first: the generator builds every org clean, with wide margins around the
 * thresholds the rules use, and a planter changes exactly what its rule must find, listing each
 * subject it changed (`record`), so `planted` is the complete list of violations the data holds.
 */
import { compareText as cmp } from '../domain/compare-text.js';
import type { ApiKey, OrgSettings, ServiceAccount, Team, User, UserStatus } from '../snapshot/schema.js';
import { byKey, DAY, iso } from './estate-random.js';
import {
  OUTSIDE_EMAIL_DOMAINS,
  PLANTED_UNKNOWN_ROLE,
  PRIVILEGED_WINDOW_DAYS,
  type ViolationKind,
} from './estate-terms.js';
import { type OrgWork, uniqueUsername, type WorkUser } from './org-work.js';
import { DATABASE_PLANTERS } from './planters-database.js';

/**
 * Which orgs of an estate a kind is planned in.
 * - `first-and-some`: org 0, and each other org with chance 0.35, drawn from the org stream (`org`)
 *   or, for kinds added with the complete population (schema 2), from the population stream, or for
 *   database access (schema 3) from the database stream, so the estate a seed gave before is unchanged;
 * - `first`: org 0 only;
 * - `at`: the one org with index `at(orgCount)` (an org cannot have both too many and too few owners).
 */
type Placement =
  | { plan: 'first-and-some'; stream: 'org' | 'population' | 'database' }
  | { plan: 'first' }
  | { plan: 'at'; at: (orgCount: number) => number };

/** Invitations a planter adds to an org's invitations (before the clean pending and rejected ones). */
export interface PlantedInvitations {
  count: number;
  status: UserStatus;
  /** Days before `now` the invitation was sent, inclusive. */
  ageDays: [number, number];
  note: (user: User) => string;
}

/**
 * A planter. Every hook is optional and runs only in orgs whose plan has the kind, except
 * `recordForced`, which runs in every org. Hooks run in the generator's phase order; within a phase,
 * in the order of {@link PLANTERS}, which fixes the random numbers each one draws (keep it).
 */
export interface Planter {
  placement: Placement;
  /** Invitations to send, before the clean ones (their count comes off the org's active users). */
  invitations?: (usersPerOrg: number) => PlantedInvitations;
  /** Changes how many active users become ORG_OWNER (`work.ownerCount`). */
  ownerCount?: (work: OrgWork) => void;
  /** How many plain members to set aside (`work.reserved`): they stay ORG_MEMBER outside admin teams. */
  reserve?: (activeCount: number) => number;
  /** How reserved users join teams: not at all, or in one team more than usual. */
  teams?: 'none' | 'one-more';
  /** After org roles are granted. */
  afterOrgRoles?: (work: OrgWork) => void;
  /** After teams are named, before anyone joins one. */
  afterTeamsNamed?: (work: OrgWork) => void;
  /** Places the sign-in of each reserved user (instead of a clean one). */
  signIn?: (work: OrgWork, w: WorkUser) => void;
  /** After every sign-in is placed. */
  afterSignIns?: (work: OrgWork) => void;
  /** After the clean direct project grants. */
  afterDirectGrants?: (work: OrgWork) => void;
  /** After the member lists of teams and users are written. */
  afterMemberLists?: (work: OrgWork) => void;
  /** Runs in every org: records what the sizes forced, so `planted` stays complete. */
  recordForced?: (work: OrgWork) => void;
  afterApiKeys?: (work: OrgWork, keys: ApiKey[]) => void;
  /** `validityMs`: the org's maximum secret validity. */
  afterServiceAccounts?: (work: OrgWork, accounts: ServiceAccount[], validityMs: number) => void;
  /** Settings that differ from the clean ones. */
  settings?: (work: OrgWork) => Partial<OrgSettings>;
  /** After the population stream completes the service accounts (project roles, access lists). */
  afterPopulation?: (work: OrgWork, accounts: ServiceAccount[]) => void;
  /** After the clean database access of every project (estate-database.ts); draws on `work.database`. */
  afterDatabase?: (work: OrgWork) => void;
}

const everywhere: Placement = { plan: 'first-and-some', stream: 'org' };
const reserveOne = () => 1;

/** The reserved users of `kind` in `work`. */
function reservedFor(work: OrgWork, kind: ViolationKind): WorkUser[] {
  return work.reserved.get(kind) ?? [];
}

/** A project none of the user's teams grants a role on (a direct grant there is a finding). */
function projectOutsideTeams(work: OrgWork, userId: string) {
  const viaTeams = work.teamRolesOf(userId);
  const candidates = work.projects.filter((p) => !viaTeams.has(p.id));
  return candidates.length > 0 ? work.rng.pick(candidates) : undefined;
}

/** Adds a secret to a service account and makes the account at least as old as it. */
function addSecret(
  work: OrgWork,
  sa: ServiceAccount,
  issued: number,
  expires: number,
  lastUsed: number,
): ServiceAccount['secrets'][number] {
  sa.createdAt = iso(Math.min(Date.parse(sa.createdAt ?? ''), issued));
  const secret = {
    id: work.state.ids.next(issued),
    createdAt: iso(issued),
    expiresAt: iso(expires),
    lastUsedAt: iso(lastUsed),
  };
  sa.secrets = [...sa.secrets, secret].sort(byKey((x) => x.id));
  return secret;
}

const tooManyOrgOwners: Planter = {
  placement: { plan: 'first' },
  ownerCount: (work) => {
    work.ownerCount = work.rng.int(4, 5);
  },
  recordForced: (work) => {
    const owners = work.owners.length;
    if (work.plan.has('too-many-org-owners') && owners > 3)
      work.record('too-many-org-owners', 'org', work.orgId, `${owners} ORG_OWNERs`);
  },
};

const tooFewOrgOwners: Planter = {
  placement: { plan: 'at', at: () => 1 },
  ownerCount: (work) => {
    work.ownerCount = 1;
  },
  recordForced: (work) => {
    const owners = work.owners.length;
    if (owners < 2) work.record('too-few-org-owners', 'org', work.orgId, `${owners} active ORG_OWNER`);
  },
};

const staleLastAuth: Planter = {
  placement: everywhere,
  reserve: (activeCount) => Math.max(1, Math.round(activeCount * 0.04)),
  signIn: (work, w) => {
    const u = w.user;
    const last = work.now - work.rng.int(100, 600) * DAY;
    u.createdAt = iso(Math.min(Date.parse(u.createdAt ?? ''), last - work.rng.int(1, 100) * DAY));
    u.lastAuth = iso(last);
    const days = Math.floor((work.now - Date.parse(u.lastAuth)) / DAY);
    work.record('stale-last-auth', 'user', u.id, `${u.username} last signed in ${days} days ago`);
  },
};

const neverSignedIn: Planter = {
  placement: everywhere,
  reserve: reserveOne,
  signIn: (work, w) => {
    const u = w.user;
    u.createdAt = iso(work.now - work.rng.int(45, 400) * DAY);
    u.lastAuth = null;
    work.record('never-signed-in', 'user', u.id, `${u.username} created ${u.createdAt} and never signed in`);
  },
};

const idlePrivilegedUser: Planter = {
  placement: everywhere,
  afterSignIns: (work) => {
    const idle = work.owners[work.owners.length - 1];
    // With too few owners the only owner stays active, so the two findings stay separate.
    if (!idle || work.plan.has('too-few-org-owners')) return;
    const last = work.now - work.rng.int(45, 80) * DAY;
    idle.user.lastAuth = iso(last);
    idle.user.createdAt = iso(Math.min(Date.parse(idle.user.createdAt ?? ''), last - 30 * DAY));
    work.record(
      'idle-privileged-user',
      'user',
      idle.user.id,
      `ORG_OWNER ${idle.user.username} idle since ${idle.user.lastAuth}`,
    );
  },
};

const userWithoutTeam: Planter = {
  placement: everywhere,
  reserve: reserveOne,
  teams: 'none',
  recordForced: (work) => {
    for (const w of work.active) {
      if (w.user.teamIds.length === 0 && !work.teams.some((t) => t.memberIds.includes(w.user.id))) {
        work.record('user-without-team', 'user', w.user.id, `${w.user.username} belongs to no team`);
      }
    }
  },
};

const directProjectRoles: Planter = {
  placement: everywhere,
  reserve: reserveOne,
  afterDirectGrants: (work) => {
    for (const w of reservedFor(work, 'direct-project-roles')) {
      const project = projectOutsideTeams(work, w.user.id);
      if (!project) continue;
      const role = work.rng.pick([
        'GROUP_DATA_ACCESS_ADMIN',
        'GROUP_CLUSTER_MANAGER',
        'GROUP_DATA_ACCESS_READ_WRITE',
      ]);
      w.user.projectRoles = [{ projectId: project.id, roles: [role] }];
      work.record(
        'direct-project-roles',
        'user',
        w.user.id,
        `${role} on project ${project.name} granted directly, not through a team`,
      );
    }
  },
};

const unknownRole: Planter = {
  placement: everywhere,
  reserve: reserveOne,
  afterDirectGrants: (work) => {
    for (const w of reservedFor(work, 'unknown-role')) {
      const project = projectOutsideTeams(work, w.user.id);
      if (!project) continue;
      w.user.projectRoles = [{ projectId: project.id, roles: [PLANTED_UNKNOWN_ROLE] }];
      const where = `on project ${project.name}`;
      work.record('unknown-role', 'user', w.user.id, `unknown role ${PLANTED_UNKNOWN_ROLE} ${where}`);
      // A direct grant outside any team is a finding of its own; list it so `planted` stays complete.
      work.record(
        'direct-project-roles',
        'user',
        w.user.id,
        `${PLANTED_UNKNOWN_ROLE} ${where} granted directly`,
      );
    }
  },
};

const outsideEmailDomain: Planter = {
  placement: everywhere,
  reserve: (activeCount) => Math.max(1, Math.round(activeCount * 0.02)),
  afterOrgRoles: (work) => {
    for (const w of reservedFor(work, 'outside-email-domain')) {
      work.state.usernames.delete(w.user.username);
      const { firstName, lastName } = w.user;
      w.user.username = uniqueUsername(
        work.rng,
        work.state,
        firstName ?? 'user',
        lastName ?? 'x',
        OUTSIDE_EMAIL_DOMAINS,
      );
      const note = `username ${w.user.username} is on an outside domain`;
      work.record('outside-email-domain', 'user', w.user.id, note);
    }
  },
};

const teamMembershipMismatch: Planter = {
  placement: everywhere,
  reserve: () => 2,
  teams: 'one-more',
  afterMemberLists: (work) => {
    const [first, second] = reservedFor(work, 'team-membership-mismatch');
    // first: listed by the team endpoint, but its users-endpoint teamIds lacks the team.
    if (first && first.user.teamIds.length >= 2) {
      const teamId = first.user.teamIds[0] as string;
      first.user.teamIds = first.user.teamIds.slice(1);
      const note = `team lists user ${first.user.id} but the user's teamIds lack the team`;
      work.record('team-membership-mismatch', 'team', teamId, note);
    }
    // second: users endpoint says member, team endpoint does not list it.
    const teamOfSecond = second?.user.teamIds[0];
    if (second && teamOfSecond !== undefined && second.user.teamIds.length >= 2) {
      const team = work.teams.find((t) => t.id === teamOfSecond) as Team;
      team.memberIds = team.memberIds.filter((id) => id !== second.user.id);
      const note = `user ${second.user.id} has the team in teamIds but the team does not list the user`;
      work.record('team-membership-mismatch', 'team', team.id, note);
    }
  },
};

const expiredInvitation: Planter = {
  placement: everywhere,
  invitations: (n) => ({
    count: Math.max(1, Math.round(n * 0.03)),
    status: 'INVITATION_EXPIRED',
    ageDays: [35, 300],
    note: (user) => `invitation for ${user.username} expired ${user.invitationExpiresAt}`,
  }),
};

const staleInvitation: Planter = {
  placement: everywhere,
  invitations: () => ({
    count: 1,
    status: 'PENDING',
    ageDays: [40, 120],
    note: (user) => `invitation for ${user.username} pending since ${user.invitationCreatedAt}`,
  }),
};

const emptyTeam: Planter = {
  placement: everywhere,
  afterTeamsNamed: (work) => {
    const regular = work.fillable;
    if (regular.length >= 2) work.keptEmpty.add(regular[regular.length - 1] as Team);
  },
  recordForced: (work) => {
    for (const t of work.teams) {
      if (t.memberIds.length === 0) work.record('empty-team', 'team', t.id, `team ${t.name} has no members`);
    }
  },
};

/**
 * Gives the biggest suitable team GROUP_OWNER on the first project, so more than three active users
 * own it. Its members become privileged, and idle-privileged-user allows them 30 days where ordinary
 * users get 80: members whose sign-in is planted far back would add findings that are not in
 * `planted`, so the team chosen is the biggest one without them; the others are moved inside the
 * privileged window.
 */
const tooManyProjectOwners: Planter = {
  placement: everywhere,
  afterDirectGrants: (work) => {
    const project = work.projects[0];
    if (!project) return;
    const ownerHolders = new Set<string>();
    for (const entry of project.teams) {
      if (entry.roles.includes('GROUP_OWNER'))
        for (const id of work.members.get(entry.teamId) ?? []) ownerHolders.add(id);
    }
    const activeIds = new Set(work.active.map((w) => w.user.id));
    const candidates = [...work.fillable]
      .map((t) => ({ t, ids: [...(work.members.get(t.id) ?? [])].filter((id) => activeIds.has(id)) }))
      .map((c) => ({ ...c, union: new Set([...ownerHolders, ...c.ids]) }))
      .filter((c) => c.union.size > 3)
      .sort((a, b) => b.ids.length - a.ids.length || cmp(a.t.id, b.t.id));
    const chosen = candidates.find((c) => !c.ids.some((id) => work.signInPlanted.has(id))) ?? candidates[0];
    if (!chosen) return;
    work.grant(project, chosen.t.id, ['GROUP_OWNER']);
    work.record(
      'too-many-project-owners',
      'project',
      project.id,
      `${chosen.union.size} active users hold GROUP_OWNER on ${project.name} (team ${chosen.t.name} was given GROUP_OWNER)`,
    );
    const byId = new Map(work.active.map((w) => [w.user.id, w]));
    for (const id of chosen.ids) {
      const w = byId.get(id);
      if (w && !w.privileged) makeProjectOwner(work, w, chosen.t.name);
    }
  },
};

/** A member of a team just given GROUP_OWNER: privileged from now on, or listed when planted idle. */
function makeProjectOwner(work: OrgWork, w: WorkUser, teamName: string): void {
  const u = w.user;
  if (work.signInPlanted.has(u.id)) {
    // Only when every big enough team holds one: the extra finding is listed, not hidden.
    const note = `${u.username} became a project owner through team ${teamName} and is idle`;
    work.record('idle-privileged-user', 'user', u.id, note);
    return;
  }
  w.privileged = true;
  // Fold the ordinary 80-day window into the 25-day one without drawing from the PRNG, so
  // everything generated after this point stays the same for a seed. Still after createdAt:
  // the new time is later than the old one.
  const last = u.lastAuth === null ? null : Date.parse(u.lastAuth);
  const window = PRIVILEGED_WINDOW_DAYS * DAY;
  if (last !== null && work.now - last > window) u.lastAuth = iso(work.now - ((work.now - last) % window));
}

const apiKeyOrgOwner: Planter = {
  placement: everywhere,
  afterApiKeys: (work, keys) => {
    const key = keys[0];
    if (!key) return;
    key.orgRoles = ['ORG_OWNER'];
    work.record('api-key-org-owner', 'apiKey', key.id, `API key ${key.publicKey} holds ORG_OWNER`);
  },
};

const apiKeyNoAccessList: Planter = {
  placement: everywhere,
  afterApiKeys: (work, keys) => {
    const key = keys[1] ?? keys[0];
    if (!key) return;
    key.accessList = [];
    work.record(
      'api-key-no-access-list',
      'apiKey',
      key.id,
      `API key ${key.publicKey} has an empty access list`,
    );
  },
};

const serviceAccountSecretExpired: Planter = {
  placement: everywhere,
  afterServiceAccounts: (work, accounts, validityMs) => {
    const sa = accounts[0];
    if (!sa) return;
    const expires = work.now - work.rng.int(5, 60) * DAY;
    const lastUsed = expires - work.rng.int(1, 3) * DAY;
    const secret = addSecret(work, sa, expires - validityMs, expires, lastUsed);
    const note = `secret ${secret.id} expired ${secret.expiresAt}`;
    work.record('service-account-secret-expired', 'serviceAccount', sa.clientId, note);
  },
};

const serviceAccountSecretUnused: Planter = {
  placement: everywhere,
  afterServiceAccounts: (work, accounts, validityMs) => {
    const sa = accounts[1] ?? accounts[0];
    if (!sa) return;
    // Issued 130-170 days ago, still valid (validity >= 182 days), last used 100+ days ago.
    const issued = work.now - work.rng.int(130, 170) * DAY;
    const lastUsed = work.now - work.rng.int(100, 125) * DAY;
    const secret = addSecret(work, sa, issued, issued + validityMs, lastUsed);
    const note = `secret ${secret.id} last used ${secret.lastUsedAt}`;
    work.record('service-account-secret-unused', 'serviceAccount', sa.clientId, note);
  },
};

const mfaNotRequired: Planter = {
  placement: { plan: 'at', at: (orgCount) => 1 % orgCount },
  settings: (work) => {
    work.record('mfa-not-required', 'org', work.orgId, 'multiFactorAuthRequired is false');
    return { multiFactorAuthRequired: false };
  },
};

const apiAccessListNotRequired: Planter = {
  placement: { plan: 'at', at: (orgCount) => 2 % orgCount },
  settings: (work) => {
    work.record('api-access-list-not-required', 'org', work.orgId, 'apiAccessListRequired is false');
    return { apiAccessListRequired: false };
  },
};

const serviceAccountNoAccessList: Planter = {
  placement: { plan: 'first-and-some', stream: 'population' },
  afterPopulation: (work, accounts) => {
    const open = accounts[accounts.length - 1];
    if (!open) return;
    open.accessList = [];
    const note = `service account ${open.name} has an empty access list`;
    work.record('service-account-no-access-list', 'serviceAccount', open.clientId, note);
  },
};

/** Clean orgs have an idle timeout of at most 30 minutes; planted: none at all, or an hour or two. */
const sessionTimeoutTooLong: Planter = {
  placement: { plan: 'first-and-some', stream: 'population' },
  settings: (work) => {
    const idle = work.population.pick([null, 3600, 7200]);
    const note =
      idle === null ? 'no idle session timeout (Atlas default)' : `idle session timeout ${idle / 60} minutes`;
    work.record('session-timeout-too-long', 'org', work.orgId, note);
    return { idleSessionTimeoutInSeconds: idle };
  },
};

/**
 * The registry. Its order is the order planters act within a phase, which fixes the random numbers
 * each one draws: the same seed gives the same estate only while this order holds (test/sim/generate-stable.test.ts).
 */
export const PLANTERS: { readonly [K in ViolationKind]: Planter } = {
  'too-many-org-owners': tooManyOrgOwners,
  'too-few-org-owners': tooFewOrgOwners,
  'stale-last-auth': staleLastAuth,
  'never-signed-in': neverSignedIn,
  'idle-privileged-user': idlePrivilegedUser,
  'user-without-team': userWithoutTeam,
  'direct-project-roles': directProjectRoles,
  'unknown-role': unknownRole,
  'outside-email-domain': outsideEmailDomain,
  'team-membership-mismatch': teamMembershipMismatch,
  'expired-invitation': expiredInvitation,
  'stale-invitation': staleInvitation,
  'empty-team': emptyTeam,
  'too-many-project-owners': tooManyProjectOwners,
  'api-key-org-owner': apiKeyOrgOwner,
  'api-key-no-access-list': apiKeyNoAccessList,
  'service-account-secret-expired': serviceAccountSecretExpired,
  'service-account-secret-unused': serviceAccountSecretUnused,
  'mfa-not-required': mfaNotRequired,
  'api-access-list-not-required': apiAccessListNotRequired,
  'service-account-no-access-list': serviceAccountNoAccessList,
  'session-timeout-too-long': sessionTimeoutTooLong,
  ...DATABASE_PLANTERS,
};

/** The registry's planters in its order, with their kinds. */
export const PLANTER_ENTRIES = Object.entries(PLANTERS) as ReadonlyArray<[ViolationKind, Planter]>;
