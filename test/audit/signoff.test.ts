/**
 * `--signoff` (README, audit options): the Revokes of the last sign-off that were not carried out join the audit as
 * findings before waivers, baseline and the gate. Pure tests of `auditSnapshot`'s extra findings, then
 * the CLI end to end (audit formats, waivers, baseline, bad files, and the report command).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/audit/policy.js';
import { auditSnapshot, type ExtraFindings } from '../../src/audit/run.js';
import type { Finding, Waiver } from '../../src/audit/types.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { findingKey } from '../../src/domain/keys.js';
import { DEFAULT_RULES_DIR, readRulesDir, signoffFindings } from '../../src/input/audit-inputs.js';
import { reviewCadenceFindings } from '../../src/review/cadence.js';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import { BUILDER_NOW, org, snapshot, syncTeams, team, user } from '../builders/snapshot.js';

const ORG = '0000000000000000000000aa';
const KEPT = 'c00000000000000000000001';
const GONE = 'c00000000000000000000002';

/** The later estate: two compliant owners and kept@, whose revocation was not carried out. */
function laterSnapshot() {
  const t = team({ name: 'admins' });
  const dev = team({ name: 'dev' });
  const o = org({
    id: ORG,
    name: 'Northwind',
    teams: [t, dev],
    users: [
      user({ username: 'owner1@example.com', orgRoles: ['ORG_OWNER'], teamIds: [t.id] }),
      user({ username: 'owner2@example.com', orgRoles: ['ORG_OWNER'], teamIds: [t.id] }),
      user({ id: KEPT, username: 'kept@example.com', orgRoles: ['ORG_MEMBER'], teamIds: [dev.id] }),
    ],
  });
  return snapshot([syncTeams(o)]);
}

function revoke(id: string, name: string, row: number): SignoffAction {
  return {
    key: `${ORG}:user:${id}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'user',
    kind: 'user',
    id,
    name,
    status: 'ACTIVE',
    decision: 'Revoke',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-03-05',
    comment: 'left the company',
    workbookRow: row,
    access: { orgRoles: ['ORG_MEMBER'], projectRoles: [], teams: [{ id: 'dev', name: 'dev' }] },
  };
}

/** Signed off in March over an earlier snapshot: one Revoke done (gone@), one not (kept@). */
function signoff(sha256 = 'a'.repeat(64)): Signoff {
  return {
    signoffSchemaVersion: 1,
    tool: { name: 'atlas-access-review', version: '0.0.0-test' },
    signedOffAt: '2026-03-06T09:00:00.000Z',
    snapshot: {
      file: 'q1.json',
      sha256,
      collectedAt: '2026-03-01T00:00:00.000Z',
      organizations: [{ id: ORG, name: 'Northwind' }],
    },
    workbook: { file: 'q1-review.xlsx', sha256: 'b'.repeat(64) },
    counts: { identities: 5, keep: 3, revoke: 2, modify: 0 },
    byOrg: [{ orgId: ORG, orgName: 'Northwind', identities: 5, keep: 3, revoke: 2, modify: 0 }],
    reviewers: [
      {
        reviewer: 'lead@example.com',
        identities: 5,
        keep: 3,
        revoke: 2,
        modify: 0,
        firstReviewedOn: '2026-03-05',
        lastReviewedOn: '2026-03-05',
      },
    ],
    reviewPeriod: { from: '2026-03-05', to: '2026-03-05' },
    actions: [revoke(GONE, 'gone@example.com', 4), revoke(KEPT, 'kept@example.com', 5)],
  };
}

let rules: LoadedRuleSet;
beforeAll(async () => {
  rules = await readRulesDir(DEFAULT_RULES_DIR);
});

describe('auditSnapshot with extra findings', () => {
  const loaded = () => ({ snapshot: laterSnapshot(), file: 'q2.json', sha256: 'c'.repeat(64) });
  const run = (extra: ExtraFindings, waivers: Waiver[] = [], baselineKeys?: string[]) =>
    auditSnapshot({
      snapshot: laterSnapshot(),
      rules,
      policy: DEFAULT_POLICY,
      waivers,
      ...(baselineKeys ? { baseline: { file: 'b.json', keys: new Set(baselineKeys) } } : {}),
      extra,
      now: BUILDER_NOW,
      inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
    });
  const notDoneKey = findingKey('review-revocation-not-done', ORG, 'user', KEPT);

  it('the later estate is clean on its own, so every finding below comes from the sign-off', async () => {
    const r = await run({ findings: [], rules: [] });
    expect(r.findings).toEqual([]);
    expect(r.gate.failed).toBe(false);
  });

  it('one revocation done and one not: one finding, rule rows with coverage, gate fails', async () => {
    const { extra, verify } = signoffFindings(signoff(), loaded(), BUILDER_NOW);
    expect(verify.summary).toMatchObject({ revocations: 2, done: 1, notDone: 1, unverifiable: 0 });
    const r = await run(extra);
    expect(r.findings.map((f) => f.key)).toEqual([notDoneKey]);
    expect(r.findings[0]).toMatchObject({
      severity: 'high',
      subject: { type: 'user', id: KEPT, name: 'kept@example.com' },
      waived: false,
      isNew: true,
    });
    expect(r.summary).toMatchObject({ total: 1, open: 1, bySeverity: { high: 1 } });
    expect(r.gate).toEqual({ failOn: 'low', failed: true, failing: 1 });
    const rows = Object.fromEntries(r.rules.filter((x) => x.id.startsWith('review-')).map((x) => [x.id, x]));
    expect(rows['review-revocation-not-done']).toMatchObject({ subjectsChecked: 2, passed: 1, failed: 1 });
    expect(rows['review-revocation-unverifiable']).toMatchObject({
      subjectsChecked: 2,
      passed: 2,
      failed: 0,
    });
    // Catalogue rows come first and are unchanged.
    expect(r.rules.slice(0, rules.rules.length).map((x) => x.id)).toEqual(rules.rules.map((x) => x.id));
  });

  it.each([
    ['username', 'KEPT@example.com'],
    ['id', KEPT],
  ])('a waiver naming the subject by %s applies and the gate passes', async (_by, subject) => {
    const { extra } = signoffFindings(signoff(), loaded(), BUILDER_NOW);
    const w: Waiver = {
      ruleId: 'review-revocation-not-done',
      subject,
      subjectId: null,
      orgId: null,
      reason: 'needed until the migration ends',
      approver: 'ciso@example.com',
      ticket: 'SEC-9',
      approvedOn: '2026-05-01',
      expiresOn: '2026-08-01',
    };
    const r = await run(extra, [w]);
    expect(r.findings[0]).toMatchObject({ waived: true, waiver: w });
    expect(r.waivers.applied).toEqual([{ ...w, findingKeys: [notDoneKey] }]);
    expect(r.gate.failed).toBe(false);
    expect(r.summary).toMatchObject({ total: 1, waived: 1, open: 0 });
  });

  it('a baseline holding the finding keeps it reported but not failing', async () => {
    const { extra } = signoffFindings(signoff(), loaded(), BUILDER_NOW);
    const r = await run(extra, [], [notDoneKey]);
    expect(r.findings[0]?.isNew).toBe(false);
    expect(r.gate).toMatchObject({ failed: false, failing: 0 });
  });

  it('recounts `failed` from the findings and does not mutate the input findings', async () => {
    const { extra } = signoffFindings(signoff(), loaded(), BUILDER_NOW);
    const input: Finding = { ...extra.findings[0]!, waived: true, isNew: false };
    const rows = extra.rules.map((x) => ({ ...x, failed: 99 }));
    const r = await run({ findings: [input], rules: rows });
    expect(r.findings[0]).toMatchObject({ waived: false, isNew: true });
    expect(input).toMatchObject({ waived: true, isNew: false });
    expect(r.rules.find((x) => x.id === 'review-revocation-not-done')?.failed).toBe(1);
    expect(r.rules.find((x) => x.id === 'review-revocation-unverifiable')?.failed).toBe(0);
  });

  it('rejects extra rows that repeat a catalogue id, and findings without a row (bugs, not input)', async () => {
    const { extra } = signoffFindings(signoff(), loaded(), BUILDER_NOW);
    const clash = { ...extra.rules[0]!, id: 'stale-last-auth' };
    await expect(run({ findings: [], rules: [clash] })).rejects.toThrow(/repeats a catalogue rule/);
    await expect(run({ findings: extra.findings, rules: [] })).rejects.toThrow(/has no rule row/);
  });

  it('refuses the signed-off snapshot itself and an older one', () => {
    const l = loaded();
    expect(() => signoffFindings(signoff(l.sha256), l, BUILDER_NOW)).toThrow(
      /is the snapshot that was signed off/,
    );
    const older = { ...l, snapshot: { ...l.snapshot, collectedAt: '2026-02-01T00:00:00.000Z' } };
    expect(() => signoffFindings(signoff(), older, BUILDER_NOW)).toThrow(/before the signed-off snapshot/);
  });
});

describe('--signoff on the command line', () => {
  let dir: string;
  let snapFile: string;
  let signoffFile: string;

  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-signoff-'));
    snapFile = file('q2.json', JSON.stringify(laterSnapshot(), null, 2));
    signoffFile = file('signoff.json', JSON.stringify(signoff(), null, 2));
  });

  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const ctx: CliContext = {
      env: {},
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      stderrIsTTY: false,
      now: () => BUILDER_NOW,
      cwd: dir,
      exitCode: 0,
    };
    const code = await runCli(argv, ctx);
    return { code, stdout, stderr };
  }

  it('without --signoff the snapshot passes; with it the Revoke not carried out fails the gate (text)', async () => {
    expect((await cli(['audit', snapFile])).code).toBe(0);
    // Relative to the working directory, like every other input path.
    const r = await cli(['audit', 'q2.json', '--signoff', 'signoff.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('HIGH review-revocation-not-done: Revocation decided in the last review');
    expect(r.stdout).toContain(
      '[Northwind] kept@example.com was marked Revoke by lead@example.com on 2026-03-05 but is still ACTIVE with ORG_MEMBER, team dev',
    );
    expect(r.stdout).not.toContain('gone@example.com');
    expect(r.stdout).toContain('Findings: 1 (critical 0, high 1, medium 0, low 0)');
    expect(r.stderr).toContain('sign-off signoff.json: 2 revocation(s): 1 done, 1 not done, 0 unverifiable');
    expect(r.stderr).toContain('failing (exit 1)');
  });

  it('--format json carries the finding, the rule rows and the sign-off file', async () => {
    const r = await cli(['audit', snapFile, '--signoff', signoffFile, '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.meta.inputs.signoffFile).toBe(signoffFile);
    expect(doc.summary.findings).toMatchObject({
      bySeverity: { low: 0, medium: 0, high: 1, critical: 0 },
      total: 1,
      waived: 0,
      open: 1,
      gating: 1,
    });
    const rows = doc.findings.flatMap((g: { rules: Array<{ findings: unknown[] }> }) =>
      g.rules.flatMap((x) => x.findings),
    );
    expect(rows).toHaveLength(1);
    const evidence = Object.fromEntries(
      (rows[0] as { evidence: Array<{ name: string; value: string }> }).evidence.map((e) => [
        e.name,
        e.value,
      ]),
    );
    expect(evidence).toMatchObject({
      decision: 'Revoke',
      reviewer: 'lead@example.com',
      remainingAccess: 'ORG_MEMBER, team dev',
    });
    expect(rows[0]).toMatchObject({
      ruleId: 'review-revocation-not-done',
      orgId: ORG,
      subjectType: 'user',
      subjectId: KEPT,
      subjectName: 'kept@example.com',
      key: `review-revocation-not-done|${ORG}|user|${KEPT}`,
    });
    const row = doc.rules.find((x: { id: string }) => x.id === 'review-revocation-not-done');
    expect(row).toMatchObject({ subjectsChecked: 2, passed: 1, failed: 1, enabled: true });
  });

  it('--format sarif lists the review rules and points the result at its rule', async () => {
    const r = await cli(['audit', snapFile, '--signoff', signoffFile, '--format', 'sarif']);
    expect(r.code).toBe(1);
    const run = JSON.parse(r.stdout).runs[0];
    expect(run.results).toHaveLength(1);
    const result = run.results[0];
    expect(result.ruleId).toBe('review-revocation-not-done');
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('review-revocation-not-done');
    expect(result.level).toBe('error');
    expect(result.message.text).toContain('kept@example.com was marked Revoke');
    expect(result.partialFingerprints.findingKey).toBe(`review-revocation-not-done|${ORG}|user|${KEPT}`);
  });

  it('junit counts the review rules like any rule; github annotates the finding', async () => {
    const junit = (await cli(['audit', snapFile, '--signoff', signoffFile, '--format', 'junit'])).stdout;
    // A case for the finding and one for the subject that passed; failures are what fails the gate.
    expect(junit).toMatch(/<testsuite name="review-revocation-not-done" tests="2" failures="1"/);
    expect(junit).toMatch(/<testsuite name="review-revocation-unverifiable" tests="1" failures="0"/);
    expect(junit).toContain('name="2 of 2 user subjects passed"');
    const github = (await cli(['audit', snapFile, '--signoff', signoffFile, '--format', 'github'])).stdout;
    expect(github).toContain('title=high review-revocation-not-done::[Northwind] kept@example.com');
  });

  it('a waiver for the finding passes the gate (exit 0) and the finding stays visible', async () => {
    const waivers = file(
      'waivers.yaml',
      'waivers:\n  - ruleId: review-revocation-not-done\n    subject: kept@example.com\n    reason: handover until July\n    approver: ciso@example.com\n    approvedOn: "2026-05-01"\n    expiresOn: "2026-07-31"\n',
    );
    const r = await cli(['audit', snapFile, '--signoff', signoffFile, '--waivers', waivers]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept@example.com was marked Revoke');
    expect(r.stdout).toContain('(waived until 2026-07-31: handover until July)');
    const sarif = JSON.parse(
      (await cli(['audit', snapFile, '--signoff', signoffFile, '--waivers', waivers, '--format', 'sarif']))
        .stdout,
    );
    expect(sarif.runs[0].results[0].suppressions[0].status).toBe('accepted');
  });

  it('a waivers file naming a review rule is valid without --signoff (reported as unused)', async () => {
    const waivers = file(
      'waivers2.yaml',
      'waivers:\n  - ruleId: review-revocation-not-done\n    subject: kept@example.com\n    reason: r\n    approver: a@example.com\n    expiresOn: "2026-07-31"\n',
    );
    const r = await cli(['audit', snapFile, '--waivers', waivers]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'warning: waiver matches nothing: review-revocation-not-done / kept@example.com',
    );
  });

  it('a baseline that holds the finding keeps it reported but passes the gate', async () => {
    const first = await cli([
      'audit',
      snapFile,
      '--signoff',
      signoffFile,
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    const baseline = file('baseline.json', first.stdout);
    const r = await cli(['audit', snapFile, '--signoff', signoffFile, '--baseline', baseline]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept@example.com was marked Revoke');
    expect(r.stdout).toContain('(in baseline)');
  });

  it.each([
    [
      'bad-reviewed-on.json',
      () => {
        const s = signoff() as unknown as { actions: Array<Record<string, unknown>> };
        s.actions[1]!.reviewedOn = 'last week';
        return JSON.stringify(s);
      },
      '$.actions[1].reviewedOn',
    ],
    [
      'bad-version.json',
      () => JSON.stringify({ ...signoff(), signoffSchemaVersion: 9 }),
      '$.signoffSchemaVersion',
    ],
    ['not-json.json', () => '{"signoffSchemaVersion": 1,', 'not valid JSON'],
  ])('a bad sign-off file (%s) is exit 2 naming the file and JSON path', async (name, text, expected) => {
    const p = file(name, text());
    const r = await cli(['audit', snapFile, '--signoff', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${p}: `);
    expect(r.stderr).toContain(expected);
    expect(r.stdout).toBe('');
  });

  it('a missing sign-off file is exit 2', async () => {
    const r = await cli(['audit', snapFile, '--signoff', join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.json');
  });

  it('auditing the signed-off snapshot itself with --signoff is exit 2', async () => {
    const text = readFileSync(snapFile, 'utf8');
    const sha = createHash('sha256').update(text).digest('hex');
    const same = file('same-signoff.json', JSON.stringify(signoff(sha)));
    const r = await cli(['audit', snapFile, '--signoff', same]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is the snapshot that was signed off');
  });

  it('a rules folder that defines a review rule id is exit 2 naming the rule file', async () => {
    const rulesDir = mkdtempSync(join(dir, 'rules-'));
    const stale = JSON.parse(readFileSync(join(DEFAULT_RULES_DIR, 'stale-last-auth.json'), 'utf8'));
    const p = join(rulesDir, 'review-revocation-not-done.json');
    writeFileSync(p, JSON.stringify({ ...stale, $schema: undefined, id: 'review-revocation-not-done' }));
    const r = await cli(['audit', snapFile, '--rules', rulesDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}: $.id: rule id "review-revocation-not-done" is reserved`);
  });

  it('report takes --signoff too: the JSON report carries the finding and the gate fails', async () => {
    const out = join(dir, 'report.json');
    const r = await cli(['report', snapFile, '--signoff', signoffFile, '--json', out]);
    expect(r.code, r.stderr).toBe(1);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('review-revocation-not-done');
    expect(text).toContain('kept@example.com was marked Revoke');
  });
});

describe('review cadence (--framework with a cadence, and --signoff)', () => {
  const pci = { framework: 'pci-dss-4', reference: 'PCI DSS v4.0 7.2.4', maxDays: 183 };
  const at = (collectedAt: string) => ({ ...laterSnapshot(), collectedAt });
  const loaded = () => ({ snapshot: laterSnapshot(), file: 'q2.json', sha256: 'c'.repeat(64) });

  it('a sign-off within the cadence: no finding, the organization passes', () => {
    // Signed off 2026-03-06; the snapshot is collected 87 days later.
    const { extra } = signoffFindings(signoff(), loaded(), BUILDER_NOW, DEFAULT_POLICY, pci);
    expect(extra.findings.filter((f) => f.ruleId === 'review-overdue')).toEqual([]);
    expect(extra.rules.find((r) => r.id === 'review-overdue')).toMatchObject({
      subjectsChecked: 1,
      passed: 1,
    });
  });

  it('a sign-off older than the cadence, and an organization it did not cover, are findings', () => {
    const later = at('2026-10-01T00:00:00.000Z');
    later.organizations.push(org({ name: 'Newco' }));
    const { findings, rules } = reviewCadenceFindings(signoff(), later, pci);
    expect(findings.map((f) => f.message)).toEqual([
      'Northwind was last reviewed on 2026-03-06 (sign-off), 208 days before this snapshot; PCI DSS v4.0 7.2.4 requires a review at least every 183 days',
      'Newco is not in the last signed-off review (2026-03-06); PCI DSS v4.0 7.2.4 requires a review at least every 183 days',
    ]);
    expect(findings[0]).toMatchObject({ severity: 'high', subject: { type: 'org', id: ORG }, isNew: true });
    expect(rules[0]).toMatchObject({
      id: 'review-overdue',
      failed: 2,
      passed: 0,
      references: ['PCI DSS v4.0 7.2.4'],
    });
  });

  it("the policy's rules.review-overdue sets its severity or turns it off, as for the other review rules", () => {
    const late = { ...loaded(), snapshot: at('2026-10-01T00:00:00.000Z') };
    const policy = (over: object) => ({ ...DEFAULT_POLICY, rules: { 'review-overdue': over } });
    const lowered = signoffFindings(signoff(), late, BUILDER_NOW, policy({ severity: 'low' }), pci).extra;
    const overdue = lowered.findings.filter((f) => f.ruleId === 'review-overdue');
    expect(overdue.map((f) => f.severity)).toEqual(['low']);
    expect(lowered.rules.find((r) => r.id === 'review-overdue')?.severity).toBe('low');
    const off = signoffFindings(signoff(), late, BUILDER_NOW, policy({ enabled: false }), pci).extra;
    expect(off.findings.filter((f) => f.ruleId === 'review-overdue')).toEqual([]);
    expect(off.rules.find((r) => r.id === 'review-overdue')).toBeUndefined();
  });

  it('exactly at the cadence is still in time', () => {
    // 2026-03-06T09:00Z + 183 days = 2026-09-05T09:00Z.
    const { findings } = reviewCadenceFindings(signoff(), at('2026-09-05T09:00:00.000Z'), pci);
    expect(findings).toEqual([]);
  });
});
