import { dbOrg, dbUser } from '../../builders/database-access.js';
import { coverage, daysAgo } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const x509 = (username: string, ...notAfter: string[]) =>
  dbUser({
    username,
    databaseName: '$external',
    authKind: 'x509-managed',
    certificates: notAfter.map((n, i) => ({ id: String(i + 1), createdAt: daysAgo(400), notAfter: n })),
  });

export const cases: RuleCases = {
  valid: [
    { name: 'expires in 31 days', org: () => dbOrg({ databaseUsers: [x509('cn=app', daysAgo(-31))] }) },
    {
      name: 'already expired is the other rule',
      org: () => dbOrg({ databaseUsers: [x509('cn=app', daysAgo(0))] }),
    },
    { name: 'no certificates', org: () => dbOrg({ databaseUsers: [dbUser()] }) },
  ],
  invalid: [
    {
      name: 'at the limit: expires in exactly 30 days',
      atLimit: ['days'],
      org: () => dbOrg({ databaseUsers: [x509('cn=edge', daysAgo(-30))] }),
      fires: ['cn=edge'],
      message: ['expiring in 30 days (limit 30)'],
    },
    {
      name: 'the earliest of two certificates counts',
      org: () => dbOrg({ databaseUsers: [x509('cn=soon', daysAgo(-200), daysAgo(-2))] }),
      fires: ['cn=soon'],
      message: ['expiring in 2 days'],
    },
    {
      name: 'at the limit of a policy of 7 days: expires in 7 days',
      org: () => dbOrg({ databaseUsers: [x509('cn=week', daysAgo(-7))] }),
      policy: { rules: { 'x509-cert-expiring': { params: { days: 7 } } } },
      fires: ['cn=week'],
    },
  ],
  notEvaluated: [
    {
      name: 'certificates not collected',
      org: () =>
        dbOrg({ databaseUsers: [x509('cn=app')] }, { coverage: coverage({ databaseUserCerts: false }) }),
      reason: "no database users' X.509 certificates",
    },
  ],
};
