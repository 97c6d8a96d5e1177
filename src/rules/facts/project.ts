/** Projects as subjects: their owners and teams. */
import type { Project } from '../../snapshot/schema.js';
import { sorted } from './org-view.js';
import { type Derived, defineDerivation, f, NAME, needs } from './spec.js';

const PROJECT_FACTS = {
  name: NAME,
  ownerCount: needs(
    f('number', 'ACTIVE users holding GROUP_OWNER here, directly or through a team'),
    'users',
    'teams',
  ),
  owners: needs(f('string[]', 'Usernames counted in ownerCount'), 'users', 'teams'),
  teamCount: needs(f('number', 'Teams holding roles in the project'), 'teams'),
  clusterCount: f('number', 'Clusters in the project; null when not reported', true),
  databaseUserCount: needs(f('number', 'Database users of the project'), 'databaseUsers'),
  networkAccessEntryCount: needs(f('number', 'Entries in the project IP access list'), 'networkAccess'),
};

function deriveProject(p: Project, owners: string[]): Derived<typeof PROJECT_FACTS> {
  return {
    ref: { type: 'project', id: p.id, name: p.name },
    aliases: [p.id, p.name],
    facts: {
      name: p.name,
      ownerCount: owners.length,
      owners,
      teamCount: p.teams.length,
      clusterCount: p.clusterCount,
      databaseUserCount: p.databaseUsers.length,
      networkAccessEntryCount: p.networkAccess.length,
    },
  };
}

export const projectDerivation = defineDerivation({
  facts: PROJECT_FACTS,
  derive(view) {
    const ownersOf = new Map<string, Set<string>>(view.org.projects.map((p) => [p.id, new Set()]));
    for (const u of view.org.users) {
      if (u.status !== 'ACTIVE') continue;
      for (const pid of view.access(u).ownedProjects) ownersOf.get(pid)?.add(u.username);
    }
    return view.org.projects.map((p) => deriveProject(p, sorted(ownersOf.get(p.id) ?? [])));
  },
});
