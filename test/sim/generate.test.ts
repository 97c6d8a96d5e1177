import { describe, expect, it } from 'vitest';
import {
  type Estate,
  type EstateOptions,
  generateEstate,
  KNOWN_ORG_ROLES,
  KNOWN_PROJECT_ROLES,
  LIMITS,
  MULTI_ORG_KINDS,
  PRESETS,
  VIOLATION_KINDS,
} from '../../src/sim/generate.js';
import { type Organization, organizationSchema } from '../../src/snapshot/schema.js';

const now = new Date('2026-11-01T12:00:00Z');
const DAY = 86_400_000;
/** Atlas Charts' user (written here from the naming convention, not imported from src/). */
const CHARTS_USER = /^charts\+[a-f0-9]{24}@mongodb\.com$/;

/**
 * An independent reading of every violation kind, written from the brief's definitions and not
 * from the generator's code. The generator promises that `planted` is exactly what this finds.
 */
function detect(estate: Estate, at: Date): Set<string> {
  const found = new Set<string>();
  const t = at.getTime();
  const age = (iso: string | null) => (iso === null ? Number.POSITIVE_INFINITY : t - Date.parse(iso));
  const add = (kind: string, type: string, id: string) => found.add(`${kind}|${type}|${id}`);
  const knownOrg = new Set<string>(KNOWN_ORG_ROLES);
  const knownProject = new Set<string>(KNOWN_PROJECT_ROLES);
  for (const org of estate.organizations) {
    const active = org.users.filter((u) => u.status === 'ACTIVE');
    const owners = active.filter((u) => u.orgRoles.includes('ORG_OWNER'));
    if (owners.length > 3) add('too-many-org-owners', 'org', org.id);
    if (owners.length < 2) add('too-few-org-owners', 'org', org.id);
    if (org.settings?.multiFactorAuthRequired === false) add('mfa-not-required', 'org', org.id);
    if (org.settings?.apiAccessListRequired === false) add('api-access-list-not-required', 'org', org.id);
    // Unset idle timeout = none (Atlas Commercial); defaults of the rule: 30 minutes idle, 12 hours absolute.
    const idleSeconds = org.settings?.idleSessionTimeoutInSeconds ?? Number.POSITIVE_INFINITY;
    const absoluteSeconds = org.settings?.absoluteSessionTimeoutInSeconds ?? 43_200;
    if (org.settings && (idleSeconds > 1800 || absoluteSeconds > 43_200))
      add('session-timeout-too-long', 'org', org.id);
    const teamsOfUser = new Map<string, Set<string>>();
    for (const u of org.users) teamsOfUser.set(u.id, new Set(u.teamIds));
    for (const team of org.teams) for (const id of team.memberIds) teamsOfUser.get(id)?.add(team.id);
    // Project owners: GROUP_OWNER granted directly or through any team the user is in (either list).
    const projectOwners = new Set<string>();
    for (const project of org.projects) {
      for (const pt of project.teams) {
        if (!pt.roles.includes('GROUP_OWNER')) continue;
        for (const u of org.users) if (teamsOfUser.get(u.id)?.has(pt.teamId)) projectOwners.add(u.id);
      }
    }
    for (const u of org.users)
      if (u.projectRoles.some((p) => p.roles.includes('GROUP_OWNER'))) projectOwners.add(u.id);
    // People only: the person-centred checks say nothing true about the user Atlas Charts creates.
    const people = org.users.filter((u) => !CHARTS_USER.test(u.username));
    for (const u of active.filter((x) => people.includes(x))) {
      if (u.lastAuth !== null && age(u.lastAuth) > 90 * DAY) add('stale-last-auth', 'user', u.id);
      if (u.lastAuth === null && age(u.createdAt) > 30 * DAY) add('never-signed-in', 'user', u.id);
      const idle = u.lastAuth === null ? age(u.createdAt) : age(u.lastAuth);
      const privileged = u.orgRoles.includes('ORG_OWNER') || projectOwners.has(u.id);
      if (privileged && idle > 30 * DAY) add('idle-privileged-user', 'user', u.id);
      if ((teamsOfUser.get(u.id)?.size ?? 0) === 0) add('user-without-team', 'user', u.id);
    }
    for (const u of org.users) {
      const domain = u.username.split('@')[1] ?? '';
      const person = people.includes(u);
      if (person && !estate.companyEmailDomains.includes(domain)) add('outside-email-domain', 'user', u.id);
      if (u.status === 'PENDING' && age(u.invitationCreatedAt) > 30 * DAY)
        add('stale-invitation', 'user', u.id);
      if (u.status === 'INVITATION_EXPIRED') add('expired-invitation', 'user', u.id);
      if (
        u.orgRoles.some((r) => !knownOrg.has(r)) ||
        u.projectRoles.some((p) => p.roles.some((r) => !knownProject.has(r)))
      ) {
        add('unknown-role', 'user', u.id);
      }
      for (const direct of u.projectRoles) {
        const viaTeams = new Set<string>();
        for (const project of org.projects.filter((p) => p.id === direct.projectId)) {
          for (const pt of project.teams)
            if (teamsOfUser.get(u.id)?.has(pt.teamId)) for (const r of pt.roles) viaTeams.add(r);
        }
        if (person && direct.roles.some((r) => !viaTeams.has(r))) add('direct-project-roles', 'user', u.id);
      }
    }
    for (const team of org.teams) {
      if (team.memberIds.length === 0) add('empty-team', 'team', team.id);
      const fromUsers = org.users.filter((u) => u.teamIds.includes(team.id)).map((u) => u.id);
      if (fromUsers.sort().join() !== [...team.memberIds].sort().join())
        add('team-membership-mismatch', 'team', team.id);
    }
    const activeIds = new Set(active.map((u) => u.id));
    for (const project of org.projects) {
      const holders = new Set<string>();
      for (const pt of project.teams) {
        if (!pt.roles.includes('GROUP_OWNER')) continue;
        for (const id of org.teams.find((x) => x.id === pt.teamId)?.memberIds ?? [])
          if (activeIds.has(id)) holders.add(id);
      }
      for (const u of active) {
        if (u.projectRoles.some((p) => p.projectId === project.id && p.roles.includes('GROUP_OWNER')))
          holders.add(u.id);
      }
      if (holders.size > 3) add('too-many-project-owners', 'project', project.id);
    }
    for (const key of org.apiKeys) {
      if (key.orgRoles.includes('ORG_OWNER')) add('api-key-org-owner', 'apiKey', key.id);
      if (key.accessList.length === 0) add('api-key-no-access-list', 'apiKey', key.id);
    }
    for (const sa of org.serviceAccounts) {
      if (!sa.systemManaged && sa.accessList.length === 0)
        add('service-account-no-access-list', 'serviceAccount', sa.clientId);
      for (const secret of sa.secrets) {
        if (secret.expiresAt !== null && Date.parse(secret.expiresAt) < t) {
          add('service-account-secret-expired', 'serviceAccount', sa.clientId);
        }
        const unused = secret.lastUsedAt === null ? age(secret.createdAt) : age(secret.lastUsedAt);
        if (unused > 90 * DAY) add('service-account-secret-unused', 'serviceAccount', sa.clientId);
      }
    }
    detectDatabase(org, t, add);
  }
  return found;
}

/** Built-in roles that make a database user privileged (rules/db-user-privileged). */
const PRIVILEGED_DB_ROLES = new Set([
  'atlasAdmin',
  'readAnyDatabase',
  'readWriteAnyDatabase',
  'dbAdminAnyDatabase',
  'userAdminAnyDatabase',
  'clusterManager',
]);
const DANGEROUS_ACTIONS = new Set(['DROP_DATABASE', 'SHUTDOWN', 'CREATE_USER', 'GRANT_ROLE', 'DROP_ROLE']);

/** The database-access kinds, read from the definitions with the default policy. */
function detectDatabase(org: Organization, t: number, add: (kind: string, type: string, id: string) => void) {
  const members = new Set(
    org.users.filter((u) => u.status === 'ACTIVE').map((u) => u.username.toLowerCase()),
  );
  for (const p of org.projects) {
    if (p.databaseUsers.length > 0 && p.networkAccess.length === 0)
      add('project-db-users-no-access-list', 'project', p.id);
    for (const e of p.networkAccess) {
      const value = e.cidrBlock ?? e.ipAddress ?? e.awsSecurityGroup ?? '';
      const id = `${p.id}/${value}`;
      if (value === '0.0.0.0/0' || value === '::/0')
        add('network-access-open-to-world', 'networkAccessEntry', id);
      const prefix = e.cidrBlock ? Number(e.cidrBlock.split('/')[1]) : 32;
      if (prefix > 0 && prefix < 16) add('network-access-wide-cidr', 'networkAccessEntry', id);
      if (!e.comment) add('network-access-no-comment', 'networkAccessEntry', id);
    }
    for (const r of p.customRoles) {
      if (r.actions.some((a) => DANGEROUS_ACTIONS.has(a.action)))
        add('custom-role-dangerous-actions', 'customRole', `${p.id}/${r.roleName}`);
    }
    for (const u of p.databaseUsers) {
      const id = `${p.id}/${u.databaseName}/${u.username}`;
      if (u.roles.some((r) => PRIVILEGED_DB_ROLES.has(r.roleName)))
        add('db-user-privileged', 'databaseUser', id);
      if (u.scopes.length === 0 && p.clusters.length > 1) add('db-user-unscoped', 'databaseUser', id);
      if (u.deleteAfterDate !== null && Date.parse(u.deleteAfterDate) < t)
        add('db-user-temporary-expired', 'databaseUser', id);
      if (u.certificates.some((c) => c.notAfter !== null && Date.parse(c.notAfter) - t <= 30 * DAY))
        add('x509-cert-expiring', 'databaseUser', id);
      if (u.authKind === 'oidc-user' || u.authKind === 'ldap-user') {
        const email = u.username.slice(u.username.indexOf('/') + 1).toLowerCase();
        if (!members.has(email)) add('db-user-orphan-identity', 'databaseUser', id);
      }
      const reach =
        u.scopes.length === 0
          ? p.clusters
          : p.clusters.filter((c) => u.scopes.some((s) => s.name === c.name));
      if (reach.length === 0 || reach.some((c) => c.accessHistory.status !== 'collected')) continue;
      const lasts = reach
        .flatMap((c) => c.accessHistory.summaries.filter((s) => s.username === u.username))
        .map((s) => (s.lastSuccessAt === null ? null : Date.parse(s.lastSuccessAt)))
        .filter((x): x is number => x !== null);
      if (lasts.length === 0) add('db-user-never-used', 'databaseUser', id);
      else if (t - Math.max(...lasts) > 90 * DAY) add('db-user-inactive', 'databaseUser', id);
    }
  }
}

function plantedKeys(estate: Estate): Set<string> {
  return new Set(estate.planted.map((p) => `${p.kind}|${p.subjectType}|${p.subjectId}`));
}

function allIds(org: Organization): string[] {
  return [
    org.id,
    ...org.users.map((u) => u.id),
    ...org.teams.map((t) => t.id),
    ...org.projects.map((p) => p.id),
    ...org.apiKeys.map((k) => k.id),
    ...org.serviceAccounts.map((s) => s.clientId.slice('mdb_sa_id_'.length)),
    ...org.serviceAccounts.flatMap((s) => s.secrets.map((x) => x.id)),
    ...org.projectInvitations.map((i) => i.id),
  ];
}

function isSorted(values: string[]): boolean {
  return values.every((v, i) => i === 0 || (values[i - 1] as string) <= v);
}

const demo: EstateOptions = { seed: 7, now, ...PRESETS.demo };

describe('generateEstate', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateEstate(demo)).toEqual(generateEstate(demo));
    const other = generateEstate({ ...demo, seed: 8 });
    expect(other.organizations[0]?.id).not.toBe(generateEstate(demo).organizations[0]?.id);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(generateEstate(demo)));
  });

  it('produces schema-valid, sorted organizations with unique 24-hex ids', () => {
    const estate = generateEstate(demo);
    expect(estate.organizations).toHaveLength(3);
    const seen = new Set<string>();
    for (const org of estate.organizations) {
      expect(organizationSchema.parse(org)).toEqual(org);
      expect(org.coverage).toEqual({
        users: true,
        invitations: true,
        teams: true,
        projects: true,
        apiKeys: true,
        serviceAccounts: true,
        settings: true,
        signIns: true,
        serviceAccountAccess: true,
        systemManagedServiceAccounts: true,
        sessionTimeouts: true,
        projectInvitations: true,
        databaseUsers: true,
        databaseUserCerts: true,
        customRoles: true,
        networkAccess: true,
        clusters: true,
        accessHistory: true,
      });
      expect(org.completeness).toEqual([]);
      expect(org.notes).toEqual([]);
      // Unset session timeouts are null (Atlas's defaults); every other setting is reported.
      const {
        absoluteSessionTimeoutInSeconds: _absolute,
        idleSessionTimeoutInSeconds: _idle,
        ...reported
      } = org.settings ?? {};
      expect(Object.values(reported).every((v) => v !== null && v !== undefined)).toBe(true);
      expect(isSorted(org.users.map((u) => u.id))).toBe(true);
      expect(isSorted(org.teams.map((t) => t.id))).toBe(true);
      expect(isSorted(org.projects.map((p) => p.id))).toBe(true);
      expect(isSorted(org.apiKeys.map((k) => k.id))).toBe(true);
      expect(isSorted(org.serviceAccounts.map((s) => s.clientId))).toBe(true);
      for (const t of org.teams) expect(isSorted(t.memberIds)).toBe(true);
      for (const u of org.users) expect(isSorted(u.teamIds)).toBe(true);
      for (const id of allIds(org)) {
        expect(id).toMatch(/^[a-f0-9]{24}$/);
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
      for (const key of org.apiKeys) expect(key.publicKey).toMatch(/^[a-z]{8}$/);
    }
    expect(isSorted(estate.organizations.map((o) => o.id))).toBe(true);
  });

  it('generates realistic people in every membership status', () => {
    const users = generateEstate(demo).organizations.flatMap((o) => o.users);
    const statuses = new Set(users.map((u) => u.status));
    expect([...statuses].sort()).toEqual(['ACTIVE', 'INVITATION_EXPIRED', 'INVITATION_REJECTED', 'PENDING']);
    expect(users.filter((u) => u.status === 'ACTIVE').length / users.length).toBeGreaterThan(0.8);
    for (const u of users) {
      if (!CHARTS_USER.test(u.username)) expect(u.username).toMatch(/^[a-z.0-9]+@[a-z-]+\.[a-z]+$/);
      expect('mobileNumber' in u).toBe(false);
      if (u.status === 'ACTIVE') {
        expect(u.firstName && u.lastName && u.country && u.createdAt).toBeTruthy();
        expect(u.orgRoles.length).toBeGreaterThan(0);
        expect([u.invitationCreatedAt, u.invitationExpiresAt, u.inviterUsername]).toEqual([null, null, null]);
        if (u.lastAuth !== null)
          expect(Date.parse(u.lastAuth)).toBeGreaterThanOrEqual(Date.parse(u.createdAt ?? ''));
      } else {
        expect([u.createdAt, u.lastAuth, u.firstName, u.lastName, u.country]).toEqual([
          null,
          null,
          null,
          null,
          null,
        ]);
        expect(u.invitationCreatedAt).not.toBeNull();
        expect(u.inviterUsername).toMatch(/@/);
        if (u.status === 'INVITATION_REJECTED') expect(u.invitationExpiresAt).toBeNull();
        else {
          const days =
            (Date.parse(u.invitationExpiresAt ?? '') - Date.parse(u.invitationCreatedAt ?? '')) / DAY;
          expect(days).toBe(30);
        }
      }
    }
    // Access mainly through teams: most users hold no direct project grant.
    expect(users.filter((u) => u.projectRoles.length > 0).length / users.length).toBeLessThan(0.15);
  });

  it('generates the whole population: system-managed service accounts, their project roles and access lists, project invitations, a Charts user, session timeouts', () => {
    const estate = generateEstate(demo);
    for (const org of estate.organizations) {
      const managed = org.serviceAccounts.filter((sa) => sa.systemManaged);
      expect(managed).toHaveLength(1);
      expect(org.serviceAccounts.filter((sa) => !sa.systemManaged)).toHaveLength(
        PRESETS.demo.serviceAccountsPerOrg,
      );
      const projectIds = new Set(org.projects.map((p) => p.id));
      for (const sa of org.serviceAccounts)
        for (const grant of sa.projectRoles) expect(projectIds.has(grant.projectId)).toBe(true);
      for (const inv of org.projectInvitations) {
        expect(projectIds.has(inv.projectId)).toBe(true);
        expect(org.users.some((u) => u.username === inv.username)).toBe(false);
      }
      const charts = org.users.filter((u) => CHARTS_USER.test(u.username));
      expect(charts).toHaveLength(1);
      expect(charts[0]).toMatchObject({ status: 'ACTIVE', lastAuth: null, teamIds: [] });
      expect(org.teams.some((t) => t.memberIds.includes(charts[0]!.id))).toBe(false);
      expect(org.users).toHaveLength(PRESETS.demo.usersPerOrg);
    }
    const all = estate.organizations;
    expect(all.flatMap((o) => o.serviceAccounts).some((sa) => sa.projectRoles.length > 0)).toBe(true);
    expect(all.flatMap((o) => o.serviceAccounts).some((sa) => sa.accessList.length > 0)).toBe(true);
    expect(all.flatMap((o) => o.projectInvitations).length).toBeGreaterThan(0);
    expect(all.some((o) => o.settings?.idleSessionTimeoutInSeconds !== null)).toBe(true);
  });

  it('plants every violation kind and lists exactly what the data holds', () => {
    const estate = generateEstate(demo);
    expect(new Set(estate.planted.map((p) => p.kind))).toEqual(new Set(VIOLATION_KINDS));
    expect(detect(estate, now)).toEqual(plantedKeys(estate));
    const orgIds = new Set(estate.organizations.map((o) => o.id));
    for (const p of estate.planted) {
      expect(orgIds.has(p.orgId)).toBe(true);
      expect(p.note.length).toBeGreaterThan(5);
    }
  });

  it('plants everything that fits in a single org', () => {
    const estate = generateEstate({ seed: 3, now, ...PRESETS.demo, orgs: 1 });
    const expected = VIOLATION_KINDS.filter((k) => !MULTI_ORG_KINDS.includes(k));
    expect(new Set(estate.planted.map((p) => p.kind))).toEqual(new Set(expected));
    expect(detect(estate, now)).toEqual(plantedKeys(estate));
  });

  it('lists exactly what the data holds across seeds (team-granted project owners included)', () => {
    for (let seed = 1; seed <= 12; seed++) {
      for (const size of [PRESETS.demo, PRESETS.ten]) {
        const estate = generateEstate({ seed, now, ...size });
        expect(detect(estate, now)).toEqual(plantedKeys(estate));
      }
    }
  });

  it('gives a clean estate without planting, across seeds and sizes', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const size of [PRESETS.demo, PRESETS.ten]) {
        const estate = generateEstate({ seed, now, ...size, plantViolations: false });
        expect(estate.planted).toEqual([]);
        expect(detect(estate, now)).toEqual(new Set());
      }
    }
  });

  it('keeps `planted` complete for awkward sizes', () => {
    const sizes = [
      { orgs: 2, usersPerOrg: 3, teamsPerOrg: 1, projectsPerOrg: 1 },
      {
        orgs: 1,
        usersPerOrg: 1,
        teamsPerOrg: 0,
        projectsPerOrg: 0,
        apiKeysPerOrg: 0,
        serviceAccountsPerOrg: 0,
      },
      {
        orgs: 3,
        usersPerOrg: 12,
        teamsPerOrg: 2,
        projectsPerOrg: 5,
        apiKeysPerOrg: 1,
        serviceAccountsPerOrg: 1,
      },
      { orgs: 1, usersPerOrg: 0, teamsPerOrg: 4, projectsPerOrg: 2 },
    ];
    for (const size of sizes) {
      for (const plantViolations of [true, false]) {
        const estate = generateEstate({ seed: 11, now, ...size, plantViolations });
        for (const org of estate.organizations) organizationSchema.parse(org);
        expect(detect(estate, now)).toEqual(plantedKeys(estate));
      }
    }
  });

  it('scales to Atlas limits and respects them', () => {
    const estate = generateEstate({ seed: 99, now, ...PRESETS.max });
    const org = estate.organizations[0] as Organization;
    expect([org.users.length, org.teams.length, org.projects.length]).toEqual([500, 250, 250]);
    organizationSchema.parse(org);
    for (const t of org.teams) expect(t.memberIds.length).toBeLessThanOrEqual(LIMITS.usersPerTeam);
    for (const u of org.users) expect(u.teamIds.length).toBeLessThanOrEqual(LIMITS.teamsPerUser);
    for (const p of org.projects) expect(p.teams.length).toBeLessThanOrEqual(LIMITS.teamsPerProject);
    expect(detect(estate, now)).toEqual(plantedKeys(estate));
  });

  it('generates 100 orgs x 500 users', () => {
    const estate = generateEstate({ seed: 5, now, ...PRESETS.large });
    expect(estate.organizations).toHaveLength(100);
    expect(estate.organizations.reduce((n, o) => n + o.users.length, 0)).toBe(50_000);
    expect(detect(estate, now)).toEqual(plantedKeys(estate));
  });

  it('rejects invalid sizes', () => {
    expect(() => generateEstate({ ...demo, orgs: -1 })).toThrow(RangeError);
    expect(() => generateEstate({ ...demo, usersPerOrg: 1.5 })).toThrow(RangeError);
    expect(() => generateEstate({ ...demo, now: new Date(Number.NaN) })).toThrow(RangeError);
  });

  it('the same seed gives the same ids whatever the clock (a trial can be collected again tomorrow)', () => {
    const size = { seed: 5, orgs: 2, usersPerOrg: 30, teamsPerOrg: 4, projectsPerOrg: 3 } as const;
    const ids = (now: Date) =>
      generateEstate({ ...size, now }).organizations.flatMap((o) => [
        o.id,
        ...o.users.map((u) => u.id),
        ...o.teams.map((t) => t.id),
        ...o.projects.map((p) => p.id),
      ]);
    const today = ids(new Date('2026-11-30T10:00:00Z'));
    expect(ids(new Date('2027-03-01T17:30:00Z'))).toEqual(today);
    expect(new Set(today).size).toBe(today.length);
  });
});
