import { cluster, dbOrg, dbUser } from '../../builders/database-access.js';
import { coverage } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const two = () => [cluster('a'), cluster('b')];

export const cases: RuleCases = {
  valid: [
    {
      name: 'at the limit: unscoped in a project with exactly one cluster',
      org: () => dbOrg({ databaseUsers: [dbUser()] }),
    },
    {
      name: 'scoped to one of two clusters',
      org: () =>
        dbOrg({ clusters: two(), databaseUsers: [dbUser({ scopes: [{ name: 'a', type: 'CLUSTER' }] })] }),
    },
  ],
  invalid: [
    {
      name: 'unscoped in a project with two clusters',
      org: () => dbOrg({ clusters: two(), databaseUsers: [dbUser({ username: 'wide' })] }),
      fires: ['wide'],
      message: ['can reach all 2 clusters'],
    },
  ],
  notEvaluated: [
    {
      name: 'clusters not collected',
      org: () =>
        dbOrg({ clusters: [], databaseUsers: [dbUser()] }, { coverage: coverage({ clusters: false }) }),
      reason: 'no cluster data',
    },
  ],
};
