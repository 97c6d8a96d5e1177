import { daysAgo, org, serviceAccount } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'used yesterday', org: () => org({ serviceAccounts: [serviceAccount()] }) },
    {
      name: 'last used exactly 90 days ago (the limit is exclusive)',
      atLimit: ['maxDays'],
      org: () =>
        org({
          serviceAccounts: [
            serviceAccount({
              secrets: [
                {
                  id: 'ab0000000000000000000003',
                  createdAt: daysAgo(200),
                  expiresAt: daysAgo(-100),
                  lastUsedAt: daysAgo(90),
                },
              ],
            }),
          ],
        }),
    },
    {
      name: 'unused but expired secrets are the other rule',
      org: () =>
        org({
          serviceAccounts: [
            serviceAccount({
              secrets: [
                {
                  id: 'ab0000000000000000000002',
                  createdAt: daysAgo(300),
                  expiresAt: daysAgo(1),
                  lastUsedAt: null,
                },
              ],
            }),
          ],
        }),
    },
  ],
  invalid: [
    {
      name: 'never used, created 120 days ago',
      org: () =>
        org({
          serviceAccounts: [
            serviceAccount({
              name: 'old',
              secrets: [
                {
                  id: 'ab0000000000000000000003',
                  createdAt: daysAgo(120),
                  expiresAt: daysAgo(-200),
                  lastUsedAt: null,
                },
              ],
            }),
          ],
        }),
      fires: ['old'],
      message: ['unused for 120 days (limit 90)'],
    },
    {
      name: 'last used 91 days ago',
      org: () =>
        org({
          serviceAccounts: [
            serviceAccount({
              name: 'idle',
              secrets: [
                {
                  id: 'ab0000000000000000000004',
                  createdAt: daysAgo(300),
                  expiresAt: daysAgo(-60),
                  lastUsedAt: daysAgo(91),
                },
              ],
            }),
          ],
        }),
      fires: ['idle'],
    },
  ],
};
