import { dbOrg, dbUser } from '../../builders/database-access.js';
import { coverage, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const external = (
  authKind: 'oidc-user' | 'oidc-group' | 'ldap-user' | 'ldap-group' | 'aws-iam-user',
  username: string,
) =>
  // OIDC Workforce users and groups live in admin; in $external an OIDC user is a Workload identity.
  dbUser({ username, databaseName: authKind.startsWith('oidc') ? 'admin' : '$external', authKind });
const members = () => [
  user({ username: 'owner1@example.com', orgRoles: ['ORG_OWNER'] }),
  user({ username: 'Jane.Doe@Example.com' }),
  user({ username: 'gone@example.com', status: 'PENDING' }),
];

export const cases: RuleCases = {
  valid: [
    {
      name: 'OIDC and LDAP users who are members (compared case-insensitively)',
      org: () =>
        dbOrg(
          {
            databaseUsers: [
              external('oidc-user', '0oa1idp/jane.doe@example.com'),
              external('ldap-user', 'uid=jane.doe,ou=people,dc=example,dc=com'),
              external('ldap-user', 'CN=Jane Doe,OU=Staff,mail=JANE.DOE@EXAMPLE.COM'),
            ],
          },
          { users: members() },
        ),
    },
    {
      name: 'an OIDC Workload user ($external) is an application, not a person, whatever its name',
      org: () =>
        dbOrg(
          {
            databaseUsers: [
              dbUser({
                username: '0oa1idp/left@example.com',
                databaseName: '$external',
                authKind: 'oidc-user',
              }),
            ],
          },
          { users: members() },
        ),
    },
    {
      name: 'groups and IAM identities are not persons',
      org: () =>
        dbOrg(
          {
            databaseUsers: [
              external('oidc-group', '0oa1idp/dba-group'),
              external('ldap-group', 'cn=dbas,ou=groups,dc=example,dc=com'),
              external('aws-iam-user', 'arn:aws:iam::123456789012:user/nobody'),
            ],
          },
          { users: members() },
        ),
    },
  ],
  invalid: [
    {
      name: 'identities of no ACTIVE member (an invitation is not membership)',
      org: () =>
        dbOrg(
          {
            databaseUsers: [
              external('oidc-user', '0oa1idp/left@example.com'),
              external('ldap-user', 'uid=gone,ou=people,dc=example,dc=com'),
            ],
          },
          { users: members() },
        ),
      fires: ['0oa1idp/left@example.com', 'uid=gone,ou=people,dc=example,dc=com'],
      message: ['is no member of the organization'],
    },
  ],
  notEvaluated: [
    {
      name: 'org users not collected',
      org: () =>
        dbOrg(
          { databaseUsers: [external('oidc-user', 'idp/a@example.com')] },
          { coverage: coverage({ users: false }) },
        ),
      reason: 'no user data',
    },
    {
      name: 'an LDAP DN from which no address can be derived',
      org: () =>
        dbOrg({ databaseUsers: [external('ldap-user', 'CN=Jane Doe,OU=Staff')] }, { users: members() }),
      reason: 'database user CN=Jane Doe,OU=Staff: no address can be derived from its identity',
    },
  ],
};
