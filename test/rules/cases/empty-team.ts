import { org, project, team } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'team with members', org: () => org() }],
  invalid: [
    {
      name: 'empty team with a project role',
      org: () => {
        const t = team({ name: 'ghosts' });
        return org({
          teams: [t],
          users: [],
          projects: [project({ teams: [{ teamId: t.id, roles: ['GROUP_READ_ONLY'] }] })],
        });
      },
      fires: ['ghosts'],
      message: ['roles in 1 project(s)'],
    },
  ],
};
