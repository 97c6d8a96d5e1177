/**
 * A whole review campaign on the simulator (docs/review.md, "Campaigns"): an HR roster with two leavers
 * and a contractor past their end date, three reviewers and a fallback reviewer, one reassignment, one
 * workbook never returned, one rubber stamper and one Keep without a justification (refused, then
 * fixed); status, merge, close, the plan applied to the simulator, and verify on a new collection.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewerFileName as workbookOf } from '../../src/report/split.js';
import type { Signoff } from '../../src/review/signoff.js';
import type { CampaignStatus } from '../../src/review/status.js';
import type { Simulator } from '../../src/sim/server.js';
import { startSimulator } from '../../src/sim/server.js';
import type { Organization } from '../../src/snapshot/schema.js';
import { rosterCsv } from '../builders/roster.js';
import { apiKey, org, project, projectRole, user } from '../builders/snapshot.js';
import { startSmtpServer } from '../email/smtp-test-server.js';
import {
  APPLY_ENV,
  COLLECT_ENV,
  fillWorkbook,
  READER,
  type RowFill,
  WRITER,
} from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const ORG = '0000000000000000000000cc';
const PROD = 'd000000000000000000000c1';
const ID = {
  owner: 'b000000000000000000000c1',
  leaver1: 'b000000000000000000000c2',
  leaver2: 'b000000000000000000000c3',
  shared: 'b000000000000000000000c4',
  contractor: 'b000000000000000000000c5',
  eng1: 'b000000000000000000000c6',
  eng2: 'b000000000000000000000c7',
  key: 'e000000000000000000000c1',
};
const NAME: Record<string, string> = {
  [ID.owner]: 'owner1@example.com',
  [ID.leaver1]: 'leaver1@example.com',
  [ID.leaver2]: 'leaver2@example.com',
  [ID.shared]: 'shared@example.com',
  [ID.contractor]: 'contractor@example.com',
  [ID.eng1]: 'eng1@example.com',
  [ID.eng2]: 'eng2@example.com',
};
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';
const SEC = 'sec@example.com';
const k = (type: string, id: string) => `${ORG}:${type}:${id}`;
const at = (d: number) => new Date(Date.UTC(2026, 10, d, 9));
const day = (d: number) => new Date(Date.UTC(2026, 10, d));

function estate(): Organization[] {
  const u = (id: string, more: Partial<Parameters<typeof user>[0]> = {}) =>
    user({ id, username: NAME[id]!, createdAt: '2025-01-01T00:00:00Z', ...more });
  return [
    org({
      id: ORG,
      name: 'Contoso',
      users: [
        u(ID.owner, { orgRoles: ['ORG_OWNER'] }),
        u(ID.leaver1),
        u(ID.leaver2, { projectRoles: [projectRole(PROD, 'GROUP_READ_ONLY')] }),
        u(ID.shared),
        u(ID.contractor),
        u(ID.eng1),
        u(ID.eng2),
      ],
      teams: [],
      projects: [project({ id: PROD, name: 'prod' })],
      apiKeys: [
        apiKey({ id: ID.key, publicKey: 'ciciciic', description: 'old CI key', orgRoles: ['ORG_READ_ONLY'] }),
      ],
      serviceAccounts: [],
    }),
  ];
}

const ROSTER = rosterCsv([
  { email: NAME[ID.owner]!, manager: ALICE },
  { email: NAME[ID.leaver1]!, status: 'Terminated', endDate: '2026-10-15', manager: BOB },
  { email: NAME[ID.leaver2]!, status: 'Terminated', endDate: '2026-10-20', manager: BOB },
  { email: NAME[ID.shared]!, manager: BOB },
  { email: NAME[ID.contractor]!, type: 'Contractor', endDate: '2026-10-01', manager: CAROL },
  { email: NAME[ID.eng1]!, manager: CAROL },
  { email: NAME[ID.eng2]!, manager: ALICE },
  { email: ALICE },
  { email: BOB },
  { email: CAROL },
  { email: SEC },
]);

let sim: Simulator;
let dir: string;
const camp = () => join(dir, 'campaign');
const cli = (argv: string[], now = at(25), env: Record<string, string> = {}) =>
  runCliForTest(argv, { cwd: dir, now, env });
const reviewerFill =
  (reviewer: string, decide: (key: string) => Partial<RowFill>) =>
  (key: string): RowFill => ({ reviewer, reviewedOn: day(18), decision: 'Keep', ...decide(key) });
const fill = (reviewer: string, decide: (key: string) => Partial<RowFill>) =>
  fillWorkbook(
    join(camp(), workbookOf(reviewer)),
    join(camp(), workbookOf(reviewer)),
    reviewerFill(reviewer, decide),
  );
const mergeArgs = [
  'review',
  'merge',
  'campaign',
  '--campaign',
  'campaign/campaign.json',
  '--snapshot',
  'q3.json',
  '--roster',
  'hr.csv',
];

beforeAll(async () => {
  sim = await startSimulator({
    organizations: estate(),
    credentials: {
      serviceAccounts: [
        { ...READER, access: { orgRole: 'ORG_READ_ONLY' } },
        { ...WRITER, access: { orgRole: 'ORG_OWNER' } },
      ],
    },
  });
  dir = tempDir('aar-campaign-');
  writeFileSync(join(dir, 'hr.csv'), ROSTER);
  writeFileSync(
    join(dir, 'policy.yaml'),
    `review:
  fallbackReviewer: ${SEC}
  undecided: revoke
`,
  );
  const collected = await cli(
    ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', 'q3.json', '--quiet'],
    at(1),
    COLLECT_ENV,
  );
  expect(collected.code, collected.stderr).toBe(0);
  const split = await cli(
    [
      'report',
      'q3.json',
      '--roster',
      'hr.csv',
      '--policy',
      'policy.yaml',
      '--split-by',
      'reviewer',
      '--out-dir',
      'campaign',
      '--due',
      '2026-11-20',
      '--campaign-id',
      'q3-2026',
      '--fail-on',
      'never',
    ],
    at(2),
  );
  expect(split.code, split.stderr).toBe(0);
  // Alice keeps the Org Owner without a word; Bob revokes the leavers and hands shared@ to Carol;
  // Carol keeps everything, the contractor past their end date included, with one word. Sec never answers.
  await fill(ALICE, (key) =>
    key === k('user', ID.eng2) ? { decision: 'Revoke', comment: 'moved to the partner company' } : {},
  );
  await fill(BOB, (key) =>
    key === k('user', ID.shared)
      ? { decision: 'Reassign', comment: CAROL }
      : { decision: 'Revoke', comment: 'left the company' },
  );
  await fill(CAROL, () => ({ comment: 'ok' }));
  rmSync(join(camp(), workbookOf(SEC)));
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

describe('a review campaign from split to verify', () => {
  it('status: per reviewer decided/total, reassigned in and out, the missing workbook; exit 1 past due', async () => {
    const r = await cli(['review', 'status', 'campaign', '--campaign', 'campaign/campaign.json', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const s: CampaignStatus = JSON.parse(r.stdout);
    const by = new Map(s.reviewers.map((x) => [x.reviewer, x]));
    expect(s.pastDue).toBe(true);
    expect(by.get(BOB)).toMatchObject({ total: 2, decided: 2, reassignedOut: 1, overdue: false });
    expect(by.get(CAROL)).toMatchObject({ total: 3, decided: 2, reassignedIn: 1, overdue: true });
    expect(by.get(ALICE)).toMatchObject({ total: 2, decided: 2, overdue: false });
    expect(by.get(SEC)).toMatchObject({
      total: 1,
      decided: 0,
      workbooks: [{ file: workbookOf(SEC), present: false, untouched: null }],
    });
    const before = await cli(
      ['review', 'status', 'campaign', '--campaign', 'campaign/campaign.json'],
      at(19),
    );
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/bob@example\.com +2\/2/);
  });

  it('remind: one email per reviewer with open rows, their workbook attached, the fallback copied past due', async () => {
    const server = await startSmtpServer({ auth: { user: 'bot', pass: 'pw-remind-secret' } });
    try {
      const env = {
        SMTP_URL: `smtp://bot@127.0.0.1:${server.port}`,
        SMTP_PASSWORD: 'pw-remind-secret',
        SMTP_FROM: 'review-bot@example.com',
      };
      const r = await cli(
        ['review', 'remind', 'campaign', '--campaign', 'campaign/campaign.json', '--smtp-starttls', 'off'],
        at(25),
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('pw-remind-secret');
      // Alice and Bob decided all their rows; Carol (one open, reassigned to her) and Sec (workbook missing) did not.
      expect(server.messages.map((m) => m.to)).toEqual([[CAROL, SEC], [SEC]]);
      const carol = await simpleParser(server.messages[0]!.raw);
      expect(carol.subject).toBe('[Atlas access review] q3-2026: 1 row(s) overdue since 2026-11-20');
      expect(carol.cc).toMatchObject({ value: [{ address: SEC }] });
      expect(carol.attachments.map((a) => a.filename)).toEqual([workbookOf(CAROL)]);
      expect(carol.attachments[0]!.content.equals(readFileSync(join(camp(), workbookOf(CAROL))))).toBe(true);
      expect(carol.text).toContain('1 of them were reassigned to you by another reviewer');
      const sec = await simpleParser(server.messages[1]!.raw);
      expect(sec.attachments).toEqual([]);
      expect(sec.text).toContain(`ask the campaign owner for: ${workbookOf(SEC)}`);
    } finally {
      await server.close();
    }
    const eml = await cli(
      [
        'review',
        'remind',
        'campaign',
        '--campaign',
        'campaign/campaign.json',
        '--eml',
        'reminders',
        '--email-from',
        'review-bot@example.com',
      ],
      at(19),
    );
    expect(eml.code, eml.stderr).toBe(0);
    const before = await simpleParser(readFileSync(join(dir, 'reminders', `remind-${CAROL}.eml`)));
    expect(before.subject).toBe('[Atlas access review] q3-2026: 1 row(s) to decide by 2026-11-20');
    expect(before.cc).toBeUndefined();
  });

  it('refuses the Keep of the Org Owner without a justification, naming file, sheet, row and identity', async () => {
    const r = await cli([...mergeArgs, '--out-dir', 'evidence']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /campaign\/review-alice-at-example\.com\.xlsx: Review!H3 \(Comment\): Keep of user owner1@example\.com needs a justification in Comment \(Org Owner/,
    );
    expect(existsSync(join(dir, 'evidence', 'signoff.json'))).toBe(false);
    await fill(ALICE, (key) =>
      key === k('user', ID.eng2)
        ? { decision: 'Revoke', comment: 'moved to the partner company' }
        : { comment: 'runs the billing account' },
    );
  });

  it('--close with --reassigned-out hands no row on: the campaign is over, so no follow-up workbook is written', async () => {
    // Carol's reassigned row has no follow-up yet. It used to be written after the closing had already
    // decided that row by policy, asking Carol to decide it again.
    const r = await cli([
      ...mergeArgs,
      '--out-dir',
      'closed-early',
      '--close',
      '--policy',
      'policy.yaml',
      '--reassigned-out',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'closed-early', 'signoff.json'))).toBe(true);
    expect(existsSync(join(camp(), 'reassigned-carol@example.com.xlsx'))).toBe(false);
    expect(r.stdout).not.toContain('reassigned row(s) for');
    rmSync(join(dir, 'closed-early'), { recursive: true });
  });

  it('lists the open rows and the missing workbook (exit 1, nothing written), and writes the reassigned workbook', async () => {
    const r = await cli([...mergeArgs, '--out-dir', 'evidence', '--reassigned-out']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`missing workbook: ${workbookOf(SEC)}`);
    expect(r.stderr).toContain(`open: ${CAROL}: shared@example.com`);
    expect(r.stderr).toContain(`open: ${SEC}: ciciciic`);
    expect(existsSync(join(dir, 'evidence', 'signoff.json'))).toBe(false);
    const followUp = join(camp(), 'reassigned-carol@example.com.xlsx');
    expect(existsSync(followUp)).toBe(true);
    await fillWorkbook(
      followUp,
      followUp,
      reviewerFill(CAROL, () => ({ comment: 'ok' })),
    );
  });

  it('closes the campaign by the policy: the unanswered rows are revoked and the closing recorded', async () => {
    const r = await cli([...mergeArgs, '--out-dir', 'evidence', '--close', '--policy', 'policy.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('closed 1 undecided row(s) by policy review.undecided: revoke');
    expect(r.stderr).toMatch(
      /warning: rubber-stamp signal: carol@example\.com kept all 3 rows they decided, [1-3] of them flagged/,
    );
    expect(r.stderr.match(/rubber-stamp/g)).toHaveLength(1);
    const s: Signoff = JSON.parse(readFileSync(join(dir, 'evidence', 'signoff.json'), 'utf8'));
    expect(s.counts).toEqual({ identities: 8, keep: 4, revoke: 4, modify: 0 });
    expect(s.campaign?.campaignId).toBe('q3-2026');
    expect(s.campaign?.closedUndecided).toEqual({ policy: 'revoke', rows: [k('apiKey', ID.key)] });
    expect(s.campaign?.reassignments).toEqual([
      expect.objectContaining({ key: k('user', ID.shared), from: BOB, to: CAROL, reviewedOn: '2026-11-18' }),
    ]);
    expect(s.campaign?.decisions.find((d) => d.key === k('user', ID.shared))).toMatchObject({
      reviewer: CAROL,
      workbook: 'reassigned-carol@example.com.xlsx',
    });
    expect(s.signals).toEqual([
      expect.objectContaining({ reviewer: CAROL, signal: 'kept-everything', rows: 3 }),
    ]);
    expect(s.actions.map((a) => [a.name, a.reviewer])).toEqual([
      ['ciciciic', 'policy review.undecided'],
      ['eng2@example.com', ALICE],
      ['leaver1@example.com', BOB],
      ['leaver2@example.com', BOB],
    ]);
  });

  it('applies the plan to the simulator and verifies it on a new collection', async () => {
    const apply = await cli(
      [
        'review',
        'apply',
        'evidence/revocation-plan.json',
        '--snapshot',
        'q3.json',
        '--workbook',
        'campaign',
        '--campaign',
        'campaign/campaign.json',
        '--base-url',
        sim.baseUrl,
        '--yes',
      ],
      at(26),
      APPLY_ENV,
    );
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(/4 done, 0 already done, 0 failed/);
    const q4 = await cli(
      ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', 'q4.json', '--quiet'],
      at(27),
      COLLECT_ENV,
    );
    expect(q4.code, q4.stderr).toBe(0);
    const verify = await cli(
      [
        'review',
        'verify',
        'evidence/signoff.json',
        '--snapshot',
        'q4.json',
        '--reviewed-snapshot',
        'q3.json',
      ],
      at(27),
    );
    expect(verify.stderr).not.toContain('not carried out');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('the rubber stamp is a low finding of review-rubber-stamp that the policy can make gate', async () => {
    type AuditJson = {
      rules: Array<{ id: string; severity: string; failed: number }>;
      verdict: { failing: number };
    };
    const audit = async (...extra: string[]) => {
      const args = ['audit', 'q4.json', '--signoff', 'evidence/signoff.json', '--fail-on', 'high', ...extra];
      const text = await cli(args, at(27));
      const json = await cli([...args, '--format', 'json'], at(27));
      const parsed = json.stdout ? (JSON.parse(json.stdout) as AuditJson) : null;
      return {
        ...json,
        text: text.stdout,
        stamp: parsed?.rules.find((r) => r.id === 'review-rubber-stamp'),
        parsed,
      };
    };
    const plain = await audit();
    expect(plain.stamp).toMatchObject({ severity: 'low', failed: 1 });
    expect(plain.text).toContain(`${CAROL} kept all 3 rows they decided`);
    writeFileSync(join(dir, 'strict.yaml'), 'rules:\n  review-rubber-stamp:\n    severity: high\n');
    const strict = await audit('--policy', 'strict.yaml');
    expect(strict.stamp).toMatchObject({ severity: 'high', failed: 1 });
    expect(strict.parsed!.verdict.failing).toBe(plain.parsed!.verdict.failing + 1);
    expect(strict.code).toBe(1);
    writeFileSync(
      join(dir, 'typo.yaml'),
      'rules:\n  review-rubber-stamp:\n    params:\n      identicalComments: 5\n',
    );
    const typo = await audit('--policy', 'typo.yaml');
    expect(typo.stderr).toContain(
      'rule "review-rubber-stamp" has no param "identicalComments" (params: identicalCommentRows)',
    );
    expect(typo.code).toBe(2);
    // review-overdue has no params at all: naming one is the same clear refusal, not a crash.
    writeFileSync(join(dir, 'overdue.yaml'), 'rules:\n  review-overdue:\n    params:\n      days: 30\n');
    const overdue = await audit('--policy', 'overdue.yaml');
    expect(overdue.stderr).toContain('rule "review-overdue" has no param "days" (params: none)');
    expect(overdue.code).toBe(2);
  });

  it('apply refuses a campaign workbook changed after the merge', async () => {
    const copy = join(dir, 'campaign', workbookOf(BOB));
    const original = readFileSync(copy);
    try {
      await fill(BOB, () => ({ decision: 'Keep', comment: 'changed my mind' }));
      const apply = await cli(
        [
          'review',
          'apply',
          'evidence/revocation-plan.json',
          '--snapshot',
          'q3.json',
          '--workbook',
          'campaign',
          '--campaign',
          'campaign/campaign.json',
          '--base-url',
          sim.baseUrl,
        ],
        at(26),
        APPLY_ENV,
      );
      expect(apply.code).toBe(2);
      expect(apply.stderr).toContain('nothing was sent');
    } finally {
      writeFileSync(copy, original);
    }
  });
});
