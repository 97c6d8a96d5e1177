import { dbOrg, dbUser } from '../../builders/database-access.js';
import { daysAgo } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const requireExpiry = { rules: { 'db-user-no-expiry': { params: { requireExpiry: true } } } };

export const cases: RuleCases = {
  valid: [
    {
      name: 'permanent user, policy does not require expiry (default)',
      org: () => dbOrg({ databaseUsers: [dbUser()] }),
    },
    {
      name: 'temporary user where expiry is required',
      org: () => dbOrg({ databaseUsers: [dbUser({ deleteAfterDate: daysAgo(-30) })] }),
      policy: requireExpiry,
    },
  ],
  invalid: [
    {
      name: 'permanent user where expiry is required',
      org: () => dbOrg({ databaseUsers: [dbUser({ username: 'forever' })] }),
      policy: requireExpiry,
      fires: ['forever'],
      message: ['never expires'],
    },
  ],
};
