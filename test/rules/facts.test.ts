import { describe, expect, it } from 'vitest';
import { daysSince, deriveSubjects, FACTS } from '../../src/rules/facts.js';
import { emailDomainOf, isDomainAllowed } from '../../src/util/address.js';
import { cluster, customRole, dbUser, networkEntry } from '../builders/database-access.js';
import {
  apiKey,
  BUILDER_NOW,
  chartsUser,
  daysAgo,
  invitation,
  org,
  project,
  projectRole,
  serviceAccount,
  settings,
  snapshot,
  team,
  user,
} from '../builders/snapshot.js';

const now = BUILDER_NOW;
const derive = (o: ReturnType<typeof org>, allowed: string[] = []) =>
  deriveSubjects(snapshot([o]), { now, allowedEmailDomains: allowed, extraKnownRoles: [] });

describe('fact helpers', () => {
  it('daysSince counts whole days and passes null through', () => {
    expect(daysSince(daysAgo(90), now)).toBe(90);
    expect(daysSince(new Date(now.getTime() - 90 * 86_400_000 + 1).toISOString(), now)).toBe(89);
    expect(daysSince(null, now)).toBeNull();
  });
  it('email domains: lower case, subdomains allowed, look-alikes not', () => {
    expect(emailDomainOf('A@Example.COM')).toBe('example.com');
    expect(emailDomainOf('nodomain')).toBe('');
    expect(isDomainAllowed('eu.example.com', ['example.com'])).toBe(true);
    expect(isDomainAllowed('badexample.com', ['example.com'])).toBe(false);
  });
});

describe('deriveSubjects', () => {
  it('an invitation expiring exactly now is expired, as a secret expiring exactly now is', () => {
    const at = (ms: number) =>
      invitation({ invitationExpiresAt: new Date(now.getTime() + ms).toISOString() });
    const [exact, before, after] = [at(0), at(-1), at(1)];
    const users = derive(org({ users: [exact, before, after] })).user;
    const expired = (id: string) => users.find((x) => x.ref.id === id)?.facts.invitationExpired;
    expect([expired(exact.id), expired(before.id), expired(after.id)]).toEqual([true, true, false]);
  });

  it('derives user facts', () => {
    const t = team();
    const p = project({ name: 'p1', teams: [{ teamId: t.id, roles: ['GROUP_READ_ONLY'] }] });
    const u = user({
      username: 'u@Sub.Example.com',
      orgRoles: ['ORG_MEMBER', 'ORG_X'],
      teamIds: [t.id],
      projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY', 'GROUP_OWNER')],
      lastAuth: null,
      createdAt: daysAgo(40),
    });
    t.memberIds = [u.id];
    const s = derive(org({ users: [u], teams: [t], projects: [p] }), ['example.com']);
    expect(s.user[0]!.facts).toMatchObject({
      isActive: true,
      emailDomain: 'sub.example.com',
      emailDomainAllowed: true,
      daysSinceLastAuth: null,
      neverSignedIn: true,
      daysSinceCreated: 40,
      daysIdle: 40,
      isOrgOwner: false,
      isProjectOwner: true,
      isPrivileged: true,
      teamCount: 1,
      directProjectRoles: ['p1: GROUP_OWNER'],
      directProjectRoleCount: 1,
      unknownRoles: ['ORG_X'],
    });
    expect(s.project[0]!.facts).toMatchObject({ ownerCount: 1, owners: ['u@Sub.Example.com'] });
  });

  it('emailDomainAllowed is null when the policy lists no domains', () => {
    expect(derive(org({ users: [user()] })).user[0]!.facts.emailDomainAllowed).toBeNull();
  });

  it('counts org owners: pending invitations count, expired do not; active owners must have signed in', () => {
    const o = org({
      users: [
        user({ username: 'a', orgRoles: ['ORG_OWNER'] }),
        user({ username: 'b', orgRoles: ['ORG_OWNER'], lastAuth: null }),
        invitation({ username: 'c', orgRoles: ['ORG_OWNER'] }),
        invitation({ username: 'd', orgRoles: ['ORG_OWNER'], status: 'INVITATION_EXPIRED' }),
      ],
    });
    expect(derive(o).org[0]!.facts).toMatchObject({
      ownerCount: 3,
      owners: ['a', 'b', 'c'],
      activeOwnerCount: 1,
    });
  });

  it('finds team membership disagreements in both directions', () => {
    const t = team();
    const a = user({ username: 'a', teamIds: [t.id] });
    const b = user({ username: 'b' });
    t.memberIds = [b.id, 'ffffffffffffffffffffffff'];
    const f = derive(org({ users: [a, b], teams: [t] })).team[0]!.facts;
    expect(f.membershipMismatchCount).toBe(3);
    expect(f.members).toEqual(['b', 'ffffffffffffffffffffffff']);
  });

  it('derives API key and service account facts', () => {
    const o = org({
      apiKeys: [apiKey({ orgRoles: ['ORG_OWNER'], accessList: [], description: null, publicKey: 'pk1' })],
      serviceAccounts: [
        serviceAccount({
          secrets: [
            {
              id: 'aa0000000000000000000001',
              createdAt: daysAgo(100),
              expiresAt: daysAgo(1),
              lastUsedAt: null,
            },
            {
              id: 'aa0000000000000000000002',
              createdAt: daysAgo(50),
              expiresAt: daysAgo(-10),
              lastUsedAt: null,
            },
            {
              id: 'aa0000000000000000000003',
              createdAt: daysAgo(200),
              expiresAt: null,
              lastUsedAt: daysAgo(70),
            },
          ],
        }),
      ],
    });
    const s = derive(o);
    expect(s.apiKey[0]!.facts).toMatchObject({ name: 'pk1', isOrgOwner: true, accessListCount: 0 });
    expect(s.serviceAccount[0]!.facts).toMatchObject({
      expiredSecretCount: 1,
      expiredSecrets: ['aa0000000000000000000001'],
      maxDaysSecretUnused: 70,
    });
  });

  it("derives a service account's project roles, access list, system-managed flag and privilege", () => {
    const p = project({ name: 'prod' });
    const o = org({
      projects: [p],
      serviceAccounts: [
        serviceAccount({
          name: 'mcp',
          systemManaged: true,
          accessList: [],
          projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY', 'GROUP_BACKUP_MANAGER', 'GROUP_TELEPORT')],
        }),
      ],
    });
    expect(derive(o).serviceAccount[0]!.facts).toMatchObject({
      systemManaged: true,
      accessCovered: true,
      accessListCount: 0,
      projectCount: 1,
      projectRoles: ['prod: GROUP_BACKUP_MANAGER', 'prod: GROUP_READ_ONLY', 'prod: GROUP_TELEPORT'],
      highestPrivilege: 'write',
      unknownRoles: ['GROUP_TELEPORT'],
      isOrgOwner: false,
    });
  });

  it('tells people from the users Atlas creates, and ranks what each holds', () => {
    const t = team();
    const p = project({ teams: [{ teamId: t.id, roles: ['GROUP_ACCESS_MANAGER'] }] });
    const person = user({ teamIds: [t.id] });
    t.memberIds = [person.id];
    const s = derive(
      org({
        users: [person, chartsUser(), user({ orgRoles: ['ORG_READ_ONLY'] })],
        teams: [t],
        projects: [p],
      }),
    );
    const [a, charts, reader] = s.user.map((u) => u.facts);
    expect(a).toMatchObject({
      isHuman: true,
      nonHumanKind: null,
      highestPrivilege: 'owner',
      isPrivileged: true,
    });
    expect(charts).toMatchObject({ isHuman: false, nonHumanKind: 'atlas-charts', highestPrivilege: 'read' });
    expect(reader).toMatchObject({ isHuman: true, highestPrivilege: 'read', isPrivileged: false });
  });

  it('derives session timeouts with the Atlas defaults, for Atlas Commercial and Atlas for Government', () => {
    const o = () =>
      org({
        settings: settings({ idleSessionTimeoutInSeconds: null, absoluteSessionTimeoutInSeconds: null }),
      });
    const commercial = derive(o()).org[0]!.facts;
    expect(commercial).toMatchObject({
      sessionTimeoutsCovered: true,
      hasIdleSessionTimeout: false,
      idleSessionTimeoutMinutes: null,
      absoluteSessionTimeoutMinutes: 720,
      sessionTimeouts: 'idle: none (Atlas default); absolute: 720 min (Atlas default)',
    });
    const gov = deriveSubjects(
      snapshot([o()], {
        source: {
          baseUrl: 'https://cloud.mongodbgov.com',
          api: 'atlas-v2',
          apiVersion: '2025-02-19',
          auth: 'service-account',
          keepPii: false,
        },
      }),
      { now, allowedEmailDomains: [], extraKnownRoles: [] },
    ).org[0]!.facts;
    expect(gov).toMatchObject({
      hasIdleSessionTimeout: true,
      idleSessionTimeoutMinutes: 10,
      sessionTimeouts: 'idle: 10 min (Atlas for Government default); absolute: 720 min (Atlas default)',
    });
    const set = derive(
      org({
        settings: settings({ idleSessionTimeoutInSeconds: 1200, absoluteSessionTimeoutInSeconds: 3600 }),
      }),
    );
    expect(set.org[0]!.facts).toMatchObject({
      idleSessionTimeoutMinutes: 20,
      absoluteSessionTimeoutMinutes: 60,
      sessionTimeouts: 'idle: 20 min; absolute: 60 min',
    });
  });

  it('every derived fact is declared with its type, and every declared fact is derived', () => {
    const o = org({
      projects: [
        project({
          databaseUsers: [dbUser()],
          customRoles: [customRole()],
          networkAccess: [networkEntry()],
          clusters: [cluster('c0')],
        }),
      ],
      apiKeys: [apiKey()],
      serviceAccounts: [serviceAccount()],
    });
    const s = derive(o);
    for (const [kind, list] of Object.entries(s)) {
      const facts = list[0]!.facts;
      const decl = FACTS[kind as keyof typeof FACTS];
      expect(Object.keys(facts).sort(), kind).toEqual(Object.keys(decl).sort());
      for (const [name, v] of Object.entries(facts)) {
        const spec = decl[name]!;
        if (v === null) expect(spec.nullable, `${kind}.${name}`).toBe(true);
        else if (spec.type === 'string[]') expect(Array.isArray(v), `${kind}.${name}`).toBe(true);
        else expect(typeof v, `${kind}.${name}`).toBe(spec.type);
      }
    }
  });
});
