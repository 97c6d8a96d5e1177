import { dbOrg, dbUser } from '../../builders/database-access.js';
import { rosterCsv } from '../../builders/roster.js';
import type { RuleCases } from '../tester.js';

type Kind = 'oidc-user' | 'oidc-group' | 'ldap-user' | 'ldap-group' | 'aws-iam-user' | 'scram';
const db = (authKind: Kind, username: string) =>
  dbUser({ username, authKind, databaseName: authKind === 'ldap-user' ? '$external' : 'admin' });
const roster = rosterCsv([
  {
    email: 'leaver@example.com',
    status: 'Terminated',
    endDate: '2026-05-15',
    aliases: ['l.eaver@example.org'],
  },
  { email: 'stayer@example.com' },
]);

export const cases: RuleCases = {
  valid: [
    {
      name: 'OIDC and LDAP users of active people',
      org: () =>
        dbOrg({
          databaseUsers: [
            db('oidc-user', '0oa1idp/stayer@example.com'),
            db('ldap-user', 'uid=stayer,ou=people,dc=example,dc=com'),
          ],
        }),
      roster,
    },
    {
      name: 'groups, IAM and SCRAM users stand for no person, whatever their name says',
      org: () =>
        dbOrg({
          databaseUsers: [
            db('oidc-group', '0oa1idp/leaver@example.com'),
            db('ldap-group', 'mail=leaver@example.com,ou=groups,dc=example,dc=com'),
            db('aws-iam-user', 'arn:aws:iam::123456789012:user/leaver@example.com'),
            db('scram', 'leaver@example.com'),
          ],
        }),
      roster,
    },
    {
      name: 'a person the roster does not know (db-user-roster-unknown reports it)',
      org: () => dbOrg({ databaseUsers: [db('oidc-user', '0oa1idp/ghost@example.com')] }),
      roster,
    },
  ],
  invalid: [
    {
      name: 'an OIDC user of a terminated person (by alias, any case) and an LDAP user by uid and dc',
      org: () =>
        dbOrg({
          databaseUsers: [
            db('oidc-user', '0oa1idp/L.Eaver@Example.org'),
            db('ldap-user', 'uid=leaver,ou=people,dc=example,dc=com'),
          ],
        }),
      roster,
      fires: ['0oa1idp/L.Eaver@Example.org', 'uid=leaver,ou=people,dc=example,dc=com'],
      message: [
        'stands for leaver@example.com, terminated in the roster (end date 2026-05-15T23:59:59.999Z)',
      ],
    },
  ],
  notEvaluated: [
    {
      name: 'no --roster',
      org: () => dbOrg({ databaseUsers: [db('oidc-user', '0oa1idp/leaver@example.com')] }),
      reason: 'no roster (--roster)',
    },
    {
      name: 'an LDAP DN from which no address can be derived',
      org: () => dbOrg({ databaseUsers: [db('ldap-user', 'CN=Lea Ver,OU=Staff')] }),
      roster,
      reason: 'database user CN=Lea Ver,OU=Staff: no address can be derived from its identity',
    },
  ],
};
