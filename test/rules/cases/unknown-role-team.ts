import { coverage, org, project, team } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    {
      name: 'known team role',
      org: () => {
        const t = team();
        return org({
          teams: [t],
          projects: [project({ teams: [{ teamId: t.id, roles: ['GROUP_READ_ONLY'] }] })],
        });
      },
    },
  ],
  invalid: [
    {
      name: 'unknown team role',
      org: () => {
        const t = team({ name: 'ops' });
        return org({
          teams: [t],
          projects: [project({ teams: [{ teamId: t.id, roles: ['GROUP_SUPERUSER'] }] })],
        });
      },
      fires: ['ops'],
      message: ['GROUP_SUPERUSER'],
    },
  ],
  notEvaluated: [
    {
      name: 'teams listed without the projects that hold their roles',
      org: () => org({ teams: [team()], coverage: coverage({ projects: false }) }),
      reason: 'no project data',
    },
  ],
};
