/**
 * The library API as an embedding team uses it: only `src/index.ts` (the package's export) is imported
 * for the calls under test; the simulator is test infrastructure, and ExcelJS stands in for the reviewer
 * who fills the workbook. A whole cycle: collect over real HTTP, audit with a policy given as data, build
 * the report, render every format, import the filled workbook, plan, verify against a later snapshot;
 * and diff two collections.
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
  importReview,
  parseSnapshot,
  plan,
  REPORT_FORMATS,
  render,
  type Snapshot,
  serializeSnapshot,
  UsageError,
  verify,
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
  it('collect -> audit -> buildReport -> render every format -> importReview -> plan -> verify', async () => {
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
    const outputs = new Map<string, string | Uint8Array>();
    for (const format of REPORT_FORMATS) {
      const out = await render(model, format);
      expect(out.length, format).toBeGreaterThan(0);
      outputs.set(format, out);
    }
    const html = outputs.get('html');
    expect(typeof html === 'string' && html.startsWith('<!DOCTYPE html>')).toBe(true);
    const json = JSON.parse(outputs.get('json') as string) as { findings: unknown[] };
    expect(json.findings.length).toBeGreaterThan(0);

    // A reviewer fills the workbook: Revoke one active user, Keep everyone else.
    const leaver = snapshot.organizations[0]!.users.find((u) => u.status === 'ACTIVE')!;
    const workbook = await fillReview(outputs.get('xlsx') as Uint8Array, leaver.username);
    const imported = await importReview({ workbook, snapshot, now: new Date('2026-11-26T09:00:00Z') });
    if (!imported.ok) throw new Error(JSON.stringify(imported.problems));
    expect(imported.signoff.actions.filter((a) => a.decision === 'Revoke').map((a) => a.name)).toEqual([
      leaver.username,
    ]);
    const revocations = plan(imported.signoff);
    expect(revocations).toEqual(imported.plan);
    expect(JSON.stringify(revocations)).toContain(leaver.id);

    // Before the revocation is carried out, verify fails; after it, it passes.
    const notYet = laterSnapshot(snapshot, '2026-11-27T06:00:00Z');
    const pending = verify({ signoff: imported.signoff, reviewed: snapshot, later: notYet, now: new Date() });
    expect([pending.failed, pending.summary.notDone]).toEqual([true, 1]);
    const done = laterSnapshot(snapshot, '2026-11-28T06:00:00Z');
    done.organizations[0]!.users = done.organizations[0]!.users.filter((u) => u.id !== leaver.id);
    const verified = verify({ signoff: imported.signoff, reviewed: snapshot, later: done, now: new Date() });
    expect([verified.failed, verified.summary.done, verified.summary.revocations]).toEqual([false, 1, 1]);
    // The snapshot that was signed off is not a later one.
    expect(() =>
      verify({ signoff: imported.signoff, reviewed: snapshot, later: snapshot, now: new Date() }),
    ).toThrow(UsageError);
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

/** A copy of `snapshot` collected at `at`. */
function laterSnapshot(snapshot: Snapshot, at: string): Snapshot {
  return { ...structuredClone(snapshot), collectedAt: at };
}

/** The Review sheet as a reviewer fills it: `revoke` gets Revoke with a reason, every other row Keep. */
async function fillReview(xlsx: Uint8Array, revoke: string): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(xlsx) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('Review')!;
  expect(ws.rowCount).toBeGreaterThan(10);
  const col = new Map<string, number>();
  ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
  ws.eachRow((row, n) => {
    if (n === 1) return;
    // The person's Atlas user row; a database user may carry the same name (an OIDC or LDAP identity).
    const revoked =
      String(row.getCell(col.get('Name')!).value) === revoke &&
      String(row.getCell(col.get('Kind')!).value) === 'user';
    row.getCell(col.get('Decision')!).value = revoked ? 'Revoke' : 'Keep';
    row.getCell(col.get('Reviewer')!).value = 'access-lead@example.org';
    row.getCell(col.get('Reviewed on')!).value = new Date('2026-11-26T00:00:00Z');
    // A Keep of a privileged or flagged row needs a justification (docs/review.md).
    row.getCell(col.get('Comment')!).value = revoked ? 'left the company' : 'needed for the on-call rota';
  });
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
