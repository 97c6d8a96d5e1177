import { org, serviceAccount } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'known roles', org: () => org({ serviceAccounts: [serviceAccount()] }) }],
  invalid: [
    {
      name: 'unknown org role',
      org: () => org({ serviceAccounts: [serviceAccount({ name: 'bot', orgRoles: ['ORG_ROBOT'] })] }),
      fires: ['bot'],
      message: ['ORG_ROBOT'],
    },
  ],
};
