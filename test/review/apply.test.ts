/**
 * `review apply`: what it refuses before sending anything (edited plan or sign-off, other snapshot or
 * workbook, other Atlas, missing or shared credentials, an existing log), how it classifies answers,
 * and how it reports failures (exit 3) against the simulator.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasApiError } from '../../src/errors.js';
import { type ApplyLog, applyPlan, firstDifference, initialLog } from '../../src/review/apply.js';
import { buildRevocationPlan, type RevocationPlan } from '../../src/review/plan.js';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';
import { type Fault, type Simulator, startSimulator } from '../../src/sim/server.js';
import type { Organization } from '../../src/snapshot/schema.js';
import { snapshot, user } from '../builders/snapshot.js';
import {
  fillWorkbook,
  INVITE,
  KEY,
  MALLORY,
  ORG,
  OWNER2,
  q3Org,
  type RowFill,
  SA,
  writeSnapshotFile,
} from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { expectPlanMatchesSpec } from '../helpers/plan-spec.js';

const QUIET = 'b00000000000000000000006';
const NOW = new Date('2026-11-25T12:00:00Z');
const WRITER = { clientId: 'mdb_sa_id_bbbbbbbbbbbbbbbbbbbbbbbb', clientSecret: 'mdb_sa_sk_writer-owner' };
const APPLY_ENV = {
  ATLAS_REVIEW_APPLY_CLIENT_ID: WRITER.clientId,
  ATLAS_REVIEW_APPLY_CLIENT_SECRET: WRITER.clientSecret,
};
const key = (type: string, id: string) => `${ORG}:${type}:${id}`;

function estate(): Organization[] {
  const o = q3Org();
  o.users.push(user({ id: QUIET, username: 'quiet@example.com', orgRoles: ['ORG_BILLING_ADMIN'] }));
  return [o];
}

function fill(k: string): RowFill {
  const base: RowFill = {
    decision: 'Keep',
    reviewer: 'lead@example.com',
    reviewedOn: new Date(Date.UTC(2026, 10, 20)),
  };
  if (k === key('user', MALLORY)) return { ...base, decision: 'Revoke' };
  if (k === key('user', INVITE)) return { ...base, decision: 'Revoke' };
  if (k === key('apiKey', KEY)) return { ...base, decision: 'Revoke' };
  if (k === key('serviceAccount', SA)) return { ...base, decision: 'Modify', comment: 'drop ORG_OWNER' };
  if (k === key('user', OWNER2))
    return { ...base, decision: 'Modify', comment: 'no ORG_OWNER, not in admins' };
  if (k === key('user', QUIET)) return { ...base, decision: 'Modify', comment: 'please look at this' };
  return { ...base, comment: 'needed for the on-call rota' };
}

/** One imported review against one simulator: the evidence a test copies before changing anything. */
interface Review {
  dir: string;
  snapshot: string;
  workbook: string;
  evidence: string;
}

async function review(sim: Simulator, decide: (k: string) => RowFill = fill): Promise<Review> {
  const dir = tempDir('aar-apply-');
  const snap = snapshot(estate(), {
    collectedAt: '2026-11-01T00:00:00.000Z',
    source: {
      baseUrl: sim.baseUrl,
      api: 'atlas-v2',
      apiVersion: '2025-02-19',
      auth: 'service-account',
      keepPii: false,
    },
  });
  const snapshotFile = writeSnapshotFile(dir, 'q3.json', snap);
  const report = await runCliForTest(
    ['report', snapshotFile, '--xlsx', join(dir, 'review.xlsx'), '--fail-on', 'never'],
    { now: NOW },
  );
  expect(report.code).toBe(0);
  const workbook = join(dir, 'filled.xlsx');
  await fillWorkbook(join(dir, 'review.xlsx'), workbook, decide);
  const evidence = join(dir, 'evidence');
  const imported = await runCliForTest(
    ['review', 'import', workbook, '--snapshot', snapshotFile, '--out-dir', evidence],
    {
      now: NOW,
    },
  );
  expect(imported.code).toBe(0);
  expectPlanMatchesSpec(JSON.parse(readFileSync(join(evidence, 'revocation-plan.json'), 'utf8')));
  return { dir, snapshot: snapshotFile, workbook, evidence };
}

/** A copy of the evidence folder to edit. */
function copy(r: Review, name: string): string {
  const out = join(r.dir, name);
  cpSync(r.evidence, out, { recursive: true });
  return out;
}

function args(r: Review, sim: Simulator, evidence = r.evidence, extra: string[] = []): string[] {
  return [
    'review',
    'apply',
    join(evidence, 'revocation-plan.json'),
    '--snapshot',
    r.snapshot,
    '--workbook',
    r.workbook,
    '--base-url',
    sim.baseUrl,
    ...extra,
  ];
}

function editJson(file: string, edit: (v: Record<string, unknown>) => void): void {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(v);
  writeFileSync(file, `${JSON.stringify(v, null, 2)}\n`);
}

async function startSim(faults: Fault[] = []): Promise<Simulator> {
  return startSimulator({
    organizations: estate(),
    credentials: { serviceAccounts: [WRITER] },
    faults,
    rateLimits: 'off',
  });
}

describe('review apply refuses, before sending anything (exit 2)', () => {
  let sim: Simulator;
  let r: Review;
  beforeAll(async () => {
    sim = await startSim();
    r = await review(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  async function refused(argv: string[], message: string | RegExp, env: Record<string, string> = APPLY_ENV) {
    sim.resetStats();
    const run = await runCliForTest(argv, { env, now: NOW });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(sim.stats().requests).toBe(0);
    return run;
  }

  it('a plan whose call was edited (path, body or candidate flag), naming the first field that differs', async () => {
    const e = copy(r, 'edited-path');
    editJson(join(e, 'revocation-plan.json'), (p) => {
      const c = (p as unknown as RevocationPlan).identities[0]!.calls[0]!;
      c.path = c.path.replace(KEY, 'e0000000000000000000ffff');
    });
    await refused(
      [...args(r, sim, e), '--yes'],
      /revocation-plan\.json: \$\.identities\[0\]\.calls\[0\]\.path: differs from the plan rebuilt from .*signoff\.json/,
    );
    const b = copy(r, 'edited-body');
    editJson(join(b, 'revocation-plan.json'), (p) => {
      const sa = (p as unknown as RevocationPlan).identities.find((i) => i.id === SA)!;
      sa.calls[0]!.body = { roles: ['ORG_MEMBER'] };
    });
    await refused(args(r, sim, b), /\$\.identities\[\d\]\.calls\[0\]\.body\.roles\[0\]: differs/);
    const c = copy(r, 'edited-candidate');
    editJson(join(c, 'revocation-plan.json'), (p) => {
      const quiet = (p as unknown as RevocationPlan).identities.find((i) => i.id === QUIET)!;
      quiet.calls[1]!.candidate = false;
    });
    await refused(args(r, sim, c), /\.calls\[1\]\.candidate: differs/);
  });

  it('a sign-off edited and a plan rebuilt to match it: the workbook says otherwise', async () => {
    const e = copy(r, 'edited-signoff');
    editJson(join(e, 'signoff.json'), (s) => {
      const a = (s as unknown as Signoff).actions.find((x) => x.id === SA)!;
      a.comment = 'drop ORG_OWNER and ORG_READ_ONLY';
    });
    const signoffText = readFileSync(join(e, 'signoff.json'), 'utf8');
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(signoffText).digest('hex');
    const forged = buildRevocationPlan(JSON.parse(signoffText) as Signoff, sha);
    expectPlanMatchesSpec(forged);
    writeFileSync(join(e, 'revocation-plan.json'), `${JSON.stringify(forged, null, 2)}\n`);
    await refused(
      args(r, sim, e),
      /signoff\.json: \$\.actions\[\d\]\.comment: differs from the sign-off review import makes of .*filled\.xlsx/,
    );
  });

  it('a plan written with another sign-off, a sign-off for another snapshot or workbook', async () => {
    const e = copy(r, 'other-signoff');
    editJson(join(e, 'signoff.json'), (s) => {
      s.signedOffAt = '2026-11-26T00:00:00.000Z';
    });
    await refused(
      args(r, sim, e),
      /revocation-plan\.json: \$\.signoffSha256: written for sign-off "[a-f0-9]{64}", but/,
    );

    const other = writeSnapshotFile(r.dir, 'other.json', snapshot(estate()));
    const a = args(r, sim);
    a[a.indexOf('--snapshot') + 1] = other;
    await refused(
      a,
      /signoff\.json: \$\.snapshot\.sha256: written for snapshot "[a-f0-9]{64}", but .*other\.json has sha256/,
    );

    const w = args(r, sim);
    w[w.indexOf('--workbook') + 1] = join(r.dir, 'review.xlsx');
    await refused(w, /signoff\.json: \$\.workbook\.sha256: written for workbook/);
  });

  it('a plan of another schema version, a plan that is not JSON, a missing file', async () => {
    const e = copy(r, 'old-schema');
    editJson(join(e, 'revocation-plan.json'), (p) => {
      p.planSchemaVersion = 1;
    });
    const run = await refused(
      args(r, sim, e),
      /\$\.planSchemaVersion: plan schema 1; this version applies plan schema 2/,
    );
    expect(run.stderr).toContain('hint: run review import again');
    const j = copy(r, 'not-json');
    writeFileSync(join(j, 'revocation-plan.json'), '{"planSchemaVersion": 2,');
    await refused(args(r, sim, j), /revocation-plan\.json/);
    await refused(args(r, sim, join(r.dir, 'nowhere')), /file not found/);
  });

  it('another Atlas than the snapshot came from', async () => {
    const a = args(r, sim);
    a[a.indexOf('--base-url') + 1] = 'https://cloud.mongodbgov.com';
    await refused(a, /https:\/\/cloud\.mongodbgov\.com is not the Atlas .*q3\.json was collected from/);
  });

  it('--yes without the apply credentials, or with the collector identity as the apply identity', async () => {
    await refused(
      [...args(r, sim), '--yes'],
      /no Atlas credentials: set ATLAS_REVIEW_APPLY_CLIENT_ID and ATLAS_REVIEW_APPLY_CLIENT_SECRET/,
      { MONGODB_ATLAS_CLIENT_ID: WRITER.clientId, MONGODB_ATLAS_CLIENT_SECRET: WRITER.clientSecret },
    );
    await refused(
      [...args(r, sim), '--yes'],
      /ATLAS_REVIEW_APPLY_CLIENT_ID names the same identity as MONGODB_ATLAS_CLIENT_ID/,
      {
        ...APPLY_ENV,
        MONGODB_ATLAS_CLIENT_ID: WRITER.clientId,
        MONGODB_ATLAS_CLIENT_SECRET: 'x',
      },
    );
    expect(existsSync(join(r.evidence, 'apply-log.json'))).toBe(false);
  });

  it('a --log that names one of its inputs, even with --force', async () => {
    const before = readFileSync(r.snapshot, 'utf8');
    await refused(
      [...args(r, sim), '--yes', '--force', '--log', r.snapshot],
      /--log would overwrite the --snapshot input file/,
    );
    expect(readFileSync(r.snapshot, 'utf8')).toBe(before);
  });

  it('an existing apply log without --force (exit 4)', async () => {
    const e = copy(r, 'with-log');
    writeFileSync(join(e, 'apply-log.json'), 'an earlier run');
    sim.resetStats();
    const run = await runCliForTest([...args(r, sim, e), '--yes'], { env: APPLY_ENV, now: NOW });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('apply-log.json already exists');
    expect(sim.stats().requests).toBe(0);
    expect(readFileSync(join(e, 'apply-log.json'), 'utf8')).toBe('an earlier run');
  });
});

describe('review apply with nothing to send', () => {
  it('needs no credentials, sends nothing, logs the candidates and exits 0', async () => {
    const sim = await startSim();
    try {
      const keepOrLook = (k: string): RowFill => ({
        ...fill(k),
        ...(k === key('user', QUIET) ? {} : { decision: 'Keep', comment: 'needed for the on-call rota' }),
      });
      const r = await review(sim, keepOrLook);
      sim.resetStats();
      const run = await runCliForTest([...args(r, sim), '--yes'], { env: {}, now: NOW });
      expect(run.stderr).toContain('0 done, 0 already done, 0 failed, 2 skipped of 2 call(s)');
      expect(run.code).toBe(0);
      expect(sim.stats().requests).toBe(0);
      const log: ApplyLog = JSON.parse(readFileSync(join(r.evidence, 'apply-log.json'), 'utf8'));
      expect(log.identity).toBeNull();
    } finally {
      await sim.close();
    }
  });
});

describe('review apply reports failures (exit 3) and carries on', () => {
  let sim: Simulator;
  let r: Review;
  beforeAll(async () => {
    sim = await startSim([
      // mallory's removal fails every time; the first :addRole of owner2 is refused.
      { method: 'DELETE', path: `/api/atlas/v2/orgs/${ORG}/users/${MALLORY}`, status: 500 },
      {
        method: 'POST',
        path: `/api/atlas/v2/orgs/${ORG}/users/${OWNER2}:addRole`,
        status: 403,
        errorCode: 'USER_UNAUTHORIZED',
      },
      // One 503 the client retries through.
      {
        method: 'DELETE',
        path: `/api/atlas/v2/orgs/${ORG}/apiKeys/${KEY}`,
        status: 503,
        retryAfterSeconds: 0,
        times: 1,
      },
    ]);
    r = await review(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("names every failure with endpoint, status and errorCode, skips the identity's later calls, does the rest", async () => {
    const run = await runCliForTest([...args(r, sim), '--yes', '--max-retries', '1'], {
      env: APPLY_ENV,
      now: NOW,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `failed: DELETE /api/atlas/v2/orgs/${ORG}/users/${MALLORY} (DELETE /api/atlas/v2/orgs/{orgId}/users/{userId}): HTTP 500 UNEXPECTED_ERROR`,
    );
    expect(run.stderr).toContain(
      `failed: POST /api/atlas/v2/orgs/${ORG}/users/${OWNER2}:addRole (POST /api/atlas/v2/orgs/{orgId}/users/{userId}:addRole): HTTP 403 USER_UNAUTHORIZED`,
    );
    expect(run.stderr).toContain('3 done, 0 already done, 2 failed, 4 skipped of 9 call(s)');
    expect(run.stderr).toContain('(exit 3)');
    const log: ApplyLog = JSON.parse(readFileSync(join(r.evidence, 'apply-log.json'), 'utf8'));
    const by = (op: string, id: string) =>
      log.calls.find((c) => c.operationId === op && c.path.includes(id))!;
    expect(by('removeOrgUser', MALLORY)).toMatchObject({
      outcome: 'failed',
      status: 500,
      errorCode: 'UNEXPECTED_ERROR',
    });
    expect(by('removeOrgUserRole', OWNER2)).toMatchObject({
      outcome: 'skipped',
      reason: 'not sent: an earlier call for this identity failed',
    });
    expect(by('deleteOrgApiKey', KEY)).toMatchObject({ outcome: 'done', status: 204 });
    expect(by('removeOrgUser', INVITE)).toMatchObject({ outcome: 'done' });
    expect(log.finishedAt).toBe(NOW.toISOString());
    // The estate: the key and the invitation are gone, mallory and owner2's roles are not.
    const again = await runCliForTest([...args(r, sim), '--yes', '--force', '--max-retries', '0'], {
      env: APPLY_ENV,
      now: NOW,
    });
    expect(again.stderr).toContain('2 already done');
    expect(again.code).toBe(3);
  });

  it('a refused credential (401) stops the run: later calls are not sent', async () => {
    const e = copy(r, 'bad-secret');
    const run = await runCliForTest([...args(r, sim, e), '--yes', '--force'], {
      env: { ...APPLY_ENV, ATLAS_REVIEW_APPLY_CLIENT_SECRET: 'mdb_sa_sk_wrong-secret' },
      now: NOW,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('HTTP 401');
    expect(run.stderr).toContain(
      'hint: check ATLAS_REVIEW_APPLY_CLIENT_ID / ATLAS_REVIEW_APPLY_CLIENT_SECRET',
    );
    expect(run.stderr).not.toContain('mdb_sa_sk_wrong-secret');
    const log: ApplyLog = JSON.parse(readFileSync(join(e, 'apply-log.json'), 'utf8'));
    expect(log.summary).toMatchObject({ failed: 1, done: 0, pending: 0 });
    expect(log.calls.filter((c) => c.reason === 'not sent: the credentials were refused (401)').length).toBe(
      6,
    );
    expect(JSON.stringify(log)).not.toContain('wrong-secret');
  });
});

describe('applyPlan: outcomes', () => {
  const action = (over: Partial<SignoffAction>): SignoffAction => ({
    key: `${ORG}:user:${OWNER2}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'user',
    kind: 'user',
    id: OWNER2,
    name: 'owner2@example.com',
    status: 'ACTIVE',
    decision: 'Modify',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-11-20',
    comment: 'drop ORG_OWNER',
    workbookRow: 2,
    access: { orgRoles: ['ORG_OWNER'], projectRoles: [], teams: [] },
    ...over,
  });
  const plan = (...actions: SignoffAction[]) => {
    const p = buildRevocationPlan(
      {
        signoffSchemaVersion: 1,
        tool: { name: 't', version: '0' },
        signedOffAt: NOW.toISOString(),
        snapshot: { file: 's', sha256: 'a'.repeat(64), collectedAt: NOW.toISOString(), organizations: [] },
        workbook: { file: 'w', sha256: 'b'.repeat(64) },
        counts: { identities: 0, keep: 0, revoke: 0, modify: 0 },
        byOrg: [],
        reviewers: [],
        reviewPeriod: null,
        actions,
      },
      'c'.repeat(64),
    );
    expectPlanMatchesSpec(p);
    return p;
  };
  const header = {
    tool: { name: 't', version: '0' },
    startedAt: NOW.toISOString(),
    baseUrl: 'https://cloud.mongodb.com',
    identity: null,
    plan: { file: 'p', sha256: 'd'.repeat(64) },
    signoff: { file: 's', sha256: 'c'.repeat(64) },
    snapshot: { file: 'q', sha256: 'a'.repeat(64) },
  };
  const apiError = (status: number | null, errorCode: string | null) =>
    new AtlasApiError({ endpoint: 'X /x', status, errorCode, detail: `detail ${status}` });

  async function run(p: RevocationPlan, answer: (path: string, n: number) => number | Error) {
    const sent: string[] = [];
    let n = 0;
    const log = await applyPlan(
      p,
      initialLog(p, header),
      async (c) => {
        sent.push(`${c.method} ${c.path}`);
        const a = answer(c.path, n++);
        if (a instanceof Error) throw a;
        return { status: a };
      },
      { now: () => NOW, onCall: async () => {} },
    );
    return { log, sent, outcomes: log.calls.map((c) => c.outcome) };
  }

  it('404 on any call and 409 on :addRole count as already done; 409 elsewhere fails', async () => {
    const p = plan(action({}), action({ key: 'k2', decision: 'Revoke', id: MALLORY }));
    const r = await run(p, (path) =>
      path.endsWith(':addRole') ? apiError(409, 'CONFLICT') : apiError(404, 'RESOURCE_NOT_FOUND'),
    );
    expect(r.outcomes).toEqual(['already-done', 'already-done', 'already-done']);
    expect(r.log.calls[0]!.reason).toBe('the user already holds the role');
    const f = await run(plan(action({ key: 'k3', decision: 'Revoke', id: MALLORY })), () =>
      apiError(409, 'CONFLICT'),
    );
    expect(f.outcomes).toEqual(['failed']);
  });

  it('a failure skips the same identity only; a network failure (no status) is a failure', async () => {
    const p = plan(action({}), action({ key: 'k2', decision: 'Revoke', id: MALLORY }));
    const r = await run(p, (_path, n) => (n === 0 ? apiError(null, null) : 204));
    expect(r.outcomes).toEqual(['failed', 'skipped', 'done']);
    expect(r.sent).toHaveLength(2);
    expect(r.log.summary).toEqual({ calls: 3, done: 1, alreadyDone: 0, failed: 1, skipped: 1, pending: 0 });
  });

  it('401 stops every later call; candidates are never sent', async () => {
    const p = plan(
      action({ comment: 'look at this' }),
      action({ key: 'k2', decision: 'Revoke', id: MALLORY }),
      action({ key: 'k3', decision: 'Revoke', id: INVITE }),
    );
    const r = await run(p, () => apiError(401, 'UNAUTHORIZED'));
    expect(r.sent).toEqual([`DELETE /api/atlas/v2/orgs/${ORG}/users/${MALLORY}`]);
    expect(r.outcomes).toEqual(['skipped', 'skipped', 'failed', 'skipped']);
    expect(r.log.calls[0]!.reason).toContain('candidate');
    expect(r.log.calls[3]!.reason).toBe('not sent: the credentials were refused (401)');
  });

  it('anything but an Atlas answer is a bug and is thrown', async () => {
    await expect(run(plan(action({ decision: 'Revoke' })), () => new TypeError('boom'))).rejects.toThrow(
      'boom',
    );
  });
});

describe('firstDifference', () => {
  it('names the first differing field, array index or missing key', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBeNull();
    expect(firstDifference({ a: [1, { b: 3 }] }, { a: [1, { b: 2 }] })).toBe('$.a[1].b');
    expect(firstDifference({ a: [1] }, { a: [1, 2] })).toBe('$.a[1]');
    expect(firstDifference({ a: 1, x: 2 }, { a: 1 })).toBe('$.x');
    expect(firstDifference({ a: 1 }, { a: 1, y: 0 })).toBe('$.y');
    expect(firstDifference([1], { 0: 1 })).toBe('$');
  });
});
