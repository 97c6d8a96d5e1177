/**
 * The review cycle end to end, in-process through the CLI: `report --xlsx` writes the workbook with the
 * real renderer, exceljs fills it as a reviewer would, `review import` reads it back (sign-off JSON,
 * HTML, revocation plan), and `review verify` checks a later snapshot.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnLetter } from '../../src/report/renderers/xlsx.js';
import type { ApplyLog } from '../../src/review/apply.js';
import type { RevocationPlan } from '../../src/review/plan.js';
import { type Signoff, signoffSchema } from '../../src/review/signoff.js';
import type { VerifyResult } from '../../src/review/verify.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import type { Organization } from '../../src/snapshot/schema.js';
import { sha256Hex } from '../../src/snapshot/store.js';
import { REVIEW_HEADERS } from '../../src/workbook/contract.js';
import { projectRole, snapshot, user } from '../builders/snapshot.js';
import {
  fillWorkbook,
  INVITE,
  KEY,
  MALLORY,
  ORG,
  OWNER1,
  OWNER2,
  PROD,
  q3,
  q3Org,
  q4,
  type RowFill,
  SA,
  writeSnapshotFile,
} from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { expectPlanMatchesSpec } from '../helpers/plan-spec.js';

/** Column letter of a Review sheet header as the workbook is written (messages name cells by letter). */
const col = (h: (typeof REVIEW_HEADERS)[number]): string => columnLetter(REVIEW_HEADERS.indexOf(h) + 1);

const NOW = new Date('2026-11-25T12:00:00Z');
const day = (d: number) => new Date(Date.UTC(2026, 10, d));
const key = (type: string, id: string) => `${ORG}:${type}:${id}`;

/** The decisions of a careful reviewer: every row decided, by someone else, with a date. */
function goodFill(k: string): RowFill {
  const base: RowFill = { decision: 'Keep', reviewer: 'lead@example.com', reviewedOn: day(20) };
  if (k === key('user', MALLORY))
    return { ...base, decision: 'Revoke', comment: 'left the company in October' };
  if (k === key('user', INVITE)) return { ...base, decision: 'revoke ', reviewedOn: '2026-11-21' };
  if (k === key('apiKey', KEY))
    return {
      ...base,
      decision: 'Revoke',
      // Excel turns a typed email address into a hyperlink cell.
      reviewer: { text: 'sec@example.com', hyperlink: 'mailto:sec@example.com' },
      comment: 'replaced by a service account',
    };
  if (k === key('serviceAccount', SA))
    return { ...base, decision: 'Modify', comment: 'drop ORG_OWNER; read-only is enough' };
  if (k === key('user', OWNER1))
    return { ...base, reviewer: 'owner2@example.com', comment: 'needed for the on-call rota' };
  // A Keep of a privileged or flagged row needs a justification (policy review.keepNeedsJustification).
  return { ...base, comment: 'needed for the on-call rota' };
}

let dir: string;
let q3File: string;
let workbook: string;

beforeAll(async () => {
  dir = tempDir('aar-review-');
  q3File = writeSnapshotFile(dir, 'q3.json', q3());
  const r = await runCliForTest(['report', q3File, '--xlsx', join(dir, 'review.xlsx')], { now: day(1) });
  expect(r.stderr).not.toContain('internal error');
  workbook = join(dir, 'review.xlsx');
  expect(existsSync(workbook)).toBe(true);
});

describe('review import: a correctly filled workbook', () => {
  let out: string;
  let signoff: Signoff;
  let plan: RevocationPlan;
  let filled: string;
  beforeAll(async () => {
    filled = join(dir, 'filled.xlsx');
    await fillWorkbook(workbook, filled, (k) => goodFill(k));
    out = join(dir, 'evidence');
    const r = await runCliForTest(['review', 'import', filled, '--snapshot', q3File, '--out-dir', out], {
      now: NOW,
    });
    expect(r.stderr).toContain('review import: 6 decisions (2 keep, 3 revoke, 1 modify) by 3 reviewer(s)');
    expect(r.code).toBe(0);
    signoff = signoffSchema.parse(JSON.parse(readFileSync(join(out, 'signoff.json'), 'utf8')));
    plan = JSON.parse(readFileSync(join(out, 'revocation-plan.json'), 'utf8'));
  });

  it('writes the four evidence files', () => {
    expect(readdirSync(out).sort()).toEqual([
      'revocation-plan.json',
      'revocation-plan.txt',
      'signoff.html',
      'signoff.json',
    ]);
  });

  it('binds the snapshot and the workbook by sha256', () => {
    expect(signoff.snapshot.sha256).toBe(sha256Hex(readFileSync(q3File)));
    expect(signoff.workbook.sha256).toBe(sha256Hex(readFileSync(filled)));
    expect(signoff.signedOffAt).toBe(NOW.toISOString());
    // No verify key configured: recorded as not checked, never left out or guessed.
    expect(signoff.snapshot.signature).toBeNull();
  });

  it('counts decisions per org and per reviewer with their dates', () => {
    expect(signoff.counts).toEqual({ identities: 6, keep: 2, revoke: 3, modify: 1 });
    expect(signoff.byOrg).toEqual([
      { orgId: ORG, orgName: 'Northwind', identities: 6, keep: 2, revoke: 3, modify: 1 },
    ]);
    expect(signoff.reviewers).toEqual([
      {
        reviewer: 'lead@example.com',
        identities: 4,
        keep: 1,
        revoke: 2,
        modify: 1,
        firstReviewedOn: '2026-11-20',
        lastReviewedOn: '2026-11-21',
      },
      {
        reviewer: 'owner2@example.com',
        identities: 1,
        keep: 1,
        revoke: 0,
        modify: 0,
        firstReviewedOn: '2026-11-20',
        lastReviewedOn: '2026-11-20',
      },
      {
        reviewer: 'sec@example.com',
        identities: 1,
        keep: 0,
        revoke: 1,
        modify: 0,
        firstReviewedOn: '2026-11-20',
        lastReviewedOn: '2026-11-20',
      },
    ]);
    expect(signoff.reviewPeriod).toEqual({ from: '2026-11-20', to: '2026-11-21' });
  });

  it('lists every Revoke and Modify with its comment and the access held', () => {
    expect(signoff.actions.map((a) => [a.decision, a.name, a.comment])).toEqual([
      ['Revoke', 'abcdefgh', 'replaced by a service account'],
      ['Revoke', 'carol@example.com', null],
      ['Revoke', 'mallory@example.com', 'left the company in October'],
      ['Modify', 'etl <script>alert(1)</script>', 'drop ORG_OWNER; read-only is enough'],
    ]);
    const mallory = signoff.actions.find((a) => a.id === MALLORY)!;
    expect(mallory.access).toEqual({
      orgRoles: ['ORG_MEMBER'],
      projectRoles: [{ projectId: 'd00000000000000000000001', projectName: 'prod', roles: ['GROUP_OWNER'] }],
      teams: [{ id: 'c00000000000000000000001', name: 'admins' }],
    });
    expect(mallory.workbookRow).toBeGreaterThan(1);
  });

  it('plans the exact API calls, each an operation of the spec extracts at its version', () => {
    expectPlanMatchesSpec(plan);
    expect(plan.signoffSha256).toBe(sha256Hex(readFileSync(join(out, 'signoff.json'))));
    const calls = plan.identities.map((i) => [
      i.name,
      i.calls.map((c) => `${c.method} ${c.path} ${c.version}`),
    ]);
    expect(calls).toEqual([
      ['abcdefgh', [`DELETE /api/atlas/v2/orgs/${ORG}/apiKeys/${KEY} 2023-01-01`]],
      ['carol@example.com', [`DELETE /api/atlas/v2/orgs/${ORG}/users/${INVITE} 2025-02-19`]],
      ['mallory@example.com', [`DELETE /api/atlas/v2/orgs/${ORG}/users/${MALLORY} 2025-02-19`]],
      ['etl <script>alert(1)</script>', [`PATCH /api/atlas/v2/orgs/${ORG}/serviceAccounts/${SA} 2024-08-05`]],
    ]);
    const modify = plan.identities[3]!.calls[0]!;
    expect(modify.body).toEqual({ roles: ['ORG_READ_ONLY'] });
    expect(modify.candidate).toBe(false);
    const text = readFileSync(join(out, 'revocation-plan.txt'), 'utf8');
    expect(text).toContain('not executed');
    expect(text).toContain(`DELETE /api/atlas/v2/orgs/${ORG}/users/${MALLORY}`);
    expect(text).toContain('decided by lead@example.com on 2026-11-20: left the company in October');
  });

  it('renders a one-page HTML with escaped values and both fingerprints', () => {
    const html = readFileSync(join(out, 'signoff.html'), 'utf8');
    expect(html).toContain(signoff.snapshot.sha256);
    expect(html).toContain(signoff.workbook.sha256);
    expect(html).toContain('signature not checked (no verify key was configured)');
    expect(html).toContain('etl &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('drop ORG_OWNER; read-only is enough');
    expect(html).toContain('table.data th'); // the report's stylesheet
  });

  it('refuses to overwrite the evidence without --force (exit 4), and overwrites with it', async () => {
    const args = ['review', 'import', filled, '--snapshot', q3File, '--out-dir', out];
    expect((await runCliForTest(args, { now: NOW })).code).toBe(4);
    expect((await runCliForTest([...args, '--force'], { now: NOW })).code).toBe(0);
  });

  describe('review verify against the next quarter', () => {
    it('reports each Revoke not carried out as a finding and exits 1', async () => {
      const q4File = writeSnapshotFile(dir, 'q4.json', q4());
      const r = await runCliForTest(
        [
          'review',
          'verify',
          join(out, 'signoff.json'),
          '--snapshot',
          q4File,
          '--reviewed-snapshot',
          q3File,
          '--format',
          'json',
        ],
        {
          now: NOW,
        },
      );
      expect(r.code).toBe(1);
      const result: VerifyResult = JSON.parse(r.stdout);
      expect(result.summary).toEqual({
        revocations: 3,
        done: 1,
        notDone: 2,
        unverifiable: 0,
        modifications: 1,
      });
      expect(result.checks.map((c) => [c.outcome, c.name])).toEqual([
        ['not-done', 'abcdefgh'],
        ['not-done', 'mallory@example.com'],
        ['done', 'carol@example.com'],
      ]);
      expect(result.findings.map((f) => [f.ruleId, f.subject.name, f.severity])).toEqual([
        ['review-revocation-not-done', 'abcdefgh', 'high'],
        ['review-revocation-not-done', 'mallory@example.com', 'high'],
      ]);
      const m = result.findings[1]!;
      expect(m.key).toBe(`review-revocation-not-done|${ORG}|user|${MALLORY}`);
      expect(m.evidence.remainingAccess).toEqual(['ORG_MEMBER', 'prod: GROUP_OWNER', 'team admins']);
      expect(m.message).toContain('marked Revoke by lead@example.com on 2026-11-20');
    });

    it('exits 0 when every revocation was carried out (text format)', async () => {
      const o = q3Org();
      o.users = o.users.filter((u) => u.id !== MALLORY && u.id !== INVITE);
      o.teams[0]!.memberIds = o.teams[0]!.memberIds.filter((m) => m !== MALLORY);
      o.apiKeys = [];
      const file = writeSnapshotFile(
        dir,
        'q4-done.json',
        snapshot([o], { collectedAt: '2026-11-22T00:00:00.000Z' }),
      );
      const r = await runCliForTest(
        ['review', 'verify', join(out, 'signoff.json'), '--snapshot', file, '--reviewed-snapshot', q3File],
        { now: NOW },
      );
      expect(r.stdout).toContain('3 revocation(s): 3 done, 0 not done, 0 unverifiable');
      expect(r.code).toBe(0);
    });

    it('fails closed when the org is missing from the later snapshot', async () => {
      const file = writeSnapshotFile(
        dir,
        'q4-empty.json',
        snapshot([], { collectedAt: '2026-11-22T00:00:00.000Z' }),
      );
      const r = await runCliForTest(
        ['review', 'verify', join(out, 'signoff.json'), '--snapshot', file, '--reviewed-snapshot', q3File],
        { now: NOW },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('0 done, 0 not done, 3 unverifiable');
    });

    it('refuses an --output that is one of its inputs, spelt another way (exit 2), even with --force', async () => {
      const signoffFile = join(out, 'signoff.json');
      const before = readFileSync(signoffFile, 'utf8');
      const q4File = writeSnapshotFile(dir, 'q4-output.json', q4());
      const r = await runCliForTest(
        [
          'review',
          'verify',
          signoffFile,
          '--snapshot',
          q4File,
          '--reviewed-snapshot',
          q3File,
          '--output',
          join(out, '..', 'evidence', 'signoff.json'),
          '--force',
        ],
        { now: NOW },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('would overwrite the <signoff> input file');
      expect(readFileSync(signoffFile, 'utf8')).toBe(before);
    });

    it('refuses the signed-off snapshot itself (exit 2)', async () => {
      const r = await runCliForTest(
        ['review', 'verify', join(out, 'signoff.json'), '--snapshot', q3File, '--reviewed-snapshot', q3File],
        { now: NOW },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is the snapshot that was signed off');
    });
  });
});

describe('review import: problems are listed with sheet, row and column (exit 2)', () => {
  it('reports blank and unknown decisions, self-review, missing dates and reviewers, Modify without comment', async () => {
    const filled = join(dir, 'bad.xlsx');
    await fillWorkbook(workbook, filled, (k, name) => {
      const g = goodFill(k);
      if (k === key('user', MALLORY)) return { ...g, decision: null };
      if (k === key('user', INVITE)) return { ...g, decision: 'Remove' };
      if (k === key('user', OWNER1)) return { ...g, reviewer: name.toUpperCase() };
      if (k === key('apiKey', KEY)) return { ...g, reviewedOn: null, reviewer: null };
      if (k === key('serviceAccount', SA)) return { ...g, comment: null, reviewedOn: '2026-02-30' };
      return g;
    });
    const out = join(dir, 'bad-out');
    const r = await runCliForTest(['review', 'import', filled, '--snapshot', q3File, '--out-dir', out], {
      now: NOW,
    });
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const lines = r.stderr.split('\n').filter((l) => l.includes('Review!'));
    const msgs = lines.map((l) => l.replace(/^.*?: Review!/, 'Review!'));
    const joined = msgs.join('\n');
    for (const m of [
      new RegExp(`Review!${col('Decision')}\\d+ \\(Decision\\): no decision`),
      new RegExp(
        `Review!${col('Decision')}\\d+ \\(Decision\\): "Remove" is not a decision \\(choose Keep, Revoke, Modify\\)`,
      ),
      new RegExp(
        `Review!${col('Reviewer')}\\d+ \\(Reviewer\\): OWNER1@EXAMPLE.COM reviewed their own access`,
      ),
      new RegExp(`Review!${col('Reviewer')}\\d+ \\(Reviewer\\): no reviewer`),
      new RegExp(`Review!${col('Reviewed on')}\\d+ \\(Reviewed on\\): no review date`),
      new RegExp(`Review!${col('Reviewed on')}\\d+ \\(Reviewed on\\): not a date`),
      new RegExp(`Review!${col('Comment')}\\d+ \\(Comment\\): a Modify decision needs a comment`),
    ])
      expect(joined).toMatch(m);
    expect(msgs).toHaveLength(7);
    expect(r.stderr).toContain('7 problems in the workbook (listed above); nothing written');
  });

  it('rejects a workbook written from another snapshot, naming the Summary cell', async () => {
    const other = q3();
    other.organizations[0]!.users.pop();
    const otherFile = writeSnapshotFile(dir, 'other.json', other);
    const filled = join(dir, 'filled-other.xlsx');
    await fillWorkbook(workbook, filled, (k) => goodFill(k));
    const r = await runCliForTest(
      ['review', 'import', filled, '--snapshot', otherFile, '--out-dir', join(dir, 'o2')],
      { now: NOW },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /Summary!B\d+ \(Snapshot sha256\): workbook is for snapshot [a-f0-9]{64}, not [a-f0-9]{64}/,
    );
  });

  it('reports deleted rows, edited identity names, duplicated rows and review dates out of range', async () => {
    const filled = join(dir, 'edited.xlsx');
    await fillWorkbook(
      workbook,
      filled,
      (k) => (k === key('user', OWNER1) ? { ...goodFill(k), reviewedOn: day(30) } : goodFill(k)),
      (wb) => {
        const ws = wb.getWorksheet('Review')!;
        // Row 2 is deleted by clearing it; the last row is turned into a copy of row 3 with an edited name.
        const last = ws.rowCount;
        const row2 = ws.getRow(2);
        const at = (h: (typeof REVIEW_HEADERS)[number]) => REVIEW_HEADERS.indexOf(h) + 1;
        const removedKey = String(row2.getCell(at('Identity key')).value);
        row2.eachCell((c) => {
          c.value = null;
        });
        ws.getRow(3).getCell(at('Name')).value = 'someone-else@example.com';
        const dup = ws.getRow(last);
        ws.getRow(3).eachCell((c, n) => {
          dup.getCell(n).value = c.value;
        });
        expect(removedKey).toContain(ORG);
      },
    );
    const r = await runCliForTest(
      ['review', 'import', filled, '--snapshot', q3File, '--out-dir', join(dir, 'o3')],
      { now: NOW },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `Review!${col('Name')}3 (Name): says "someone-else@example.com" but the snapshot has`,
    );
    expect(r.stderr).toMatch(
      new RegExp(
        `Review!${col('Identity key')}\\d+ \\(Identity key\\): identity .* already appears in row 3`,
      ),
    );
    expect(r.stderr).toMatch(/Review \(Identity key\): no row for user mallory@example.com/);
    expect(r.stderr).toMatch(/\(Reviewed on\): 2026-11-30 is in the future \(today is 2026-11-25\)/);
  });

  it('rejects a file that is not a workbook', async () => {
    const r = await runCliForTest(
      ['review', 'import', q3File, '--snapshot', q3File, '--out-dir', join(dir, 'o4')],
      { now: NOW },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a readable XLSX workbook');
  });
});

/**
 * The whole cycle against the simulator over HTTP: collect with a read-only identity, the workbook,
 * decisions, import, `review apply --yes` with a separate write-capable identity, collect again, verify.
 */
describe('the review cycle on the simulator: collect, report, decide, import, apply, collect, verify', () => {
  const DEV = 'b00000000000000000000005';
  const QUIET = 'b00000000000000000000006';
  const READER = { clientId: 'mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa', clientSecret: 'mdb_sa_sk_reader-only' };
  const WRITER = { clientId: 'mdb_sa_id_bbbbbbbbbbbbbbbbbbbbbbbb', clientSecret: 'mdb_sa_sk_writer-owner' };
  const collectEnv = {
    MONGODB_ATLAS_CLIENT_ID: READER.clientId,
    MONGODB_ATLAS_CLIENT_SECRET: READER.clientSecret,
  };
  const applyEnv = {
    ...collectEnv,
    ATLAS_REVIEW_APPLY_CLIENT_ID: WRITER.clientId,
    ATLAS_REVIEW_APPLY_CLIENT_SECRET: WRITER.clientSecret,
  };
  const at = (d: number) => new Date(Date.UTC(2026, 10, d, 9));
  let sim: Simulator;
  let cycle: string;
  let evidence: string;
  let estateOrgs: Organization[];

  /** Decisions: Revoke a leaver, an invitation and an API key; Modify roles, a team and a project. */
  function fill(k: string): RowFill {
    const base: RowFill = { decision: 'Keep', reviewer: 'lead@example.com', reviewedOn: day(20) };
    const ask = (decision: string, comment?: string): RowFill => ({ ...base, decision, comment });
    if (k === key('user', MALLORY)) return ask('Revoke', 'left the company');
    if (k === key('user', INVITE)) return ask('Revoke');
    if (k === key('apiKey', KEY)) return ask('Revoke', 'replaced by a service account');
    if (k === key('serviceAccount', SA))
      return ask('Modify', 'drop ORG_OWNER and GROUP_OWNER; read-only is enough');
    if (k === key('user', OWNER2)) return ask('Modify', 'downgrade from ORG_OWNER and leave the admins team');
    if (k === key('user', DEV)) return ask('Modify', 'no GROUP_OWNER in prod any more');
    if (k === key('user', QUIET)) return ask('Modify', 'too much access, please look');
    return { ...base, comment: 'needed for the on-call rota' };
  }

  beforeAll(async () => {
    const o = q3Org();
    o.users.push(
      user({ id: DEV, username: 'dev@example.com', projectRoles: [projectRole(PROD, 'GROUP_OWNER')] }),
      user({ id: QUIET, username: 'quiet@example.com', orgRoles: ['ORG_BILLING_ADMIN'] }),
    );
    o.serviceAccounts[0]!.projectRoles = [projectRole(PROD, 'GROUP_OWNER', 'GROUP_READ_ONLY')];
    estateOrgs = [o];
    sim = await startSimulator({
      organizations: estateOrgs,
      credentials: {
        serviceAccounts: [
          { ...READER, access: { orgRole: 'ORG_READ_ONLY' } },
          { ...WRITER, access: { orgRole: 'ORG_OWNER' } },
        ],
      },
    });
    cycle = tempDir('aar-cycle-');
    evidence = join(cycle, 'evidence');
    const collected = await runCliForTest(
      ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', join(cycle, 'q3.json'), '--quiet'],
      { env: collectEnv, cwd: cycle, now: at(1) },
    );
    expect(collected.stderr).toBe('');
    expect(collected.code).toBe(0);
    const report = await runCliForTest(
      ['report', join(cycle, 'q3.json'), '--xlsx', join(cycle, 'review.xlsx'), '--fail-on', 'never'],
      { now: at(2) },
    );
    expect(report.code).toBe(0);
    await fillWorkbook(join(cycle, 'review.xlsx'), join(cycle, 'filled.xlsx'), fill);
    const imported = await runCliForTest(
      [
        'review',
        'import',
        join(cycle, 'filled.xlsx'),
        '--snapshot',
        join(cycle, 'q3.json'),
        '--out-dir',
        evidence,
      ],
      { cwd: cycle, now: at(25) },
    );
    expect(imported.stderr).toContain('3 revoke, 4 modify');
    expect(imported.code).toBe(0);
  });
  afterAll(async () => {
    await sim.close();
  });

  const applyArgs = () => [
    'review',
    'apply',
    join(evidence, 'revocation-plan.json'),
    '--snapshot',
    join(cycle, 'q3.json'),
    '--workbook',
    join(cycle, 'filled.xlsx'),
    '--base-url',
    sim.baseUrl,
  ];

  it('the plan names operations of the spec at their versions, as the spec rules require', () => {
    const plan: RevocationPlan = JSON.parse(readFileSync(join(evidence, 'revocation-plan.json'), 'utf8'));
    expectPlanMatchesSpec(plan);
    const ops = Object.fromEntries(plan.identities.map((i) => [i.name, i.calls.map((c) => c.operationId)]));
    expect(ops).toEqual({
      abcdefgh: ['deleteOrgApiKey'],
      'carol@example.com': ['removeOrgUser'],
      'mallory@example.com': ['removeOrgUser'],
      'dev@example.com': ['removeGroupUser'],
      'etl <script>alert(1)</script>': ['updateOrgServiceAccount', 'updateGroupServiceAccount'],
      'owner2@example.com': ['addOrgUserRole', 'removeOrgUserRole', 'removeOrgTeamUser'],
      'quiet@example.com': ['addOrgUserRole', 'removeOrgUserRole'],
    });
    expect(plan.identities.find((i) => i.name === 'quiet@example.com')!.calls.every((c) => c.candidate)).toBe(
      true,
    );
    expect(plan.rolesNeeded).toEqual(['Organization Owner', 'Project Access Manager', 'Project Owner']);
  });

  it('without --yes lists the calls and sends nothing', async () => {
    sim.resetStats();
    const r = await runCliForTest(applyArgs(), { env: applyEnv, now: at(26) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`   3. DELETE /api/atlas/v2/orgs/${ORG}/users/${MALLORY}\n`);
    expect(r.stdout).toContain('         remove mallory@example.com from Northwind');
    expect(r.stdout).toContain('removeOrgUser, Accept application/vnd.atlas.2025-02-19+json');
    expect(r.stdout).toContain('(skipped: a human chooses)');
    expect(r.stderr).toContain('dry run, nothing sent');
    expect(sim.stats().requests).toBe(0);
    expect(existsSync(join(evidence, 'apply-log.json'))).toBe(false);
  });

  it('the read-only collector identity cannot be the apply identity', async () => {
    const r = await runCliForTest([...applyArgs(), '--yes'], {
      env: {
        ...collectEnv,
        ATLAS_REVIEW_APPLY_CLIENT_ID: READER.clientId,
        ATLAS_REVIEW_APPLY_CLIENT_SECRET: READER.clientSecret,
      },
      now: at(26),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'ATLAS_REVIEW_APPLY_CLIENT_ID names the same identity as MONGODB_ATLAS_CLIENT_ID',
    );
    expect(existsSync(join(evidence, 'apply-log.json'))).toBe(false);
  });

  it('--yes carries out the plan with the write identity, logs every call, and collect + verify show it done', async () => {
    sim.resetStats();
    const r = await runCliForTest([...applyArgs(), '--yes'], { env: applyEnv, now: at(26) });
    expect(r.stderr).toContain('review apply: 9 done, 0 already done, 0 failed, 2 skipped of 11 call(s)');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[1\/11\] done 204 DELETE/);
    // Every request was a write of the plan, sent with its version and the writer's token.
    const writes = sim.log.filter((e) => e.method !== 'POST' || !e.path.endsWith('/token'));
    expect(writes).toHaveLength(9);
    for (const w of writes) expect(w.accept).toMatch(/^application\/vnd\.atlas\.\d{4}-\d{2}-\d{2}\+json$/);

    const log: ApplyLog = JSON.parse(readFileSync(join(evidence, 'apply-log.json'), 'utf8'));
    expect(log.identity).toEqual({ auth: 'service-account', id: WRITER.clientId });
    expect(log.summary).toEqual({ calls: 11, done: 9, alreadyDone: 0, failed: 0, skipped: 2, pending: 0 });
    expect(log.finishedAt).toBe(at(26).toISOString());
    expect(log.calls.filter((c) => c.outcome === 'skipped').every((c) => c.candidate)).toBe(true);
    expect(JSON.stringify(log)).not.toContain(WRITER.clientSecret);

    const q4 = await runCliForTest(
      ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', join(cycle, 'q4.json'), '--quiet'],
      {
        env: collectEnv,
        cwd: cycle,
        now: at(27),
      },
    );
    expect(q4.code).toBe(0);
    const after = JSON.parse(readFileSync(join(cycle, 'q4.json'), 'utf8')) as {
      organizations: Organization[];
    };
    const o = after.organizations[0]!;
    const u = (id: string) => o.users.find((x) => x.id === id);
    expect(u(MALLORY)).toBeUndefined();
    expect(u(INVITE)).toBeUndefined();
    expect(o.apiKeys).toEqual([]);
    expect(o.serviceAccounts[0]!.orgRoles).toEqual(['ORG_READ_ONLY']);
    expect(o.serviceAccounts[0]!.projectRoles).toEqual([{ projectId: PROD, roles: ['GROUP_READ_ONLY'] }]);
    expect(u(OWNER2)!.orgRoles).toEqual(['ORG_MEMBER']);
    expect(o.teams[0]!.memberIds).toEqual([OWNER1]);
    expect(u(DEV)!.projectRoles).toEqual([]);
    expect(u(QUIET)!.orgRoles).toEqual(['ORG_BILLING_ADMIN']);

    const verified = await runCliForTest(
      [
        'review',
        'verify',
        join(evidence, 'signoff.json'),
        '--snapshot',
        join(cycle, 'q4.json'),
        '--reviewed-snapshot',
        join(cycle, 'q3.json'),
      ],
      { now: at(27) },
    );
    expect(verified.stdout).toContain('3 revocation(s): 3 done, 0 not done, 0 unverifiable');
    expect(verified.code).toBe(0);
  });

  it('refuses to overwrite the log without --force (exit 4, nothing sent); a re-run finds everything done', async () => {
    sim.resetStats();
    const refused = await runCliForTest([...applyArgs(), '--yes'], { env: applyEnv, now: at(28) });
    expect(refused.code).toBe(4);
    expect(sim.stats().requests).toBe(0);
    const again = await runCliForTest([...applyArgs(), '--yes', '--force'], { env: applyEnv, now: at(28) });
    expect(again.stderr).toContain('2 done, 7 already done, 0 failed, 2 skipped of 11 call(s)');
    expect(again.code).toBe(0);
  });
});
