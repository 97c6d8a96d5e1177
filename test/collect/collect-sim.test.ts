/**
 * Integration: the collector against the Atlas simulator over real HTTP on 127.0.0.1. The snapshot
 * must equal the simulator's ground truth for every API flavour, survive injected faults, and fail
 * closed (exit 3, no file) on a permanent error.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DigestAuth } from '../../src/atlas/auth/digest.js';
import { ServiceAccountAuth } from '../../src/atlas/auth/service-account.js';
import { AtlasClient, type ClientDeps, DEFAULT_CLIENT_OPTIONS } from '../../src/atlas/client.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { generateEstate } from '../../src/sim/generate.js';
import {
  DEFAULT_CREDENTIALS,
  expectedOrganizations,
  type Simulator,
  startSimulator,
} from '../../src/sim/server.js';
import { canonicalizeOrganization } from '../../src/snapshot/canonical.js';
import type { Organization, Snapshot } from '../../src/snapshot/schema.js';
import { parseSnapshot } from '../../src/snapshot/store.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { clockFrom } from '../helpers/clock.js';
import { digestGet } from '../sim/helpers.js';

const NOW = new Date('2026-11-25T00:00:00Z');
const estate = generateEstate({
  seed: 7,
  now: NOW,
  orgs: 2,
  usersPerOrg: 120,
  teamsPerOrg: 9,
  projectsPerOrg: 6,
  apiKeysPerOrg: 3,
  serviceAccountsPerOrg: 2,
});
const sa = DEFAULT_CREDENTIALS.serviceAccounts![0]!;
const key = DEFAULT_CREDENTIALS.apiKeys![0]!;
const saEnv = { MONGODB_ATLAS_CLIENT_ID: sa.clientId, MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret };
const keyEnv = { MONGODB_ATLAS_PUBLIC_API_KEY: key.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: key.privateKey };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Compares organizations without the collector-only fields (completeness, notes). */
function comparable(orgs: Organization[]): Organization[] {
  return orgs.map((o) => canonicalizeOrganization({ ...o, completeness: [], notes: [] }));
}

async function collectWithCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ snapshot: Snapshot; file: string }> {
  const dir = tempDir();
  const file = join(dir, 'snap.json');
  const run = await runCliForTest(['collect', '--base-url', sim!.baseUrl, '-o', file, ...args], {
    env,
    cwd: dir,
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`wrote ${file}`);
  return { snapshot: parseSnapshot(readFileSync(file, 'utf8'), file), file };
}

/** Like collectWithCli, for collections whose notes (printed on stderr) are expected. */
async function collectWithCliAllowingNotes(args: string[]): Promise<{ snapshot: Snapshot }> {
  const dir = tempDir();
  const file = join(dir, 'snap.json');
  const run = await runCliForTest(['collect', '--base-url', sim!.baseUrl, '-o', file, ...args], {
    env: saEnv,
    cwd: dir,
  });
  expect(run.code).toBe(0);
  return { snapshot: parseSnapshot(readFileSync(file, 'utf8'), file) };
}

describe('collect against the simulator', () => {
  it('API version 2025-02-19 with a service account: the snapshot equals the ground truth', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const { snapshot, file } = await collectWithCli(['--all-orgs'], saEnv);
    const expected = expectedOrganizations(estate.organizations, {
      api: 'atlas-v2',
      databaseAccess: true,
      usersVersion: '2025-02-19',
      keepPii: false,
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    expect(snapshot.source).toEqual({
      baseUrl: sim.baseUrl,
      api: 'atlas-v2',
      apiVersion: '2025-02-19',
      auth: 'service-account',
      keepPii: false,
    });
    // Invitations are part of the snapshot with this version.
    expect(snapshot.organizations.flatMap((o) => o.users).some((u) => u.status === 'PENDING')).toBe(true);
    // Completeness evidence: every listing recorded, items read matching totalCount where there is one.
    for (const org of snapshot.organizations) {
      const users = org.completeness.find((c) => c.endpoint === `GET /api/atlas/v2/orgs/${org.id}/users`);
      expect(users).toMatchObject({ itemsRead: org.users.length, totalCount: org.users.length, pages: 1 });
      expect(org.completeness.length).toBeGreaterThan(2 + org.teams.length + org.projects.length);
      expect(org.notes).toEqual([]);
    }
    expect(readFileSync(file, 'utf8')).not.toMatch(/password|mdb_sa_sk_|privateKey|mobileNumber/);
  });

  it('API version 2023-01-01 with an API key (Digest): active users only, same canonical shape', async () => {
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      leakPassword: true,
    });
    const orgArgs = estate.organizations.flatMap((o) => ['--org', o.id]);
    const { snapshot, file } = await collectWithCli([...orgArgs, '--api-version', '2023-01-01'], keyEnv);
    const expected = expectedOrganizations(estate.organizations, {
      api: 'atlas-v2',
      databaseAccess: true,
      usersVersion: '2023-01-01',
      keepPii: false,
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    expect(snapshot.source.auth).toBe('api-key');
    expect(snapshot.organizations.flatMap((o) => o.users).every((u) => u.status === 'ACTIVE')).toBe(true);
    // The simulator put `password` in every user item: it must not reach the file.
    expect(readFileSync(file, 'utf8')).not.toContain('password');
  });

  it('--include access-history --since 30: every dedicated cluster summarised over the window, tenant tiers unsupported', async () => {
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      leakPassword: true,
    });
    const { snapshot, file } = await collectWithCli(
      ['--all-orgs', '--include', 'access-history', '--since', '30'],
      saEnv,
    );
    const to = snapshot.collectedAt;
    const from = new Date(Date.parse(to) - 30 * 86_400_000).toISOString();
    const expected = expectedOrganizations(estate.organizations, {
      api: 'atlas-v2',
      usersVersion: '2025-02-19',
      keepPii: false,
      databaseAccess: true,
      accessHistory: { from, to },
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    const clusters = snapshot.organizations.flatMap((o) => o.projects.flatMap((p) => p.clusters));
    expect(clusters.some((c) => c.accessHistory.status === 'collected')).toBe(true);
    expect(clusters.every((c) => c.accessHistory.status !== 'not-requested')).toBe(true);
    expect(snapshot.organizations.every((o) => o.coverage.accessHistory)).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('password');
  });

  it('the legacy Cloud Manager v1.0 API: users without dates and projects, coverage says so', async () => {
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      leakPassword: true,
    });
    const org = estate.organizations[0]!;
    const { snapshot, file } = await collectWithCli(['--api', 'cloud-manager', '--org', org.id], keyEnv);
    const expected = expectedOrganizations([org], {
      api: 'cloud-manager',
      usersVersion: null,
      keepPii: false,
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    const [got] = snapshot.organizations;
    expect(got!.coverage).toMatchObject({ teams: false, projects: true, signIns: false });
    expect(got!.projects.map((p) => p.name).sort()).toEqual(org.projects.map((p) => p.name).sort());
    expect(got!.users.every((u) => u.createdAt === null && u.lastAuth === null)).toBe(true);
    expect(got!.completeness.map((c) => c.endpoint).sort()).toEqual([
      `GET /api/public/v1.0/orgs/${org.id}/groups`,
      `GET /api/public/v1.0/orgs/${org.id}/users`,
    ]);
    expect(snapshot.source).toMatchObject({ api: 'cloud-manager', apiVersion: null, auth: 'api-key' });
    expect(readFileSync(file, 'utf8')).not.toContain('password');
  });

  it("v1.0: keeps only this org's roles and the roles on its projects, from roles held everywhere", async () => {
    // One user in both orgs (same id): owner of org B and of one of B's projects as well.
    const [a, b] = structuredClone(estate.organizations) as [Organization, Organization];
    const shared = a.users.find((u) => u.status === 'ACTIVE' && u.projectRoles.length > 0)!;
    const foreignProject = b.projects[0]!.id;
    b.users.push({
      ...structuredClone(shared),
      orgRoles: ['ORG_OWNER'],
      projectRoles: [{ projectId: foreignProject, roles: ['GROUP_OWNER'] }],
      teamIds: [],
    });
    b.users.sort((x, y) => (x.id < y.id ? -1 : 1));
    sim = await startSimulator({ now: clockFrom(NOW), organizations: [a, b] });
    const { snapshot } = await collectWithCli(['--api', 'cloud-manager', '--org', a.id], keyEnv);
    // The wire really carries org B's roles for this user: the collector has something to drop.
    const wire = (await (
      await digestGet(sim.baseUrl, `/api/public/v1.0/orgs/${a.id}/users?itemsPerPage=500`)
    ).json()) as { results: { id: string; roles: unknown[] }[] };
    expect(wire.results.find((u) => u.id === shared.id)!.roles).toEqual(
      expect.arrayContaining([
        { orgId: b.id, roleName: 'ORG_OWNER' },
        { groupId: foreignProject, roleName: 'GROUP_OWNER' },
      ]),
    );
    const got = snapshot.organizations[0]!.users.find((u) => u.id === shared.id)!;
    expect(got.orgRoles).toEqual([...shared.orgRoles].sort());
    expect(got.projectRoles).toEqual(shared.projectRoles);
    expect(got.projectRoles.some((p) => p.projectId === foreignProject)).toBe(false);
    expect(got.orgRoles).not.toContain('ORG_OWNER');
    const expected = expectedOrganizations([a], { api: 'cloud-manager', usersVersion: null, keepPii: false });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
  });

  it('v1.0 --all-orgs: every organization the API key sees, deleted ones left out', async () => {
    const [live, deleted] = estate.organizations as [Organization, Organization];
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      deletedOrgIds: [deleted.id],
    });
    const { snapshot } = await collectWithCli(['--api', 'cloud-manager', '--all-orgs'], keyEnv);
    expect(snapshot.organizations.map((o) => o.id)).toEqual([live.id]);
    const expected = expectedOrganizations([live], {
      api: 'cloud-manager',
      usersVersion: null,
      keepPii: false,
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    expect(sim.log.some((e) => e.path === '/api/public/v1.0/orgs' && e.status === 200)).toBe(true);
    expect(sim.log.some((e) => e.path.includes(deleted.id))).toBe(false);
  });

  it('v1.0 --all-orgs reads every page of the org list', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const client = new AtlasClient(
      { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(sim.baseUrl), userAgent: 'test' },
      new DigestAuth(key.publicKey, key.privateKey),
    );
    const snapshot = await collectSnapshot({
      client,
      api: 'cloud-manager',
      usersVersion: '2025-02-19',
      orgs: 'all',
      keepPii: false,
      now: () => NOW,
      itemsPerPage: 1,
    });
    expect(snapshot.organizations.map((o) => o.id)).toEqual(estate.organizations.map((o) => o.id).sort());
    const orgPages = sim.log.filter((e) => e.path === '/api/public/v1.0/orgs' && e.status === 200);
    expect(orgPages.map((e) => new URLSearchParams(e.query).get('pageNum'))).toEqual(['1', '2']);
  });

  it('v1.0 --org naming a deleted organization: exit 3, no file', async () => {
    const deleted = estate.organizations[1]!;
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      deletedOrgIds: [deleted.id],
    });
    const dir = tempDir();
    const file = join(dir, 'snap.json');
    const run = await runCliForTest(
      ['collect', '--api', 'cloud-manager', '--org', deleted.id, '--base-url', sim.baseUrl, '-o', file],
      { env: keyEnv, cwd: dir },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`organization ${deleted.id} is deleted`);
    expect(existsSync(file)).toBe(false);
  });

  it('keeps mobile numbers only with --keep-pii', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const org = estate.organizations[0]!;
    const { snapshot } = await collectWithCli(['--org', org.id, '--keep-pii'], saEnv);
    const expected = expectedOrganizations([org], {
      api: 'atlas-v2',
      databaseAccess: true,
      usersVersion: '2025-02-19',
      keepPii: true,
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    expect(snapshot.organizations[0]!.users.every((u) => 'mobileNumber' in u)).toBe(true);
  });

  it('survives injected faults: 500s, 503 with Retry-After, connection resets and 429', async () => {
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      faults: [
        { path: /\/users$/, status: 500, times: 2 },
        { path: /\/teams$/, status: 503, retryAfterSeconds: 1, times: 1 },
        { path: /\/groups\/[a-f0-9]+\/teams$/, reset: true, times: 3 },
        { path: /\/apiKeys$/, status: 429, retryAfterSeconds: 2, times: 1 },
      ],
    });
    const sleeps: number[] = [];
    const deps: ClientDeps = {
      fetch: (input, init) => fetch(input, init),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      now: () => Date.now(),
      random: () => 0.5,
    };
    const baseUrl = new URL(sim.baseUrl);
    let client: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      sa.clientId,
      sa.clientSecret,
      baseUrl,
      (r) => client!.sendTokenRequest(r),
      deps.now,
    );
    client = new AtlasClient({ ...DEFAULT_CLIENT_OPTIONS, baseUrl, userAgent: 'test' }, auth, deps);
    const snapshot = await collectSnapshot({
      client,
      api: 'atlas-v2',
      usersVersion: '2025-02-19',
      orgs: 'all',
      keepPii: false,
      now: () => NOW,
    });
    const expected = expectedOrganizations(estate.organizations, {
      api: 'atlas-v2',
      databaseAccess: true,
      usersVersion: '2025-02-19',
      keepPii: false,
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    expect(snapshot.stats.retries).toBe(2 + 1 + 3 + 1);
    expect(sleeps.filter((ms) => ms >= 2000).length).toBeGreaterThanOrEqual(1); // the 429's Retry-After was honoured
  });

  it('a permanent 403 on one endpoint: exit 3 naming the endpoint and errorCode, and no file', async () => {
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      faults: [{ path: /\/teams\/[a-f0-9]+\/users$/, status: 403, errorCode: 'USER_UNAUTHORIZED' }],
    });
    const dir = tempDir();
    const file = join(dir, 'snap.json');
    const run = await runCliForTest(['collect', '--all-orgs', '--base-url', sim.baseUrl, '-o', file], {
      env: saEnv,
      cwd: dir,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /GET \/api\/atlas\/v2\/orgs\/\{orgId\}\/teams\/\{teamId\}\/users failed with HTTP 403 USER_UNAUTHORIZED/,
    );
    expect(run.stderr).not.toContain(sa.clientSecret);
    expect(existsSync(file)).toBe(false);
  });

  it('an org the credentials cannot see: one line naming it (not "failed with HTTP 200"), exit 3, no file', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const dir = tempDir();
    const file = join(dir, 'snap.json');
    const missing = 'ffffffffffffffffffffffff';
    const run = await runCliForTest(['collect', '--org', missing, '--base-url', sim.baseUrl, '-o', file], {
      env: saEnv,
      cwd: dir,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `error: GET /api/atlas/v2/orgs: organization ${missing} is not visible to these credentials\n`,
    );
    expect(run.stderr).not.toContain('HTTP 200');
    expect(existsSync(file)).toBe(false);
  });

  it('-o with a relative path writes into the working directory of the command', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const dir = tempDir();
    const run = await runCliForTest(['collect', '--all-orgs', '--base-url', sim.baseUrl, '-o', 'rel.json'], {
      env: saEnv,
      cwd: dir,
    });
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'rel.json'))).toBe(true);
    expect(run.stdout).toContain(`wrote ${join(dir, 'rel.json')}`);
  });

  it('refuses to overwrite an existing snapshot without --force (exit 4) and leaves it intact', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const dir = tempDir();
    const file = join(dir, 'snap.json');
    writeFileSync(file, 'previous evidence');
    const run = await runCliForTest(['collect', '--all-orgs', '--base-url', sim.baseUrl, '-o', file], {
      env: saEnv,
      cwd: dir,
    });
    expect(run.code).toBe(4);
    expect(readFileSync(file, 'utf8')).toBe('previous evidence');
    expect(sim.stats().requests).toBe(0);
    const forced = await runCliForTest(
      ['collect', '--all-orgs', '--base-url', sim.baseUrl, '-o', file, '--force'],
      {
        env: saEnv,
        cwd: dir,
      },
    );
    expect(forced.code).toBe(0);
  });

  it('the whole population: system-managed service accounts, their project roles and access lists, session timeouts', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const { snapshot } = await collectWithCli(['--all-orgs'], saEnv);
    const managed = (orgs: Organization[]) =>
      orgs.flatMap((o) => o.serviceAccounts.filter((sa) => sa.systemManaged).map((sa) => sa.clientId)).sort();
    expect(managed(snapshot.organizations)).toEqual(managed(estate.organizations));
    expect(managed(snapshot.organizations).length).toBeGreaterThan(0);
    for (const org of snapshot.organizations) {
      const truth = estate.organizations.find((o) => o.id === org.id)!;
      expect(org.serviceAccounts.map((sa) => [sa.clientId, sa.projectRoles, sa.accessList])).toEqual(
        truth.serviceAccounts.map((sa) => [sa.clientId, sa.projectRoles, sa.accessList]),
      );
      expect(org.settings).toEqual(truth.settings);
      expect(org.coverage).toMatchObject({
        serviceAccountAccess: true,
        systemManagedServiceAccounts: true,
        sessionTimeouts: true,
        projectInvitations: false,
      });
      expect(org.projectInvitations).toEqual([]);
      // Both service account listings are on record, told apart; the project cross-checks agree.
      const endpoints = org.completeness.map((c) => c.endpoint);
      expect(endpoints).toContain(`GET /api/atlas/v2/orgs/${org.id}/serviceAccounts`);
      expect(endpoints).toContain(
        `GET /api/atlas/v2/orgs/${org.id}/serviceAccounts (includeSystemManaged=true)`,
      );
      for (const p of org.projects) {
        expect(endpoints).toContain(`GET /api/atlas/v2/groups/${p.id}/apiKeys`);
        expect(endpoints).toContain(`GET /api/atlas/v2/groups/${p.id}/serviceAccounts`);
      }
      expect(org.notes).toEqual([]);
    }
    // No invitations were asked for: the deprecated endpoint (Project Owner) was never called.
    expect(sim.log.some((e) => e.path.endsWith('/invites'))).toBe(false);
    expect(
      sim.log
        .filter((e) => e.path.endsWith('/serviceAccounts') && e.path.includes('/orgs/'))
        .map((e) => e.query.includes('includeSystemManaged=true')),
    ).toEqual(expect.arrayContaining([true, false]));
  });

  it("disagreements between a project's listings and the org's become notes; the snapshot keeps the primary source", async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const org = estate.organizations.find((o) =>
      o.projects.some(
        (p) =>
          o.apiKeys.some((k) => k.projectRoles.some((r) => r.projectId === p.id)) &&
          o.serviceAccounts.some((sa) => sa.projectRoles.some((r) => r.projectId === p.id)),
      ),
    )!;
    const project = org.projects.find(
      (p) =>
        org.apiKeys.some((k) => k.projectRoles.some((r) => r.projectId === p.id)) &&
        org.serviceAccounts.some((sa) => sa.projectRoles.some((r) => r.projectId === p.id)),
    )!;
    // A stale project-side listing: it shows none of the project's keys and service accounts.
    const stale = new Set([
      `/api/atlas/v2/groups/${project.id}/apiKeys`,
      `/api/atlas/v2/groups/${project.id}/serviceAccounts`,
    ]);
    const deps: ClientDeps = {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (!stale.has(new URL(String(input)).pathname) || res.status !== 200) return res;
        const body = (await res.json()) as { results: unknown[] };
        return new Response(JSON.stringify({ ...body, results: [], totalCount: 0 }), {
          status: 200,
          headers: res.headers,
        });
      },
      sleep: async () => {},
      now: () => Date.now(),
      random: () => 0.5,
    };
    const baseUrl = new URL(sim.baseUrl);
    let client: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      sa.clientId,
      sa.clientSecret,
      baseUrl,
      (r) => client!.sendTokenRequest(r),
      deps.now,
    );
    client = new AtlasClient({ ...DEFAULT_CLIENT_OPTIONS, baseUrl, userAgent: 'test' }, auth, deps);
    const snapshot = await collectSnapshot({
      client,
      api: 'atlas-v2',
      usersVersion: '2025-02-19',
      orgs: [org.id],
      keepPii: false,
      now: () => NOW,
    });
    const got = snapshot.organizations[0]!;
    const [expected] = expectedOrganizations([org], {
      api: 'atlas-v2',
      databaseAccess: true,
      usersVersion: '2025-02-19',
      keepPii: false,
    });
    expect(comparable([got])).toEqual(comparable([expected!]));
    const keyNotes = org.apiKeys
      .filter((k) => k.projectRoles.some((r) => r.projectId === project.id))
      .map((k) => `project ${project.name} (${project.id}): API key ${k.publicKey} has`);
    const accountNotes = org.serviceAccounts
      .filter((x) => x.projectRoles.some((r) => r.projectId === project.id))
      .map((x) => `project ${project.name} (${project.id}): service account ${x.name} (${x.clientId}) has`);
    expect(got.notes).toHaveLength(keyNotes.length + accountNotes.length);
    for (const start of [...keyNotes, ...accountNotes])
      expect(got.notes.some((n) => n.startsWith(start))).toBe(true);
    expect(
      got.notes.every(
        (n) =>
          n.endsWith("but the project's listing does not show the key") ||
          n.endsWith("but the project's listing does not show it"),
      ),
    ).toBe(true);
  });

  it('--include project-invitations reads the deprecated project-invite endpoint into the snapshot', async () => {
    sim = await startSimulator({
      organizations: estate.organizations,
      now: () => NOW.getTime(),
    });
    const { snapshot } = await collectWithCli(['--all-orgs', '--include', 'project-invitations'], saEnv);
    const expected = expectedOrganizations(estate.organizations, {
      api: 'atlas-v2',
      databaseAccess: true,
      usersVersion: '2025-02-19',
      keepPii: false,
      include: ['project-invitations'],
    });
    expect(comparable(snapshot.organizations)).toEqual(comparable(expected));
    expect(snapshot.organizations.flatMap((o) => o.projectInvitations).length).toBeGreaterThan(0);
    for (const org of snapshot.organizations) {
      expect(org.coverage.projectInvitations).toBe(true);
      for (const p of org.projects)
        expect(org.completeness.map((c) => c.endpoint)).toContain(`GET /api/atlas/v2/groups/${p.id}/invites`);
    }
    const invites = sim.log.filter((e) => e.path.endsWith('/invites'));
    expect(invites.length).toBe(estate.organizations.reduce((n, o) => n + o.projects.length, 0));
    expect(invites.every((e) => e.accept === 'application/vnd.atlas.2023-01-01+json')).toBe(true);
  });

  it('after the endpoint is withdrawn (410 VERSION_GONE) the snapshot says project invitations were not collected', async () => {
    sim = await startSimulator({
      organizations: estate.organizations,
      now: () => Date.parse('2027-07-02T00:00:00Z'),
    });
    const dir = tempDir();
    const file = join(dir, 'snap.json');
    const run = await runCliForTest(
      ['collect', '--all-orgs', '--include', 'project-invitations', '--base-url', sim.baseUrl, '-o', file],
      { env: saEnv, cwd: dir },
    );
    expect(run.code).toBe(0);
    const snapshot = parseSnapshot(readFileSync(file, 'utf8'), file);
    for (const org of snapshot.organizations) {
      expect(org.coverage.projectInvitations).toBe(false);
      expect(org.projectInvitations).toEqual([]);
      expect(org.notes).toEqual([
        expect.stringMatching(
          /^project invitations not collected: GET \/api\/atlas\/v2\/groups\/\{groupId\}\/invites answered HTTP 410 VERSION_GONE \(the deprecated endpoint's version 2023-01-01 is withdrawn from 2027-07-01\)/,
        ),
      ]);
      expect(run.stderr).toContain(`note: ${org.name}: project invitations not collected`);
    }
  });

  it('a 404 on the removed path is read the same way; any other failure of the dataset fails the collection', async () => {
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      faults: [{ path: /\/invites$/, status: 404, errorCode: 'RESOURCE_NOT_FOUND' }],
    });
    const { snapshot } = await collectWithCliAllowingNotes([
      '--all-orgs',
      '--include',
      'project-invitations',
    ]);
    expect(snapshot.organizations.every((o) => !o.coverage.projectInvitations)).toBe(true);
    expect(snapshot.organizations[0]!.notes[0]).toContain('answered HTTP 404 RESOURCE_NOT_FOUND');
    await sim.close();

    // 403: the credentials lack Project Owner. The user asked for the dataset: fail closed, write nothing.
    sim = await startSimulator({
      now: clockFrom(NOW),
      organizations: estate.organizations,
      faults: [{ path: /\/invites$/, status: 403, errorCode: 'USER_UNAUTHORIZED' }],
    });
    const dir = tempDir();
    const file = join(dir, 'snap.json');
    const run = await runCliForTest(
      ['collect', '--all-orgs', '--include', 'project-invitations', '--base-url', sim.baseUrl, '-o', file],
      { env: saEnv, cwd: dir },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /GET \/api\/atlas\/v2\/groups\/\{groupId\}\/invites failed with HTTP 403 USER_UNAUTHORIZED/,
    );
    expect(existsSync(file)).toBe(false);
  });

  it("a failed read of a service account's projects or access list fails the collection, never an empty list", async () => {
    for (const path of [
      /\/serviceAccounts\/[^/]+\/groups$/,
      /\/serviceAccounts\/[^/]+\/accessList$/,
      /\/groups\/[a-f0-9]+\/apiKeys$/,
    ]) {
      sim = await startSimulator({
        now: clockFrom(NOW),
        organizations: estate.organizations,
        faults: [{ path, status: 403 }],
      });
      const dir = tempDir();
      const file = join(dir, 'snap.json');
      const run = await runCliForTest(['collect', '--all-orgs', '--base-url', sim.baseUrl, '-o', file], {
        env: saEnv,
        cwd: dir,
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('failed with HTTP 403');
      expect(existsSync(file)).toBe(false);
      await sim.close();
      sim = undefined;
    }
  });

  it('--include needs the Atlas v2 API', async () => {
    const run = await runCliForTest(
      [
        'collect',
        '--api',
        'cloud-manager',
        '--org',
        estate.organizations[0]!.id,
        '--include',
        'project-invitations',
      ],
      { env: keyEnv },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--include project-invitations is available with --api atlas-v2 only');
    const unknown = await runCliForTest(['collect', '--all-orgs', '--include', 'audit-logs'], { env: saEnv });
    expect(unknown.code).toBe(2);
  });

  it('wrong credentials: exit 3 with a hint, secret not shown', async () => {
    sim = await startSimulator({ now: clockFrom(NOW), organizations: estate.organizations });
    const run = await runCliForTest(
      ['collect', '--all-orgs', '--base-url', sim.baseUrl, '-o', join(tempDir(), 's.json')],
      {
        env: {
          MONGODB_ATLAS_PUBLIC_API_KEY: key.publicKey,
          MONGODB_ATLAS_PRIVATE_API_KEY: 'not-the-right-private-key',
        },
      },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('HTTP 401');
    expect(run.stderr).toContain('MONGODB_ATLAS_PUBLIC_API_KEY');
    expect(run.stderr).not.toContain('not-the-right-private-key');
  });
});
