/** Teams as subjects: members, the two membership sources compared, and the roles they grant. */
import type { Team, User } from '../../snapshot/schema.js';
import { type OrgView, sorted } from './org-view.js';
import { type Derived, defineDerivation, f, NAME, needs } from './spec.js';

const TEAM_FACTS = {
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
};

function deriveTeam(
  view: OrgView,
  t: Team,
  claimedBy: ReadonlyMap<string, User[]>,
): Derived<typeof TEAM_FACTS> {
  const { usersById, known } = view;
  const members = new Set(t.memberIds);
  const mismatches: string[] = [];
  for (const m of t.memberIds) {
    const u = usersById.get(m);
    if (u && !u.teamIds.includes(t.id)) mismatches.push(`${u.username} (team lists user; user lacks teamId)`);
    if (!u) mismatches.push(`${m} (team lists an id that is not an org user)`);
  }
  for (const u of claimedBy.get(t.id) ?? []) {
    if (!members.has(u.id)) mismatches.push(`${u.username} (user lists teamId; team lacks user)`);
  }
  const unknown = new Set<string>();
  for (const pid of view.projectsOfTeam.get(t.id) ?? []) {
    for (const r of view.teamRolesByProject.get(pid)?.get(t.id) ?? []) if (!known.has(r)) unknown.add(r);
  }
  const mm = sorted(mismatches);
  const unk = sorted(unknown);
  return {
    ref: { type: 'team', id: t.id, name: t.name },
    aliases: [t.id, t.name],
    facts: {
      name: t.name,
      memberCount: t.memberIds.length,
      members: sorted(t.memberIds.map((id) => usersById.get(id)?.username ?? id)),
      membershipMismatches: mm,
      membershipMismatchCount: mm.length,
      projectCount: view.projectsOfTeam.get(t.id)?.size ?? 0,
      unknownRoles: unk,
      unknownRoleCount: unk.length,
    },
  };
}

export const teamDerivation = defineDerivation({
  facts: TEAM_FACTS,
  derive(view) {
    // Users per team as the users endpoint reports it (teamIds), to compare with the team endpoint.
    const claimedBy = new Map<string, User[]>();
    for (const u of view.org.users) {
      for (const tid of u.teamIds) {
        const list = claimedBy.get(tid);
        if (list) list.push(u);
        else claimedBy.set(tid, [u]);
      }
    }
    return view.org.teams.map((t) => deriveTeam(view, t, claimedBy));
  },
});
