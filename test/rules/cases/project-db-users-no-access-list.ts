import { dbOrg, dbUser, networkEntry } from '../../builders/database-access.js';
import { coverage } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    {
      name: 'database users and one access list entry',
      org: () => dbOrg({ databaseUsers: [dbUser()], networkAccess: [networkEntry()] }),
    },
    { name: 'no database users, no access list', org: () => dbOrg({ networkAccess: [] }) },
  ],
  invalid: [
    {
      name: 'database users and an empty access list',
      org: () => dbOrg({ name: 'private', databaseUsers: [dbUser()], networkAccess: [] }),
      fires: ['private'],
      message: ['has 1 database users and an empty IP access list'],
    },
  ],
  notEvaluated: [
    {
      name: 'access lists not collected',
      org: () =>
        dbOrg(
          { databaseUsers: [dbUser()], networkAccess: [] },
          { coverage: coverage({ networkAccess: false }) },
        ),
      reason: 'no project IP access lists',
    },
  ],
};
