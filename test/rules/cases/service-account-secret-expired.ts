import { BUILDER_NOW, daysAgo, org, serviceAccount } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'current secret', org: () => org({ serviceAccounts: [serviceAccount()] }) }],
  invalid: [
    {
      name: 'one expired secret beside a current one',
      org: () => {
        const sa = serviceAccount({ name: 'etl' });
        sa.secrets.push({
          id: 'ab0000000000000000000001',
          createdAt: daysAgo(400),
          expiresAt: daysAgo(2),
          lastUsedAt: daysAgo(3),
        });
        return org({ serviceAccounts: [sa] });
      },
      fires: ['etl'],
      message: ['1 expired secret(s): ab0000000000000000000001'],
    },
    {
      // A secret is valid until its expiresAt: at that instant it no longer authenticates.
      name: 'a secret expiring exactly now is expired',
      atLimit: ['expiredSecretCount'],
      org: () => {
        const sa = serviceAccount({ name: 'rotating' });
        sa.secrets.push({
          id: 'ab0000000000000000000004',
          createdAt: daysAgo(90),
          expiresAt: BUILDER_NOW.toISOString(),
          lastUsedAt: daysAgo(1),
        });
        return org({ serviceAccounts: [sa] });
      },
      fires: ['rotating'],
      message: ['1 expired secret(s): ab0000000000000000000004'],
    },
  ],
};
