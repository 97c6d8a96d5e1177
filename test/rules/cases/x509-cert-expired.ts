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
    {
      name: 'a certificate valid for a year',
      org: () => dbOrg({ databaseUsers: [x509('cn=app', daysAgo(-365))] }),
    },
    {
      name: 'one millisecond before expiry',
      org: () =>
        dbOrg({ databaseUsers: [x509('cn=app', new Date(Date.parse(daysAgo(0)) + 1).toISOString())] }),
    },
  ],
  invalid: [
    {
      name: 'at the limit: a certificate expiring exactly now',
      atLimit: ['expiredCertificateCount'],
      org: () => dbOrg({ databaseUsers: [x509('cn=now', daysAgo(0))] }),
      fires: ['cn=now'],
      message: ['1 expired X.509 certificates'],
    },
    {
      name: 'an old certificate next to a valid one',
      org: () => dbOrg({ databaseUsers: [x509('cn=old', daysAgo(10), daysAgo(-300))] }),
      fires: ['cn=old'],
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
