import { action, customRole, dbOrg, dbUser, role } from '../../builders/database-access.js';
import { coverage } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'readWrite on its own database', org: () => dbOrg({ databaseUsers: [dbUser()] }) },
    {
      name: 'userAdmin on an application database only',
      org: () => dbOrg({ databaseUsers: [dbUser({ roles: [role('userAdmin', 'app')] })] }),
    },
    {
      name: 'a harmless custom role',
      org: () =>
        dbOrg({ customRoles: [customRole()], databaseUsers: [dbUser({ roles: [role('appRole')] })] }),
    },
  ],
  invalid: [
    {
      name: 'built-in privileged roles',
      org: () =>
        dbOrg({
          databaseUsers: [
            dbUser({ username: 'admin', roles: [role('atlasAdmin')] }),
            dbUser({ username: 'reader', roles: [role('readAnyDatabase')] }),
            dbUser({ username: 'ops', roles: [role('clusterManager')] }),
            dbUser({ username: 'owner', roles: [role('dbOwner', 'admin')] }),
          ],
        }),
      fires: ['admin', 'ops', 'owner', 'reader'],
      message: ['is privileged: '],
    },
    {
      name: 'a custom role with a dangerous action, or inheriting a privileged role through another (cycle-safe)',
      org: () =>
        dbOrg({
          customRoles: [
            customRole({ roleName: 'dropper', actions: [action('dropDatabase')] }),
            customRole({ roleName: 'outer', actions: [], inheritedRoles: [{ db: 'admin', role: 'inner' }] }),
            customRole({
              roleName: 'inner',
              actions: [],
              inheritedRoles: [
                { db: 'admin', role: 'outer' },
                { db: 'admin', role: 'readWriteAnyDatabase' },
              ],
            }),
          ],
          databaseUsers: [
            dbUser({ username: 'a', roles: [role('dropper')] }),
            dbUser({ username: 'b', roles: [role('outer')] }),
          ],
        }),
      fires: ['a', 'b'],
      message: ['(custom: '],
    },
    {
      name: 'a role the project does not define (fail closed)',
      org: () => dbOrg({ databaseUsers: [dbUser({ username: 'x', roles: [role('mysteryRole', 'app')] })] }),
      fires: ['x'],
      message: ['mysteryRole@app (unknown role)'],
    },
  ],
  notEvaluated: [
    {
      name: 'custom roles not collected',
      org: () => dbOrg({ databaseUsers: [dbUser()] }, { coverage: coverage({ customRoles: false }) }),
      reason: 'no custom database roles',
    },
  ],
};
