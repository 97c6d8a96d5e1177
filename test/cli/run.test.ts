/**
 * `run` and `demo` end to end: the simulator on 127.0.0.1, the real collector, audit and renderers,
 * and (for email) a real SMTP server on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { startSmtpServer, TEST_CA, type TestServer } from '../email/smtp-test-server.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { findingRows } from '../helpers/report-json.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const estate = generateEstate({ seed: 3, now: NOW, ...PRESETS.demo });
const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;
const env = { MONGODB_ATLAS_CLIENT_ID: sa.clientId, MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret };

let sim: Simulator | undefined;
let smtp: TestServer | undefined;
afterEach(async () => {
  await sim?.close();
  await smtp?.close();
  sim = undefined;
  smtp = undefined;
});

describe('run', () => {
  it('collects, audits the written snapshot, writes every report and exits 1 on violations', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    const run = await runCliForTest(['run', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'out'], {
      env,
      cwd: dir,
      now: NOW,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/run: FAIL: \d+ open findings/);
    const files = readdirSync(join(dir, 'out')).sort();
    expect(files).toEqual(
      [
        'access-review-junit.xml',
        'access-review-roster.csv',
        'access-review.html',
        'access-review.json',
        'access-review.md',
        'access-review.xlsx',
        'snapshot.json',
      ].sort(),
    );
    // The report is tied to the exact bytes of the snapshot written by this run.
    const snapshotSha = createHash('sha256')
      .update(readFileSync(join(dir, 'out', 'snapshot.json')))
      .digest('hex');
    const report = JSON.parse(readFileSync(join(dir, 'out', 'access-review.json'), 'utf8'));
    expect(JSON.stringify(report)).toContain(snapshotSha);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, 'out', 'access-review.xlsx'));
    expect(workbook.getWorksheet('Review')!.rowCount).toBeGreaterThan(estate.organizations.length * 50);
  });

  it('passes the gate with --fail-on never', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    const run = await runCliForTest(
      ['run', '--all-orgs', '--base-url', sim.baseUrl, '--json', 'r.json', '--fail-on', 'never'],
      { env, cwd: dir, now: NOW },
    );
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'r.json'))).toBe(true);
    // Without --out-dir or --snapshot the snapshot gets its own timestamped name.
    expect(readdirSync(dir).some((f) => /^atlas-snapshot-\d{8}T\d{6}Z\.json$/.test(f))).toBe(true);
  });

  it('--format prints that audit format alone on stdout; the files written are named on stderr', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, '');
    const json = await runCliForTest(
      ['run', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'out', '--format', 'json'],
      { env, cwd: dir, now: NOW },
    );
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.meta.snapshotFile).toBe(join('out', 'snapshot.json'));
    expect(findingRows(doc).length).toBeGreaterThan(0);
    expect(json.stderr).toMatch(/^wrote out\/access-review\.html \(html, \d+ bytes\)$/m);
    const github = await runCliForTest(
      [
        'run',
        '--all-orgs',
        '--base-url',
        sim.baseUrl,
        '--json',
        'r.json',
        '--format',
        'github',
        '--fail-on',
        'high',
      ],
      { env: { ...env, GITHUB_STEP_SUMMARY: summary }, cwd: dir, now: NOW },
    );
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(/^::error /m);
    expect(github.stdout).not.toContain('wrote ');
    expect(readFileSync(summary, 'utf8')).toContain('# Atlas access review: ');
    const bad = await runCliForTest(['run', '--all-orgs', '--base-url', sim.baseUrl, '--format', 'pdf'], {
      env,
      cwd: dir,
      now: NOW,
    });
    expect(bad.code).toBe(2);
  });

  it.each([
    [
      'a policy naming an unknown rule',
      'policy.yaml',
      'rules: { nope: { enabled: false } }\n',
      'unknown rule id "nope"',
    ],
    [
      'a policy param of the wrong type',
      'policy.yaml',
      'rules:\n  stale-last-auth:\n    params: { maxDays: soon }\n',
      'line 3',
    ],
    [
      'waivers naming an unknown rule',
      'waivers.yaml',
      '- { ruleId: nope, subject: x, reason: r, approver: a, expiresOn: "2026-12-31" }\n',
      'nope',
    ],
  ])(
    '%s is refused before the first request (exit 2, nothing written)',
    async (_name, file, text, message) => {
      sim = await startSimulator({ organizations: estate.organizations });
      const dir = tempDir();
      writeFileSync(join(dir, file), text);
      const option = file === 'policy.yaml' ? '--policy' : '--waivers';
      const run = await runCliForTest(
        ['run', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'out', option, file],
        { env, cwd: dir, now: NOW },
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(sim.stats().requests).toBe(0);
      expect(existsSync(join(dir, 'out', 'snapshot.json'))).toBe(false);
    },
  );

  it('refuses an existing output before the first request (exit 4)', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    writeFileSync(join(dir, 'r.html'), 'keep me');
    const run = await runCliForTest(['run', '--all-orgs', '--base-url', sim.baseUrl, '--html', 'r.html'], {
      env,
      cwd: dir,
      now: NOW,
    });
    expect(run.code).toBe(4);
    expect(sim.stats().requests).toBe(0);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toBe('keep me');
  });

  it('--split-by reviewer refuses before the first request: no fallback reviewer (exit 2), campaign.json there (exit 4), no --out-dir (exit 2)', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    writeFileSync(join(dir, 'no-fallback.yaml'), 'failOn: high\n');
    writeFileSync(join(dir, 'campaign-policy.yaml'), 'review:\n  fallbackReviewer: lead@example.com\n');
    const run = (argv: string[]) =>
      runCliForTest(['run', '--all-orgs', '--base-url', sim!.baseUrl, '--split-by', 'reviewer', ...argv], {
        env,
        cwd: dir,
        now: NOW,
      });
    const noFallback = await run(['--policy', 'no-fallback.yaml', '--out-dir', 'c1']);
    expect(noFallback.code).toBe(2);
    expect(noFallback.stderr).toContain('no-fallback.yaml: $.review.fallbackReviewer');
    const noDir = await run(['--policy', 'campaign-policy.yaml']);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain('--split-by reviewer needs --out-dir');
    mkdirSync(join(dir, 'c2'));
    writeFileSync(join(dir, 'c2', 'campaign.json'), 'keep me');
    const existing = await run(['--policy', 'campaign-policy.yaml', '--out-dir', 'c2']);
    expect(existing.code).toBe(4);
    expect(readFileSync(join(dir, 'c2', 'campaign.json'), 'utf8')).toBe('keep me');
    expect(sim.stats().requests).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['c2', 'campaign-policy.yaml', 'no-fallback.yaml']);
  });

  it('refuses before the first request a --snapshot or --evidence that the campaign or another output would write over, or reports the pack could not hold apart (exit 2)', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign-policy.yaml'), 'review:\n  fallbackReviewer: lead@example.com\n');
    const gen = await runCliForTest(['evidence', 'keygen', '--out-dir', 'keys'], { cwd: dir, now: NOW });
    expect(gen.code, gen.stderr).toBe(0);
    const run = (argv: string[]) =>
      runCliForTest(
        ['run', '--all-orgs', '--base-url', sim!.baseUrl, '--policy', 'campaign-policy.yaml', ...argv],
        {
          env,
          cwd: dir,
          now: NOW,
        },
      );
    const split = ['--split-by', 'reviewer', '--out-dir', 'c'];
    const pack = ['--signing-key', 'keys/signing-key.pem', '--evidence'];
    for (const argv of [
      [...split, '--snapshot', 'c/campaign.json'],
      [...split, '--snapshot', 'c/review-lead-at-example.com.xlsx'],
      [...split, '--xlsx', 'c/review-lead-at-example.com.xlsx'],
      [...split, '--json', 'c/campaign.json'],
      [...split, ...pack, 'c/campaign.json'],
      [...split, ...pack, 'c/review-lead-at-example.com.xlsx'],
      [...split, ...pack, 'c/snapshot.json'],
      [...split, ...pack, 'c/snapshot.json.sig'],
      ['--html', 'r.html', ...pack, 'r.html'],
      ['--snapshot', 's.json', ...pack, 's.json'],
      // The pack holds reports as report/<file name> and the campaign under report/campaign/.
      ['--html', 'r', '--json', 'sub/r', ...pack, 'p.zip'],
      [...split, '--json', 'campaign', ...pack, 'p.zip'],
    ]) {
      const r = await run(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        /would be written over a file (of the campaign|this run writes)|report\/\w+ is taken/,
      );
    }
    expect(sim.stats().requests).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['campaign-policy.yaml', 'keys']);
  });

  it('--split-by reviewer: a workbook that exists (known only once the rows are routed) is exit 4 and leaves no snapshot in the campaign folder; the same command then runs with --force', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign-policy.yaml'), 'review:\n  fallbackReviewer: lead@example.com\n');
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'review-lead-at-example.com.xlsx'), 'keep me');
    const argv = ['run', '--all-orgs', '--base-url', sim.baseUrl, '--policy', 'campaign-policy.yaml'];
    const split = ['--split-by', 'reviewer', '--out-dir', 'c', '--fail-on', 'never'];
    const r = await runCliForTest([...argv, ...split], { env, cwd: dir, now: NOW });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('review-lead-at-example.com.xlsx already exists');
    expect(readdirSync(join(dir, 'c'))).toEqual(['review-lead-at-example.com.xlsx']);
    expect(readFileSync(join(dir, 'c', 'review-lead-at-example.com.xlsx'), 'utf8')).toBe('keep me');
    const again = await runCliForTest([...argv, ...split, '--force'], { env, cwd: dir, now: NOW });
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(join(dir, 'c')).sort()).toEqual(
      ['campaign.json', 'review-lead-at-example.com.xlsx', 'snapshot.json'].sort(),
    );
  });

  it('--split-by reviewer collects into the campaign folder and writes one workbook per reviewer bound to that snapshot', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign-policy.yaml'), 'review:\n  fallbackReviewer: lead@example.com\n');
    const r = await runCliForTest(
      [
        'run',
        '--all-orgs',
        '--base-url',
        sim.baseUrl,
        '--policy',
        'campaign-policy.yaml',
        '--split-by',
        'reviewer',
        '--out-dir',
        'campaign',
        '--due',
        '2026-12-15',
        '--html',
        'r.html',
        '--fail-on',
        'never',
      ],
      { env, cwd: dir, now: NOW },
    );
    expect(r.code, r.stderr).toBe(0);
    const campaign = JSON.parse(readFileSync(join(dir, 'campaign', 'campaign.json'), 'utf8'));
    const snapshot = readFileSync(join(dir, 'campaign', 'snapshot.json'));
    expect(campaign.snapshot.sha256).toBe(createHash('sha256').update(snapshot).digest('hex'));
    expect(campaign.due).toBe('2026-12-15');
    expect(readdirSync(join(dir, 'campaign')).sort()).toEqual(
      [
        'campaign.json',
        'snapshot.json',
        ...campaign.reviewers.map((x: { workbook: string }) => x.workbook),
      ].sort(),
    );
    expect(existsSync(join(dir, 'r.html'))).toBe(true);
    // The campaign merges against the snapshot the run wrote: status reads every workbook as unreturned-but-present.
    const status = await runCliForTest(
      [
        'review',
        'status',
        'campaign',
        '--campaign',
        'campaign/campaign.json',
        '--snapshot',
        'campaign/snapshot.json',
        '--json',
      ],
      { cwd: dir, now: NOW },
    );
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout).reviewers.length).toBe(campaign.reviewers.length);
  });

  it('emails the review over STARTTLS with the workbook and HTML report attached, byte-identical to the files', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    smtp = await startSmtpServer({ starttls: true, auth: { user: 'mailer', pass: 'smtp-pass-123' } });
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), TEST_CA);
    const run = await runCliForTest(
      [
        'run',
        '--all-orgs',
        '--base-url',
        sim.baseUrl,
        '--out-dir',
        'out',
        '--email-to',
        'security@example.com',
        '--email-from',
        'atlas-review@example.com',
        '--smtp-ca',
        'ca.pem',
      ],
      {
        env: { ...env, SMTP_URL: `smtp://mailer@localhost:${smtp.port}`, SMTP_PASSWORD: 'smtp-pass-123' },
        cwd: dir,
        now: NOW,
      },
    );
    expect(run.stderr).not.toContain('smtp-pass-123');
    expect(run.code).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    const mail = await simpleParser(smtp.messages[0]!.raw);
    expect(mail.subject).toMatch(/^\[Atlas access review\] 3 organizations/);
    expect(mail.text).toBeTruthy();
    expect(mail.html).toBeTruthy();
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const byName = new Map(mail.attachments.map((a) => [a.filename, sha(a.content)]));
    expect(byName.get('access-review.xlsx')).toBe(sha(readFileSync(join(dir, 'out', 'access-review.xlsx'))));
    expect(byName.get('access-review.html')).toBe(sha(readFileSync(join(dir, 'out', 'access-review.html'))));
  });

  it('a failed collection writes no snapshot and no report (exit 3)', async () => {
    sim = await startSimulator({
      organizations: estate.organizations,
      // The org's service account listing (not a project's, read concurrently with it).
      faults: [
        { path: /\/orgs\/[a-f0-9]{24}\/serviceAccounts$/, status: 403, errorCode: 'USER_UNAUTHORIZED' },
      ],
    });
    const dir = tempDir();
    const run = await runCliForTest(['run', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'out'], {
      env,
      cwd: dir,
      now: NOW,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'GET /api/atlas/v2/orgs/{orgId}/serviceAccounts failed with HTTP 403 USER_UNAUTHORIZED',
    );
    expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]);
  });
});

describe('demo', () => {
  it('runs the whole pipeline against the in-process simulator and exits 0', async () => {
    const dir = tempDir();
    const run = await runCliForTest(['demo', '--out-dir', 'demo'], { cwd: dir, now: NOW });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Until collect reads database access, the database rules are not evaluated in the demo.
    expect(run.stdout).toMatch(
      /^FAIL: \d+ open findings at or above high(; \d+ rules not evaluated in \d+ organizations \(no data for them\))?$/m,
    );
    expect(run.stdout).toMatch(/Atlas simulator: 3 organizations, \d+ users/);
    expect(run.stdout).toMatch(/As a CI gate \(fail-on high\) this run would exit 1/);
    const files = readdirSync(join(dir, 'demo'));
    expect(files).toEqual(
      expect.arrayContaining(['policy.yaml', 'waivers.yaml', 'snapshot.json', 'access-review.html']),
    );
    const report = JSON.parse(readFileSync(join(dir, 'demo', 'access-review.json'), 'utf8'));
    expect(JSON.stringify(report)).toContain('SEC-1042'); // the example waiver applied
    // The second quarter is compared with the first: a joiner, a leaver and an escalation.
    expect(files).toContain('previous-quarter');
    const changes = JSON.stringify(report.changes);
    expect(changes).toContain('new.joiner@northwind-traders.com');
    expect(run.stdout).toMatch(/since then: .* became ORG_OWNER of /);
  });
});

describe('demo into a folder that holds one of its files', () => {
  it('is refused before anything is written (exit 4), and writes everything with --force', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'demo'));
    writeFileSync(join(dir, 'demo', 'access-review.html'), 'a report of last week');
    const run = await runCliForTest(['demo', '--out-dir', 'demo'], { cwd: dir, now: NOW });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('access-review.html');
    // It used to write policy.yaml, waivers.yaml and last quarter's snapshot before refusing.
    expect(readdirSync(join(dir, 'demo'))).toEqual(['access-review.html']);
    expect(readFileSync(join(dir, 'demo', 'access-review.html'), 'utf8')).toBe('a report of last week');
    const forced = await runCliForTest(['demo', '--out-dir', 'demo', '--force'], { cwd: dir, now: NOW });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'demo', 'access-review.html'), 'utf8')).toContain('<!DOCTYPE html>');
  });
});

describe('run --previous', () => {
  it('adds changes since the previous snapshot and marks findings new or still open', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    const first = await runCliForTest(
      ['run', '--all-orgs', '--base-url', sim.baseUrl, '--snapshot', 'q3.json', '--json', 'q3-report.json'],
      {
        env,
        cwd: dir,
        now: NOW,
      },
    );
    expect(first.code).toBe(1);
    await sim.close();
    // Next quarter: one organization's first user has left.
    const [org, ...rest] = estate.organizations;
    const leaver = org!.users[0]!;
    const changed = [
      {
        ...org!,
        users: org!.users.slice(1),
        teams: org!.teams.map((t) => ({ ...t, memberIds: t.memberIds.filter((id) => id !== leaver.id) })),
      },
      ...rest,
    ];
    sim = await startSimulator({ organizations: changed });
    const second = await runCliForTest(
      ['run', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'q4', '--previous', 'q3.json'],
      { env, cwd: dir, now: new Date('2026-12-01T12:00:00Z') },
    );
    expect(second.code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'q4', 'access-review.json'), 'utf8'));
    expect(JSON.stringify(report.changes)).toContain(leaver.username);
    expect(report.findings.every((f: { sinceLastReview: string | null }) => f.sinceLastReview !== null)).toBe(
      true,
    );
  });

  it('rejects a bad previous snapshot before the first request (exit 2)', async () => {
    sim = await startSimulator({ organizations: estate.organizations });
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{"schemaVersion": 1}');
    const run = await runCliForTest(
      ['run', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'o', '--previous', 'bad.json'],
      {
        env,
        cwd: dir,
        now: NOW,
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.json');
    expect(sim.stats().requests).toBe(0);
  });
});
