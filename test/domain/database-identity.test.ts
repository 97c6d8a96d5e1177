import { describe, expect, it } from 'vitest';
import { databaseIdentity, ldapAddress, parseDn } from '../../src/domain/database-identity.js';

describe('databaseIdentity', () => {
  it('splits an OIDC user at the first slash and takes an address name', () => {
    expect(databaseIdentity({ username: '6650aa/Alice@Example.com', authKind: 'oidc-user' })).toEqual({
      provider: 'oidc',
      isGroup: false,
      idpId: '6650aa',
      name: 'Alice@Example.com',
      address: 'alice@example.com',
    });
  });
  it('gives an OIDC principal that is not an address no address', () => {
    expect(databaseIdentity({ username: 'idp/alice', authKind: 'oidc-user' })?.address).toBeNull();
  });
  it('treats groups as no person', () => {
    const g = databaseIdentity({ username: 'idp/dba@example.com', authKind: 'oidc-group' });
    expect(g).toMatchObject({ isGroup: true, address: null });
    expect(databaseIdentity({ username: 'cn=dbas,dc=example,dc=com', authKind: 'ldap-group' })).toMatchObject(
      {
        provider: 'ldap',
        isGroup: true,
        address: null,
      },
    );
  });
  it('has no directory identity for SCRAM, X.509 or AWS IAM users', () => {
    for (const authKind of ['scram', 'x509-managed', 'x509-customer', 'aws-iam-user', 'aws-iam-role'])
      expect(databaseIdentity({ username: 'alice@example.com', authKind })).toBeNull();
  });
  it('an OIDC user in $external is a Workload identity (an application): no directory person', () => {
    const u = { username: 'idp/jane@example.com', authKind: 'oidc-user' };
    expect(databaseIdentity({ ...u, databaseName: '$external' })).toBeNull();
    expect(databaseIdentity({ ...u, databaseName: 'admin' })?.address).toBe('jane@example.com');
  });
  it.each([
    ['uid=jane,ou=people,dc=example,dc=com', 'jane@example.com'],
    ['cn=Jane Doe,mail=jane@example.com,dc=example,dc=com', 'jane@example.com'],
    ['CN=Jane Doe,OU=Staff,E=Jane@Example.com', 'jane@example.com'],
    ['jane@corp.example.com', 'jane@corp.example.com'],
    ['cn=Jane Doe,ou=people', null],
    ['uid=jane,dc=local', null],
  ])('the address of LDAP user %s is %s', (username, address) => {
    expect(databaseIdentity({ username, authKind: 'ldap-user' })?.address).toBe(address);
  });
});

describe('ldapAddress', () => {
  it.each([
    ['uid=alice,ou=people,dc=example,dc=com', 'alice@example.com'],
    ['UID=Alice,OU=People,DC=Example,DC=com', 'alice@example.com'],
    ['cn=Alice Smith+mail=alice.smith@example.com,ou=people,dc=example,dc=com', 'alice.smith@example.com'],
    ['CN=Smith\\, Alice,OU=Users,emailAddress=asmith@corp.example,DC=corp,DC=example', 'asmith@corp.example'],
    ['userPrincipalName=bob@example.com,DC=example,DC=com', 'bob@example.com'],
    ['bob@example.com', 'bob@example.com'],
    ['CN=Alice Smith,OU=Users,DC=example,DC=com', null],
    ['uid=alice,ou=people,dc=local', null],
    ['uid=alice,ou=people', null],
    ['alice', null],
  ])('%s -> %s', (dn, address) => {
    expect(ldapAddress(dn)).toBe(address);
  });
});

describe('parseDn', () => {
  it('unescapes both escape forms', () => {
    expect(parseDn('cn=a\\2Cb,o=x\\+y')).toEqual([
      { type: 'cn', value: 'a,b' },
      { type: 'o', value: 'x+y' },
    ]);
  });
  it('is null for a string that is not a DN', () => {
    expect(parseDn('alice smith')).toBeNull();
    expect(parseDn('=x')).toBeNull();
  });
});
