import { org, project, projectRole, serviceAccount } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'known roles', org: () => org({ serviceAccounts: [serviceAccount()] }) },
    {
      name: 'fine-grained project roles from the Atlas User Roles page are known',
      org: () => {
        const p = project();
        const roles = [
          'GROUP_REPLICA_SET_MANAGER',
          'GROUP_CLUSTER_LOG_VIEWER',
          'GROUP_BACKUP_EXPORT_OPERATOR',
        ];
        return org({
          projects: [p],
          serviceAccounts: [serviceAccount({ projectRoles: [projectRole(p.id, ...roles)] })],
        });
      },
    },
  ],
  invalid: [
    {
      name: 'unknown org role',
      org: () => org({ serviceAccounts: [serviceAccount({ name: 'bot', orgRoles: ['ORG_ROBOT'] })] }),
      fires: ['bot'],
      message: ['ORG_ROBOT'],
    },
    {
      name: 'unknown project role',
      org: () => {
        const p = project();
        return org({
          projects: [p],
          serviceAccounts: [
            serviceAccount({ name: 'etl', projectRoles: [projectRole(p.id, 'GROUP_SUPERUSER')] }),
          ],
        });
      },
      fires: ['etl'],
      message: ['GROUP_SUPERUSER'],
    },
  ],
};
