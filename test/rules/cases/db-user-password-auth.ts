import { dbOrg, dbUser } from '../../builders/database-access.js';
import type { RuleCases } from '../tester.js';

const requireExternal = { rules: { 'db-user-password-auth': { params: { requireExternalAuth: true } } } };
const iamUser = () =>
  dbUser({
    username: 'arn:aws:iam::123456789012:role/app',
    databaseName: '$external',
    authKind: 'aws-iam-role',
  });

export const cases: RuleCases = {
  valid: [
    {
      name: 'password user, policy allows passwords (default)',
      org: () => dbOrg({ databaseUsers: [dbUser()] }),
    },
    {
      name: 'IAM user where external auth is required',
      org: () => dbOrg({ databaseUsers: [iamUser()] }),
      policy: requireExternal,
    },
  ],
  invalid: [
    {
      name: 'password user where external auth is required',
      org: () => dbOrg({ databaseUsers: [dbUser({ username: 'legacy' }), iamUser()] }),
      policy: requireExternal,
      fires: ['legacy'],
      message: ['authenticates with a password'],
    },
  ],
};
