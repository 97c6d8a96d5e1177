/**
 * The library API as an embedding team uses it: only `src/index.ts` (the package's export) is imported
 * for the calls under test; the simulator is test infrastructure. Collect over real HTTP, audit with a
 * policy and a waiver given as data, build the report, render it, and diff two collections.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AtlasApiError,
  audit,
  buildReport,
  collect,
  diff,
  ExitCode,
  InputError,
  parseSnapshot,
  render,
  serializeSnapshot,
} from '../../src/index.js';
import { generateEstate } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';

const estate = generateEstate({
  seed: 3,
  now: new Date('2026-11-25T00:00:00Z'),
  orgs: 2,
  usersPerOrg: 25,
  teamsPerOrg: 3,
  projectsPerOrg: 2,
  apiKeysPerOrg: 2,
  serviceAccountsPerOrg: 1,
});
const sa = DEFAULT_CREDENTIALS.serviceAccounts[0];
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ organizations: estate.organizations, rateLimits: 'off' });
});
afterAll(() => sim.close());

describe('the public API', () => {
  it('collect -> audit -> buildReport -> render, without printing or exiting', async () => {
    const snapshot = await collect({
      credentials: { clientId: sa.clientId, clientSecret: sa.clientSecret },
      orgs: 'all',
      baseUrl: sim.baseUrl,
      now: () => new Date('2026-11-25T06:00:00Z'),
    });
    expect(snapshot.organizations.map((o) => o.id).sort()).toEqual(
      estate.organizations.map((o) => o.id).sort(),
    );
    // A snapshot round-trips through its file form.
    expect(parseSnapshot(serializeSnapshot(snapshot), 'mem.json')).toEqual(snapshot);

    const result = await audit({ snapshot, policy: { rules: { 'mfa-not-required': { enabled: false } } } });
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings.some((f) => f.ruleId === 'mfa-not-required')).toBe(false);

    const model = buildReport({ snapshot, audit: result, generatedAt: new Date('2026-11-25T07:00:00Z') });
    expect(model.organizations).toHaveLength(2);
    const html = await render(model, 'html');
    expect(typeof html === 'string' && html.startsWith('<!DOCTYPE html>')).toBe(true);
    const xlsx = await render(model, 'xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx as Uint8Array) as unknown as ArrayBuffer);
    expect(wb.getWorksheet('Review')?.rowCount).toBeGreaterThan(10);
  });

  it('errors are typed and carry the exit code; a bad policy names its path', async () => {
    const bad = await collect({
      credentials: { clientId: sa.clientId, clientSecret: 'wrong-secret-value' },
      orgs: 'all',
      baseUrl: sim.baseUrl,
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AtlasApiError);
    expect((bad as AtlasApiError).exitCode).toBe(ExitCode.api);
    expect((bad as Error).message).not.toContain('wrong-secret-value');

    const snapshot = await collect({
      credentials: { clientId: sa.clientId, clientSecret: sa.clientSecret },
      orgs: [estate.organizations[0]!.id],
      baseUrl: sim.baseUrl,
    });
    const policyError = await audit({
      snapshot,
      policy: { rules: { 'no-such-rule': { enabled: false } } },
    }).catch((e: unknown) => e);
    expect(policyError).toBeInstanceOf(InputError);
    expect((policyError as InputError).exitCode).toBe(ExitCode.usage);
  });

  it('diff names a leaver between two snapshots', async () => {
    const before = await collect({
      credentials: { clientId: sa.clientId, clientSecret: sa.clientSecret },
      orgs: 'all',
      baseUrl: sim.baseUrl,
    });
    const after = structuredClone(before);
    const org = after.organizations[0]!;
    const leaver = org.users.find((u) => u.status === 'ACTIVE')!;
    org.users = org.users.filter((u) => u.id !== leaver.id);
    const changes = diff(before, after);
    expect(JSON.stringify(changes)).toContain(leaver.username);
  });
});
