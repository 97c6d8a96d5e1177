/**
 * `x509-cert-expired` against the simulator. Atlas lists only unexpired certificates ("Returns all
 * unexpired X.509 certificates", listGroupDatabaseUserCerts), so a snapshot never holds a certificate
 * that had expired when it was read, and the generator plants none. The rule judges what the snapshot
 * holds at the audit's clock: a certificate listed at collection whose notAfter has passed by the time
 * the snapshot is audited (an `audit` or `report` run after the collection) is expired. At the
 * collection's own time the same user passes, and `x509-cert-expiring` names it instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/report/model.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import type { DatabaseUser, Snapshot } from '../../src/snapshot/schema.js';
import { org, project } from '../builders/snapshot.js';
import { COLLECT_ENV, READER } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { clockFrom } from '../helpers/clock.js';
import { findingRows } from '../helpers/report-json.js';

const ORG = '0000000000000000000000aa';
const P = 'd00000000000000000000001';
const COLLECTED = new Date('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const x509 = (username: string, notAfter: number[]): DatabaseUser => ({
  username,
  databaseName: '$external',
  authKind: 'x509-managed',
  roles: [{ roleName: 'read', databaseName: 'sales', collectionName: null }],
  scopes: [],
  deleteAfterDate: null,
  description: null,
  labels: [],
  certificates: notAfter.map((t, i) => ({
    id: String(1000 + i),
    createdAt: iso(COLLECTED.getTime() - 300 * 24 * HOUR),
    notAfter: iso(t),
  })),
});

type AuditJson = ReportModel;

/** The simulator serving one org with one project holding `users`, on a clock that starts at `at`. */
const northwind = (users: DatabaseUser[], at: Date): Promise<Simulator> =>
  startSimulator({
    organizations: [
      org({ id: ORG, name: 'Northwind', projects: [project({ id: P, name: 'prod', databaseUsers: users })] }),
    ],
    credentials: { serviceAccounts: [{ ...READER, access: { orgRole: 'ORG_READ_ONLY' } }] },
    rateLimits: 'off',
    now: clockFrom(at),
  });

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  // One certificate that ends twelve hours after the collection; one far off. Atlas lists unexpired
  // certificates only, by its own clock: the simulator's runs from the collection.
  sim = await northwind(
    [
      x509('x509-batch', [COLLECTED.getTime() + 12 * HOUR]),
      x509('x509-web', [COLLECTED.getTime() + 400 * 24 * HOUR]),
    ],
    COLLECTED,
  );
  dir = tempDir('aar-x509-');
  const r = await runCliForTest(
    ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', join(dir, 'q.json'), '--quiet'],
    { env: COLLECT_ENV, cwd: dir, now: COLLECTED },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(async () => sim.close());

async function audit(now: Date): Promise<AuditJson> {
  const r = await runCliForTest(['audit', join(dir, 'q.json'), '--format', 'json', '--fail-on', 'never'], {
    now,
  });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as AuditJson;
}
const x509Findings = (a: AuditJson) =>
  findingRows(a)
    .filter((f) => f.ruleId.startsWith('x509-'))
    .map((f) => [f.ruleId, f.subjectType, f.subjectId])
    .sort();

describe('x509-cert-expired on a collected snapshot', () => {
  it('passes at the collection time: the certificate is listed and unexpired (x509-cert-expiring names it)', async () => {
    const a = await audit(COLLECTED);
    expect(x509Findings(a)).toEqual([['x509-cert-expiring', 'databaseUser', `${P}/$external/x509-batch`]]);
    expect(a.rules.find((r) => r.id === 'x509-cert-expired')).toMatchObject({
      subjectsChecked: 2,
      passed: 2,
      failed: 0,
    });
  });

  it('fails when the snapshot is audited after the listed certificate ended', async () => {
    const a = await audit(new Date(COLLECTED.getTime() + 24 * HOUR));
    expect(x509Findings(a)).toEqual([['x509-cert-expired', 'databaseUser', `${P}/$external/x509-batch`]]);
    expect(findingRows(a).find((f) => f.ruleId === 'x509-cert-expired')?.evidence).toContainEqual({
      name: 'expiredCertificateCount',
      value: '1',
    });
  });
});

describe('the simulator lists certificates as Atlas does', () => {
  it('leaves out a certificate that has expired by its clock ("Returns all unexpired X.509 certificates")', async () => {
    const later = new Date(COLLECTED.getTime() + 24 * HOUR);
    const late = await northwind(
      [
        x509('x509-batch', [COLLECTED.getTime() + 12 * HOUR]),
        x509('x509-web', [COLLECTED.getTime() + 12 * HOUR, COLLECTED.getTime() + 400 * 24 * HOUR]),
      ],
      later,
    );
    try {
      const out = join(dir, 'later.json');
      const r = await runCliForTest(
        ['collect', '--org', ORG, '--base-url', late.baseUrl, '-o', out, '--quiet'],
        { env: COLLECT_ENV, cwd: dir, now: later },
      );
      expect(r.code, r.stderr).toBe(0);
      const snap = JSON.parse(readFileSync(out, 'utf8')) as Snapshot;
      const certs = snap.organizations[0]!.projects[0]!.databaseUsers.map((u) => [
        u.username,
        u.certificates.map((c) => Date.parse(c.notAfter ?? '')),
      ]);
      expect(certs).toEqual([
        ['x509-batch', []],
        ['x509-web', [COLLECTED.getTime() + 400 * 24 * HOUR]],
      ]);
    } finally {
      await late.close();
    }
  });
});
