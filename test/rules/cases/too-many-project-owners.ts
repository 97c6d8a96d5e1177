import {
  invitation,
  legacyOrg,
  legacyUser,
  org,
  project,
  projectRole,
  team,
  user,
} from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const owners = (n: number, projectId: string) =>
  Array.from({ length: n }, (_, i) =>
    user({ username: `p${i}@example.com`, projectRoles: [projectRole(projectId, 'GROUP_OWNER')] }),
  );
export const cases: RuleCases = {
  valid: [
    {
      name: 'three owners',
      atLimit: ['maxOwners'],
      org: () => {
        const p = project();
        return org({ projects: [p], users: owners(3, p.id) });
      },
    },
    {
      name: 'inactive owners do not count',
      org: () => {
        const p = project();
        return org({
          projects: [p],
          users: [...owners(3, p.id), invitation({ projectRoles: [projectRole(p.id, 'GROUP_OWNER')] })],
        });
      },
    },
  ],
  invalid: [
    {
      name: 'three direct owners plus one through a team',
      org: () => {
        const t = team();
        const p = project({ name: 'core', teams: [{ teamId: t.id, roles: ['GROUP_OWNER'] }] });
        const viaTeam = user({ username: 'team@example.com', teamIds: [t.id] });
        t.memberIds = [viaTeam.id];
        return org({ projects: [p], teams: [t], users: [...owners(3, p.id), viaTeam] });
      },
      fires: ['core'],
      message: ['4 GROUP_OWNERs (limit 3)', 'team@example.com'],
    },
  ],
  notEvaluated: [
    {
      name: 'Cloud Manager v1.0: owners through teams are unknown',
      org: () => {
        const p = project({ name: 'core' });
        return legacyOrg({
          projects: [p],
          users: [legacyUser({ orgRoles: ['ORG_OWNER'], projectRoles: [projectRole(p.id, 'GROUP_OWNER')] })],
        });
      },
      reason: 'no team data',
    },
  ],
};
