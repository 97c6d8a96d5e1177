/**
 * Derived facts: computed once per subject, as flat plain values, before any rule runs.
 *
 * Why flat: json-rules-engine resolves `path` with JSONPath on every condition, which measured ~3x
 * slower than plain facts (measured), and a misspelt path silently never fires.
 * So rules name facts only, and every fact is declared here with its type per subject kind, which
 * lets rule loading reject a condition that names an unknown fact or compares it with the wrong type.
 *
 * Everything is a pure function of the snapshot, the policy's global lists and `now`.
 */

import { nonHumanUser } from '../domain/identities.js';
import { GROUP_OWNER, highestPrivilege, knownRoleSet, ORG_OWNER, rolePrivilege } from '../domain/roles.js';
import type { SubjectKind, SubjectRef } from '../domain/subject.js';
import { teamsOfUsers } from '../domain/team-membership.js';
import type { CoveragePart, Organization, OrgSettings, Snapshot, User } from '../snapshot/schema.js';

/** The value types a fact may have. `string[]` facts are sorted. */
export type FactType = 'number' | 'string' | 'boolean' | 'string[]';

/** Declaration of one derived fact. */
export interface FactSpec {
  type: FactType;
  /** True when the fact may be null (unknown / not applicable); comparisons against null never fire. */
  nullable: boolean;
  description: string;
  /**
   * Coverage the value is derived from beyond the subject's own listing (src/snapshot/schema.ts
   * `coverageSchema`). Where an org lacks one, the value means nothing (a null `lastAuth` from an API
   * that reports no sign-ins is not "never signed in"), so a rule reading the fact is not evaluated
   * there (src/rules/requirements.ts).
   */
  requires?: readonly CoveragePart[];
}

export type FactValue = string | number | boolean | null | string[];
export type FactRecord = Record<string, FactValue>;

const f = (type: FactType, description: string, nullable = false): FactSpec => ({
  type,
  nullable,
  description,
});

/** The same fact, derived from the given coverage parts. */
const needs = (spec: FactSpec, ...requires: CoveragePart[]): FactSpec => ({ ...spec, requires });

const NAME = f(
  'string',
  'Display name of the subject (username, team/project/org name, key description, ...)',
);

/** Every fact each subject kind provides. Rule loading checks conditions and templates against this. */
export const FACTS: Record<SubjectKind, Record<string, FactSpec>> = {
  org: {
    name: NAME,
    usersCovered: f('boolean', 'The source API listed the users of this org'),
    settingsCovered: f('boolean', 'The source API reported the org security settings'),
    ownerCount: needs(f('number', 'Users holding ORG_OWNER whose membership is ACTIVE or PENDING'), 'users'),
    owners: needs(f('string[]', 'Usernames counted in ownerCount'), 'users'),
    activeOwnerCount: needs(
      f(
        'number',
        'ACTIVE users holding ORG_OWNER; where the source reports sign-ins, only those who signed in at least once',
      ),
      'users',
    ),
    activeOwners: needs(f('string[]', 'Usernames counted in activeOwnerCount'), 'users'),
    userCount: needs(f('number', 'Users listed in the org (all statuses)'), 'users'),
    mfaRequired: needs(
      f('boolean', 'Org setting multiFactorAuthRequired (null when not reported)', true),
      'settings',
    ),
    apiAccessListRequired: needs(
      f('boolean', 'Org setting apiAccessListRequired (null when not reported)', true),
      'settings',
    ),
    sessionTimeoutsCovered: needs(
      f('boolean', 'The org settings were collected with their session timeouts'),
      'settings',
    ),
    hasIdleSessionTimeout: needs(
      f(
        'boolean',
        'Sessions end after a period of inactivity: an idle timeout is set, or Atlas for Government applies its default of 10 minutes',
      ),
      'settings',
      'sessionTimeouts',
    ),
    idleSessionTimeoutMinutes: needs(
      f(
        'number',
        'Idle session timeout in minutes, Atlas for Government default included; null when there is none',
        true,
      ),
      'settings',
      'sessionTimeouts',
    ),
    absoluteSessionTimeoutMinutes: needs(
      f('number', "Absolute session timeout in minutes (unset: Atlas's 720, 12 hours)", true),
      'settings',
      'sessionTimeouts',
    ),
    sessionTimeouts: needs(
      f('string', 'Both session timeouts in words, e.g. "idle: none; absolute: 720 min (Atlas default)"'),
      'settings',
      'sessionTimeouts',
    ),
  },
  user: {
    name: NAME,
    username: f('string', 'Login name'),
    isHuman: f(
      'boolean',
      'A person: false for the users Atlas creates itself (Atlas Charts: charts+<id>@mongodb.com)',
    ),
    nonHumanKind: f('string', 'What created a non-human user (e.g. atlas-charts); null for a person', true),
    status: f('string', 'ACTIVE, PENDING, INVITATION_EXPIRED or INVITATION_REJECTED'),
    isActive: f('boolean', 'Membership status is ACTIVE'),
    isPending: needs(f('boolean', 'Membership status is PENDING (an open invitation)'), 'invitations'),
    emailDomain: f('string', 'Lower-cased part of the username after the last @ ("" when none)'),
    emailDomainAllowed: f(
      'boolean',
      'emailDomain is one of the policy allowedEmailDomains or a subdomain of one; null when the policy lists none',
      true,
    ),
    daysSinceLastAuth: needs(
      f('number', 'Whole days since the last sign-in; null when never signed in', true),
      'signIns',
    ),
    neverSignedIn: needs(f('boolean', 'No sign-in recorded'), 'signIns'),
    daysSinceCreated: needs(
      f('number', 'Whole days since the user was created; null when unknown', true),
      'signIns',
    ),
    daysIdle: needs(
      f(
        'number',
        'daysSinceLastAuth, or daysSinceCreated when never signed in; null when both unknown',
        true,
      ),
      'signIns',
    ),
    daysSinceInvited: needs(
      f('number', 'Whole days since the invitation was created; null when none', true),
      'invitations',
    ),
    invitationExpired: needs(
      f('boolean', 'Status INVITATION_EXPIRED, or a pending invitation whose expiry has passed'),
      'invitations',
    ),
    orgRoles: f('string[]', 'Organization roles'),
    isOrgOwner: f('boolean', 'Holds ORG_OWNER'),
    isProjectOwner: needs(
      f('boolean', 'Holds GROUP_OWNER in some project, directly or through a team'),
      'teams',
      'projects',
    ),
    isPrivileged: needs(
      f(
        'boolean',
        'isOrgOwner or isProjectOwner, or holds another owner-equivalent project role (one that manages project access, e.g. GROUP_ACCESS_MANAGER), directly or through a team',
      ),
      'teams',
      'projects',
    ),
    highestPrivilege: needs(
      f(
        'string',
        'owner, write or read: the most any known role held grants (org and project, directly or through a team); none without a known role',
      ),
      'teams',
      'projects',
    ),
    teamsCovered: f('boolean', 'The source API listed teams for this org'),
    projectsCovered: f(
      'boolean',
      'The source API listed projects and their teams’ roles for this org (needs teams too)',
    ),
    teamCount: needs(
      f('number', 'Teams the user belongs to (users endpoint teamIds plus team member lists)'),
      'teams',
    ),
    directProjectRoles: needs(
      f(
        'string[]',
        'Project roles held directly and not granted through any of the user’s teams, as "<project>: <ROLE>"',
      ),
      'teams',
      'projects',
    ),
    directProjectRoleCount: needs(f('number', 'Length of directProjectRoles'), 'teams', 'projects'),
    unknownRoles: f('string[]', 'Org and project role names the catalogue does not know'),
    unknownRoleCount: f('number', 'Length of unknownRoles'),
  },
  team: {
    name: NAME,
    memberCount: f('number', 'Members listed by the team-users endpoint'),
    members: f('string[]', 'Usernames (or ids when unknown) of the members'),
    membershipMismatches: needs(
      f(
        'string[]',
        'Users on whom the team endpoint and the users’ teamIds disagree, as "<username> (<which side>)"',
      ),
      'users',
    ),
    membershipMismatchCount: needs(f('number', 'Length of membershipMismatches'), 'users'),
    projectCount: needs(f('number', 'Projects the team holds roles in'), 'projects'),
    unknownRoles: needs(
      f('string[]', 'Project role names granted to the team that the catalogue does not know'),
      'projects',
    ),
    unknownRoleCount: needs(f('number', 'Length of unknownRoles'), 'projects'),
  },
  project: {
    name: NAME,
    ownerCount: needs(
      f('number', 'ACTIVE users holding GROUP_OWNER here, directly or through a team'),
      'users',
      'teams',
    ),
    owners: needs(f('string[]', 'Usernames counted in ownerCount'), 'users', 'teams'),
    teamCount: needs(f('number', 'Teams holding roles in the project'), 'teams'),
    clusterCount: f('number', 'Clusters in the project; null when not reported', true),
  },
  apiKey: {
    name: NAME,
    publicKey: f('string', 'Public half of the key (not a secret)'),
    orgRoles: f('string[]', 'Organization roles of the key'),
    isOrgOwner: f('boolean', 'The key holds ORG_OWNER'),
    highestPrivilege: f(
      'string',
      'owner, write or read: the most any known role of the key grants; none without one',
    ),
    accessListCount: f('number', 'Entries in the key’s IP access list'),
    projectCount: f('number', 'Projects the key holds roles in'),
    unknownRoles: f('string[]', 'Org and project role names the catalogue does not know'),
    unknownRoleCount: f('number', 'Length of unknownRoles'),
  },
  serviceAccount: {
    name: NAME,
    clientId: f('string', 'Service account client id'),
    orgRoles: f('string[]', 'Organization roles'),
    isOrgOwner: f('boolean', 'The service account holds ORG_OWNER'),
    systemManaged: f('boolean', 'Managed by Atlas itself (e.g. an MCP integration), not by the organization'),
    accessCovered: f(
      'boolean',
      'Its project roles and IP access list were collected (false in a snapshot upgraded from schema 1)',
    ),
    projectRoles: needs(f('string[]', 'Project roles as "<project>: <ROLE>"'), 'serviceAccountAccess'),
    projectCount: needs(f('number', 'Projects the service account holds roles in'), 'serviceAccountAccess'),
    accessListCount: needs(
      f('number', 'Entries in the service account’s IP access list'),
      'serviceAccountAccess',
    ),
    highestPrivilege: f(
      'string',
      'owner, write or read: the most any known role of the service account grants; none without one',
    ),
    secretCount: f('number', 'Secrets listed'),
    expiredSecretCount: f('number', 'Secrets whose expiresAt has passed'),
    expiredSecrets: f('string[]', 'Ids of the expired secrets'),
    maxDaysSecretUnused: f(
      'number',
      'Over unexpired secrets: most days since last use (or since creation when never used); null when none',
      true,
    ),
    unknownRoles: f('string[]', 'Org and project role names the catalogue does not know'),
    unknownRoleCount: f('number', 'Length of unknownRoles'),
  },
};

/** One thing a rule runs over, with its facts computed once. */
export interface Subject {
  kind: SubjectKind;
  orgId: string;
  orgName: string;
  ref: SubjectRef;
  /** Strings a waiver's `subject` may match: id, name, username / public key / client id. */
  aliases: string[];
  facts: FactRecord;
}

/** Inputs to fact derivation besides the snapshot. */
export interface FactContext {
  now: Date;
  /** Policy `allowedEmailDomains`, lower case; empty means "not checked". */
  allowedEmailDomains: readonly string[];
  /** Policy `extraKnownRoles`: role names to treat as known. */
  extraKnownRoles: readonly string[];
}

export type SubjectsByKind = Record<SubjectKind, Subject[]>;

const DAY_MS = 86_400_000;

/** Whole days from `iso` to `now` (negative when in the future); null when `iso` is null or unparsable. */
export function daysSince(iso: string | null | undefined, now: Date): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return Math.floor((now.getTime() - t) / DAY_MS);
}

/** Lower-cased domain of an email-like username; "" when there is no @. */
export function emailDomainOf(username: string): string {
  const at = username.lastIndexOf('@');
  return at < 0 ? '' : username.slice(at + 1).toLowerCase();
}

/** True when `domain` equals an allowed domain or is a subdomain of one. */
export function isDomainAllowed(domain: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => domain === a || domain.endsWith(`.${a}`));
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

/** Atlas's absolute session timeout when the org sets none: 43,200 s (spec `CustomSessionTimeouts`). */
export const DEFAULT_ABSOLUTE_SESSION_TIMEOUT_MINUTES = 720;
/** Atlas for Government's idle session timeout when the org sets none: 600 s (Commercial has none). */
export const GOVERNMENT_DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES = 10;

/** True for a snapshot of Atlas for Government (cloud.mongodbgov.com), whose session defaults differ. */
export function isAtlasForGovernment(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'cloud.mongodbgov.com' || host.endsWith('.mongodbgov.com');
  } catch {
    return false;
  }
}

/** The session timeout facts of an org (see FACTS.org). */
function sessionTimeoutFacts(
  settings: OrgSettings | null,
  covered: boolean,
  government: boolean,
): Pick<
  FactRecord,
  | 'sessionTimeoutsCovered'
  | 'hasIdleSessionTimeout'
  | 'idleSessionTimeoutMinutes'
  | 'absoluteSessionTimeoutMinutes'
  | 'sessionTimeouts'
> {
  if (!covered || settings === null) {
    return {
      sessionTimeoutsCovered: false,
      hasIdleSessionTimeout: false,
      idleSessionTimeoutMinutes: null,
      absoluteSessionTimeoutMinutes: null,
      sessionTimeouts: 'not collected',
    };
  }
  const idleSet = settings.idleSessionTimeoutInSeconds;
  const absoluteSet = settings.absoluteSessionTimeoutInSeconds;
  const idle =
    idleSet !== null ? idleSet / 60 : government ? GOVERNMENT_DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES : null;
  const absolute = absoluteSet !== null ? absoluteSet / 60 : DEFAULT_ABSOLUTE_SESSION_TIMEOUT_MINUTES;
  const idleText =
    idle === null
      ? 'none (Atlas default)'
      : `${idle} min${idleSet === null ? ' (Atlas for Government default)' : ''}`;
  const absoluteText = `${absolute} min${absoluteSet === null ? ' (Atlas default)' : ''}`;
  return {
    sessionTimeoutsCovered: true,
    hasIdleSessionTimeout: idle !== null,
    idleSessionTimeoutMinutes: idle,
    absoluteSessionTimeoutMinutes: absolute,
    sessionTimeouts: `idle: ${idleText}; absolute: ${absoluteText}`,
  };
}

/** Derives the subjects of every kind, with their facts, for the whole snapshot. */
export function deriveSubjects(snapshot: Snapshot, ctx: FactContext): SubjectsByKind {
  const out: SubjectsByKind = { org: [], user: [], team: [], project: [], apiKey: [], serviceAccount: [] };
  const known = knownRoleSet(ctx.extraKnownRoles);
  const allowed = ctx.allowedEmailDomains.map((d) => d.toLowerCase());
  const government = isAtlasForGovernment(snapshot.source.baseUrl);
  for (const org of snapshot.organizations) deriveOrg(org, ctx.now, known, allowed, government, out);
  return out;
}

function deriveOrg(
  org: Organization,
  now: Date,
  known: ReadonlySet<string>,
  allowed: readonly string[],
  government: boolean,
  out: SubjectsByKind,
): void {
  const base = { orgId: org.id, orgName: org.name };
  const usersById = new Map<string, User>(org.users.map((u) => [u.id, u]));
  const projectNames = new Map(org.projects.map((p) => [p.id, p.name]));
  const nameOfUser = (id: string): string => usersById.get(id)?.username ?? id;

  // Team membership as the union of both sources: the team-users endpoint and each user's teamIds.
  const teamsOfUser = teamsOfUsers(org);

  // Roles each team holds per project: projectId -> teamId -> roles.
  const teamRolesByProject = new Map<string, Map<string, readonly string[]>>();
  const projectsOfTeam = new Map<string, Set<string>>();
  for (const p of org.projects) {
    const m = new Map<string, readonly string[]>();
    for (const pt of p.teams) {
      m.set(pt.teamId, pt.roles);
      const s = projectsOfTeam.get(pt.teamId);
      if (s) s.add(p.id);
      else projectsOfTeam.set(pt.teamId, new Set([p.id]));
    }
    teamRolesByProject.set(p.id, m);
  }

  /** Roles a user gets in a project through its teams. */
  const teamGrantedRoles = (userId: string, projectId: string): Set<string> => {
    const roles = new Set<string>();
    const byTeam = teamRolesByProject.get(projectId);
    const teams = teamsOfUser.get(userId);
    if (!byTeam || !teams) return roles;
    for (const t of teams) for (const r of byTeam.get(t) ?? []) roles.add(r);
    return roles;
  };

  const projectOwners = new Map<string, Set<string>>(org.projects.map((p) => [p.id, new Set()]));
  const orgOwners: string[] = [];
  const activeOrgOwners: string[] = [];

  for (const u of org.users) {
    const isActive = u.status === 'ACTIVE';
    const isPending = u.status === 'PENDING';
    const isOrgOwner = u.orgRoles.includes(ORG_OWNER);
    if (isOrgOwner && (isActive || isPending)) orgOwners.push(u.username);
    // Without sign-in data (Cloud Manager v1.0) a null lastAuth says nothing: ACTIVE is all there is.
    if (isOrgOwner && isActive && (u.lastAuth !== null || !org.coverage.signIns))
      activeOrgOwners.push(u.username);

    const direct: string[] = [];
    const unknown = new Set<string>();
    let isProjectOwner = false;
    /** Every role the user holds, directly or through a team, for its highest privilege. */
    const held = new Set<string>(u.orgRoles);
    for (const r of u.orgRoles) if (!known.has(r)) unknown.add(r);
    for (const pr of u.projectRoles) {
      for (const r of pr.roles) held.add(r);
      const viaTeam = teamGrantedRoles(u.id, pr.projectId);
      const pname = projectNames.get(pr.projectId) ?? pr.projectId;
      for (const r of pr.roles) {
        if (!known.has(r)) unknown.add(r);
        if (!viaTeam.has(r)) direct.push(`${pname}: ${r}`);
        if (r === GROUP_OWNER) {
          isProjectOwner = true;
          if (isActive) projectOwners.get(pr.projectId)?.add(u.username);
        }
      }
    }
    // Ownership granted only through a team also makes the user a project owner.
    for (const t of teamsOfUser.get(u.id) ?? []) {
      for (const pid of projectsOfTeam.get(t) ?? []) {
        const teamRoles = teamRolesByProject.get(pid)?.get(t) ?? [];
        for (const r of teamRoles) held.add(r);
        if (teamRoles.includes(GROUP_OWNER)) {
          isProjectOwner = true;
          if (isActive) projectOwners.get(pid)?.add(u.username);
        }
      }
    }
    const privilege = highestPrivilege(held);
    const ownerEquivalentProjectRole = [...held].some(
      (r) => r.startsWith('GROUP_') && rolePrivilege(r) === 'owner',
    );
    const nonHuman = nonHumanUser(u.username);

    const daysSinceLastAuth = daysSince(u.lastAuth, now);
    const daysSinceCreated = daysSince(u.createdAt, now);
    const domain = emailDomainOf(u.username);
    const expiresIn =
      u.invitationExpiresAt === null ? null : Date.parse(u.invitationExpiresAt) - now.getTime();
    const directSorted = sorted(direct);
    const unknownSorted = sorted(unknown);
    out.user.push({
      kind: 'user',
      ...base,
      ref: { type: 'user', id: u.id, name: u.username },
      aliases: [u.id, u.username],
      facts: {
        name: u.username,
        username: u.username,
        isHuman: nonHuman === null,
        nonHumanKind: nonHuman?.kind ?? null,
        status: u.status,
        isActive,
        isPending,
        emailDomain: domain,
        emailDomainAllowed: allowed.length === 0 ? null : isDomainAllowed(domain, allowed),
        daysSinceLastAuth,
        neverSignedIn: u.lastAuth === null,
        daysSinceCreated,
        daysIdle: daysSinceLastAuth ?? daysSinceCreated,
        daysSinceInvited: daysSince(u.invitationCreatedAt, now),
        invitationExpired:
          u.status === 'INVITATION_EXPIRED' || (isPending && expiresIn !== null && expiresIn < 0),
        orgRoles: sorted(u.orgRoles),
        isOrgOwner,
        isProjectOwner,
        isPrivileged: isOrgOwner || isProjectOwner || ownerEquivalentProjectRole,
        highestPrivilege: privilege ?? 'none',
        teamsCovered: org.coverage.teams,
        projectsCovered: org.coverage.projects && org.coverage.teams,
        teamCount: teamsOfUser.get(u.id)?.size ?? 0,
        directProjectRoles: directSorted,
        directProjectRoleCount: directSorted.length,
        unknownRoles: unknownSorted,
        unknownRoleCount: unknownSorted.length,
      },
    });
  }

  const settingsCovered = org.coverage.settings && org.settings !== null;
  out.org.push({
    kind: 'org',
    ...base,
    ref: { type: 'org', id: org.id, name: org.name },
    aliases: [org.id, org.name],
    facts: {
      name: org.name,
      usersCovered: org.coverage.users,
      settingsCovered,
      ownerCount: orgOwners.length,
      owners: sorted(orgOwners),
      activeOwnerCount: activeOrgOwners.length,
      activeOwners: sorted(activeOrgOwners),
      userCount: org.users.length,
      mfaRequired: org.settings?.multiFactorAuthRequired ?? null,
      apiAccessListRequired: org.settings?.apiAccessListRequired ?? null,
      ...sessionTimeoutFacts(org.settings, settingsCovered && org.coverage.sessionTimeouts, government),
    },
  });

  // Users per team as the users endpoint reports it (teamIds), to compare with the team endpoint.
  const claimedBy = new Map<string, User[]>();
  for (const u of org.users) {
    for (const tid of u.teamIds) {
      const list = claimedBy.get(tid);
      if (list) list.push(u);
      else claimedBy.set(tid, [u]);
    }
  }
  for (const t of org.teams) {
    const members = new Set(t.memberIds);
    const mismatches: string[] = [];
    for (const m of t.memberIds) {
      const u = usersById.get(m);
      if (u && !u.teamIds.includes(t.id))
        mismatches.push(`${u.username} (team lists user; user lacks teamId)`);
      if (!u) mismatches.push(`${m} (team lists an id that is not an org user)`);
    }
    for (const u of claimedBy.get(t.id) ?? []) {
      if (!members.has(u.id)) mismatches.push(`${u.username} (user lists teamId; team lacks user)`);
    }
    const unknown = new Set<string>();
    for (const pid of projectsOfTeam.get(t.id) ?? []) {
      for (const r of teamRolesByProject.get(pid)?.get(t.id) ?? []) if (!known.has(r)) unknown.add(r);
    }
    const mm = sorted(mismatches);
    const unk = sorted(unknown);
    out.team.push({
      kind: 'team',
      ...base,
      ref: { type: 'team', id: t.id, name: t.name },
      aliases: [t.id, t.name],
      facts: {
        name: t.name,
        memberCount: t.memberIds.length,
        members: sorted(t.memberIds.map(nameOfUser)),
        membershipMismatches: mm,
        membershipMismatchCount: mm.length,
        projectCount: projectsOfTeam.get(t.id)?.size ?? 0,
        unknownRoles: unk,
        unknownRoleCount: unk.length,
      },
    });
  }

  for (const p of org.projects) {
    const owners = sorted(projectOwners.get(p.id) ?? []);
    out.project.push({
      kind: 'project',
      ...base,
      ref: { type: 'project', id: p.id, name: p.name },
      aliases: [p.id, p.name],
      facts: {
        name: p.name,
        ownerCount: owners.length,
        owners,
        teamCount: p.teams.length,
        clusterCount: p.clusterCount,
      },
    });
  }

  for (const k of org.apiKeys) {
    const unknown = new Set<string>();
    for (const r of k.orgRoles) if (!known.has(r)) unknown.add(r);
    for (const pr of k.projectRoles) for (const r of pr.roles) if (!known.has(r)) unknown.add(r);
    const unk = sorted(unknown);
    const name = k.description?.trim() ? k.description : k.publicKey;
    out.apiKey.push({
      kind: 'apiKey',
      ...base,
      ref: { type: 'apiKey', id: k.id, name },
      aliases: [k.id, k.publicKey, ...(k.description ? [k.description] : [])],
      facts: {
        name,
        publicKey: k.publicKey,
        orgRoles: sorted(k.orgRoles),
        isOrgOwner: k.orgRoles.includes(ORG_OWNER),
        highestPrivilege:
          highestPrivilege([...k.orgRoles, ...k.projectRoles.flatMap((p) => p.roles)]) ?? 'none',
        accessListCount: k.accessList.length,
        projectCount: k.projectRoles.length,
        unknownRoles: unk,
        unknownRoleCount: unk.length,
      },
    });
  }

  for (const sa of org.serviceAccounts) {
    const expired: string[] = [];
    let maxUnused: number | null = null;
    for (const s of sa.secrets) {
      const exp = s.expiresAt === null ? null : Date.parse(s.expiresAt);
      if (exp !== null && exp <= now.getTime()) {
        expired.push(s.id);
        continue;
      }
      const unused = daysSince(s.lastUsedAt ?? s.createdAt, now);
      if (unused !== null && (maxUnused === null || unused > maxUnused)) maxUnused = unused;
    }
    const saRoles = [...sa.orgRoles, ...sa.projectRoles.flatMap((p) => p.roles)];
    const unk = sorted(new Set(saRoles.filter((r) => !known.has(r))));
    const projectRoleLines = sorted(
      sa.projectRoles.flatMap((p) =>
        p.roles.map((r) => `${projectNames.get(p.projectId) ?? p.projectId}: ${r}`),
      ),
    );
    out.serviceAccount.push({
      kind: 'serviceAccount',
      ...base,
      ref: { type: 'serviceAccount', id: sa.clientId, name: sa.name },
      aliases: [sa.clientId, sa.name],
      facts: {
        name: sa.name,
        clientId: sa.clientId,
        orgRoles: sorted(sa.orgRoles),
        isOrgOwner: sa.orgRoles.includes(ORG_OWNER),
        systemManaged: sa.systemManaged,
        accessCovered: org.coverage.serviceAccountAccess,
        projectRoles: projectRoleLines,
        projectCount: sa.projectRoles.length,
        accessListCount: sa.accessList.length,
        highestPrivilege: highestPrivilege(saRoles) ?? 'none',
        secretCount: sa.secrets.length,
        expiredSecretCount: expired.length,
        expiredSecrets: sorted(expired),
        maxDaysSecretUnused: maxUnused,
        unknownRoles: unk,
        unknownRoleCount: unk.length,
      },
    });
  }
}
