import { cluster, dbOrg, dbUser, history, summary, tenantCluster } from '../../builders/database-access.js';
import { coverage } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

/** One cluster whose access history shows `app` last signing in `days` ago. */
const lastUsed = (days: number | null, inactiveDays?: number) => ({
  org: () => dbOrg({ clusters: [cluster('c0', history([summary('app', days)]))], databaseUsers: [dbUser()] }),
  ...(inactiveDays ? { policy: { rules: { 'db-user-inactive': { params: { inactiveDays } } } } } : {}),
});

export const cases: RuleCases = {
  valid: [
    { name: 'used yesterday', ...lastUsed(1) },
    { name: 'at the limit: used exactly 90 days ago', ...lastUsed(90), atLimit: ['inactiveDays'] },
    {
      name: 'at the limit of a policy of 30 days: used exactly 30 days ago',
      ...lastUsed(30, 30),
      atLimit: ['inactiveDays'],
    },
    { name: 'never used in the window is the other rule', ...lastUsed(null) },
    {
      name: 'last use on another cluster is the latest',
      org: () =>
        dbOrg({
          clusters: [
            cluster('a', history([summary('app', 200)])),
            cluster('b', history([summary('app', 3)])),
          ],
          databaseUsers: [dbUser()],
        }),
    },
  ],
  invalid: [
    { name: 'used 91 days ago', ...lastUsed(91), fires: ['app'], message: ['91 days ago', '(limit 90)'] },
    { name: 'a policy of 30 days: used 31 days ago', ...lastUsed(31, 30), fires: ['app'] },
    {
      name: 'a sign-in under another authentication database is another user',
      org: () =>
        dbOrg({
          clusters: [cluster('c0', history([summary('app', 120), summary('app', 1, '$external')]))],
          databaseUsers: [dbUser()],
        }),
      fires: ['app'],
    },
  ],
  notEvaluated: [
    {
      name: 'access history not collected',
      org: () => dbOrg({ databaseUsers: [dbUser()] }, { coverage: coverage({ accessHistory: false }) }),
      reason: 'no database access history',
    },
    {
      name: 'one of the clusters the user can reach has no access history (tenant tier)',
      org: () =>
        dbOrg({
          clusters: [cluster('c0', history([summary('app', 120)])), tenantCluster('free')],
          databaseUsers: [dbUser()],
        }),
      reason: 'database user app: no access history from free (unsupported)',
    },
  ],
};
