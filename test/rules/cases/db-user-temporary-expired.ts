import { dbOrg, dbUser } from '../../builders/database-access.js';
import { daysAgo } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'permanent user', org: () => dbOrg({ databaseUsers: [dbUser()] }) },
    {
      name: 'temporary user deleted tomorrow',
      org: () => dbOrg({ databaseUsers: [dbUser({ deleteAfterDate: daysAgo(-1) })] }),
    },
    {
      name: 'one millisecond before its deletion date',
      org: () =>
        dbOrg({
          databaseUsers: [dbUser({ deleteAfterDate: new Date(Date.parse(daysAgo(0)) + 1).toISOString() })],
        }),
    },
  ],
  invalid: [
    {
      name: 'at the limit: deletion date exactly now',
      atLimit: ['isPastDeleteAfterDate'],
      org: () => dbOrg({ databaseUsers: [dbUser({ username: 'now', deleteAfterDate: daysAgo(0) })] }),
      fires: ['now'],
      message: [`should have been deleted on ${daysAgo(0)}`],
    },
    {
      name: 'deletion date a week ago',
      org: () => dbOrg({ databaseUsers: [dbUser({ username: 'late', deleteAfterDate: daysAgo(7) })] }),
      fires: ['late'],
    },
  ],
};
