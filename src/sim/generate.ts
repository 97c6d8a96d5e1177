/**
 * Deterministic generator of Atlas estates (organizations with users, teams, projects, API keys,
 * service accounts, project invitations and settings) in the canonical snapshot shape, with planted
 * policy violations.
 *
 * Design: every organization is first generated "clean" (no violation of any kind listed in
 * {@link VIOLATION_KINDS}, with wide margins around the thresholds the audit rules use), then the
 * violations are planted on purpose, one planter per kind (planters.ts: the registry this file walks at
 * each phase of an org), and each planted subject is listed in `planted`. So
 * `planted` is the complete list of violations the data holds, and `plantViolations: false` gives an
 * estate an auditor must find clean. Only a seeded PRNG and the `now` option are used: no
 * Math.random, no wall clock.
 *
 * Thresholds the clean data keeps away from (days before `now`): active users signed in within 80
 * (stale is > 90), privileged users (ORG_OWNER, other admin org roles, project-owner team members)
 * within 25 (idle privileged is > 30), users who never signed in were created within 20 (> 30 is a
 * finding), pending invitations created within 20 (> 30 is stale).
 */

import { compareText as cmp } from '../domain/compare-text.js';
import {
  COVERAGE_PARTS,
  coverageOf,
  noDatabaseAccess,
  type Organization,
  type OrgSettings,
  type Project,
  type Team,
  type User,
} from '../snapshot/schema.js';
import { addDatabaseAccess } from './estate-database.js';
import {
  addChartsUser,
  completeServiceAccounts,
  generateApiKeys,
  generateProjectInvitations,
  generateServiceAccounts,
  systemManagedServiceAccounts,
} from './estate-identities.js';
import { byKey, DAY, IdMaker, iso, mixSeed, Rng } from './estate-random.js';
import {
  COMPANY_EMAIL_DOMAINS,
  type EstateOptions,
  LIMITS,
  type PlantedViolation,
  PRIVILEGED_WINDOW_DAYS,
  VIOLATION_KINDS,
  type ViolationKind,
} from './estate-terms.js';
import { ORG_UNITS, PROJECT_STAGES, TEAM_AREAS, TEAM_GRANTS } from './estate-words.js';
import {
  ADMIN_ORG_ROLES,
  type EstateState,
  newActiveUser,
  newInvitation,
  type OrgWork,
  type WorkUser,
} from './org-work.js';
import { PLANTER_ENTRIES, PLANTERS, type PlantedInvitations, type Planter } from './planters.js';

/** The Atlas role names the generator grants: those the spec's enums list (the simulator's responses must validate). */
export {
  ATLAS_ORG_ROLES as KNOWN_ORG_ROLES,
  ATLAS_PROJECT_ROLES as KNOWN_PROJECT_ROLES,
} from '../domain/roles.js';
export {
  COMPANY_EMAIL_DOMAINS,
  type EstateOptions,
  LIMITS,
  VIOLATION_KINDS,
  type ViolationKind,
} from './estate-terms.js';

/** A generated estate: canonical organizations plus the list of violations planted in them. */
export interface Estate {
  organizations: Organization[];
  planted: PlantedViolation[];
  /** The company's own email domains; any other domain is an outside one. */
  companyEmailDomains: string[];
}

/** Kinds that need two orgs (an org cannot have both too many and too few owners). */
export const MULTI_ORG_KINDS: readonly ViolationKind[] = VIOLATION_KINDS.filter((kind) => {
  const placement = PLANTERS[kind].placement;
  return placement.plan === 'at' && placement.at(1) !== 0;
});

type EstateSize = Omit<EstateOptions, 'seed' | 'now'>;

/** Named estate sizes for the CLI, demo, tests and benchmarks. */
export const PRESETS = {
  /** Small, readable estate for the demo: every violation kind appears. */
  demo: {
    orgs: 3,
    usersPerOrg: 60,
    teamsPerOrg: 12,
    projectsPerOrg: 8,
    apiKeysPerOrg: 4,
    serviceAccountsPerOrg: 3,
  },
  /** One organization at Atlas's documented limits (500 users, 250 teams, 250 projects). */
  max: {
    orgs: 1,
    usersPerOrg: 500,
    teamsPerOrg: 250,
    projectsPerOrg: 250,
    apiKeysPerOrg: 50,
    serviceAccountsPerOrg: 20,
  },
  /** The 10-org estate of the collector benchmark. */
  ten: {
    orgs: 10,
    usersPerOrg: 200,
    teamsPerOrg: 40,
    projectsPerOrg: 30,
    apiKeysPerOrg: 10,
    serviceAccountsPerOrg: 5,
  },
  /**
   * One organization at Atlas's limits with database access, for the collector benchmark (bench/collect.ts):
   * 250 projects x 100 database users x 3 dedicated clusters, each with access history.
   */
  'max-db': {
    orgs: 1,
    usersPerOrg: 500,
    teamsPerOrg: 250,
    projectsPerOrg: 250,
    apiKeysPerOrg: 50,
    serviceAccountsPerOrg: 20,
    databaseUsersPerProject: 100,
    clustersPerProject: 3,
    tenantClusterShare: 0,
  },
  /** 100 orgs x 500 users = 50,000 users, for the audit benchmark. */
  large: {
    orgs: 100,
    usersPerOrg: 500,
    teamsPerOrg: 50,
    projectsPerOrg: 40,
    apiKeysPerOrg: 10,
    serviceAccountsPerOrg: 5,
  },
} as const satisfies Record<string, EstateSize>;
export type PresetName = keyof typeof PRESETS;

/**
 * Generates an estate. Deterministic: same options, same estate (deep-equal). Organizations pass
 * `organizationSchema`, arrays are sorted by id, `coverage` is all true, `completeness` and
 * `notes` are empty (the collector fills them).
 */
export function generateEstate(opts: EstateOptions): Estate {
  const nowMs = opts.now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('generateEstate: now is an invalid date');
  for (const [name, value] of Object.entries({
    orgs: opts.orgs,
    usersPerOrg: opts.usersPerOrg,
    teamsPerOrg: opts.teamsPerOrg,
    projectsPerOrg: opts.projectsPerOrg,
    apiKeysPerOrg: opts.apiKeysPerOrg ?? 0,
    serviceAccountsPerOrg: opts.serviceAccountsPerOrg ?? 0,
    systemManagedServiceAccountsPerOrg: opts.systemManagedServiceAccountsPerOrg ?? 0,
    databaseUsersPerProject: opts.databaseUsersPerProject ?? 0,
    clustersPerProject: opts.clustersPerProject ?? 0,
  })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`generateEstate: ${name} must be a non-negative integer, got ${value}`);
    }
  }
  if ((opts.databaseUsersPerProject ?? 0) > LIMITS.databaseUsersPerProject) {
    throw new RangeError(
      `generateEstate: databaseUsersPerProject is at most ${LIMITS.databaseUsersPerProject} (Atlas's limit), got ${opts.databaseUsersPerProject}`,
    );
  }
  const root = new Rng(mixSeed(opts.seed, 0x5eed));
  const state: EstateState = {
    ids: new IdMaker(root, nowMs),
    now: nowMs,
    usernames: new Set(),
    nextSuffix: new Map(),
    publicKeys: new Set(),
    planted: [],
  };
  const plant = opts.plantViolations ?? true;
  const organizations: Organization[] = [];
  for (let index = 0; index < opts.orgs; index++) {
    const rng = new Rng(mixSeed(opts.seed, index + 1));
    const population = new Rng(mixSeed(mixSeed(opts.seed, 0x9091), index + 1));
    const database = new Rng(mixSeed(mixSeed(opts.seed, 0xdb), index + 1));
    const streams = { rng, population, database };
    const plan = plant ? plansFor(index, opts.orgs, streams) : new Set<ViolationKind>();
    organizations.push(generateOrg(streams, state, index, opts, plan));
  }
  organizations.sort(byKey((o) => o.id));
  state.planted.sort(
    (a, b) =>
      cmp(a.orgId, b.orgId) ||
      cmp(a.kind, b.kind) ||
      cmp(a.subjectType, b.subjectType) ||
      cmp(a.subjectId, b.subjectId),
  );
  return { organizations, planted: state.planted, companyEmailDomains: [...COMPANY_EMAIL_DOMAINS] };
}

/**
 * Which kinds an org receives, by each planter's placement: org 0 gets everything that fits in one
 * org, an `at` kind goes to its one org, and other orgs get a random subset (drawn in VIOLATION_KINDS
 * order, the org stream's kinds first), so larger estates look varied.
 */
function plansFor(index: number, orgCount: number, streams: OrgStreams): Set<ViolationKind> {
  const { rng, population, database } = streams;
  const plan = new Set<ViolationKind>();
  const placed = (stream: 'org' | 'population' | 'database') =>
    VIOLATION_KINDS.filter((kind) => {
      const placement = PLANTERS[kind].placement;
      return placement.plan === 'first-and-some' && placement.stream === stream;
    });
  for (const kind of VIOLATION_KINDS) {
    const placement = PLANTERS[kind].placement;
    if (placement.plan === 'at' ? placement.at(orgCount) === index : index === 0) plan.add(kind);
  }
  if (index > 0) {
    for (const kind of placed('org')) if (rng.chance(0.35)) plan.add(kind);
    for (const kind of placed('population')) if (population.chance(0.35)) plan.add(kind);
    for (const kind of placed('database')) if (database.chance(0.35)) plan.add(kind);
  }
  return plan;
}

/** The planters of the org's plan that have `hook`, in registry order. */
function plantersWith<H extends keyof Planter>(
  work: OrgWork,
  hook: H,
): Array<[ViolationKind, Planter & Required<Pick<Planter, H>>]> {
  return PLANTER_ENTRIES.filter(
    (entry): entry is [ViolationKind, Planter & Required<Pick<Planter, H>>] =>
      work.plan.has(entry[0]) && entry[1][hook] !== undefined,
  );
}

/** Runs a phase's hook of every planter in the org's plan. */
function runPhase(
  work: OrgWork,
  hook: 'afterOrgRoles' | 'afterTeamsNamed' | 'afterSignIns' | 'afterDirectGrants' | 'afterMemberLists',
): void {
  for (const [, planter] of plantersWith(work, hook)) planter[hook](work);
}

/** The random streams of one org: the original one, the complete population's, database access's. */
interface OrgStreams {
  rng: Rng;
  population: Rng;
  database: Rng;
}

/** One org: the clean population phase by phase, with the planters of its plan at each phase. */
function generateOrg(
  streams: OrgStreams,
  state: EstateState,
  index: number,
  opts: EstateOptions,
  plan: ReadonlySet<ViolationKind>,
): Organization {
  const { rng, population } = streams;
  const orgCreated = state.now - rng.int(900, 2200) * DAY;
  const orgId = state.ids.next(orgCreated);
  const unit = ORG_UNITS[index % ORG_UNITS.length];
  const orgName = `Northwind-${unit}${index >= ORG_UNITS.length ? `-${Math.floor(index / ORG_UNITS.length) + 1}` : ''}`;
  const work = newOrgWork(streams, state, opts, plan, orgId);

  const invitations = planInvitations(work, opts.usersPerOrg);
  addActiveUsers(work, opts.usersPerOrg - invitations.length);
  grantOrgRoles(work);
  runPhase(work, 'afterOrgRoles');
  const inviter = work.owners[0]?.user.username ?? `admin@${COMPANY_EMAIL_DOMAINS[0]}`;
  sendInvitations(work, invitations, inviter);
  const adminTeams = formTeams(work, opts.teamsPerOrg, orgCreated);
  createProjects(work, adminTeams, opts.projectsPerOrg, index, orgCreated);
  placeSignIns(work);
  runPhase(work, 'afterSignIns');
  addCleanDirectGrants(work);
  runPhase(work, 'afterDirectGrants');
  const allUsers = writeMemberLists(work);
  runPhase(work, 'afterMemberLists');
  for (const [, planter] of PLANTER_ENTRIES) planter.recordForced?.(work);

  const { apiKeys, serviceAccounts, settings, maxValidityHours } = programmaticIdentities(
    work,
    opts,
    orgCreated,
  );
  // The rest of the population, from its own stream: what the identities above hold elsewhere.
  completeServiceAccounts(population, state, serviceAccounts, work.projects);
  for (const [, planter] of plantersWith(work, 'afterPopulation'))
    planter.afterPopulation(work, serviceAccounts);
  const systemManaged = opts.systemManagedServiceAccountsPerOrg ?? 1;
  serviceAccounts.push(
    ...systemManagedServiceAccounts(population, state, systemManaged, maxValidityHours, work.projects),
  );
  const projectInvitations = generateProjectInvitations(population, state, work.projects, inviter);
  addChartsUser(population, state, work.active, work.teams, work.projects);
  // Own ids (not `state.ids`), so the ids of every later org stay what the seed gave before.
  const databaseIds = new IdMaker(work.database, state.now);
  addDatabaseAccess(
    {
      rng: work.database,
      now: state.now,
      memberEmails: work.active.filter((w) => !w.reserved).map((w) => w.user.username),
      nextId: (at) => databaseIds.next(at),
      databaseUsersPerProject: opts.databaseUsersPerProject ?? 6,
      clustersPerProject: opts.clustersPerProject ?? null,
      tenantClusterShare: opts.tenantClusterShare ?? 0.3,
    },
    work.projects,
  );
  for (const [, planter] of plantersWith(work, 'afterDatabase')) planter.afterDatabase(work);

  for (const u of allUsers) u.projectRoles.sort(byKey((p) => p.projectId));
  for (const p of work.projects) {
    p.teams.sort(byKey((t) => t.teamId));
    for (const t of p.teams) t.roles.sort();
  }
  return {
    id: orgId,
    name: orgName,
    coverage: coverageOf(COVERAGE_PARTS),
    users: allUsers.sort(byKey((u) => u.id)),
    teams: work.teams.sort(byKey((t) => t.id)),
    projects: work.projects.sort(byKey((p) => p.id)),
    apiKeys: apiKeys.sort(byKey((k) => k.id)),
    serviceAccounts: serviceAccounts.sort(byKey((s) => s.clientId)),
    settings,
    completeness: [],
    notes: [],
    projectInvitations: projectInvitations.sort(byKey((i) => i.id)),
  };
}

function newOrgWork(
  streams: OrgStreams,
  state: EstateState,
  opts: EstateOptions,
  plan: ReadonlySet<ViolationKind>,
  orgId: string,
): OrgWork {
  const userTeams = new Map<string, Set<string>>();
  const grants = new Map<string, Map<string, Set<string>>>(); // teamId -> projectId -> roles
  return {
    ...streams,
    state,
    opts,
    plan,
    now: state.now,
    orgId,
    record: (kind, subjectType, subjectId, note) =>
      state.planted.push({ kind, orgId, subjectType, subjectId, note }),
    active: [],
    ownerCount: 0,
    owners: [],
    reserved: new Map(),
    invitations: [],
    teams: [],
    keptEmpty: new Set(),
    fillable: [],
    members: new Map(),
    userTeams,
    projects: [],
    signInPlanted: new Set(),
    grant: (project, teamId, roles) => {
      let entry = project.teams.find((t) => t.teamId === teamId);
      if (!entry) {
        if (project.teams.length >= LIMITS.teamsPerProject) return;
        entry = { teamId, roles: [] };
        project.teams.push(entry);
      }
      for (const role of roles) if (!entry.roles.includes(role)) entry.roles.push(role);
      let byProject = grants.get(teamId);
      if (!byProject) {
        byProject = new Map();
        grants.set(teamId, byProject);
      }
      const set = byProject.get(project.id) ?? new Set<string>();
      for (const role of roles) set.add(role);
      byProject.set(project.id, set);
    },
    teamRolesOf: (userId) => {
      const out = new Map<string, Set<string>>();
      for (const teamId of userTeams.get(userId) ?? []) {
        for (const [projectId, roles] of grants.get(teamId) ?? []) {
          const set = out.get(projectId) ?? new Set<string>();
          for (const role of roles) set.add(role);
          out.set(projectId, set);
        }
      }
      return out;
    },
  };
}

/** One invitation to send: its status and age, and the planted kind it stands for. */
interface InvitationSlot {
  status: PlantedInvitations['status'];
  ageDays: [number, number];
  planted?: { kind: ViolationKind; note: PlantedInvitations['note'] };
}

/**
 * The org's invitations, planted ones first, then pending and rejected ones; small orgs keep at least
 * two active users (org owners) before any invitation.
 */
function planInvitations(work: OrgWork, n: number): InvitationSlot[] {
  const slots: InvitationSlot[] = [];
  for (const [kind, planter] of plantersWith(work, 'invitations')) {
    const { count, status, ageDays, note } = planter.invitations(n);
    for (let i = 0; i < count; i++) slots.push({ status, ageDays, planted: { kind, note } });
  }
  const pendingCount = n >= 10 ? Math.max(1, Math.round(n * 0.05)) : 0;
  const rejectedCount = n >= 20 ? Math.round(n * 0.02) : 0;
  for (let i = 0; i < pendingCount; i++) slots.push({ status: 'PENDING', ageDays: [1, 20] });
  for (let i = 0; i < rejectedCount; i++) slots.push({ status: 'INVITATION_REJECTED', ageDays: [2, 200] });
  return slots.slice(0, Math.max(0, n - 2));
}

function addActiveUsers(work: OrgWork, count: number): void {
  const { rng, state } = work;
  for (let i = 0; i < count; i++) {
    const created = state.now - rng.int(30, 730) * DAY - rng.int(0, DAY - 1);
    work.active.push({
      user: newActiveUser(rng, state, created, COMPANY_EMAIL_DOMAINS),
      privileged: false,
      reserved: false,
    });
  }
}

/** Owners first; then plain members set aside for planters; then everyone else's org roles. */
function grantOrgRoles(work: OrgWork): void {
  const { rng, active } = work;
  work.ownerCount = rng.int(2, 3);
  for (const [, planter] of plantersWith(work, 'ownerCount')) planter.ownerCount(work);
  const ownerCount = Math.min(work.ownerCount, active.length);
  work.owners = active.slice(0, ownerCount);
  for (const w of work.owners) {
    w.user.orgRoles = ['ORG_OWNER'];
    w.privileged = true;
  }
  const others = active.slice(ownerCount);
  // Reserve plain members for user-level violations before anything else uses them.
  const pool = rng.shuffle([...others]);
  for (const [kind, planter] of plantersWith(work, 'reserve')) {
    const taken = pool.splice(0, Math.min(planter.reserve(active.length), Math.max(0, pool.length - 1)));
    for (const w of taken) w.reserved = true;
    work.reserved.set(kind, taken);
  }
  for (const w of others) {
    if (w.reserved) {
      w.user.orgRoles = ['ORG_MEMBER'];
      continue;
    }
    const r = rng.next();
    if (r < 0.03) w.user.orgRoles = ['ORG_BILLING_ADMIN', 'ORG_MEMBER'];
    else if (r < 0.06) w.user.orgRoles = ['ORG_GROUP_CREATOR', 'ORG_MEMBER'];
    else if (r < 0.07) w.user.orgRoles = ['ORG_MEMBER', 'ORG_STREAM_PROCESSING_ADMIN'];
    else if (r < 0.11) w.user.orgRoles = ['ORG_READ_ONLY'];
    else if (r < 0.13) w.user.orgRoles = ['ORG_BILLING_READ_ONLY', 'ORG_MEMBER'];
    else w.user.orgRoles = ['ORG_MEMBER'];
    w.privileged = w.user.orgRoles.some((role) => ADMIN_ORG_ROLES.has(role));
  }
}

function sendInvitations(work: OrgWork, slots: readonly InvitationSlot[], inviter: string): void {
  const { rng, state } = work;
  for (const slot of slots) {
    const invited = state.now - rng.int(slot.ageDays[0], slot.ageDays[1]) * DAY - rng.int(0, DAY - 1);
    const user = newInvitation(rng, state, invited, slot.status, inviter);
    work.invitations.push(user);
    if (slot.planted) work.record(slot.planted.kind, 'user', user.id, slot.planted.note(user));
  }
}

/** The reserved users of every planned planter whose `teams` is `how`. */
function reservedJoining(work: OrgWork, how: NonNullable<Planter['teams']>): Set<WorkUser> {
  const out = new Set<WorkUser>();
  for (const [kind, planter] of plantersWith(work, 'teams')) {
    if (planter.teams === how) for (const w of work.reserved.get(kind) ?? []) out.add(w);
  }
  return out;
}

/**
 * Names the teams (admin teams first: they own projects) and fills them within Atlas's limits;
 * returns the admin teams.
 */
function formTeams(work: OrgWork, teamCount: number, orgCreated: number): Team[] {
  const { rng, state } = work;
  const adminTeamCount = teamCount >= 3 ? Math.max(1, Math.floor(teamCount / 5)) : 0;
  const teamNames = new Set<string>();
  for (let i = 0; i < teamCount; i++) {
    const admin = i < adminTeamCount;
    const base = `${TEAM_AREAS[i % TEAM_AREAS.length]}${admin ? '-admins' : ''}`;
    let name = base;
    for (let k = 2; teamNames.has(name); k++) name = `${base}-${k}`;
    teamNames.add(name);
    work.teams.push({ id: state.ids.next(orgCreated + rng.int(1, 800) * DAY), name, memberIds: [] });
  }
  const regularTeams = work.teams.slice(adminTeamCount);
  work.fillable = regularTeams;
  runPhase(work, 'afterTeamsNamed');
  work.fillable = regularTeams.filter((t) => !work.keptEmpty.has(t));
  for (const t of work.teams) work.members.set(t.id, new Set<string>());
  const teamless = reservedJoining(work, 'none');
  const joinable = work.active.filter((w) => !teamless.has(w));
  fillRegularTeams(work, joinable, reservedJoining(work, 'one-more'));
  const adminTeams = work.teams.slice(0, adminTeamCount);
  fillAdminTeams(work, adminTeams, joinable);
  // Some pending invitations name a team; only teams that already have an active member.
  const withActive = work.fillable.filter((t) => (work.members.get(t.id)?.size ?? 0) > 0);
  for (const inv of work.invitations) {
    if (inv.status === 'PENDING' && withActive.length > 0 && rng.chance(0.3))
      join(work, inv.id, rng.pick(withActive).id);
  }
  return adminTeams;
}

/** Adds a user to a team unless a limit (LIMITS) or an existing membership stands in the way. */
function join(work: OrgWork, userId: string, teamId: string): boolean {
  const m = work.members.get(teamId);
  let ut = work.userTeams.get(userId);
  if (!ut) {
    ut = new Set();
    work.userTeams.set(userId, ut);
  }
  if (!m || m.has(userId) || m.size >= LIMITS.usersPerTeam || ut.size >= LIMITS.teamsPerUser) return false;
  m.add(userId);
  ut.add(teamId);
  return true;
}

/** One to three teams per user (one more for `oneMore`); then no fillable team stays empty. */
function fillRegularTeams(
  work: OrgWork,
  joinable: readonly WorkUser[],
  oneMore: ReadonlySet<WorkUser>,
): void {
  const { rng, fillable, userTeams } = work;
  if (fillable.length === 0) return;
  for (const w of joinable) {
    const want = 1 + (rng.chance(0.4) ? 1 : 0) + (rng.chance(0.15) ? 1 : 0) + (oneMore.has(w) ? 1 : 0);
    for (let attempt = 0; attempt < want * 4 && (userTeams.get(w.user.id)?.size ?? 0) < want; attempt++) {
      join(work, w.user.id, rng.pick(fillable).id);
    }
    if ((userTeams.get(w.user.id)?.size ?? 0) === 0) {
      for (const t of fillable) if (join(work, w.user.id, t.id)) break;
    }
  }
  for (const t of fillable) {
    if ((work.members.get(t.id)?.size ?? 0) === 0 && joinable.length > 0) {
      for (let attempt = 0; attempt < 20; attempt++) if (join(work, rng.pick(joinable).user.id, t.id)) break;
    }
  }
}

/** Admin teams (project owners): 1-3 members, owners first, never users reserved for a violation. */
function fillAdminTeams(work: OrgWork, adminTeams: readonly Team[], joinable: readonly WorkUser[]): void {
  const { rng, owners } = work;
  const adminCandidates = joinable.filter((w) => !w.reserved);
  for (const t of adminTeams) {
    const size = rng.int(1, 3);
    for (
      let attempt = 0;
      attempt < 12 && (work.members.get(t.id)?.size ?? 0) < size && adminCandidates.length > 0;
      attempt++
    ) {
      const w = attempt === 0 && owners.length > 0 ? rng.pick(owners) : rng.pick(adminCandidates);
      if (!w.reserved && join(work, w.user.id, t.id)) w.privileged = true;
    }
  }
}

/** Projects, each owned by an admin team and granted to one to three regular teams. */
function createProjects(
  work: OrgWork,
  adminTeams: readonly Team[],
  projectCount: number,
  index: number,
  orgCreated: number,
): void {
  const { rng, state, fillable } = work;
  const projectNames = new Set<string>();
  for (let i = 0; i < projectCount; i++) {
    const area = TEAM_AREAS[(i + index) % TEAM_AREAS.length] ?? 'app';
    const base = `${area}-${PROJECT_STAGES[Math.floor(i / TEAM_AREAS.length) % PROJECT_STAGES.length]}`;
    let name = base;
    for (let k = 2; projectNames.has(name); k++) name = `${base}-${k}`;
    projectNames.add(name);
    const created = orgCreated + rng.int(1, 850) * DAY;
    const project: Project = {
      id: state.ids.next(created),
      name,
      createdAt: iso(created),
      clusterCount: rng.int(0, 4),
      teams: [],
      ...noDatabaseAccess(),
    };
    const adminTeam = adminTeams[i % Math.max(1, adminTeams.length)];
    if (adminTeam) work.grant(project, adminTeam.id, ['GROUP_OWNER']);
    const regularGrants = Math.min(fillable.length, rng.int(1, 3));
    for (let g = 0; g < regularGrants; g++) work.grant(project, rng.pick(fillable).id, rng.pick(TEAM_GRANTS));
    work.projects.push(project);
  }
}

/**
 * Sign-in times: a planter's for its reserved users; else clean: privileged users within 25 days,
 * others within 80, and a few recent invitees who have not signed in yet.
 */
function placeSignIns(work: OrgWork): void {
  const { rng, now } = work;
  const signInBy = new Map<string, Planter & Required<Pick<Planter, 'signIn'>>>();
  for (const [kind, planter] of plantersWith(work, 'signIn')) {
    for (const w of work.reserved.get(kind) ?? []) {
      signInBy.set(w.user.id, planter);
      work.signInPlanted.add(w.user.id);
    }
  }
  for (const w of work.active) {
    const u = w.user;
    const created = Date.parse(u.createdAt ?? '');
    const planter = signInBy.get(u.id);
    if (planter) {
      planter.signIn(work, w);
    } else if (!w.privileged && !w.reserved && rng.chance(0.02)) {
      // A recent invitee who has not signed in yet: not a finding (created within 20 days).
      u.createdAt = iso(now - rng.int(2, 20) * DAY);
      u.lastAuth = null;
    } else {
      const window = (w.privileged ? PRIVILEGED_WINDOW_DAYS : 80) * DAY;
      const last = now - Math.floor(rng.next() * Math.min(window, now - created));
      u.lastAuth = iso(last);
    }
  }
}

/** Clean direct grants repeat a role the user already has through a team (Atlas lists both). */
function addCleanDirectGrants(work: OrgWork): void {
  const { rng } = work;
  for (const w of work.active) {
    if (w.reserved || !rng.chance(0.05)) continue;
    const viaTeams = [...work.teamRolesOf(w.user.id)].filter(([, roles]) => !roles.has('GROUP_OWNER'));
    if (viaTeams.length === 0) continue;
    const [projectId, roles] = rng.pick(viaTeams);
    w.user.projectRoles = [{ projectId, roles: [rng.pick([...roles].sort())] }];
  }
}

/** Member lists as both endpoints report them (team endpoint truth vs users endpoint truth); all users. */
function writeMemberLists(work: OrgWork): User[] {
  for (const t of work.teams) t.memberIds = [...(work.members.get(t.id) ?? [])].sort();
  const allUsers: User[] = [...work.active.map((w) => w.user), ...work.invitations];
  for (const u of allUsers) u.teamIds = [...(work.userTeams.get(u.id) ?? [])].sort();
  return allUsers;
}

/** API keys, user-managed service accounts and org settings, with the planters of each. */
function programmaticIdentities(work: OrgWork, opts: EstateOptions, orgCreated: number) {
  const { rng, state, population } = work;
  const apiKeys = generateApiKeys(rng, state, opts.apiKeysPerOrg ?? 3, orgCreated, work.projects);
  for (const [, planter] of plantersWith(work, 'afterApiKeys')) planter.afterApiKeys(work, apiKeys);
  const maxValidityHours = rng.pick([4380, 8760]);
  const serviceAccounts = generateServiceAccounts(
    rng,
    state,
    opts.serviceAccountsPerOrg ?? 2,
    maxValidityHours,
  );
  for (const [, planter] of plantersWith(work, 'afterServiceAccounts'))
    planter.afterServiceAccounts(work, serviceAccounts, maxValidityHours * 3_600_000);
  const restrictEmployeeAccess = rng.chance(0.5);
  // Clean session timeouts: idle at most 30 minutes, absolute unset or at most 12 hours.
  const absolute = population.pick([null, 28_800, 43_200]);
  const planted: Partial<OrgSettings> = {};
  for (const [, planter] of plantersWith(work, 'settings')) Object.assign(planted, planter.settings(work));
  const settings: OrgSettings = {
    multiFactorAuthRequired: true,
    apiAccessListRequired: true,
    restrictEmployeeAccess,
    maxServiceAccountSecretValidityInHours: maxValidityHours,
    securityContact: `security@${COMPANY_EMAIL_DOMAINS[0]}`,
    idleSessionTimeoutInSeconds:
      'idleSessionTimeoutInSeconds' in planted
        ? (planted.idleSessionTimeoutInSeconds ?? null)
        : population.pick([600, 900, 1200, 1800]),
    absoluteSessionTimeoutInSeconds: absolute,
    ...planted,
  };
  return { apiKeys, serviceAccounts, settings, maxValidityHours };
}
