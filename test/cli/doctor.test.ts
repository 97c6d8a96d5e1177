/**
 * `doctor` against the simulator over real HTTP: the simulator enforces each route's least role
 * (x-rolesRequirements) and a per-credential API access list, so every refusal doctor explains here is
 * one Atlas would give. Exit 0 only when collect would succeed; 3 when not; 2 on bad options.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { datasetsFor } from '../../src/collect/datasets.js';
import type { DoctorReport } from '../../src/collect/doctor.js';
import { generateEstate } from '../../src/sim/generate.js';
import {
  DEFAULT_CREDENTIALS,
  type Simulator,
  type SimulatorAccess,
  startSimulator,
} from '../../src/sim/server.js';
import { runCliForTest } from '../helpers/cli.js';

const NOW = new Date('2026-11-25T00:00:00Z');
const estate = generateEstate({
  seed: 11,
  now: NOW,
  orgs: 2,
  usersPerOrg: 20,
  teamsPerOrg: 3,
  projectsPerOrg: 3,
  apiKeysPerOrg: 2,
  serviceAccountsPerOrg: 2,
});
const [orgA, orgB] = estate.organizations;
const sa = DEFAULT_CREDENTIALS.serviceAccounts![0]!;
const key = DEFAULT_CREDENTIALS.apiKeys![0]!;
const keyEnv = { MONGODB_ATLAS_PUBLIC_API_KEY: key.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: key.privateKey };
const saEnv = { MONGODB_ATLAS_CLIENT_ID: sa.clientId, MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(access?: SimulatorAccess, organizations = estate.organizations): Promise<Simulator> {
  sim = await startSimulator({
    organizations,
    credentials: {
      serviceAccounts: [{ ...sa, access }],
      apiKeys: [{ ...key, access }],
    },
    rateLimits: 'off',
  });
  return sim;
}

async function doctor(args: string[], env: Record<string, string> = saEnv, now = new Date()) {
  return runCliForTest(['doctor', '--base-url', sim!.baseUrl, ...args], { env, now });
}

function json(stdout: string): DoctorReport {
  return JSON.parse(stdout) as DoctorReport;
}

describe('doctor', () => {
  it('an Organization Member service account: names each refused dataset and the role to grant; exit 3', async () => {
    await start({ orgRole: 'ORG_MEMBER' });
    const run = await doctor(['--org', orgA!.id]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(
      /REFUSED\s+service accounts\s+Organization Read Only\s+GET \/api\/atlas\/v2\/orgs\/\{orgId\}\/serviceAccounts\n\s+HTTP 403 USER_UNAUTHORIZED: Current user is not authorized to perform this action\.\n\s+fix: grant Organization Read Only\n/,
    );
    expect(run.stdout).toMatch(
      /REFUSED\s+project teams\s+Project Read Only[^\n]*\n[^\n]*HTTP 403 USER_UNAUTHORIZED[^\n]*\n\s+fix: grant Project Read Only \(in every project, or Organization Read Only in the organization\)/,
    );
    // What an org member may read is reported readable, not refused.
    expect(run.stdout).toMatch(/ok\s+users and invitations\s+Organization Member/);
    expect(run.stdout).toMatch(
      /Result: collect would FAIL: \d+ dataset\(s\) refused\. Roles to grant: .*Organization Read Only/,
    );
    expect(run.stdout).not.toContain(sa.clientSecret);
    expect(run.stderr).toBe('');
  });

  it('an IP outside the API access list: says to add the IP, not to grant a role', async () => {
    await start({ allowedIps: ['203.0.113.7'] });
    const run = await doctor(['--all-orgs']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      'HTTP 403 IP_ADDRESS_NOT_ON_ACCESS_LIST: IP address 127.0.0.1 is not allowed',
    );
    expect(run.stdout).toContain(
      "fix: add this machine's public IP address to the credential's API access list",
    );
    expect(run.stdout).not.toMatch(/Roles to grant/);
  });

  it('a wrong secret: 401 on the org listing, exit 3, the secret never printed', async () => {
    await start();
    const wrong = 'mdb_sa_sk_wrong-secret-value';
    const run = await doctor(['--all-orgs'], { ...saEnv, MONGODB_ATLAS_CLIENT_SECRET: wrong });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('HTTP 401');
    expect(run.stdout).toContain('fix: the credentials were refused');
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
    expect(`${run.stdout}${run.stderr}`).not.toContain('wrong-secret');
    // Named organizations are not probed with credentials already refused: one reason, not fifteen.
    const named = await doctor(['--org', orgA!.id, '--format', 'json'], {
      ...saEnv,
      MONGODB_ATLAS_CLIENT_SECRET: wrong,
    });
    const report = json(named.stdout);
    expect(report.organizations[0]!.checks.every((c) => c.outcome === 'skipped')).toBe(true);
    expect(report.global[0]).toMatchObject({ outcome: 'refused', status: 401 });
  });

  it('bad options: exit 2 before any request', async () => {
    await start();
    const run = await doctor(['--org', 'not-an-id']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid organization id');
    expect(sim!.stats().requests).toBe(0);
    const none = await doctor([]);
    expect(none.code).toBe(2);
    expect(sim!.stats().requests).toBe(0);
  });

  it('--include access-history probes one dedicated cluster per org with the smallest window; --since without it is exit 2', async () => {
    await start();
    const run = await doctor(['--all-orgs', '--include', 'access-history', '--format', 'json']);
    const report = json(run.stdout);
    for (const org of report.organizations) {
      const check = org.checks.find((c) => c.dataset === 'access-history');
      expect(check?.leastRole).toBe('Project Cluster Log Viewer or Project Database Access Admin');
      expect(['ok', 'skipped']).toContain(check?.outcome);
    }
    const history = sim!.log.filter((e) => e.path.includes('/dbAccessHistory/clusters/'));
    expect(history.length).toBeGreaterThan(0);
    expect(history.length).toBeLessThanOrEqual(report.organizations.length);
    for (const e of history) expect(new URLSearchParams(e.query).get('nLogs')).toBe('1');
    const before = sim!.stats().requests;
    const bad = await doctor(['--all-orgs', '--since', '30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--include access-history');
    expect(sim!.stats().requests).toBe(before);
  });

  it('an org the credentials cannot see is refused by name; the visible one is still checked', async () => {
    await start({ orgRole: 'ORG_MEMBER' });
    const missing = 'ffffffffffffffffffffffff';
    const run = await doctor(['--org', missing, '--org', orgB!.id, '--format', 'json']);
    expect(run.code).toBe(3);
    const report = json(run.stdout);
    const gone = report.organizations.find((o) => o.id === missing);
    expect(gone?.checks).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        detail: 'the organization is not visible to these credentials',
      }),
    ]);
    const seen = report.organizations.find((o) => o.id === orgB!.id);
    expect(seen?.name).toBe(orgB!.name);
    expect(seen?.checks.find((c) => c.dataset === 'users')?.outcome).toBe('ok');
  });

  it('probes each dataset once per org with itemsPerPage=1, in the JSON form as in the text', async () => {
    await start({ orgRole: 'ORG_MEMBER' });
    const run = await doctor(['--all-orgs', '--format', 'json']);
    const report = json(run.stdout);
    expect(report.auth).toEqual({ kind: 'service-account', id: sa.clientId });
    expect(report.baseUrl).toBe(sim!.baseUrl);
    const ids = datasetsFor('atlas-v2')
      .filter((d) => d.scope !== 'caller')
      .map((d) => d.id)
      .sort();
    for (const org of report.organizations) expect(org.checks.map((c) => c.dataset).sort()).toEqual(ids);
    const probes = sim!.log.filter((e) => e.path !== '/api/atlas/v2/orgs' && e.method === 'GET');
    const paged = probes.filter((e) => e.query.includes('pageNum'));
    expect(paged.length).toBeGreaterThan(0);
    // Certificates and access history are probed on one item each: the first project's database users
    // and clusters are listed in full to find an X.509-managed user and a dedicated cluster.
    const search = (e: { path: string; query: string }) =>
      /\/groups\/[a-f0-9]{24}\/(databaseUsers|clusters)$/.test(e.path) &&
      new URLSearchParams(e.query).get('itemsPerPage') === '500';
    for (const e of paged.filter((p) => !search(p)))
      expect(new URLSearchParams(e.query).get('itemsPerPage')).toBe('1');
    expect(paged.filter(search).length).toBeLessThanOrEqual(2 * report.organizations.length);
  });

  it("clock skew from the server's Date header: a warning beyond a minute", async () => {
    await start();
    const skewed = await doctor(['--org', orgA!.id], saEnv, new Date(Date.now() - 3 * 3600_000));
    expect(skewed.stdout).toMatch(/clock\s+WARNING: this machine's clock is 10(79|80)\d s behind the server/);
    const inStep = await doctor(['--org', orgA!.id, '--format', 'json']);
    expect(Math.abs(json(inStep.stdout).clockSkewSeconds ?? 99)).toBeLessThanOrEqual(2);
  });

  it('escapes hostile org names in text and JSON', async () => {
    const hostile = structuredClone(estate.organizations);
    hostile[0]!.name = 'Evil\u001b[2J\u001b[H\u009b31mGate: passed\u202e';
    await start({ orgRole: 'ORG_MEMBER' }, hostile);
    const text = await doctor(['--org', hostile[0]!.id]);
    expect(text.stdout).toContain('Organization Evil?[2J?[H?31mGate: passed? (');
    expect(text.stdout).not.toMatch(/[\u001b\u009b\u202e]/);
    const asJson = await doctor(['--org', hostile[0]!.id, '--format', 'json']);
    expect(asJson.stdout).not.toMatch(/[\u001b\u009b\u202e]/);
    expect(json(asJson.stdout).organizations[0]!.name).toBe(hostile[0]!.name);
  });

  it('Cloud Manager v1.0: the org, its users and projects, with an API key; an unknown org is a 404 to check', async () => {
    await start({ orgRole: 'ORG_MEMBER' });
    const all = await doctor(['--api', 'cloud-manager', '--all-orgs', '--format', 'json'], keyEnv);
    expect(all.code).toBe(0);
    const report = json(all.stdout);
    expect(report.auth).toEqual({ kind: 'api-key', id: key.publicKey });
    expect(report.global.map((c) => [c.endpoint, c.outcome])).toEqual([['GET /api/public/v1.0/orgs', 'ok']]);
    expect(report.organizations.map((o) => o.name).sort()).toEqual(
      estate.organizations.map((o) => o.name).sort(),
    );
    for (const org of report.organizations)
      expect(org.checks.map((c) => `${c.dataset}:${c.outcome}`).sort()).toEqual([
        'organization:ok',
        'projects:ok',
        'users:ok',
      ]);
    const unknown = await doctor(['--api', 'cloud-manager', '--org', 'ffffffffffffffffffffffff'], keyEnv);
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toContain('HTTP 404 RESOURCE_NOT_FOUND');
    expect(unknown.stdout).toContain('fix: not found: check the organization id');
  });

  it('full access (Organization Owner): every dataset readable, exit 0, about one request per dataset', async () => {
    await start({ orgRole: 'ORG_OWNER' });
    const run = await doctor(['--all-orgs', '--include', 'project-invitations', '--format', 'json']);
    expect(run.code).toBe(0);
    const report = json(run.stdout);
    expect(report.ok).toBe(true);
    for (const org of report.organizations) {
      expect(org.checks.filter((c) => c.outcome !== 'ok')).toEqual([]);
      expect(org.checks.map((c) => c.dataset)).toContain('project-invitations');
    }
    const text = await doctor(['--all-orgs']);
    expect(text.stdout).toMatch(
      /Result: collect would succeed: every dataset of 2 organization\(s\) is readable/,
    );
  });

  it('Organization Read Only: everything a default collection reads, but not project invitations (Project Owner)', async () => {
    await start({ orgRole: 'ORG_READ_ONLY' });
    expect((await doctor(['--all-orgs'])).code).toBe(0);
    const withInvites = await doctor(['--all-orgs', '--include', 'project-invitations']);
    expect(withInvites.code).toBe(3);
    expect(withInvites.stdout).toMatch(/REFUSED\s+project invitations\s+Project Owner/);
    expect(withInvites.stdout).toContain('Roles to grant: Project Owner.');
  });
});
