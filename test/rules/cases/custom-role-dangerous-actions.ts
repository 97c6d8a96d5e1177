import { action, customRole, dbOrg, dbUser, role } from '../../builders/database-access.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'read-only actions', org: () => dbOrg({ customRoles: [customRole()] }) },
    {
      name: 'inherits a non-privileged built-in role',
      org: () => dbOrg({ customRoles: [customRole({ inheritedRoles: [{ db: 'app', role: 'readWrite' }] })] }),
    },
  ],
  invalid: [
    {
      name: 'grants dropDatabase and grantRole',
      org: () =>
        dbOrg({
          customRoles: [
            customRole({ roleName: 'danger', actions: [action('grantRole'), action('dropDatabase')] }),
          ],
          databaseUsers: [dbUser({ roles: [role('danger')] })],
        }),
      fires: ['danger'],
      message: ['dropDatabase, grantRole', 'held by 1 database users'],
    },
    {
      name: 'inherits a role that shuts the server down, through a cycle',
      org: () =>
        dbOrg({
          customRoles: [
            customRole({ roleName: 'a', actions: [], inheritedRoles: [{ db: 'admin', role: 'b' }] }),
            customRole({
              roleName: 'b',
              actions: [action('shutdown')],
              inheritedRoles: [{ db: 'admin', role: 'a' }],
            }),
          ],
        }),
      fires: ['a', 'b'],
      message: ['shutdown'],
    },
  ],
};
