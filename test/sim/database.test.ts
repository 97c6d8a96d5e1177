/**
 * Database access in the simulator (README "simulate"): the estate's database data, the access-history route's
 * filters and refusals, least roles, and the expected snapshot recomputed from the lines it serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolesOf } from '../../src/sim/authorize.js';
import { ACCESS_HISTORY_DAYS, AUTH_KINDS } from '../../src/sim/estate-database.js';
import { nextQuarter } from '../../src/sim/evolve.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { TENANT_HISTORY_REFUSAL } from '../../src/sim/routes-database.js';
import { expectedOrganizations, type Simulator, startSimulator } from '../../src/sim/server.js';
import type { Cluster, Organization, Project } from '../../src/snapshot/schema.js';
import { accept, getToken, loadSpec } from './helpers.js';

const now = new Date('2026-11-01T00:00:00Z');
const DAY = 86_400_000;
const estate = generateEstate({ seed: 77, now, ...PRESETS.demo, databaseUsersPerProject: 12 });
const orgs = estate.organizations;
const projects = orgs.flatMap((o) => o.projects);
const withClusters = (pred: (c: Cluster) => boolean) =>
  projects.flatMap((p) => p.clusters.filter(pred).map((c) => ({ p, c })));
const dedicated = withClusters((c) => c.accessHistory.status === 'collected');
const tenant = withClusters((c) => c.accessHistory.status === 'unsupported');

let sim: Simulator;
let token: string;
const readOnly = { clientId: 'mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa', clientSecret: 'mdb_sa_sk_read-only' };
let readOnlyToken: string;
beforeAll(async () => {
  sim = await startSimulator({
    organizations: structuredClone(orgs),
    rateLimits: 'off',
    credentials: {
      serviceAccounts: [
        { clientId: 'mdb_sa_id_5f0c0ffee0ddba11ca7e5e75', clientSecret: 'mdb_sa_sk_owner' },
        { ...readOnly, access: { orgRole: 'ORG_READ_ONLY' } },
      ],
    },
  });
  token = await getToken(sim.baseUrl, {
    clientId: 'mdb_sa_id_5f0c0ffee0ddba11ca7e5e75',
    clientSecret: 'mdb_sa_sk_owner',
  });
  readOnlyToken = await getToken(sim.baseUrl, readOnly);
});
afterAll(async () => {
  await sim.close();
});

async function get(path: string, version = '2023-01-01', bearer = token) {
  const res = await fetch(sim.baseUrl + path, {
    headers: { Authorization: `Bearer ${bearer}`, ...accept(version) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
type Line = { username: string; authResult: boolean; ipAddress: string; timestamp: string };
const history = (p: Project, c: Cluster, query = '', bearer = token) =>
  get(`/api/atlas/v2/groups/${p.id}/dbAccessHistory/clusters/${c.name}${query}`, '2023-01-01', bearer);

describe('generated database access', () => {
  it('has every auth kind, tenant and dedicated clusters, temporary users and entries', () => {
    const users = projects.flatMap((p) => p.databaseUsers);
    expect(new Set(users.map((u) => u.authKind))).toEqual(new Set(AUTH_KINDS));
    expect(tenant.length).toBeGreaterThan(0);
    expect(dedicated.length).toBeGreaterThan(0);
    expect(users.some((u) => u.deleteAfterDate !== null)).toBe(true);
    expect(projects.flatMap((p) => p.networkAccess).some((e) => e.awsSecurityGroup !== null)).toBe(true);
    expect(projects.flatMap((p) => p.customRoles).some((r) => r.inheritedRoles.length > 0)).toBe(true);
    // Some users never authenticate (they reach only tenant clusters).
    const seen = new Set(
      dedicated.flatMap(({ p, c }) => c.accessHistory.summaries.map((s) => `${p.id}/${s.username}`)),
    );
    expect(projects.some((p) => p.databaseUsers.some((u) => !seen.has(`${p.id}/${u.username}`)))).toBe(true);
  });

  it('stays within Atlas limits and keeps identities unique per project', () => {
    const big = generateEstate({ seed: 3, now, ...PRESETS['max-db'], orgs: 1, projectsPerOrg: 3 });
    for (const p of big.organizations[0]?.projects ?? []) {
      expect(p.databaseUsers).toHaveLength(100);
      expect(p.clusters).toHaveLength(3);
      expect(p.clusters.every((c) => c.accessHistory.status === 'collected')).toBe(true);
      const ids = p.databaseUsers.map((u) => `${u.databaseName}/${u.username}`);
      expect(new Set(ids).size).toBe(ids.length);
      for (const c of p.clusters) expect(c.accessHistory.lines).toBeLessThan(20_000);
    }
    for (const p of projects) {
      for (const u of p.databaseUsers) {
        expect(u.username.length).toBeLessThanOrEqual(1024);
        expect((u.description ?? '').length).toBeLessThanOrEqual(100);
      }
      for (const e of p.networkAccess) expect((e.comment ?? '').length).toBeLessThanOrEqual(80);
    }
  });
});

describe('access history route', () => {
  it('serves the lines of the window, newest first, and filters by result and address', async () => {
    const { p, c } =
      dedicated.find(({ c }) => c.accessHistory.summaries.some((s) => s.failures > 0)) ?? dedicated[0]!;
    const all = await history(p, c);
    expect(all.status).toBe(200);
    const lines = all.body.accessLogs as Line[];
    expect(lines.length).toBe(c.accessHistory.lines);
    const times = lines.map((l) => Date.parse(l.timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const ok = (await history(p, c, '?authResult=true')).body.accessLogs as Line[];
    expect(ok.every((l) => l.authResult)).toBe(true);
    expect(ok.length).toBe(c.accessHistory.summaries.reduce((n, s) => n + s.successes, 0));
    const ip = lines[0]?.ipAddress ?? '';
    const byIp = (await history(p, c, `?ipAddress=${ip}`)).body.accessLogs as Line[];
    expect(byIp.length).toBeGreaterThan(0);
    expect(byIp.every((l) => l.ipAddress === ip)).toBe(true);
    const two = (await history(p, c, '?nLogs=2')).body.accessLogs as Line[];
    expect(two).toEqual(lines.slice(0, 2));
    const start = now.getTime() - 30 * DAY;
    const recent = (await history(p, c, `?start=${start}&end=${now.getTime()}`)).body.accessLogs as Line[];
    expect(recent).toEqual(lines.filter((l) => Date.parse(l.timestamp) >= start));
  });

  it('refuses bad parameters with 400 and unknown clusters with 404', async () => {
    const { p, c } = dedicated[0]!;
    for (const q of [
      '?nLogs=20001',
      '?nLogs=-1',
      `?start=${now.getTime()}`,
      '?authResult=yes',
      '?start=1&end=2',
    ]) {
      const res = await history(p, c, q);
      expect(res.status, q).toBe(400);
      expect(res.body.errorCode, q).toBe('VALIDATION_ERROR');
    }
    expect((await history(p, { ...c, name: 'no-such-cluster' })).status).toBe(404);
  });

  it('refuses tenant-tier clusters with the documented 400', async () => {
    const { p, c } = tenant[0]!;
    const res = await history(p, c);
    expect(res.status).toBe(TENANT_HISTORY_REFUSAL.status);
    expect(res.body.errorCode).toBe(TENANT_HISTORY_REFUSAL.errorCode);
  });

  it('needs Project Cluster Log Viewer or Database Access Admin; the listings need Project Read Only', async () => {
    const { p, c } = dedicated[0]!;
    expect((await history(p, c, '', readOnlyToken)).status).toBe(403);
    expect(
      (await get(`/api/atlas/v2/groups/${p.id}/databaseUsers`, '2023-01-01', readOnlyToken)).status,
    ).toBe(200);
    expect((await get(`/api/atlas/v2/groups/${p.id}/clusters`, '2024-08-05', readOnlyToken)).status).toBe(
      200,
    );
  });

  it('enforces the least roles the spec names for every database operation', () => {
    const spec = loadSpec('2023-01-01').doc as unknown as {
      paths: Record<string, Record<string, { 'x-rolesRequirements'?: string[] }>>;
    };
    const endpoints = [
      'GET /api/atlas/v2/groups/{groupId}/databaseUsers',
      'GET /api/atlas/v2/groups/{groupId}/databaseUsers/{username}/certs',
      'GET /api/atlas/v2/groups/{groupId}/customDBRoles/roles',
      'GET /api/atlas/v2/groups/{groupId}/accessList',
      'GET /api/atlas/v2/groups/{groupId}/clusters',
      'GET /api/atlas/v2/groups/{groupId}/dbAccessHistory/clusters/{clusterName}',
      'DELETE /api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}',
      'PATCH /api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}',
      'DELETE /api/atlas/v2/groups/{groupId}/accessList/{entryValue}',
    ];
    for (const endpoint of endpoints) {
      const [method = '', path = ''] = endpoint.split(' ');
      const op = spec.paths[path]?.[method.toLowerCase()];
      expect(op?.['x-rolesRequirements'], endpoint).toBeDefined();
      expect(rolesOf(endpoint), endpoint).toEqual(op?.['x-rolesRequirements']);
    }
  });
});

describe('the expected snapshot of a database-reading collector', () => {
  it('summarises the lines the simulator serves over the asked window', async () => {
    const window = { from: new Date(now.getTime() - 90 * DAY).toISOString(), to: now.toISOString() };
    const [expected] = expectedOrganizations(orgs.slice(0, 1), {
      api: 'atlas-v2',
      usersVersion: '2025-02-19',
      keepPii: false,
      databaseAccess: true,
      accessHistory: window,
    }) as [Organization];
    expect(expected.coverage.accessHistory).toBe(true);
    let compared = 0;
    for (const p of expected.projects) {
      for (const c of p.clusters) {
        if (c.accessHistory.status !== 'collected') {
          expect(c.accessHistory.status).toBe('unsupported');
          continue;
        }
        const q = `?start=${Date.parse(window.from)}&end=${Date.parse(window.to)}`;
        const lines = (await history(p, c, q)).body.accessLogs as Line[];
        expect(c.accessHistory.lines).toBe(lines.length);
        for (const s of c.accessHistory.summaries) {
          const mine = lines.filter((l) => l.username === s.username);
          expect(s.successes + s.failures).toBe(mine.length);
          const last = mine.filter((l) => l.authResult).map((l) => Date.parse(l.timestamp));
          expect(s.lastSuccessAt === null ? null : Date.parse(s.lastSuccessAt)).toBe(
            last.length > 0 ? Math.max(...last) : null,
          );
          expect(s.sourceIps).toEqual([...new Set(mine.map((l) => l.ipAddress))].sort());
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('equals the estate over the full history window, and says when access history was not requested', () => {
    const full = {
      from: new Date(now.getTime() - ACCESS_HISTORY_DAYS * DAY).toISOString(),
      to: now.toISOString(),
    };
    const base = {
      api: 'atlas-v2',
      usersVersion: '2025-02-19',
      keepPii: true,
      databaseAccess: true,
    } as const;
    const [withHistory] = expectedOrganizations(orgs.slice(0, 1), { ...base, accessHistory: full });
    const estateClusters = orgs[0]?.projects.flatMap((p) => p.clusters.map((c) => c.accessHistory.summaries));
    expect(withHistory?.projects.flatMap((p) => p.clusters.map((c) => c.accessHistory.summaries))).toEqual(
      estateClusters,
    );
    const [without] = expectedOrganizations(orgs.slice(0, 1), base);
    expect(without?.coverage.accessHistory).toBe(false);
    expect(
      without?.projects.flatMap((p) => p.clusters).every((c) => c.accessHistory.status === 'not-requested'),
    ).toBe(true);
    expect(without?.projects.flatMap((p) => p.databaseUsers).length).toBeGreaterThan(0);
  });
});

describe('next quarter', () => {
  it('removes revoked database users and adds new ones', () => {
    const { organizations, changes } = nextQuarter(orgs, new Date(now.getTime() + 90 * DAY));
    const key = (o: Organization) =>
      new Set(
        o.projects.flatMap((p) => p.databaseUsers.map((u) => `${p.id}/${u.databaseName}/${u.username}`)),
      );
    const before = key(orgs[0]!);
    const after = key(organizations[0]!);
    const removed = [...before].filter((k) => !after.has(k));
    const added = [...after].filter((k) => !before.has(k));
    expect(removed.length).toBeGreaterThan(0);
    expect(added.length).toBeGreaterThan(0);
    expect(changes.some((c) => c.includes('database user'))).toBe(true);
  });
});
