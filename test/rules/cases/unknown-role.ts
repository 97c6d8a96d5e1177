import { org, project, projectRole, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'known roles', org: () => org() },
    {
      name: 'policy declares the role known',
      org: () => org({ users: [user({ orgRoles: ['ORG_MEMBER', 'ORG_NEW_THING'] })] }),
      policy: { extraKnownRoles: ['ORG_NEW_THING'] },
    },
  ],
  invalid: [
    {
      name: 'unknown org and project role',
      org: () => {
        const p = project();
        return org({
          projects: [p],
          users: [
            user({
              username: 'u@example.com',
              orgRoles: ['ORG_GOD'],
              projectRoles: [projectRole(p.id, 'GROUP_SUPERUSER')],
            }),
          ],
        });
      },
      fires: ['u@example.com'],
      message: ['GROUP_SUPERUSER, ORG_GOD'],
    },
  ],
};
