/**
 * One organization as every subject derivation reads it: the snapshot's org plus the indexes
 * (team membership, team roles per project, each user's access) that more than one kind needs,
 * built once per org.
 */

import { GROUP_OWNER } from '../../domain/roles.js';
import { teamsOfUsers } from '../../domain/team-membership.js';
import type { Organization, User } from '../../snapshot/schema.js';
import type { RosterLookup } from './roster.js';

const DAY_MS = 86_400_000;

/** Whole days from `iso` to `now` (negative when in the future); null when `iso` is null or unparsable. */
export function daysSince(iso: string | null | undefined, now: Date): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return Math.floor((now.getTime() - t) / DAY_MS);
}

export const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

/** A user's roles as held directly and through teams. */
interface UserAccess {
  /** Project roles held directly and not through a team, as "<project>: <ROLE>" (unsorted). */
  direct: string[];
  /** Org and direct project role names the catalogue does not know. */
  unknown: Set<string>;
  /** Holds GROUP_OWNER in some project, directly or through a team. */
  isProjectOwner: boolean;
  /** Ids of the projects where the user holds GROUP_OWNER, directly or through a team. */
  ownedProjects: Set<string>;
  /** Every role the user holds, org and project, directly or through a team. */
  held: Set<string>;
}

/** The inputs of every derivation for one organization. */
export interface OrgView {
  org: Organization;
  now: Date;
  /** Known role names (catalogue plus policy `extraKnownRoles`). */
  known: ReadonlySet<string>;
  /** Policy `allowedEmailDomains`, lower case; empty means "not checked". */
  allowed: readonly string[];
  /** The snapshot is of Atlas for Government, whose session defaults differ. */
  government: boolean;
  /** The roster (`--roster`); null without one. */
  roster: RosterLookup | null;
  usersById: ReadonlyMap<string, User>;
  projectNames: ReadonlyMap<string, string>;
  /** Team membership as the union of both sources: the team-users endpoint and each user's teamIds. */
  teamsOfUser: ReadonlyMap<string, ReadonlySet<string>>;
  /** Roles each team holds per project: projectId -> teamId -> roles. */
  teamRolesByProject: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  projectsOfTeam: ReadonlyMap<string, ReadonlySet<string>>;
  /** The access of a user of this org (computed once per user). */
  access(user: User): UserAccess;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const s = map.get(key);
  if (s) s.add(value);
  else map.set(key, new Set([value]));
}

/** Builds the view of one organization. */
export function orgView(
  org: Organization,
  now: Date,
  known: ReadonlySet<string>,
  allowed: readonly string[],
  government: boolean,
  roster: RosterLookup | null = null,
): OrgView {
  const teamsOfUser = teamsOfUsers(org);

  const teamRolesByProject = new Map<string, Map<string, readonly string[]>>();
  const projectsOfTeam = new Map<string, Set<string>>();
  for (const p of org.projects) {
    const m = new Map<string, readonly string[]>();
    for (const pt of p.teams) {
      m.set(pt.teamId, pt.roles);
      addTo(projectsOfTeam, pt.teamId, p.id);
    }
    teamRolesByProject.set(p.id, m);
  }
  const view: Omit<OrgView, 'access'> = {
    org,
    now,
    known,
    allowed,
    government,
    roster,
    usersById: new Map(org.users.map((u) => [u.id, u])),
    projectNames: new Map(org.projects.map((p) => [p.id, p.name])),
    teamsOfUser,
    teamRolesByProject,
    projectsOfTeam,
  };
  const cache = new Map<User, UserAccess>();
  const access = (u: User): UserAccess => {
    let a = cache.get(u);
    if (!a) {
      a = userAccess(view, u);
      cache.set(u, a);
    }
    return a;
  };
  return { ...view, access };
}

const NO_ROLES: ReadonlySet<string> = new Set();

/** Roles a user gets in a project through its teams. */
function teamGrantedRoles(
  view: Omit<OrgView, 'access'>,
  userId: string,
  projectId: string,
): ReadonlySet<string> {
  const byTeam = view.teamRolesByProject.get(projectId);
  const teams = view.teamsOfUser.get(userId);
  // Most project roles are held by users in no team of that project: no set is made for them.
  if (!byTeam || !teams) return NO_ROLES;
  let roles: Set<string> | undefined;
  for (const t of teams)
    for (const r of byTeam.get(t) ?? []) {
      roles ??= new Set();
      roles.add(r);
    }
  return roles ?? NO_ROLES;
}

function userAccess(view: Omit<OrgView, 'access'>, u: User): UserAccess {
  const { known } = view;
  const access: UserAccess = {
    direct: [],
    unknown: new Set(),
    isProjectOwner: false,
    ownedProjects: new Set(),
    held: new Set(u.orgRoles),
  };
  for (const r of u.orgRoles) if (!known.has(r)) access.unknown.add(r);
  for (const pr of u.projectRoles) {
    for (const r of pr.roles) access.held.add(r);
    const viaTeam = teamGrantedRoles(view, u.id, pr.projectId);
    const pname = view.projectNames.get(pr.projectId) ?? pr.projectId;
    for (const r of pr.roles) {
      if (!known.has(r)) access.unknown.add(r);
      if (!viaTeam.has(r)) access.direct.push(`${pname}: ${r}`);
      if (r === GROUP_OWNER) {
        access.isProjectOwner = true;
        access.ownedProjects.add(pr.projectId);
      }
    }
  }
  // Ownership granted only through a team also makes the user a project owner.
  for (const t of view.teamsOfUser.get(u.id) ?? []) {
    for (const pid of view.projectsOfTeam.get(t) ?? []) {
      const teamRoles = view.teamRolesByProject.get(pid)?.get(t) ?? [];
      for (const r of teamRoles) access.held.add(r);
      if (teamRoles.includes(GROUP_OWNER)) {
        access.isProjectOwner = true;
        access.ownedProjects.add(pid);
      }
    }
  }
  return access;
}
