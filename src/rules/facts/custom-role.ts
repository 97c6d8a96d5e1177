/** Custom database roles of every project as subjects: the dangerous actions and roles they grant. */

import { customRolePrivileges } from '../../domain/database-roles.js';
import { databaseAccessId } from '../../domain/keys.js';
import { type Derived, defineDerivation, f, NAME } from './spec.js';

const CUSTOM_ROLE_FACTS = {
  name: NAME,
  projectName: f('string', 'Name of the project that defines the role'),
  dangerousActions: f(
    'string[]',
    'Dangerous actions (dropDatabase, shutdown, createUser, grantRole, dropRole, ...) granted directly or through inherited custom roles',
  ),
  dangerousActionCount: f('number', 'Length of dangerousActions'),
  privilegedInheritedRoles: f(
    'string[]',
    'Privileged built-in roles inherited directly or through other custom roles, as "role@db"',
  ),
  isPrivileged: f(
    'boolean',
    'Grants dangerous actions, inherits a privileged built-in role, or inherits a role the project does not define',
  ),
  databaseUserCount: f('number', 'Database users of the project holding the role'),
};

export const customRoleDerivation = defineDerivation({
  facts: CUSTOM_ROLE_FACTS,
  derive: (view) =>
    view.org.projects.flatMap((p) => {
      const privileges = customRolePrivileges(p.customRoles);
      return p.customRoles.map((r): Derived<typeof CUSTOM_ROLE_FACTS> => {
        const priv = privileges.get(r.roleName)!;
        const id = databaseAccessId(p.id, r.roleName);
        return {
          ref: { type: 'customRole', id, name: r.roleName },
          aliases: [id, r.roleName],
          facts: {
            name: r.roleName,
            projectName: p.name,
            dangerousActions: priv.dangerousActions,
            dangerousActionCount: priv.dangerousActions.length,
            privilegedInheritedRoles: priv.privilegedInherited,
            isPrivileged: priv.privileged,
            databaseUserCount: p.databaseUsers.filter((u) => u.roles.some((x) => x.roleName === r.roleName))
              .length,
          },
        };
      });
    }),
});
