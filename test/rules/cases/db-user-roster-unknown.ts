import { dbOrg, dbUser } from '../../builders/database-access.js';
import { rosterCsv } from '../../builders/roster.js';
import type { RuleCases } from '../tester.js';

type Kind = 'oidc-user' | 'oidc-group' | 'ldap-user' | 'ldap-group' | 'aws-iam-role' | 'x509-customer';
const db = (authKind: Kind, username: string) =>
  dbUser({ username, authKind, databaseName: authKind.startsWith('oidc') ? 'admin' : '$external' });
const roster = rosterCsv([
  { email: 'alice@example.com', aliases: ['alice.smith@example.com'] },
  { email: 'bob@example.com', status: 'Terminated' },
]);

export const cases: RuleCases = {
  valid: [
    {
      name: 'people of the roster, by email, alias and any case (terminated ones are the other rule’s)',
      org: () =>
        dbOrg({
          databaseUsers: [
            db('oidc-user', '0oa1idp/ALICE@example.com'),
            db('ldap-user', 'mail=alice.smith@example.com,ou=people,dc=example,dc=com'),
            db('ldap-user', 'uid=bob,ou=people,dc=example,dc=com'),
          ],
        }),
      roster,
    },
    {
      name: 'groups, IAM roles and X.509 users are no person',
      org: () =>
        dbOrg({
          databaseUsers: [
            db('oidc-group', '0oa1idp/db-readers'),
            db('ldap-group', 'cn=dbas,ou=groups,dc=example,dc=com'),
            db('aws-iam-role', 'arn:aws:iam::123456789012:role/etl'),
            db('x509-customer', 'CN=batch,OU=apps,DC=example,DC=com'),
          ],
        }),
      roster,
    },
  ],
  invalid: [
    {
      name: 'an OIDC user and an LDAP user whose address no person has',
      org: () =>
        dbOrg({
          databaseUsers: [
            db('oidc-user', '0oa1idp/contractor@example.com'),
            db('ldap-user', 'uid=alice2,ou=people,dc=example,dc=com'),
          ],
        }),
      roster,
      fires: ['0oa1idp/contractor@example.com', 'uid=alice2,ou=people,dc=example,dc=com'],
      message: ["whom no person's email or alias in the roster matches"],
    },
  ],
  notEvaluated: [
    {
      name: 'no --roster',
      org: () => dbOrg({ databaseUsers: [db('oidc-user', '0oa1idp/ghost@example.com')] }),
      reason: 'no roster (--roster)',
    },
    {
      name: 'an LDAP DN from which no address can be derived',
      org: () => dbOrg({ databaseUsers: [db('ldap-user', 'CN=Some One,OU=Staff')] }),
      roster,
      reason: 'database user CN=Some One,OU=Staff: no address can be derived from its identity',
    },
  ],
};
