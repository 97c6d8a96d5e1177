import { cluster, dbOrg, dbUser, history, summary, tenantCluster } from '../../builders/database-access.js';
import { coverage } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    {
      name: 'at the limit: used at the very end of the window',
      org: () =>
        dbOrg({ clusters: [cluster('c0', history([summary('app', 0)]))], databaseUsers: [dbUser()] }),
    },
    {
      name: 'scoped to the cluster where it was used; a tenant cluster it cannot reach does not matter',
      org: () =>
        dbOrg({
          clusters: [cluster('c0', history([summary('app', 5)])), tenantCluster('free')],
          databaseUsers: [dbUser({ scopes: [{ name: 'c0', type: 'CLUSTER' }] })],
        }),
    },
  ],
  invalid: [
    {
      name: 'no sign-in at all, and only failures for another',
      org: () =>
        dbOrg({
          clusters: [cluster('c0', history([summary('failing', null)]))],
          databaseUsers: [dbUser({ username: 'idle' }), dbUser({ username: 'failing' })],
        }),
      fires: ['failing', 'idle'],
      message: ['did not authenticate since '],
    },
  ],
  notEvaluated: [
    {
      name: 'access history not collected',
      org: () => dbOrg({ databaseUsers: [dbUser()] }, { coverage: coverage({ accessHistory: false }) }),
      reason: 'no database access history',
    },
    {
      name: 'the only cluster truncated its history',
      org: () =>
        dbOrg({
          clusters: [
            cluster('big', {
              ...history(),
              status: 'truncated',
              reason: 'Atlas returned its maximum of 20000 lines',
            }),
          ],
          databaseUsers: [dbUser()],
        }),
      reason: 'database user app: no access history from big (truncated)',
    },
    {
      name: 'scoped to a data lake only: reaches no cluster',
      org: () => dbOrg({ databaseUsers: [dbUser({ scopes: [{ name: 'lake', type: 'DATA_LAKE' }] })] }),
      reason: 'database user app: reaches no cluster whose access history could be read',
    },
  ],
};
