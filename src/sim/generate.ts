/**
 * Deterministic generator of Atlas estates (organizations with users, teams, projects, API keys,
 * service accounts, project invitations and settings) in the canonical snapshot shape, with planted
 * policy violations.
 *
 * Design: every organization is first generated "clean" (no violation of any kind listed in
 * {@link VIOLATION_KINDS}, with wide margins around the thresholds the audit rules use), then the
 * violations are planted on purpose and each planted subject is listed in `planted`. So
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
  type AccessListEntry,
  type ApiKey,
  COVERAGE_PARTS,
  coverageOf,
  type Organization,
  type OrgSettings,
  type Project,
  type ProjectInvitation,
  type ProjectRole,
  type ServiceAccount,
  type Team,
  type User,
  type UserStatus,
} from '../snapshot/schema.js';

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
  /** Plant policy violations and list them in `planted` (default true). */
  plantViolations?: boolean;
}

/** A violation placed in the data on purpose; the audit stage must report it. */
export interface PlantedViolation {
  /** One of {@link VIOLATION_KINDS}. */
  kind: ViolationKind;
  orgId: string;
  subjectType: 'org' | 'user' | 'team' | 'project' | 'apiKey' | 'serviceAccount';
  /** Org id, user id, team id, project id, API key id or service account clientId. */
  subjectId: string;
  /** What exactly was planted, for humans reading a test failure. */
  note: string;
}

/** A generated estate: canonical organizations plus the list of violations planted in them. */
export interface Estate {
  organizations: Organization[];
  planted: PlantedViolation[];
  /** The company's own email domains; any other domain is an outside one. */
  companyEmailDomains: string[];
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
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/**
 * Kinds added with the complete population (snapshot schema 2). They are planned and planted from an
 * org stream of their own, so the estate a seed gave before (users, teams, projects, keys) is unchanged.
 */
const POPULATION_KINDS: readonly ViolationKind[] = [
  'service-account-no-access-list',
  'session-timeout-too-long',
];

/** Kinds that need two orgs (an org cannot have both too many and too few owners). */
export const MULTI_ORG_KINDS: readonly ViolationKind[] = ['too-few-org-owners'];

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

/** Email domains of the generated company; everything else is outside. */
export const COMPANY_EMAIL_DOMAINS = ['northwind-traders.com', 'nwt-labs.io'] as const;
/** Outside domains used for planted outsiders (a webmail and a contractor). */
export const OUTSIDE_EMAIL_DOMAINS = ['gmail.com', 'bytecraft-contractors.com'] as const;

/** The Atlas role names the generator grants: those the spec's enums list (the simulator's responses must validate). */
export {
  ATLAS_ORG_ROLES as KNOWN_ORG_ROLES,
  ATLAS_PROJECT_ROLES as KNOWN_PROJECT_ROLES,
} from '../domain/roles.js';
/**
 * The unknown role planted for `unknown-role`. It is a project role because project role names
 * are free strings in every API version, while 2025-02-19 `orgRoles` is a closed enum that a real
 * Atlas response cannot break.
 */
export const PLANTED_UNKNOWN_ROLE = 'GROUP_SUPERUSER';

/** Atlas limits (docs/atlas-api-notes.md §9) the generator never exceeds. */
export const LIMITS = { usersPerTeam: 250, teamsPerUser: 100, teamsPerProject: 100 } as const;

const DAY = 86_400_000;
/** Privileged users (idle-privileged-user fires after 30 days) sign in within this many days. */
const PRIVILEGED_WINDOW_DAYS = 25;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: tiny, fast, good enough for test data; returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a new 32-bit seed (so each org has its own stream). */
function mixSeed(a: number, b: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(b + 0x27d4eb2f, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

/** The instant the ids' timestamps count from: ids do not depend on the clock the estate is generated at. */
const ID_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * ObjectId-like ids: 8 hex of a timestamp, 10 hex fixed per estate (from the seed), 6 hex of a
 * counter. The counter makes every id of an estate unique. The timestamp is the creation time's
 * distance before `now`, counted back from a fixed epoch, so the same seed gives the same ids whenever
 * it runs (a trial can collect today and compare with yesterday's ids), and ids still sort by creation.
 */
class IdMaker {
  private counter: number;
  private readonly machine: string;
  constructor(
    rng: Rng,
    private readonly nowMs: number,
  ) {
    this.machine = hex(rng.int(0, 0xfffff), 5) + hex(rng.int(0, 0xfffff), 5);
    this.counter = rng.int(0, 0xfffff);
  }
  next(atMs: number): string {
    this.counter = (this.counter + 1) % 0x1000000;
    return (
      hex(Math.floor((ID_EPOCH_MS - (this.nowMs - atMs)) / 1000), 8) + this.machine + hex(this.counter, 6)
    );
  }
}

function hex(value: number, width: number): string {
  return (value >>> 0).toString(16).padStart(width, '0').slice(-width);
}

/** UTC ISO-8601 with whole seconds, as Atlas prints it. */
function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

// biome-ignore format: a word list reads better packed
const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chen', 'Dana', 'Elif', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kavya', 'Liam',
  'Maya', 'Nikolai', 'Olga', 'Priya', 'Quentin', 'Rosa', 'Sanjay', 'Tomas', 'Uma', 'Victor', 'Wen',
  'Ximena', 'Yusuf', 'Zoe', 'Amara', 'Ben', 'Carla', 'Dmitri', 'Emma', 'Felix', 'Gita', 'Hannah',
  'Ivan', 'Julia', 'Kenji', 'Lena', 'Mateo', 'Nora', 'Omar', 'Paula', 'Rafael', 'Sofia', 'Theo',
  'Valentina', 'William', 'Yara',
] as const;
// biome-ignore format: a word list reads better packed
const LAST_NAMES = [
  'Adams', 'Bauer', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen',
  'Kowalski', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Quinn', 'Rossi', 'Schmidt', 'Tanaka',
  'Ueda', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang', 'Alvarez', 'Brennan', 'Chopra', 'Diaz', 'Eriksen',
  'Ferreira', 'Gupta', 'Horvat', 'Ivanova', 'Kim', 'Lopez', 'Murphy', 'Novak', 'Olsen', 'Park', 'Reyes',
  'Silva', 'Torres', 'Walsh', 'Young',
] as const;
const COUNTRIES = [
  'US',
  'US',
  'US',
  'GB',
  'DE',
  'FR',
  'IN',
  'CA',
  'IE',
  'NL',
  'ES',
  'BR',
  'JP',
  'AU',
] as const;
// biome-ignore format: a word list reads better packed
const ORG_UNITS = [
  'Payments', 'Retail', 'Logistics', 'Analytics', 'Platform', 'Marketing', 'Research', 'Support',
  'Finance', 'Security', 'Mobile', 'Partners',
] as const;
// biome-ignore format: a word list reads better packed
const TEAM_AREAS = [
  'platform', 'data-eng', 'payments', 'search', 'mobile', 'web', 'analytics', 'security', 'sre',
  'billing', 'ml', 'growth', 'identity', 'infra', 'qa', 'checkout', 'catalog', 'reporting',
] as const;
const PROJECT_STAGES = ['prod', 'staging', 'dev', 'sandbox', 'perf'] as const;
// biome-ignore format: a word list reads better packed
const KEY_PURPOSES = [
  'ci-deploy', 'terraform', 'backup-export', 'metrics-exporter', 'billing-sync', 'ops-scripts',
  'atlas-operator', 'audit-reader',
] as const;

/** Non-owner project grants a regular team may get (never GROUP_OWNER: owners come from admin teams). */
const TEAM_GRANTS: readonly (readonly string[])[] = [
  ['GROUP_READ_ONLY'],
  ['GROUP_DATA_ACCESS_READ_WRITE'],
  ['GROUP_DATA_ACCESS_READ_ONLY'],
  ['GROUP_CLUSTER_MANAGER', 'GROUP_DATA_ACCESS_READ_ONLY'],
  ['GROUP_DATA_ACCESS_ADMIN'],
  ['GROUP_READ_ONLY', 'GROUP_SEARCH_INDEX_EDITOR'],
  ['GROUP_OBSERVABILITY_VIEWER'],
  ['GROUP_BACKUP_MANAGER', 'GROUP_READ_ONLY'],
];

// ---------------------------------------------------------------------------------------------
// Generation

/** Mutable working state of one org while it is generated. */
interface WorkUser {
  user: User;
  /** Holds an admin org role or sits in a project-owner team: must have signed in recently. */
  privileged: boolean;
  /** Reserved for a planted violation: kept as a plain ORG_MEMBER outside admin teams. */
  reserved: boolean;
}

/** State shared across the orgs of one estate (ids and usernames are unique estate-wide). */
interface EstateState {
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
  })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`generateEstate: ${name} must be a non-negative integer, got ${value}`);
    }
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
    organizations.push(generateOrg(rng, population, state, index, opts.orgs, opts, plant));
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
 * Which org-level or guaranteed violations an org receives. Org 0 gets everything that fits in one
 * org; org 1 gets too-few-org-owners; settings violations go to orgs 1 and 2 (org 0 when alone).
 * Other orgs get a random subset, so larger estates look varied.
 */
function plansFor(index: number, orgCount: number, rng: Rng, population: Rng): Set<ViolationKind> {
  const plan = new Set<ViolationKind>();
  if (index === 0) {
    for (const kind of VIOLATION_KINDS) if (!MULTI_ORG_KINDS.includes(kind)) plan.add(kind);
    plan.delete('mfa-not-required');
    plan.delete('api-access-list-not-required');
  } else {
    for (const kind of VIOLATION_KINDS) {
      if (kind === 'too-many-org-owners' || kind === 'too-few-org-owners') continue;
      if (kind === 'mfa-not-required' || kind === 'api-access-list-not-required') continue;
      if (POPULATION_KINDS.includes(kind)) continue;
      if (rng.chance(0.35)) plan.add(kind);
    }
    for (const kind of POPULATION_KINDS) if (population.chance(0.35)) plan.add(kind);
  }
  if (index === 1) plan.add('too-few-org-owners');
  if (index === 1 % orgCount) plan.add('mfa-not-required');
  if (index === 2 % orgCount) plan.add('api-access-list-not-required');
  return plan;
}

function generateOrg(
  rng: Rng,
  population: Rng,
  state: EstateState,
  index: number,
  orgCount: number,
  opts: EstateOptions,
  plantOn: boolean,
): Organization {
  const now = state.now;
  const plan = plantOn ? plansFor(index, orgCount, rng, population) : new Set<ViolationKind>();
  const orgCreated = now - rng.int(900, 2200) * DAY;
  const orgId = state.ids.next(orgCreated);
  const orgName = `Northwind-${ORG_UNITS[index % ORG_UNITS.length]}${index >= ORG_UNITS.length ? `-${Math.floor(index / ORG_UNITS.length) + 1}` : ''}`;
  const record = (
    kind: ViolationKind,
    subjectType: PlantedViolation['subjectType'],
    subjectId: string,
    note: string,
  ) => state.planted.push({ kind, orgId, subjectType, subjectId, note });

  // --- Users: statuses -------------------------------------------------------------------------
  const n = opts.usersPerOrg;
  const expiredCount = plan.has('expired-invitation') ? Math.max(1, Math.round(n * 0.03)) : 0;
  const rejectedCount = n >= 20 ? Math.round(n * 0.02) : 0;
  const stalePendingCount = plan.has('stale-invitation') ? 1 : 0;
  const pendingCount = n >= 10 ? Math.max(1, Math.round(n * 0.05)) : 0;
  let invitationCount = expiredCount + rejectedCount + stalePendingCount + pendingCount;
  // Small orgs keep at least two active users (org owners) before any invitation.
  invitationCount = Math.min(invitationCount, Math.max(0, n - 2));
  const activeCount = n - invitationCount;

  const active: WorkUser[] = [];
  for (let i = 0; i < activeCount; i++) {
    const created = now - rng.int(30, 730) * DAY - rng.int(0, DAY - 1);
    active.push({
      user: newActiveUser(rng, state, created, COMPANY_EMAIL_DOMAINS),
      privileged: false,
      reserved: false,
    });
  }

  // --- Org roles ---------------------------------------------------------------------------------
  let ownerCount = rng.int(2, 3);
  if (plan.has('too-many-org-owners')) ownerCount = rng.int(4, 5);
  if (plan.has('too-few-org-owners')) ownerCount = 1;
  ownerCount = Math.min(ownerCount, active.length);
  const owners = active.slice(0, ownerCount);
  for (const w of owners) {
    w.user.orgRoles = ['ORG_OWNER'];
    w.privileged = true;
  }
  const others = active.slice(ownerCount);
  // Reserve plain members for user-level violations before anything else uses them.
  const pool = rng.shuffle([...others]);
  const reserve = (kind: ViolationKind, count = 1): WorkUser[] => {
    if (!plan.has(kind)) return [];
    const taken = pool.splice(0, Math.min(count, Math.max(0, pool.length - 1)));
    for (const w of taken) w.reserved = true;
    return taken;
  };
  const staleUsers = reserve('stale-last-auth', Math.max(1, Math.round(activeCount * 0.04)));
  const neverSignedIn = reserve('never-signed-in');
  const teamless = reserve('user-without-team');
  const directRoleUsers = reserve('direct-project-roles');
  const unknownRoleUsers = reserve('unknown-role');
  const outsiders = reserve('outside-email-domain', Math.max(1, Math.round(activeCount * 0.02)));
  const mismatchUsers = reserve('team-membership-mismatch', 2);
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
  for (const w of outsiders) {
    state.usernames.delete(w.user.username);
    w.user.username = uniqueUsername(
      rng,
      state,
      w.user.firstName ?? 'user',
      w.user.lastName ?? 'x',
      OUTSIDE_EMAIL_DOMAINS,
    );
    record('outside-email-domain', 'user', w.user.id, `username ${w.user.username} is on an outside domain`);
  }

  // --- Invitations -------------------------------------------------------------------------------
  const inviter = owners[0]?.user.username ?? `admin@${COMPANY_EMAIL_DOMAINS[0]}`;
  const invitations: User[] = [];
  const statusPlan: { status: UserStatus; ageDays: [number, number]; stale?: boolean }[] = [];
  for (let i = 0; i < expiredCount; i++)
    statusPlan.push({ status: 'INVITATION_EXPIRED', ageDays: [35, 300] });
  for (let i = 0; i < stalePendingCount; i++)
    statusPlan.push({ status: 'PENDING', ageDays: [40, 120], stale: true });
  for (let i = 0; i < pendingCount; i++) statusPlan.push({ status: 'PENDING', ageDays: [1, 20] });
  for (let i = 0; i < rejectedCount; i++)
    statusPlan.push({ status: 'INVITATION_REJECTED', ageDays: [2, 200] });
  for (const entry of statusPlan.slice(0, invitationCount)) {
    const invited = now - rng.int(entry.ageDays[0], entry.ageDays[1]) * DAY - rng.int(0, DAY - 1);
    const user = newInvitation(rng, state, invited, entry.status, inviter);
    invitations.push(user);
    if (entry.status === 'INVITATION_EXPIRED') {
      record(
        'expired-invitation',
        'user',
        user.id,
        `invitation for ${user.username} expired ${user.invitationExpiresAt}`,
      );
    }
    if (entry.stale) {
      record(
        'stale-invitation',
        'user',
        user.id,
        `invitation for ${user.username} pending since ${user.invitationCreatedAt}`,
      );
    }
  }

  // --- Teams and membership ------------------------------------------------------------------------
  const teamCount = opts.teamsPerOrg;
  const adminTeamCount = teamCount >= 3 ? Math.max(1, Math.floor(teamCount / 5)) : 0;
  const teams: Team[] = [];
  const teamNames = new Set<string>();
  for (let i = 0; i < teamCount; i++) {
    const admin = i < adminTeamCount;
    const base = `${TEAM_AREAS[i % TEAM_AREAS.length]}${admin ? '-admins' : ''}`;
    let name = base;
    for (let k = 2; teamNames.has(name); k++) name = `${base}-${k}`;
    teamNames.add(name);
    teams.push({ id: state.ids.next(orgCreated + rng.int(1, 800) * DAY), name, memberIds: [] });
  }
  const adminTeams = teams.slice(0, adminTeamCount);
  const regularTeams = teams.slice(adminTeamCount);
  const emptyTeam =
    plan.has('empty-team') && regularTeams.length >= 2 ? regularTeams[regularTeams.length - 1] : undefined;
  const fillable = regularTeams.filter((t) => t !== emptyTeam);
  const members = new Map<string, Set<string>>(teams.map((t) => [t.id, new Set<string>()]));
  const userTeams = new Map<string, Set<string>>();
  const join = (userId: string, teamId: string): boolean => {
    const m = members.get(teamId);
    let ut = userTeams.get(userId);
    if (!ut) {
      ut = new Set();
      userTeams.set(userId, ut);
    }
    if (!m || m.has(userId) || m.size >= LIMITS.usersPerTeam || ut.size >= LIMITS.teamsPerUser) return false;
    m.add(userId);
    ut.add(teamId);
    return true;
  };
  const teamlessIds = new Set(teamless.map((w) => w.user.id));
  const joinable = active.filter((w) => !teamlessIds.has(w.user.id));
  if (fillable.length > 0) {
    for (const w of joinable) {
      const want =
        1 + (rng.chance(0.4) ? 1 : 0) + (rng.chance(0.15) ? 1 : 0) + (mismatchUsers.includes(w) ? 1 : 0);
      for (let attempt = 0; attempt < want * 4 && (userTeams.get(w.user.id)?.size ?? 0) < want; attempt++) {
        join(w.user.id, rng.pick(fillable).id);
      }
      if ((userTeams.get(w.user.id)?.size ?? 0) === 0) {
        for (const t of fillable) if (join(w.user.id, t.id)) break;
      }
    }
    for (const t of fillable) {
      if ((members.get(t.id)?.size ?? 0) === 0 && joinable.length > 0) {
        for (let attempt = 0; attempt < 20; attempt++) if (join(rng.pick(joinable).user.id, t.id)) break;
      }
    }
  }
  // Admin teams (project owners): 1-3 members, owners first, never users reserved for a violation.
  const adminCandidates = joinable.filter((w) => !w.reserved);
  for (const t of adminTeams) {
    const size = rng.int(1, 3);
    for (
      let attempt = 0;
      attempt < 12 && (members.get(t.id)?.size ?? 0) < size && adminCandidates.length > 0;
      attempt++
    ) {
      const w = attempt === 0 && owners.length > 0 ? rng.pick(owners) : rng.pick(adminCandidates);
      if (!w.reserved && join(w.user.id, t.id)) w.privileged = true;
    }
  }
  // Some pending invitations name a team; only teams that already have an active member.
  const withActive = fillable.filter((t) => (members.get(t.id)?.size ?? 0) > 0);
  for (const inv of invitations) {
    if (inv.status === 'PENDING' && withActive.length > 0 && rng.chance(0.3))
      join(inv.id, rng.pick(withActive).id);
  }

  // --- Projects and their teams -----------------------------------------------------------------------
  const projects: Project[] = [];
  const projectNames = new Set<string>();
  const grants = new Map<string, Map<string, Set<string>>>(); // teamId -> projectId -> roles
  const grant = (project: Project, teamId: string, roles: readonly string[]) => {
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
  };
  for (let i = 0; i < opts.projectsPerOrg; i++) {
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
    };
    const adminTeam = adminTeams[i % Math.max(1, adminTeams.length)];
    if (adminTeam) grant(project, adminTeam.id, ['GROUP_OWNER']);
    const regularGrants = Math.min(fillable.length, rng.int(1, 3));
    for (let g = 0; g < regularGrants; g++) grant(project, rng.pick(fillable).id, rng.pick(TEAM_GRANTS));
    projects.push(project);
  }

  // --- Sign-in times --------------------------------------------------------------------------------
  const staleIds = new Set(staleUsers.map((w) => w.user.id));
  const neverIds = new Set(neverSignedIn.map((w) => w.user.id));
  for (const w of active) {
    const u = w.user;
    const created = Date.parse(u.createdAt ?? '');
    if (staleIds.has(u.id)) {
      const last = now - rng.int(100, 600) * DAY;
      u.createdAt = iso(Math.min(created, last - rng.int(1, 100) * DAY));
      u.lastAuth = iso(last);
      const days = Math.floor((now - Date.parse(u.lastAuth)) / DAY);
      record('stale-last-auth', 'user', u.id, `${u.username} last signed in ${days} days ago`);
    } else if (neverIds.has(u.id)) {
      u.createdAt = iso(now - rng.int(45, 400) * DAY);
      u.lastAuth = null;
      record('never-signed-in', 'user', u.id, `${u.username} created ${u.createdAt} and never signed in`);
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
  if (plan.has('idle-privileged-user')) {
    const idle = owners[owners.length - 1];
    // With too few owners the only owner stays active, so the two findings stay separate.
    if (idle && !plan.has('too-few-org-owners')) {
      const last = now - rng.int(45, 80) * DAY;
      idle.user.lastAuth = iso(last);
      idle.user.createdAt = iso(Math.min(Date.parse(idle.user.createdAt ?? ''), last - 30 * DAY));
      record(
        'idle-privileged-user',
        'user',
        idle.user.id,
        `ORG_OWNER ${idle.user.username} idle since ${idle.user.lastAuth}`,
      );
    }
  }

  // --- Direct project grants ----------------------------------------------------------------------------
  // Clean direct grants repeat a role the user already has through a team (Atlas lists both).
  const teamRolesOf = (userId: string): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    for (const teamId of userTeams.get(userId) ?? []) {
      for (const [projectId, roles] of grants.get(teamId) ?? []) {
        const set = out.get(projectId) ?? new Set<string>();
        for (const role of roles) set.add(role);
        out.set(projectId, set);
      }
    }
    return out;
  };
  for (const w of active) {
    if (w.reserved || !rng.chance(0.05)) continue;
    const viaTeams = [...teamRolesOf(w.user.id)].filter(([, roles]) => !roles.has('GROUP_OWNER'));
    if (viaTeams.length === 0) continue;
    const [projectId, roles] = rng.pick(viaTeams);
    w.user.projectRoles = [{ projectId, roles: [rng.pick([...roles].sort())] }];
  }
  const projectOutsideTeams = (userId: string): Project | undefined => {
    const viaTeams = teamRolesOf(userId);
    const candidates = projects.filter((p) => !viaTeams.has(p.id));
    return candidates.length > 0 ? rng.pick(candidates) : undefined;
  };
  for (const w of directRoleUsers) {
    const project = projectOutsideTeams(w.user.id);
    if (!project) continue;
    const role = rng.pick([
      'GROUP_DATA_ACCESS_ADMIN',
      'GROUP_CLUSTER_MANAGER',
      'GROUP_DATA_ACCESS_READ_WRITE',
    ]);
    w.user.projectRoles = [{ projectId: project.id, roles: [role] }];
    record(
      'direct-project-roles',
      'user',
      w.user.id,
      `${role} on project ${project.name} granted directly, not through a team`,
    );
  }
  for (const w of unknownRoleUsers) {
    const project = projectOutsideTeams(w.user.id);
    if (!project) continue;
    w.user.projectRoles = [{ projectId: project.id, roles: [PLANTED_UNKNOWN_ROLE] }];
    record(
      'unknown-role',
      'user',
      w.user.id,
      `unknown role ${PLANTED_UNKNOWN_ROLE} on project ${project.name}`,
    );
    // A direct grant outside any team is a finding of its own; list it so `planted` stays complete.
    record(
      'direct-project-roles',
      'user',
      w.user.id,
      `${PLANTED_UNKNOWN_ROLE} on project ${project.name} granted directly`,
    );
  }

  // --- Project with too many owners ---------------------------------------------------------------------
  if (plan.has('too-many-project-owners') && projects.length > 0) {
    const project = projects[0] as Project;
    const ownerHolders = new Set<string>();
    for (const entry of project.teams) {
      if (entry.roles.includes('GROUP_OWNER'))
        for (const id of members.get(entry.teamId) ?? []) ownerHolders.add(id);
    }
    const activeIds = new Set(active.map((w) => w.user.id));
    const byId = new Map(active.map((w) => [w.user.id, w]));
    // Giving a team GROUP_OWNER makes its members privileged, and idle-privileged-user allows them
    // 30 days where ordinary users get 80. Members whose sign-in is planted far back (stale, never
    // signed in) would add findings that are not in `planted`, so prefer the biggest team without
    // them; the others are moved inside the privileged window below.
    const plantedIdle = new Set([...staleIds, ...neverIds]);
    const candidates = [...fillable]
      .map((t) => ({ t, ids: [...(members.get(t.id) ?? [])].filter((id) => activeIds.has(id)) }))
      .map((c) => ({ ...c, union: new Set([...ownerHolders, ...c.ids]) }))
      .filter((c) => c.union.size > 3)
      .sort((a, b) => b.ids.length - a.ids.length || cmp(a.t.id, b.t.id));
    const chosen = candidates.find((c) => !c.ids.some((id) => plantedIdle.has(id))) ?? candidates[0];
    if (chosen) {
      grant(project, chosen.t.id, ['GROUP_OWNER']);
      record(
        'too-many-project-owners',
        'project',
        project.id,
        `${chosen.union.size} active users hold GROUP_OWNER on ${project.name} (team ${chosen.t.name} was given GROUP_OWNER)`,
      );
      for (const id of chosen.ids) {
        const w = byId.get(id);
        if (!w || w.privileged) continue;
        const u = w.user;
        if (plantedIdle.has(id)) {
          // Only when every big enough team holds one: the extra finding is listed, not hidden.
          record(
            'idle-privileged-user',
            'user',
            id,
            `${u.username} became a project owner through team ${chosen.t.name} and is idle`,
          );
          continue;
        }
        w.privileged = true;
        // Fold the ordinary 80-day window into the 25-day one without drawing from the PRNG, so
        // everything generated after this point stays the same for a seed. Still after createdAt:
        // the new time is later than the old one.
        const last = u.lastAuth === null ? null : Date.parse(u.lastAuth);
        if (last !== null && now - last > PRIVILEGED_WINDOW_DAYS * DAY)
          u.lastAuth = iso(now - ((now - last) % (PRIVILEGED_WINDOW_DAYS * DAY)));
      }
    }
  }

  // --- Membership lists (team endpoint truth vs users endpoint truth) ----------------------------------
  for (const t of teams) t.memberIds = [...(members.get(t.id) ?? [])].sort();
  const allUsers: User[] = [...active.map((w) => w.user), ...invitations];
  for (const u of allUsers) u.teamIds = [...(userTeams.get(u.id) ?? [])].sort();
  if (mismatchUsers.length > 0) {
    const [first, second] = mismatchUsers;
    // first: listed by the team endpoint, but its users-endpoint teamIds lacks the team.
    if (first && first.user.teamIds.length >= 2) {
      const teamId = first.user.teamIds[0] as string;
      first.user.teamIds = first.user.teamIds.slice(1);
      record(
        'team-membership-mismatch',
        'team',
        teamId,
        `team lists user ${first.user.id} but the user's teamIds lack the team`,
      );
    }
    // second: users endpoint says member, team endpoint does not list it.
    const teamOfSecond = second?.user.teamIds[0];
    if (second && teamOfSecond !== undefined && second.user.teamIds.length >= 2) {
      const team = teams.find((t) => t.id === teamOfSecond) as Team;
      team.memberIds = team.memberIds.filter((id) => id !== second.user.id);
      record(
        'team-membership-mismatch',
        'team',
        team.id,
        `user ${second.user.id} has the team in teamIds but the team does not list the user`,
      );
    }
  }

  // --- Structural leftovers: record whatever the sizes forced (so `planted` stays complete) -----------
  for (const t of teams) {
    if (t.memberIds.length === 0) record('empty-team', 'team', t.id, `team ${t.name} has no members`);
  }
  for (const w of active) {
    if (w.user.teamIds.length === 0 && !teams.some((t) => t.memberIds.includes(w.user.id))) {
      record('user-without-team', 'user', w.user.id, `${w.user.username} belongs to no team`);
    }
  }
  const activeOwners = owners.length;
  if (plan.has('too-many-org-owners') && activeOwners > 3) {
    record('too-many-org-owners', 'org', orgId, `${activeOwners} ORG_OWNERs`);
  }
  if (activeOwners < 2) record('too-few-org-owners', 'org', orgId, `${activeOwners} active ORG_OWNER`);

  // --- Programmatic identities and settings ------------------------------------------------------------
  const apiKeys = generateApiKeys(rng, state, opts.apiKeysPerOrg ?? 3, orgCreated, projects, plan, record);
  const maxValidityHours = rng.pick([4380, 8760]);
  const serviceAccounts = generateServiceAccounts(
    rng,
    state,
    opts.serviceAccountsPerOrg ?? 2,
    maxValidityHours,
    plan,
    record,
  );
  const settings: OrgSettings = {
    multiFactorAuthRequired: !plan.has('mfa-not-required'),
    apiAccessListRequired: !plan.has('api-access-list-not-required'),
    restrictEmployeeAccess: rng.chance(0.5),
    maxServiceAccountSecretValidityInHours: maxValidityHours,
    securityContact: `security@${COMPANY_EMAIL_DOMAINS[0]}`,
    ...sessionTimeouts(population, plan, (note) => record('session-timeout-too-long', 'org', orgId, note)),
  };
  if (!settings.multiFactorAuthRequired)
    record('mfa-not-required', 'org', orgId, 'multiFactorAuthRequired is false');
  if (!settings.apiAccessListRequired)
    record('api-access-list-not-required', 'org', orgId, 'apiAccessListRequired is false');

  // --- The rest of the population, from its own stream: what the identities above hold elsewhere ------
  completeServiceAccounts(population, state, serviceAccounts, projects, plan, record);
  serviceAccounts.push(
    ...systemManagedServiceAccounts(
      population,
      state,
      opts.systemManagedServiceAccountsPerOrg ?? 1,
      maxValidityHours,
      projects,
    ),
  );
  const projectInvitations = generateProjectInvitations(population, state, projects, inviter);
  addChartsUser(population, state, active, teams, projects);

  for (const u of allUsers) u.projectRoles.sort(byKey((p) => p.projectId));
  for (const p of projects) {
    p.teams.sort(byKey((t) => t.teamId));
    for (const t of p.teams) t.roles.sort();
  }
  return {
    id: orgId,
    name: orgName,
    coverage: coverageOf(COVERAGE_PARTS),
    users: allUsers.sort(byKey((u) => u.id)),
    teams: teams.sort(byKey((t) => t.id)),
    projects: projects.sort(byKey((p) => p.id)),
    apiKeys: apiKeys.sort(byKey((k) => k.id)),
    serviceAccounts: serviceAccounts.sort(byKey((s) => s.clientId)),
    settings,
    completeness: [],
    notes: [],
    projectInvitations: projectInvitations.sort(byKey((i) => i.id)),
  };
}

const ADMIN_ORG_ROLES = new Set([
  'ORG_OWNER',
  'ORG_GROUP_CREATOR',
  'ORG_BILLING_ADMIN',
  'ORG_STREAM_PROCESSING_ADMIN',
]);

function uniqueUsername(
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

function newActiveUser(rng: Rng, state: EstateState, createdMs: number, domains: readonly string[]): User {
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

function newInvitation(
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

type Recorder = (
  kind: ViolationKind,
  subjectType: PlantedViolation['subjectType'],
  subjectId: string,
  note: string,
) => void;

function generateApiKeys(
  rng: Rng,
  state: EstateState,
  count: number,
  orgCreated: number,
  projects: Project[],
  plan: Set<ViolationKind>,
  record: Recorder,
): ApiKey[] {
  const keys: ApiKey[] = [];
  for (let i = 0; i < count; i++) {
    const created = orgCreated + rng.int(1, 800) * DAY;
    let publicKey = '';
    do {
      publicKey = '';
      for (let c = 0; c < 8; c++) publicKey += String.fromCharCode(97 + rng.int(0, 25));
    } while (state.publicKeys.has(publicKey));
    state.publicKeys.add(publicKey);
    const projectRoles: ProjectRole[] = [];
    const projectCount = Math.min(projects.length, rng.int(0, 2));
    const chosen = new Set<string>();
    for (let p = 0; p < projectCount; p++) {
      const project = rng.pick(projects);
      if (chosen.has(project.id)) continue;
      chosen.add(project.id);
      projectRoles.push({
        projectId: project.id,
        roles: [rng.pick(['GROUP_READ_ONLY', 'GROUP_DATA_ACCESS_READ_ONLY', 'GROUP_CLUSTER_MANAGER'])],
      });
    }
    const accessList: AccessListEntry[] = [];
    const entries = rng.int(1, 3);
    for (let e = 0; e < entries; e++) accessList.push(accessListEntry(rng, state.now, created));
    const key: ApiKey = {
      id: state.ids.next(created),
      publicKey,
      description: `${KEY_PURPOSES[i % KEY_PURPOSES.length]}${i >= KEY_PURPOSES.length ? `-${i}` : ''}`,
      orgRoles: [rng.chance(0.7) ? 'ORG_READ_ONLY' : 'ORG_MEMBER'],
      projectRoles: projectRoles.sort(byKey((p) => p.projectId)),
      accessList: dedupeAccessList(accessList),
    };
    keys.push(key);
  }
  const ownerKey = keys[0];
  if (plan.has('api-key-org-owner') && ownerKey) {
    ownerKey.orgRoles = ['ORG_OWNER'];
    record('api-key-org-owner', 'apiKey', ownerKey.id, `API key ${ownerKey.publicKey} holds ORG_OWNER`);
  }
  const openKey = keys[1] ?? keys[0];
  if (plan.has('api-key-no-access-list') && openKey) {
    openKey.accessList = [];
    record(
      'api-key-no-access-list',
      'apiKey',
      openKey.id,
      `API key ${openKey.publicKey} has an empty access list`,
    );
  }
  return keys;
}

function accessListEntry(rng: Rng, now: number, keyCreated: number): AccessListEntry {
  const created = keyCreated + Math.floor(rng.next() * Math.max(1, now - keyCreated) * 0.5);
  const used = rng.chance(0.8);
  const lastUsedAt = used ? now - rng.int(0, 20) * DAY - rng.int(0, DAY - 1) : null;
  const isCidr = rng.chance(0.3);
  const ip = rng.pick(['203.0.113', '198.51.100', '192.0.2']) + `.${rng.int(1, 254)}`;
  const cidrBlock = isCidr ? `10.${rng.int(0, 255)}.0.0/16` : `${ip}/32`;
  return {
    cidrBlock,
    ipAddress: isCidr ? null : ip,
    createdAt: iso(created),
    lastUsedAt: lastUsedAt === null ? null : iso(Math.max(lastUsedAt, created)),
    lastUsedAddress: used
      ? isCidr
        ? `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
        : ip
      : null,
    // The spec gives `count` a minimum of 1; an entry never used reports none.
    count: used ? rng.int(1, 50_000) : null,
  };
}

function dedupeAccessList(entries: AccessListEntry[]): AccessListEntry[] {
  const seen = new Map<string, AccessListEntry>();
  for (const e of entries) if (!seen.has(e.cidrBlock ?? '')) seen.set(e.cidrBlock ?? '', e);
  return [...seen.values()].sort(byKey((e) => e.cidrBlock ?? ''));
}

function generateServiceAccounts(
  rng: Rng,
  state: EstateState,
  count: number,
  maxValidityHours: number,
  plan: Set<ViolationKind>,
  record: Recorder,
): ServiceAccount[] {
  const now = state.now;
  const validity = maxValidityHours * 3_600_000;
  const accounts: ServiceAccount[] = [];
  for (let i = 0; i < count; i++) {
    const created = now - rng.int(20, 900) * DAY;
    const secrets = [];
    const secretCount = rng.int(1, 2);
    for (let s = 0; s < secretCount; s++) {
      // Clean secrets: issued within the last 60 days (validity >= 182 days) and used recently,
      // or issued within 20 days and not used yet.
      const issued = Math.max(created, now - rng.int(1, 60) * DAY);
      const fresh = now - issued < 20 * DAY;
      const lastUsed = fresh && rng.chance(0.3) ? null : Math.max(issued, now - rng.int(0, 20) * DAY);
      secrets.push({
        id: state.ids.next(issued),
        createdAt: iso(issued),
        expiresAt: iso(issued + validity),
        lastUsedAt: lastUsed === null ? null : iso(lastUsed),
      });
    }
    accounts.push({
      clientId: `mdb_sa_id_${state.ids.next(created)}`,
      name: `${KEY_PURPOSES[(i + 3) % KEY_PURPOSES.length]}-sa${i >= KEY_PURPOSES.length ? `-${i}` : ''}`,
      description: rng.chance(0.8)
        ? `Service account for ${KEY_PURPOSES[(i + 3) % KEY_PURPOSES.length]}`
        : null,
      createdAt: iso(created),
      orgRoles: [rng.chance(0.7) ? 'ORG_READ_ONLY' : 'ORG_MEMBER'],
      secrets: secrets.sort(byKey((x) => x.id)),
      // Filled from the population stream (completeServiceAccounts).
      projectRoles: [],
      accessList: [],
      systemManaged: false,
    });
  }
  const expiredSa = accounts[0];
  if (plan.has('service-account-secret-expired') && expiredSa) {
    const expires = now - rng.int(5, 60) * DAY;
    const issued = expires - validity;
    expiredSa.createdAt = iso(Math.min(Date.parse(expiredSa.createdAt ?? ''), issued));
    const secret = {
      id: state.ids.next(issued),
      createdAt: iso(issued),
      expiresAt: iso(expires),
      lastUsedAt: iso(expires - rng.int(1, 3) * DAY),
    };
    expiredSa.secrets = [...expiredSa.secrets, secret].sort(byKey((x) => x.id));
    record(
      'service-account-secret-expired',
      'serviceAccount',
      expiredSa.clientId,
      `secret ${secret.id} expired ${secret.expiresAt}`,
    );
  }
  const unusedSa = accounts[1] ?? accounts[0];
  if (plan.has('service-account-secret-unused') && unusedSa) {
    // Issued 130-170 days ago, still valid (validity >= 182 days), last used 100+ days ago.
    const issued = now - rng.int(130, 170) * DAY;
    unusedSa.createdAt = iso(Math.min(Date.parse(unusedSa.createdAt ?? ''), issued));
    const secret = {
      id: state.ids.next(issued),
      createdAt: iso(issued),
      expiresAt: iso(issued + validity),
      lastUsedAt: iso(now - rng.int(100, 125) * DAY),
    };
    unusedSa.secrets = [...unusedSa.secrets, secret].sort(byKey((x) => x.id));
    record(
      'service-account-secret-unused',
      'serviceAccount',
      unusedSa.clientId,
      `secret ${secret.id} last used ${secret.lastUsedAt}`,
    );
  }
  return accounts;
}

/** Project grants a service account may hold (fine-grained roles included; never an owner role). */
const SERVICE_ACCOUNT_GRANTS: readonly (readonly string[])[] = [
  ['GROUP_READ_ONLY'],
  ['GROUP_CLUSTER_MANAGER'],
  ['GROUP_BACKUP_MANAGER'],
  ['GROUP_DATA_ACCESS_READ_ONLY'],
  ['GROUP_OBSERVABILITY_VIEWER'],
  ['GROUP_CLUSTER_LOG_VIEWER', 'GROUP_READ_ONLY'],
  ['GROUP_REPLICA_SET_MANAGER'],
  ['GROUP_NETWORK_ACCESS_MANAGER'],
];

/** Up to `max` project grants on distinct projects, sorted by project id. */
function projectGrants(
  rng: Rng,
  projects: readonly Project[],
  max: number,
  grants: readonly (readonly string[])[],
): ProjectRole[] {
  const chosen = new Map<string, string[]>();
  const count = Math.min(projects.length, rng.int(0, max));
  for (let i = 0; i < count; i++) {
    const project = rng.pick(projects);
    if (!chosen.has(project.id)) chosen.set(project.id, [...rng.pick(grants)].sort());
  }
  return [...chosen].map(([projectId, roles]) => ({ projectId, roles })).sort(byKey((p) => p.projectId));
}

/**
 * Org session timeouts (`customSessionTimeouts`). Clean: an idle timeout of at most 30 minutes (the
 * `session-timeout-too-long` default) and the absolute one unset or at most 12 hours. Planted: no idle
 * timeout at all, or one of an hour or two.
 */
function sessionTimeouts(
  rng: Rng,
  plan: Set<ViolationKind>,
  plantedNote: (note: string) => void,
): Pick<OrgSettings, 'idleSessionTimeoutInSeconds' | 'absoluteSessionTimeoutInSeconds'> {
  const absolute = rng.pick([null, 28_800, 43_200]);
  if (!plan.has('session-timeout-too-long')) {
    return {
      idleSessionTimeoutInSeconds: rng.pick([600, 900, 1200, 1800]),
      absoluteSessionTimeoutInSeconds: absolute,
    };
  }
  const idle = rng.pick([null, 3600, 7200]);
  plantedNote(
    idle === null ? 'no idle session timeout (Atlas default)' : `idle session timeout ${idle / 60} minutes`,
  );
  return { idleSessionTimeoutInSeconds: idle, absoluteSessionTimeoutInSeconds: absolute };
}

/**
 * What the org listing of service accounts does not say: their project roles and IP access lists. One
 * user-managed account is planted without an access list.
 */
function completeServiceAccounts(
  rng: Rng,
  state: EstateState,
  accounts: ServiceAccount[],
  projects: readonly Project[],
  plan: Set<ViolationKind>,
  record: Recorder,
): void {
  for (const sa of accounts) {
    sa.projectRoles = projectGrants(rng, projects, 2, SERVICE_ACCOUNT_GRANTS);
    const created = Date.parse(sa.createdAt ?? '');
    const entries: AccessListEntry[] = [];
    for (let e = rng.int(1, 2); e > 0; e--) entries.push(accessListEntry(rng, state.now, created));
    sa.accessList = dedupeAccessList(entries);
  }
  const open = accounts[accounts.length - 1];
  if (plan.has('service-account-no-access-list') && open) {
    open.accessList = [];
    record(
      'service-account-no-access-list',
      'serviceAccount',
      open.clientId,
      `service account ${open.name} has an empty access list`,
    );
  }
}

/**
 * Service accounts Atlas manages for MCP integrations: listed only with `includeSystemManaged=true`.
 * Clean by construction: fresh secrets, recently used; no access list (Atlas manages them).
 */
function systemManagedServiceAccounts(
  rng: Rng,
  state: EstateState,
  count: number,
  maxValidityHours: number,
  projects: readonly Project[],
): ServiceAccount[] {
  const now = state.now;
  const out: ServiceAccount[] = [];
  for (let i = 0; i < count; i++) {
    const created = now - rng.int(20, 300) * DAY;
    const issued = Math.max(created, now - rng.int(1, 30) * DAY);
    const direction = i % 2 === 0 ? 'ingress' : 'egress';
    out.push({
      clientId: `mdb_sa_id_${state.ids.next(created)}`,
      name: `mcp-${direction}${i >= 2 ? `-${i}` : ''}`,
      description: `Managed by Atlas for the MCP ${direction} integration`,
      createdAt: iso(created),
      orgRoles: ['ORG_MEMBER'],
      secrets: [
        {
          id: state.ids.next(issued),
          createdAt: iso(issued),
          expiresAt: iso(issued + maxValidityHours * 3_600_000),
          lastUsedAt: iso(Math.max(issued, now - rng.int(0, 5) * DAY)),
        },
      ],
      projectRoles: projectGrants(rng, projects, 1, [['GROUP_READ_ONLY']]),
      accessList: [],
      systemManaged: true,
    });
  }
  return out;
}

/**
 * Invitations sent through the deprecated project-invite endpoint, which the org users listing does not
 * show: 1-2 per org, recent (no rule judges them; they are listed for review).
 */
function generateProjectInvitations(
  rng: Rng,
  state: EstateState,
  projects: readonly Project[],
  inviter: string,
): ProjectInvitation[] {
  if (projects.length === 0) return [];
  const out: ProjectInvitation[] = [];
  for (let i = rng.int(1, 2); i > 0; i--) {
    const sent = state.now - rng.int(1, 20) * DAY - rng.int(0, DAY - 1);
    const project = rng.pick(projects);
    out.push({
      id: state.ids.next(sent),
      projectId: project.id,
      username: uniqueUsername(
        rng,
        state,
        rng.pick(FIRST_NAMES),
        rng.pick(LAST_NAMES),
        COMPANY_EMAIL_DOMAINS,
      ),
      roles: [...rng.pick(TEAM_GRANTS)].sort(),
      createdAt: iso(sent),
      expiresAt: iso(sent + 30 * DAY),
      inviterUsername: inviter,
    });
  }
  return out;
}

/**
 * The user Atlas Charts creates (`charts+<project id>@mongodb.com`). An existing plain member becomes
 * it, so the org keeps its size (the max preset sits at Atlas's 500-user limit): one outside every
 * owner team and every planted violation, whose teams keep other members (no team becomes empty). It
 * never signs in and reads one project's data directly; the person-centred rules must not judge it.
 */
function addChartsUser(
  rng: Rng,
  state: EstateState,
  active: readonly WorkUser[],
  teams: Team[],
  projects: readonly Project[],
): void {
  const candidates = active.filter(
    (w) =>
      !w.privileged &&
      !w.reserved &&
      w.user.orgRoles.length === 1 &&
      w.user.orgRoles[0] === 'ORG_MEMBER' &&
      !state.planted.some((p) => p.subjectId === w.user.id) &&
      teams.every((t) => !t.memberIds.includes(w.user.id) || t.memberIds.length >= 2),
  );
  if (candidates.length === 0 || projects.length === 0) return;
  const { user } = rng.pick(candidates);
  const project = rng.pick(projects);
  state.usernames.delete(user.username);
  user.username = `charts+${project.id}@mongodb.com`;
  state.usernames.add(user.username);
  user.firstName = 'MongoDB';
  user.lastName = 'Charts';
  user.lastAuth = null;
  user.teamIds = [];
  user.projectRoles = [{ projectId: project.id, roles: ['GROUP_DATA_ACCESS_READ_ONLY'] }];
  for (const t of teams) t.memberIds = t.memberIds.filter((id) => id !== user.id);
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => cmp(key(a), key(b));
}
