/**
 * The first hour of a new user: every command line the README gives, and every `--help`
 * example of every command and subcommand, runs as written and does what the text says: the exit
 * code, and the files it names.
 *
 * Where the lines run: the bundled simulator on 127.0.0.1 with the environment the README and
 * `simulate` document, the test SMTP server (test/email/smtp-test-server.ts) for mail, and a temporary
 * folder per README section (its lines run in order in it, as a reader would run them) or per help
 * example (each on its own), holding the files the text assumes: snapshots made by `collect`
 * (q2.json, q3.json, q4.json, snapshot.json, snap.json), policy.yaml, waivers.yaml (a bare list, as
 * the README describes it), and workbooks filled in with exceljs.
 *
 * Every line has a plan in README_PLANS or HELP_PLANS below: `run` (as written, after MAPPING), `usage`
 * (a synopsis with [optional] parts: every option and value list it names is checked against the
 * command's builder, and its required part runs when a `bare` expectation is given), or `skip` with
 * the reason. A line without a plan, or a plan without a line, fails the test: nothing is skipped
 * silently, and a changed line must be planned (and so run) again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyLog } from '../../src/review/apply.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { startSmtpServer, type TestServer } from '../email/smtp-test-server.js';
import { fillWorkbook } from '../fixtures/review/estate.js';
import { type CliRun, runCliForTest, tempDir } from '../helpers/cli.js';
import {
  commandSpecs,
  type DocumentedLine,
  documentedLines,
  requiredPart,
  usageProblems,
} from '../helpers/documented.js';
import { expectPlanMatchesSpec } from '../helpers/plan-spec.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const TEST_CA_FILE = join(REPO, 'test', 'fixtures', 'email', 'test-ca.pem');

// ---- The estate, the clock and the identities -------------------------------------------------------

/** Generated before every collection date below, so no snapshot holds a user created after it. */
const estate = generateEstate({ seed: 16, now: new Date(Date.UTC(2026, 4, 1)), ...PRESETS.demo });
const ORG_ID = estate.organizations[0]!.id;
const COLLECTOR = DEFAULT_CREDENTIALS.serviceAccounts[0];
const API_KEY = DEFAULT_CREDENTIALS.apiKeys[0];
/** `review apply` refuses the collector's identity: a second, write-capable service account. */
const WRITER = { clientId: 'mdb_sa_id_0a1b2c3d4e5f60718293a4b5', clientSecret: 'mdb_sa_sk_apply-test-only' };
const SMTP_USER = 'review-bot';
const SMTP_PASSWORD = 'smtp-test-only-password';
const REVIEWER = 'reviewer@audit.example.net';

/** Two plain members of the first organization: the help examples revoke one, the quarterly review the other. */
const members = estate.organizations[0]!.users.filter(
  (u) => u.status === 'ACTIVE' && u.orgRoles.length === 1 && u.orgRoles[0] === 'ORG_MEMBER',
);
const HELP_VICTIM = members[0]!;
const QUARTER_VICTIM = members[1]!;
const userKey = (id: string) => `${ORG_ID}:user:${id}`;

/** Each command runs one minute after the one before: default names with a UTC time never collide. */
const START = Date.UTC(2026, 10, 25, 12);
let minutes = 0;
const clock = () => new Date(START + ++minutes * 60_000);

let sim: Simulator;
let smtp: TestServer;
let store: string;
let freePort = 0;

/** The environment README "Credentials and environment" and `simulate`'s output tell a user to set. */
function documentedEnv(): Record<string, string> {
  return {
    MONGODB_ATLAS_BASE_URL: sim.baseUrl,
    MONGODB_ATLAS_CLIENT_ID: COLLECTOR.clientId,
    MONGODB_ATLAS_CLIENT_SECRET: COLLECTOR.clientSecret,
    MONGODB_ATLAS_PUBLIC_API_KEY: API_KEY.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: API_KEY.privateKey,
    ATLAS_REVIEW_APPLY_CLIENT_ID: WRITER.clientId,
    ATLAS_REVIEW_APPLY_CLIENT_SECRET: WRITER.clientSecret,
  };
}

/** SMTP_URL, SMTP_PASSWORD and SMTP_FROM, for examples whose text says they come from the environment. */
function smtpEnv(): Record<string, string> {
  return {
    SMTP_URL: `smtp://${SMTP_USER}@127.0.0.1:${smtp.port}`,
    SMTP_PASSWORD,
    SMTP_FROM: 'Atlas Review Bot <review-bot@example.com>',
  };
}

// ---- The mapping: the whole difference between a documented line and what runs ---------------------

/** `${{ secrets.NAME }}`, a GitHub workflow's reference to a secret. */
const secret = (name: string) => `\${{ secrets.${name} }}`;

/** Applied to every line's text and to a workflow step's env values; nothing else in a line changes. */
const MAPPING: ReadonlyArray<{ from: string; to: () => string; why: string }> = [
  {
    from: '5f1a2b3c4d5e6f7a8b9c0d1e',
    to: () => ORG_ID,
    why: "the example org id: the simulator's first org",
  },
  {
    from: 'https://opsmanager.example.com:8080',
    to: () => sim.baseUrl,
    why: 'the example Ops Manager: the simulator, which serves the Cloud Manager v1.0 API as well',
  },
  {
    from: 'smtp.example.com:587',
    to: () => `127.0.0.1:${smtp.port}`,
    why: 'the example SMTP server: the test server on 127.0.0.1 (STARTTLS and AUTH, as a real one)',
  },
  {
    from: 'SMTP_PASSWORD=...',
    to: () => `SMTP_PASSWORD=${SMTP_PASSWORD}`,
    why: "the placeholder: the test server's",
  },
  {
    from: secret('ATLAS_CLIENT_ID'),
    to: () => COLLECTOR.clientId,
    why: "the workflow's Atlas secrets: the simulator's service account",
  },
  { from: secret('ATLAS_CLIENT_SECRET'), to: () => COLLECTOR.clientSecret, why: 'as above' },
  {
    from: secret('SMTP_PASSWORD'),
    to: () => SMTP_PASSWORD,
    why: "the workflow's SMTP secret: the test server's",
  },
  { from: '--port 8080', to: () => `--port ${freePort}`, why: 'port 8080 may be taken where the tests run' },
  {
    from: 'npx atlas-access-review',
    to: () => 'atlas-access-review',
    why: 'inside the clone npx runs the package bin, the build of src/cli/main.ts: the CLI run here in-process (the bin is checked by its own test below)',
  },
];
/**
 * Added to a line that sends mail: the test server's certificate is signed by a test CA
 * (test/fixtures/email/test-ca.pem), where a real server's chains to a public one.
 */
const sendMailArgs = () => ['--smtp-ca', TEST_CA_FILE];
/**
 * Added to a workflow step's env, as the GitHub runner provides it: the step summary file, and the
 * simulator's base URL where the workflow uses the default https://cloud.mongodb.com.
 */
const runnerEnv = (dir: string) => ({
  MONGODB_ATLAS_BASE_URL: sim.baseUrl,
  GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md'),
});

function mapped(text: string): string {
  let out = text;
  for (const m of MAPPING) out = out.split(m.from).join(m.to());
  return out;
}

// ---- Plans -------------------------------------------------------------------------------------------

interface Expect {
  /** The exit code the text promises. */
  code: number;
  /** Files copied from the prepared store into the folder before the line runs, when not there yet. */
  given?: string[];
  /** Files the line writes, relative to its folder (`*` matches within a path segment): each new or changed. */
  writes?: string[];
  stdout?: RegExp;
  /** `smtp`: the example's text says SMTP_URL, SMTP_PASSWORD and SMTP_FROM come from the environment. */
  env?: 'smtp';
  /** Mails the line sends (to the test SMTP server), with the recipients the line names. */
  mails?: { to: string[] };
  /** A real process, stopped with SIGINT once it is serving (`simulate` runs in the foreground). */
  foreground?: true;
  /** Help examples with the same group run in one folder, in order (later ones use what earlier wrote). */
  group?: string;
  before?: (dir: string) => Promise<void>;
  check?: (dir: string, run: CliRun, written: string[]) => void | Promise<void>;
}
type Plan = { run: Expect } | { usage: true; bare?: Expect } | { skip: string };

const REPORT_FILES = [
  'access-review.html',
  'access-review.xlsx',
  'access-review.json',
  'access-review-roster.csv',
  'access-review-junit.xml',
  'access-review.md',
];
const IMPORT_FILES = ['signoff.json', 'signoff.html', 'revocation-plan.json', 'revocation-plan.txt'];
const under = (dir: string, files: readonly string[]) => files.map((f) => `${dir}/${f}`);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** A snapshot `collect` wrote in this folder, and what it holds. */
const snapshotIn = (file: string) =>
  readJson(file) as {
    source: { api: string };
    organizations: Array<{ id: string; users: Array<{ id: string }>; coverage: Record<string, boolean> }>;
  };

/** `simulate` after Ctrl+C: it says so, with the requests it served (the "Then:" collection among them). */
const stoppedCleanly = (_dir: string, run: CliRun) =>
  expect(run.stderr).toMatch(/simulator stopped after \d+ request/);

/** The files `report --split-by reviewer` reads in the README's campaign example. */
const CAMPAIGN_GIVEN = ['snap.json', 'hr-roster.csv', 'campaign-policy.yaml'];
/** A campaign folder as the README's split line writes it (help examples run each in its own folder). */
async function splitCampaign(dir: string): Promise<void> {
  const r = await runCliForTest(
    [
      'report',
      'snap.json',
      '--roster',
      'hr-roster.csv',
      '--policy',
      'campaign-policy.yaml',
      '--split-by',
      'reviewer',
      '--out-dir',
      'campaign',
      '--fail-on',
      'never',
    ],
    { cwd: dir, now: clock() },
  );
  expect(r.code, r.stderr).toBe(0);
}

const README_PLANS: Record<string, Plan> = {
  // (top)
  'npm ci && npm run demo': {
    skip: 'npm ci reinstalls node_modules from the registry; npm run demo is `node dist/cli/bin.cjs demo`, and `demo` itself runs below (README demo section)',
  },
  'npm test': { skip: 'runs this suite' },

  // Installing (and its "From a clone" part)
  'npm ci': { skip: 'reinstalls node_modules from the registry (and builds dist/, see the bin test below)' },
  'npx atlas-access-review --help': { run: { code: 0, stdout: /^Commands:$/m } },
  'npm link': { skip: "changes the machine's global npm prefix" },
  'npm pack': {
    skip: 'builds and writes a tarball into the clone; its name is checked by the tarball test below',
  },
  'npm install -g @atlas-access-review/cli@0.1.0': {
    skip: "installs from the npm registry into the machine's global prefix; the name and version are checked by the package test below",
  },
  'npm install -g ./atlas-access-review-cli-0.1.0.tgz': {
    skip: "installs into the machine's global npm prefix; the tarball name is checked by the tarball test below",
  },

  // Signing the evidence (one folder, in order): a key pair, a signed snapshot, an audit that checks it
  'atlas-access-review evidence keygen --out-dir keys': {
    run: { code: 0, writes: ['keys/signing-key.pem', 'keys/verify-key.pem'] },
  },
  'atlas-access-review collect --all-orgs -o q4.json --signing-key keys/signing-key.pem': {
    run: { code: 0, writes: ['q4.json', 'q4.json.sig'] },
  },
  'atlas-access-review audit q4.json --verify-key keys/verify-key.pem': {
    run: { code: 1, stdout: /signed by SHA256:\S+, verified/ },
  },
  'atlas-access-review evidence verify q4.json --verify-key keys/verify-key.pem': {
    run: { code: 0, stdout: /q4\.json/ },
  },
  'atlas-access-review report q4.json --out-dir q4-reports --fail-on never': {
    run: { code: 0, writes: under('q4-reports', REPORT_FILES) },
  },
  'atlas-access-review evidence pack --out review-2026Q4.zip --snapshot q4.json --report-dir q4-reports --key keys/signing-key.pem':
    { run: { code: 0, writes: ['review-2026Q4.zip'], stdout: /sealed with SHA256:/ } },
  'atlas-access-review evidence verify review-2026Q4.zip --key keys/verify-key.pem': {
    run: {
      code: 0,
      stdout:
        /^ok review-2026Q4\.zip: evidence pack, \d+ file\(s\) match the manifest; sealed by SHA256:\S+ \(a given verify key\)/,
    },
  },
  'atlas-access-review evidence signature': {
    skip: 'not a command: the text quotes the prefix of the statement a signature covers',
  },

  // The quarterly review, step by step (one folder, in order)
  'atlas-access-review doctor --all-orgs': { run: { code: 0, stdout: /\bok\b/ } },
  'atlas-access-review collect --all-orgs -o q4.json': { run: { code: 0, writes: ['q4.json'] } },
  'atlas-access-review report q4.json --out-dir review-q4 --policy policy.yaml --waivers waivers.yaml --previous q3.json':
    {
      run: {
        code: 1,
        given: ['q3.json', 'policy.yaml', 'waivers.yaml'],
        writes: under('review-q4', REPORT_FILES),
        check: (dir) => {
          const report = readJson(join(dir, 'review-q4', 'access-review.json'));
          expect(report.changes.previous.file).toBe('q3.json');
        },
      },
    },
  'atlas-access-review review import filled.xlsx --snapshot q4.json --out-dir evidence-q4': {
    run: {
      code: 0,
      // "3. reviewers fill Decision / Reviewer / Reviewed on / Comment in review-q4/access-review.xlsx"
      before: async (dir) => {
        const collected = new Date(snapshotDate(join(dir, 'q4.json')));
        await fillWorkbook(join(dir, 'review-q4', 'access-review.xlsx'), join(dir, 'filled.xlsx'), (key) => ({
          decision: key === userKey(QUARTER_VICTIM.id) ? 'Revoke' : 'Keep',
          reviewer: REVIEWER,
          reviewedOn: collected,
          // A Keep of a privileged or flagged row needs a justification (docs/review.md).
          comment: key === userKey(QUARTER_VICTIM.id) ? null : 'needed for the on-call rota',
        }));
      },
      writes: under('evidence-q4', IMPORT_FILES),
      check: (dir) => expectPlanMatchesSpec(readJson(join(dir, 'evidence-q4', 'revocation-plan.json'))),
    },
  },
  'atlas-access-review review apply evidence-q4/revocation-plan.json --snapshot q4.json --workbook filled.xlsx --yes':
    {
      run: {
        code: 0,
        writes: ['evidence-q4/apply-log.json'],
        check: (dir) => {
          const log: ApplyLog = readJson(join(dir, 'evidence-q4', 'apply-log.json'));
          expect(log.summary).toMatchObject({ done: 1, failed: 0 });
        },
      },
    },
  'atlas-access-review run --all-orgs --out-dir review-q1 --signoff evidence-q4/signoff.json': {
    run: {
      // The revocation was carried out, so the sign-off adds no finding; the estate's others still fail.
      code: 1,
      writes: ['review-q1/snapshot.json', ...under('review-q1', REPORT_FILES)],
      check: (dir) => {
        const ids = snapshotIn(join(dir, 'review-q1', 'snapshot.json')).organizations[0]!.users.map(
          (u) => u.id,
        );
        expect(ids).not.toContain(QUARTER_VICTIM.id);
        const report = readJson(join(dir, 'review-q1', 'access-review.json')) as {
          rules: Array<{ id: string; subjectsChecked: number; failed: number }>;
        };
        // The sign-off's one revocation was checked against the new snapshot, and found done.
        expect(report.rules.find((r) => r.id === 'review-revocation-not-done')).toMatchObject({
          subjectsChecked: 1,
          failed: 0,
        });
      },
    },
  },

  // doctor
  'atlas-access-review doctor --org 5f1a2b3c4d5e6f7a8b9c0d1e [--org ...] [--format text|json]': {
    usage: true,
    bare: { code: 0, stdout: /\bok\b/ },
  },

  // collect (one folder, in order)
  'atlas-access-review collect --org 5f1a2b3c4d5e6f7a8b9c0d1e [--org ...] -o snapshot.json': {
    usage: true,
    bare: {
      code: 0,
      writes: ['snapshot.json'],
      check: (dir) =>
        expect(snapshotIn(join(dir, 'snapshot.json')).organizations.map((o) => o.id)).toEqual([ORG_ID]),
    },
  },
  'atlas-access-review collect --all-orgs': {
    run: {
      code: 0,
      writes: ['atlas-snapshot-*.json'],
      check: (_dir, _run, [file]) =>
        expect(snapshotIn(file!).organizations).toHaveLength(estate.organizations.length),
    },
  },
  'atlas-access-review collect --all-orgs --include project-invitations': {
    run: {
      code: 0,
      writes: ['atlas-snapshot-*.json'],
      check: (_dir, _run, [file]) =>
        expect(snapshotIn(file!).organizations.every((o) => o.coverage.projectInvitations)).toBe(true),
    },
  },
  'atlas-access-review collect --api cloud-manager --org 5f1a2b3c4d5e6f7a8b9c0d1e --base-url https://opsmanager.example.com:8080':
    {
      run: {
        code: 0,
        writes: ['atlas-snapshot-*.json'],
        check: (_dir, _run, [file]) => expect(snapshotIn(file!).source.api).toBe('cloud-manager'),
      },
    },

  // audit
  'atlas-access-review audit snapshot.json [--rules dir] [--policy policy.yaml] [--waivers waivers.yaml] [--fail-on low|medium|high|critical|never] [--baseline findings.json] [--signoff signoff.json] [--roster hr.csv] [--framework id] [--format text|json|junit|markdown|github|sarif|html|xlsx|csv|email] [--output file] [--write-baseline file] [--force]':
    { usage: true, bare: { code: 1, given: ['snapshot.json'], stdout: /^HIGH /m } },

  // rules
  'atlas-access-review rules list [--rules dir] [--framework id] [--format text|json]': {
    usage: true,
    bare: { code: 0, stdout: /stale-last-auth/ },
  },
  'atlas-access-review report q4.json --framework pci-dss-4 --group-by control --out-dir q4-pci': {
    run: {
      code: 1,
      given: ['q4.json'],
      writes: under('q4-pci', REPORT_FILES),
      check: (dir, run) => {
        // Which control set which threshold, on stderr and in the report's meta.
        expect(run.stderr).toContain('stale-last-auth maxDays=90: pci-dss-4 8.2.6');
        const model = readJson(join(dir, 'q4-pci/access-review.json'));
        expect(model.meta.frameworks.selected).toEqual([{ id: 'pci-dss-4', name: 'PCI DSS v4.0' }]);
        const controls = model.findings.flatMap(
          (g: { rules: Array<{ controls: Array<{ framework: string }> }> }) =>
            g.rules.flatMap((r) => r.controls.map((c) => c.framework)),
        );
        expect(new Set(controls)).toEqual(new Set(['pci-dss-4']));
        expect(readFileSync(join(dir, 'q4-pci/access-review.html'), 'utf8')).toContain('Findings by control');
      },
    },
  },
  'atlas-access-review rules validate <dir>': { usage: true },
  'atlas-access-review rules facts [kind]': { usage: true, bare: { code: 0, stdout: /daysSinceLastAuth/ } },
  'atlas-access-review rules schema [--output rules/rule.schema.json --force]': {
    usage: true,
    bare: { code: 0, stdout: /"\$schema"/ },
  },

  // report, run: every option checked; their required parts are a choice (an output; --org or --all-orgs)
  'atlas-access-review report snap.json --roster hr-roster.csv --policy campaign-policy.yaml --split-by reviewer --out-dir campaign/':
    {
      run: {
        code: 1,
        given: ['snap.json', 'hr-roster.csv', 'campaign-policy.yaml'],
        writes: ['campaign/campaign.json', 'campaign/review-security-lead-at-example.com.xlsx'],
        check: (dir) => {
          const campaign = readJson(join(dir, 'campaign', 'campaign.json'));
          expect(campaign.reviewers.map((r: { reviewer: string }) => r.reviewer)).toEqual([
            'security-lead@example.com',
          ]);
        },
      },
    },
  // The campaign the line above split: nothing decided yet, due in 14 days.
  'atlas-access-review review status campaign/ --campaign campaign/campaign.json': {
    run: { code: 0, stdout: /^reviewer +decided +open/m },
  },
  'atlas-access-review review remind campaign/ --campaign campaign/campaign.json --email-from review-bot@example.com --eml reminders/':
    { run: { code: 0, writes: ['reminders/remind-*.eml'] } },
  'atlas-access-review review merge campaign/ --campaign campaign/campaign.json --snapshot snap.json --out-dir evidence/':
    {
      run: {
        code: 1,
        check: (dir, run) => {
          expect(run.stderr).toMatch(
            /review merge: \d+ row\(s\) open, 0 workbook\(s\) missing; nothing written/,
          );
          expect(existsSync(join(dir, 'evidence', 'signoff.json'))).toBe(false);
        },
      },
    },
  'atlas-access-review review merge campaign/ --campaign campaign/campaign.json --snapshot snap.json [--out-dir dir] [--close] [--reassigned-out] [--policy file] [--roster file] [--force]':
    { usage: true },
  'atlas-access-review review apply evidence/revocation-plan.json --snapshot snap.json --workbook campaign/ --campaign campaign/campaign.json [--yes]':
    { usage: true },
  'atlas-access-review report snapshot.json [--html f] [--xlsx f] [--json f] [--csv f] [--junit f] [--markdown f] [--out-dir dir] [--previous previous-snapshot.json] [--group-by rule|control] [--force] [audit options] [--split-by reviewer] [--due YYYY-MM-DD] [--campaign-id id] [--signing-key key.pem]':
    { usage: true },
  'atlas-access-review run (--org <id>... | --all-orgs) [collect options] [audit options] [--out-dir dir | --html f --xlsx f ...] [--snapshot file] [--previous previous-snapshot.json] [--format text|json|junit|markdown|github|sarif|html|csv|email] [--email-to addr... email options] [--force] [--quiet] [--evidence pack.zip] [--split-by reviewer] [--due YYYY-MM-DD] [--campaign-id id]':
    { usage: true },

  // email
  'SMTP_URL=smtp://review-bot@smtp.example.com:587 SMTP_PASSWORD=... SMTP_FROM=review-bot@example.com atlas-access-review email snapshot.json --email-to security@example.com [--email-cc ciso@example.com] [--email-from addr] [--email-subject text] [--attach-json] [--eml file] [--previous previous-snapshot.json] [smtp options] [audit options]':
    { usage: true, bare: { code: 1, given: ['snapshot.json'], mails: { to: ['security@example.com'] } } },
  'atlas-access-review email q4.json --previous q3.json --email-to security@example.com --email-from review-bot@example.com --eml review.eml':
    {
      run: {
        code: 1,
        given: ['q3.json', 'q4.json'],
        writes: ['review.eml'],
        check: async (dir) => {
          const mail = await simpleParser(readFileSync(join(dir, 'review.eml')));
          expect(mail.from?.text).toBe('review-bot@example.com');
          expect(mail.text).toContain('Since the previous review');
        },
      },
    },

  // diff
  'atlas-access-review diff q3.json q4.json [--format text|json|markdown] [--output file] [--force]': {
    usage: true,
    bare: { code: 0, given: ['q3.json', 'q4.json'] },
  },

  // review import and review verify: apply and verify name a placeholder folder (dir/...), so only their options are checked
  'atlas-access-review review import filled.xlsx --snapshot q4.json [--out-dir dir] [--force]': {
    usage: true,
    bare: { code: 0, given: ['filled.xlsx', 'q4.json'], writes: IMPORT_FILES },
  },
  'atlas-access-review review apply dir/revocation-plan.json --snapshot q4.json --workbook filled.xlsx [--signoff dir/signoff.json] [--yes] [--log file] [--force]':
    { usage: true },
  'atlas-access-review review verify dir/signoff.json --snapshot q1.json --reviewed-snapshot q4.json [--format text|json] [--output file] [--force]':
    { usage: true },

  // demo
  'npm run demo': {
    skip: '`node dist/cli/bin.cjs demo` needs the build of npm ci; the same `demo` runs on the next line',
  },
  'atlas-access-review demo [--out-dir dir] [--preset demo|max|max-db|ten|large] [--seed 42] [--force]': {
    usage: true,
    bare: { code: 0, writes: ['demo-output/atlas-review-*/access-review.html'] },
  },

  // simulate
  'atlas-access-review simulate --port 8080 --preset demo': {
    run: {
      code: 0,
      foreground: true,
      stdout: /preset demo, seed 1: 3 organization\(s\)/,
      check: stoppedCleanly,
    },
  },

  // CI gate (one folder, in order: the baseline, then the workflow step, then the offline gate)
  'atlas-access-review collect --all-orgs -o snapshot.json': { run: { code: 0, writes: ['snapshot.json'] } },
  'atlas-access-review audit snapshot.json --policy policy.yaml --waivers waivers.yaml --write-baseline accepted-findings.json':
    {
      run: {
        code: 0,
        given: ['policy.yaml', 'waivers.yaml'],
        writes: ['accepted-findings.json'],
        check: (dir) =>
          expect(readJson(join(dir, 'accepted-findings.json')).findings.length).toBeGreaterThan(0),
      },
    },
  'npm install -g ./tools/atlas-access-review-cli-0.1.0.tgz': {
    skip: "installs into the runner's global npm prefix; the tarball name is checked by the tarball test below",
  },
  'atlas-access-review run --all-orgs --policy policy.yaml --waivers waivers.yaml --baseline accepted-findings.json --fail-on high --junit junit.xml --format github':
    {
      run: {
        // Every finding is in the baseline taken from the same estate: the gate passes.
        code: 0,
        writes: ['junit.xml', 'step-summary.md'],
        stdout: /^::(warning|notice) /m,
        check: (_dir, run) => expect(run.stdout).not.toMatch(/^wrote /m),
      },
    },
  'atlas-access-review audit snapshot.json --roster hr-roster.csv': {
    run: {
      code: 1,
      given: ['hr-roster.csv'],
      stdout: /^Roster \S*hr-roster\.csv: \d+ people, sha256 [0-9a-f]{64}$/m,
    },
  },
  'atlas-access-review audit snapshot.json --fail-on high --format github': {
    run: { code: 1, stdout: /^::error /m },
  },

  // Scheduled review by email
  'atlas-access-review run --all-orgs --out-dir review --policy policy.yaml --waivers waivers.yaml --email-to security@example.com --email-cc ciso@example.com':
    {
      run: {
        // "Exit 1 ... marks the job failed after the mail has gone out"
        code: 1,
        given: ['policy.yaml', 'waivers.yaml'],
        writes: ['review/snapshot.json', ...under('review', REPORT_FILES)],
        mails: { to: ['security@example.com', 'ciso@example.com'] },
      },
    },

  // Development
  'npm run lint': { skip: 'biome and tsc over the repository: run by CI (.ci/run) on every change' },
  'npm run format': { skip: 'rewrites files in the clone' },
  'npm run docs:rules': {
    skip: 'rewrites README.md in the clone; test/rules/readme-table.test.ts checks README holds what it writes',
  },
  'npm run build': { skip: 'writes dist/ in the clone; what it builds is checked by the bin test below' },
  'npm run bench': { skip: 'minutes of benchmarks that print figures, nothing to compare with a text' },
};

const HELP_PLANS: Record<string, Plan> = {
  '$0 doctor --org 5f1a2b3c4d5e6f7a8b9c0d1e': { run: { code: 0, stdout: /\bok\b/ } },
  '$0 doctor --all-orgs --format json': {
    run: { code: 0, check: (_dir, run) => expect(JSON.parse(run.stdout)).toBeTypeOf('object') },
  },
  '$0 doctor --all-orgs --include project-invitations': { run: { code: 0, stdout: /project invitations/i } },
  '$0 collect --org 5f1a2b3c4d5e6f7a8b9c0d1e -o snapshot.json': {
    run: { code: 0, writes: ['snapshot.json'] },
  },
  '$0 collect --all-orgs': { run: { code: 0, writes: ['atlas-snapshot-*.json'] } },
  '$0 collect --all-orgs --include project-invitations': {
    run: {
      code: 0,
      writes: ['atlas-snapshot-*.json'],
      check: (_dir, _run, [file]) =>
        expect(snapshotIn(file!).organizations.every((o) => o.coverage.projectInvitations)).toBe(true),
    },
  },
  '$0 audit snap.json --fail-on high --format github': {
    run: { code: 1, given: ['snap.json'], stdout: /^::error /m },
  },
  '$0 audit snap.json --policy policy.yaml --waivers waivers.yaml --write-baseline accepted.json': {
    run: { code: 0, given: ['snap.json', 'policy.yaml', 'waivers.yaml'], writes: ['accepted.json'] },
  },
  '$0 email snap.json --email-to sec@example.com': {
    run: { code: 1, env: 'smtp', given: ['snap.json'], mails: { to: ['sec@example.com'] } },
  },
  '$0 email snap.json --email-to sec@example.com --email-from review-bot@example.com --eml review.eml': {
    run: { code: 1, given: ['snap.json'], writes: ['review.eml'] },
  },
  '$0 email q4.json --previous q3.json --email-to sec@example.com --email-from review-bot@example.com --eml review.eml':
    {
      run: {
        code: 1,
        given: ['q3.json', 'q4.json'],
        writes: ['review.eml'],
        check: async (dir) =>
          expect((await simpleParser(readFileSync(join(dir, 'review.eml')))).text).toContain(
            'Since the previous review',
          ),
      },
    },
  '$0 report snap.json --out-dir out/': {
    run: { code: 1, given: ['snap.json'], writes: under('out', REPORT_FILES) },
  },
  '$0 report q4.json --previous q3.json --out-dir out/': {
    run: { code: 1, given: ['q3.json', 'q4.json'], writes: under('out', REPORT_FILES) },
  },
  '$0 report snap.json --html r.html --xlsx review.xlsx --waivers waivers.yaml': {
    run: { code: 1, given: ['snap.json', 'waivers.yaml'], writes: ['r.html', 'review.xlsx'] },
  },
  '$0 report snap.json --roster hr-roster.csv --policy campaign-policy.yaml --split-by reviewer --out-dir campaign/':
    {
      run: {
        code: 1,
        given: ['snap.json', 'hr-roster.csv', 'campaign-policy.yaml'],
        writes: ['campaign/campaign.json', 'campaign/review-*.xlsx'],
        check: (dir) => {
          const campaign = readJson(join(dir, 'campaign', 'campaign.json'));
          expect(campaign.fallbackReviewer).toBe('security-lead@example.com');
          expect(campaign.reviewers.map((r: { workbook: string }) => r.workbook).sort()).toEqual(
            readdirSync(join(dir, 'campaign'))
              .filter((f) => f.endsWith('.xlsx'))
              .sort(),
          );
        },
      },
    },
  '$0 review status campaign/ --campaign campaign/campaign.json': {
    run: { code: 0, given: CAMPAIGN_GIVEN, before: splitCampaign, stdout: /not past due|decided, \d+ open/ },
  },
  '$0 review status campaign/ --campaign campaign/campaign.json --snapshot snap.json': {
    run: { code: 0, given: CAMPAIGN_GIVEN, before: splitCampaign, stdout: /not past due|decided, \d+ open/ },
  },
  '$0 review remind campaign/ --campaign campaign/campaign.json --email-from review-bot@example.com --eml reminders/':
    {
      run: {
        code: 0,
        given: CAMPAIGN_GIVEN,
        before: splitCampaign,
        writes: ['reminders/remind-*.eml'],
        check: async (_dir, _run, written) => {
          const mail = await simpleParser(readFileSync(written[0]!));
          expect(mail.attachments.map((a) => a.filename)[0]).toMatch(/^review-.*\.xlsx$/);
        },
      },
    },
  '$0 review merge campaign/ --campaign campaign/campaign.json --snapshot snap.json --out-dir evidence/': {
    run: { code: 1, given: CAMPAIGN_GIVEN, before: splitCampaign },
  },
  '$0 review merge campaign/ --campaign campaign/campaign.json --snapshot snap.json --out-dir evidence/ --close --policy close-policy.yaml':
    {
      run: {
        code: 0,
        given: CAMPAIGN_GIVEN,
        before: async (dir) => {
          await splitCampaign(dir);
          writeFileSync(
            join(dir, 'close-policy.yaml'),
            'review:\n  fallbackReviewer: security-lead@example.com\n  undecided: keep\n',
          );
        },
        writes: under('evidence', IMPORT_FILES),
        check: (dir) => {
          const signoff = readJson(join(dir, 'evidence', 'signoff.json'));
          expect(signoff.campaign.closedUndecided.policy).toBe('keep');
          expect(signoff.counts.identities).toBe(signoff.campaign.closedUndecided.rows.length);
        },
      },
    },
  '$0 run --all-orgs --out-dir review-2026Q4': {
    run: { code: 1, writes: ['review-2026Q4/snapshot.json', ...under('review-2026Q4', REPORT_FILES)] },
  },
  '$0 run --org 5f1a2b3c4d5e6f7a8b9c0d1e --policy policy.yaml --waivers waivers.yaml --fail-on high --junit junit.xml --format github':
    {
      run: {
        code: 1,
        given: ['policy.yaml', 'waivers.yaml'],
        writes: ['junit.xml', 'atlas-snapshot-*.json'],
        stdout: /^::error /m,
      },
    },
  '$0 run --all-orgs --out-dir out --email-to security@example.com': {
    run: {
      code: 1,
      env: 'smtp',
      writes: ['out/snapshot.json', ...under('out', REPORT_FILES)],
      mails: { to: ['security@example.com'] },
    },
  },
  '$0 run --all-orgs --roster hr-roster.csv --policy campaign-policy.yaml --split-by reviewer --out-dir campaign/':
    {
      run: {
        code: 1,
        given: ['hr-roster.csv', 'campaign-policy.yaml'],
        writes: ['campaign/snapshot.json', 'campaign/campaign.json', 'campaign/review-*.xlsx'],
        check: (dir) => {
          const campaign = readJson(join(dir, 'campaign', 'campaign.json'));
          // The campaign is bound to the snapshot the run wrote beside it.
          const snapshot = readFileSync(join(dir, 'campaign', 'snapshot.json'));
          expect(campaign.snapshot.sha256).toBe(createHash('sha256').update(snapshot).digest('hex'));
          expect(campaign.fallbackReviewer).toBe('security-lead@example.com');
          expect(campaign.reviewers.map((r: { workbook: string }) => r.workbook).sort()).toEqual(
            readdirSync(join(dir, 'campaign'))
              .filter((f) => f.endsWith('.xlsx'))
              .sort(),
          );
        },
      },
    },
  '$0 evidence keygen --out-dir keys': {
    run: { code: 0, group: 'evidence', writes: ['keys/signing-key.pem', 'keys/verify-key.pem'] },
  },
  '$0 evidence sign campaign/campaign.json --kind campaign --signing-key keys/signing-key.pem': {
    run: {
      code: 0,
      given: CAMPAIGN_GIVEN,
      // A campaign split without a key, and a key pair made after it.
      before: async (dir) => {
        await splitCampaign(dir);
        const r = await runCliForTest(['evidence', 'keygen', '--out-dir', 'keys'], {
          env: documentedEnv(),
          cwd: dir,
        });
        expect(r.code, r.stderr).toBe(0);
      },
      writes: ['campaign/campaign.json.sig'],
      stdout: /^signed campaign\/campaign\.json\.sig with key SHA256:/,
    },
  },
  '$0 evidence verify q4.json --verify-key keys/verify-key.pem': {
    run: {
      code: 0,
      group: 'evidence',
      // The snapshot it checks, signed with the key the example before made.
      before: async (dir) => {
        const r = await runCliForTest(
          ['collect', '--all-orgs', '-o', 'q4.json', '--signing-key', 'keys/signing-key.pem', '--quiet'],
          { env: documentedEnv(), cwd: dir },
        );
        expect(r.code, r.stderr).toBe(0);
      },
      stdout: /q4\.json/,
    },
  },
  '$0 evidence verify evidence/signoff.json evidence/revocation-plan.json --verify-key keys/verify-key.pem': {
    run: {
      code: 0,
      group: 'evidence',
      // A quarter's sign-off and plan: the signed q4.json's workbook, filled, imported with the same key.
      before: async (dir) => {
        const env = documentedEnv();
        const keys = ['--verify-key', 'keys/verify-key.pem'];
        const report = await runCliForTest(
          ['report', 'q4.json', '--xlsx', 'q4.xlsx', '--fail-on', 'never', ...keys],
          { env, cwd: dir },
        );
        expect(report.code, report.stderr).toBe(0);
        const reviewedOn = new Date(snapshotDate(join(dir, 'q4.json')));
        await fillWorkbook(join(dir, 'q4.xlsx'), join(dir, 'q4-filled.xlsx'), () => ({
          decision: 'Keep',
          reviewer: REVIEWER,
          reviewedOn,
          comment: 'needed for the on-call rota',
        }));
        const r = await runCliForTest(
          ['review', 'import', 'q4-filled.xlsx', '--snapshot', 'q4.json', '--out-dir', 'evidence'].concat(
            '--signing-key',
            'keys/signing-key.pem',
          ),
          { env, cwd: dir },
        );
        expect(r.code, r.stderr).toBe(0);
      },
      stdout: /signoff\.json/,
    },
  },
  '$0 evidence verify review-2026Q4.zip --key keys/verify-key.pem': {
    run: {
      code: 0,
      group: 'evidence',
      // The pack of the quarter the examples before made: its reports, sign-off and plan.
      before: async (dir) => {
        const env = documentedEnv();
        const report = await runCliForTest(
          ['report', 'q4.json', '--out-dir', 'reports', '--fail-on', 'never'],
          {
            env,
            cwd: dir,
          },
        );
        expect(report.code, report.stderr).toBe(0);
        const pack = await runCliForTest(
          [
            'evidence',
            'pack',
            '--out',
            'review-2026Q4.zip',
            '--snapshot',
            'q4.json',
            '--report-dir',
            'reports',
          ].concat(
            ['--signoff', 'evidence/signoff.json', '--plan', 'evidence/revocation-plan.json'],
            ['--key', 'keys/signing-key.pem'],
          ),
          { env, cwd: dir },
        );
        expect(pack.code, pack.stderr).toBe(0);
      },
      // sign-off -> snapshot, plan -> sign-off and snapshot, the JSON report -> snapshot, and the signer
      // of the snapshot the sign-off recorded -> the packed signature.
      stdout: /^ok review-2026Q4\.zip: evidence pack, .*chain: 5 link\(s\) hold/,
    },
  },
  '$0 evidence pack --out review-2026Q4.zip --snapshot q4.json --report-dir reports --signoff evidence/signoff.json --plan evidence/revocation-plan.json --key keys/signing-key.pem':
    {
      run: {
        code: 0,
        group: 'evidence',
        // The example before packed the same files: written again, not refused as existing.
        before: async (dir) => rmSync(join(dir, 'review-2026Q4.zip'), { force: true }),
        writes: ['review-2026Q4.zip'],
        stdout: /sealed with SHA256:\S+\)\n {2}verdict /,
      },
    },
  '$0 rules list --format json': {
    run: { code: 0, check: (_dir, run) => expect(JSON.parse(run.stdout).length).toBeGreaterThan(20) },
  },
  '$0 rules list --framework pci-dss-4': {
    run: { code: 0, stdout: /^8\.2\.6 {2}Inactive user accounts[^\n]*\n {2}db-user-inactive /m },
  },
  '$0 report snap.json --framework pci-dss-4 --group-by control --html r.html --xlsx review.xlsx': {
    run: { code: 1, given: ['snap.json'], writes: ['r.html', 'review.xlsx'] },
  },
  '$0 rules validate my-rules': {
    run: {
      code: 0,
      before: async (dir) => cpSync(join(PACKAGE_ROOT, 'rules'), join(dir, 'my-rules'), { recursive: true }),
    },
  },
  '$0 rules facts user': { run: { code: 0, stdout: /daysSinceLastAuth/ } },
  '$0 rules schema --output rule.schema.json': { run: { code: 0, writes: ['rule.schema.json'] } },
  '$0 review verify evidence/q3/signoff.json --snapshot q4.json --reviewed-snapshot q3.json': {
    run: {
      code: 1,
      group: 'review',
      given: ['q4.json'],
      // q4.json was collected before the help example's apply ran: the Q3 revocation shows as not done.
      stdout: /not carried out|not done/i,
    },
  },
  '$0 diff q2.json q3.json --format markdown': {
    run: { code: 0, given: ['q2.json', 'q3.json'], stdout: /^#/m },
  },
  '$0 review import q3-filled.xlsx --snapshot q3.json --out-dir evidence/q3': {
    run: {
      code: 0,
      group: 'review',
      given: ['q3.json', 'q3-filled.xlsx'],
      writes: under('evidence/q3', IMPORT_FILES),
      check: (dir) => expectPlanMatchesSpec(readJson(join(dir, 'evidence', 'q3', 'revocation-plan.json'))),
    },
  },
  '$0 review apply evidence/q3/revocation-plan.json --snapshot q3.json --workbook q3-filled.xlsx': {
    run: {
      code: 0,
      group: 'review',
      check: (dir, run) => {
        expect(run.stderr).toContain('dry run, nothing sent');
        expect(existsSync(join(dir, 'evidence', 'q3', 'apply-log.json'))).toBe(false);
      },
    },
  },
  '$0 review apply evidence/q3/revocation-plan.json --snapshot q3.json --workbook q3-filled.xlsx --yes': {
    run: {
      code: 0,
      group: 'review',
      writes: ['evidence/q3/apply-log.json'],
      check: (dir) => {
        const log: ApplyLog = readJson(join(dir, 'evidence', 'q3', 'apply-log.json'));
        expect(log.summary).toMatchObject({ calls: 1, done: 1 });
      },
    },
  },
  '$0 demo --out-dir trial': {
    run: { code: 0, writes: ['trial/access-review.html', 'trial/access-review.xlsx', 'trial/snapshot.json'] },
  },
  '$0 simulate --port 8080 --quarter 2': {
    run: {
      code: 0,
      foreground: true,
      stdout: /quarter 2: .* left /,
      check: stoppedCleanly,
    },
  },
  '$0 simulate --port 8080': {
    run: {
      code: 0,
      foreground: true,
      stdout: /listening on http:\/\/127\.0\.0\.1:\d+/,
      check: stoppedCleanly,
    },
  },
};

// ---- Running a line ----------------------------------------------------------------------------------

/** Paths (relative, `/`-separated) under `dir` matching `pattern`, with their modification times. */
function matches(dir: string, pattern: string): Map<string, number> {
  const found = new Map<string, number>();
  const walk = (at: string, parts: string[]) => {
    const [head, ...rest] = parts;
    if (head === undefined) return;
    const re = new RegExp(`^${head.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    for (const name of existsSync(join(dir, at)) ? readdirSync(join(dir, at)) : []) {
      if (!re.test(name)) continue;
      const rel = at ? `${at}/${name}` : name;
      if (rest.length === 0) found.set(rel, statSync(join(dir, rel)).mtimeMs);
      else walk(rel, rest);
    }
  };
  walk(
    '',
    pattern.split('/').filter((p) => p !== ''),
  );
  return found;
}

function snapshotDate(file: string): string {
  return (readJson(file) as { collectedAt: string }).collectedAt.slice(0, 10);
}

/** `text` as argv and env: env assignments in front, then `atlas-access-review` and its arguments. */
function commandOf(text: string): { env: Record<string, string>; argv: string[] } {
  // A line with shell syntax beyond words and assignments cannot be run as written here.
  expect(text, 'quotes, $, pipes, redirections or globs').not.toMatch(/["'`$;&|<>*?()\\]/);
  const words = text.split(' ');
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_]+=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  expect(words[0], text).toBe('atlas-access-review');
  return { env, argv: words.slice(1) };
}

/**
 * `simulate` serves until SIGINT or SIGTERM: it runs as a real process (src/cli/main.ts through tsx)
 * and is stopped the way its text says, with Ctrl+C (SIGINT), after the line its output suggests next
 * ran against it. Killed after 20 s whatever happens, so a hang fails the test and leaves no process.
 */
async function runForeground(argv: string[]): Promise<CliRun> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let stdout = '';
  let stderr = '';
  let serving: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    serving = resolve;
  });
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('Stop with Ctrl+C.')) serving();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 130))),
  );
  try {
    if ((await Promise.race([started.then(() => true), exited.then(() => false)])) === true) {
      // What the printed text tells a user to do next: export its variables, then run its "Then:" line.
      const env = Object.fromEntries(
        [...stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
      );
      const then = /^Then: (atlas-access-review .+)$/m.exec(stdout)?.[1] ?? '';
      const dir = tempDir('aar-simulate-');
      const next = await runCliForTest(commandOf(then).argv, { env, cwd: dir, now: clock() });
      expect(next.code, `${then}\n${next.stderr}`).toBe(0);
      expect(readdirSync(dir).some((f) => /^atlas-snapshot-.*\.json$/.test(f))).toBe(true);
    }
  } finally {
    child.kill('SIGINT');
  }
  const code = await exited;
  clearTimeout(guard);
  return { code, stdout, stderr };
}

/** Runs one line (already mapped) in `dir` and checks it against `want`. */
async function runChecked(
  text: string,
  want: Expect,
  dir: string,
  baseEnv: Record<string, string>,
): Promise<void> {
  for (const file of want.given ?? [])
    if (!existsSync(join(dir, file))) copyFileSync(join(store, file), join(dir, file));
  await want.before?.(dir);
  const { env: lineEnv, argv } = commandOf(text);
  const env = { ...baseEnv, ...(want.env === 'smtp' ? smtpEnv() : {}), ...lineEnv };
  if (env.SMTP_URL && argv.includes('--email-to') && !argv.includes('--eml')) argv.push(...sendMailArgs());
  const before = new Map((want.writes ?? []).map((w) => [w, matches(dir, w)]));
  const mailsBefore = smtp.messages.length;
  const run = want.foreground
    ? await runForeground(argv)
    : await runCliForTest(argv, { env, cwd: dir, now: clock() });
  const context = `${text}\n(argv: ${argv.join(' ')})\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr}`;
  expect(run.code, context).toBe(want.code);
  if (want.code < 2) expect(run.stderr, context).not.toMatch(/^(error|internal error)/m);
  if (want.stdout) expect(run.stdout, context).toMatch(want.stdout);
  const written: string[] = [];
  for (const [pattern, was] of before) {
    const now = [...matches(dir, pattern)].filter(([path, mtime]) => was.get(path) !== mtime).map(([p]) => p);
    expect(now, `${context}\nshould have written ${pattern}`).not.toHaveLength(0);
    written.push(...now.map((p) => join(dir, p)));
  }
  if (want.mails) {
    expect(smtp.messages.length - mailsBefore, context).toBe(1);
    expect(smtp.messages.at(-1)!.to.sort()).toEqual([...want.mails.to].sort());
  } else expect(smtp.messages.length - mailsBefore, `${context}\nsent mail`).toBe(0);
  await want.check?.(dir, run, written);
}

// ---- The prepared folder -----------------------------------------------------------------------------

beforeAll(async () => {
  sim = await startSimulator({
    organizations: estate.organizations,
    // The lines collect the estate some forty times in a minute; Atlas's buckets (org settings: 10 a
    // minute) would make the client wait minutes for Retry-After. Its waiting is tested in test/atlas.
    rateLimits: 'off',
    credentials: {
      serviceAccounts: [{ ...COLLECTOR }, { ...WRITER, access: { orgRole: 'ORG_OWNER' } }],
      apiKeys: [{ ...API_KEY }],
    },
  });
  smtp = await startSmtpServer({ starttls: true, auth: { user: SMTP_USER, pass: SMTP_PASSWORD } });
  freePort = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  store = tempDir('aar-documented-store-');
  const env = documentedEnv();
  const collect = async (name: string, at: string) => {
    const r = await runCliForTest(['collect', '--all-orgs', '-o', name, '--quiet'], {
      env,
      cwd: store,
      now: new Date(at),
    });
    expect(r.code, r.stderr).toBe(0);
  };
  await collect('q2.json', '2026-05-25T06:00:00Z');
  await collect('q3.json', '2026-08-25T06:00:00Z');
  await collect('q4.json', '2026-11-20T06:00:00Z');
  copyFileSync(join(store, 'q4.json'), join(store, 'snapshot.json'));
  copyFileSync(join(store, 'q4.json'), join(store, 'snap.json'));
  writeFileSync(
    join(store, 'policy.yaml'),
    `# the gate and the company's own domains (README: audit --policy)\nfailOn: high\nallowedEmailDomains: [${estate.companyEmailDomains.join(', ')}]\nrules:\n  stale-last-auth: { params: { maxDays: 90 } }\n`,
  );
  // A review campaign's policy (README: "Review campaigns"): the reviewer of last resort.
  writeFileSync(
    join(store, 'campaign-policy.yaml'),
    'review:\n  fallbackReviewer: security-lead@example.com\n',
  );
  // An HR export of the estate's people (README: audit --roster), the first of them a leaver.
  const people = [
    ...new Set(estate.organizations.flatMap((o) => o.users.map((u) => u.username.toLowerCase()))),
  ];
  writeFileSync(
    join(store, 'hr-roster.csv'),
    [
      'Work Email,Worker Status,Worker Type,End Date',
      ...people.map(
        (p, i) => `${p},${i === 0 ? 'Terminated' : 'Active'},Employee,${i === 0 ? '2026-10-31' : ''}`,
      ),
      '',
    ].join('\n'),
  );
  const key = estate.organizations.flatMap((o) => o.apiKeys).find((k) => k.accessList.length === 0)!;
  writeFileSync(
    join(store, 'waivers.yaml'),
    [
      '# approved exceptions: a list, as README "audit" describes the file',
      '- ruleId: api-key-no-access-list',
      `  subject: ${key.description ?? key.publicKey}`,
      `  subjectId: ${key.id}`,
      '  approvedOn: "2026-11-02"',
      '  reason: CI runners use changing egress IPs until the service-account migration',
      '  approver: ciso@example.com',
      '  ticket: SEC-1042',
      '  expiresOn: "2027-02-01"',
      '',
    ].join('\n'),
  );
  // The workbooks reviewers filled in: q4 (all kept) for README "review import", q3 for the help examples.
  const fill = async (snapshot: string, out: string, revoke: string | null, reviewedOn: Date) => {
    const xlsx = join(store, `${out}.unfilled.xlsx`);
    const r = await runCliForTest(['report', snapshot, '--xlsx', xlsx, '--fail-on', 'never'], {
      cwd: store,
      now: clock(),
    });
    expect(r.code, r.stderr).toBe(0);
    await fillWorkbook(xlsx, join(store, out), (k) => ({
      decision: k === revoke ? 'Revoke' : 'Keep',
      reviewer: REVIEWER,
      reviewedOn,
      comment: k === revoke ? null : 'needed for the on-call rota',
    }));
  };
  await fill('q4.json', 'filled.xlsx', null, new Date(Date.UTC(2026, 10, 21)));
  await fill('q3.json', 'q3-filled.xlsx', userKey(HELP_VICTIM.id), new Date(Date.UTC(2026, 8, 1)));
});

afterAll(async () => {
  await sim?.close();
  await smtp?.close();
});

// ---- The tests ---------------------------------------------------------------------------------------

const readmeLines = documentedLines(README, 'README.md');
const specs = commandSpecs();
const helpExamples = specs.flatMap((s) => s.examples.map((e) => ({ spec: s, ...e })));

describe('the plans cover the text', () => {
  it('every README line and help example has a plan, and every plan has its line', () => {
    const lines = new Set(readmeLines.map((l) => l.text));
    expect(
      [...lines].filter((t) => !(t in README_PLANS)),
      'README lines without a plan',
    ).toEqual([]);
    expect(
      Object.keys(README_PLANS).filter((t) => !lines.has(t)),
      'plans of no README line',
    ).toEqual([]);
    const examples = new Set(helpExamples.map((e) => e.command));
    expect(
      [...examples].filter((t) => !(t in HELP_PLANS)),
      'help examples without a plan',
    ).toEqual([]);
    expect(
      Object.keys(HELP_PLANS).filter((t) => !examples.has(t)),
      'plans of no help example',
    ).toEqual([]);
    // Help examples are commands to copy: none is a synopsis or skipped.
    for (const [text, plan] of Object.entries(HELP_PLANS)) expect('run' in plan, text).toBe(true);
  });

  it('every entry of the mapping is used (it stays the whole, small difference)', () => {
    const text = [
      ...readmeLines.flatMap((l) => [l.text, ...Object.values(l.env ?? {})]),
      ...helpExamples.map((e) => e.command),
    ].join('\n');
    for (const m of MAPPING) expect(text, m.why).toContain(m.from);
  });

  it('a line planned as usage is a synopsis, with [optional] parts or <placeholders>', () => {
    for (const [text, plan] of Object.entries(README_PLANS))
      if ('usage' in plan) expect(text, 'a runnable line must be run, not checked as usage').toMatch(/[[<]/);
  });

  it('the README never tells anyone to install or npx the package by its name from the registry', () => {
    for (const l of readmeLines) {
      expect(l.text, l.where).not.toMatch(/npm (install|i) (-g )?atlas-access-review\b/);
      if (l.text.startsWith('npx atlas-access-review')) expect(l.section, l.where).toBe('Installing'); // its "From a clone" part
    }
  });
});

describe('README.md: every command line', () => {
  const dirs = new Map<string, string>();
  const dirOf = (section: string) => {
    if (!dirs.has(section)) dirs.set(section, tempDir('aar-readme-'));
    return dirs.get(section)!;
  };
  for (const line of readmeLines) {
    const plan = README_PLANS[line.text];
    const title = `${line.where} ${line.text}`;
    if (!plan) continue; // reported by "the plans cover the text"
    if ('skip' in plan) {
      it.skip(`${title} (skipped: ${plan.skip})`, () => {});
      continue;
    }
    if ('usage' in plan) {
      it(`${title} (usage: options and values checked${plan.bare ? '; required part run' : ''})`, async () => {
        expect(usageProblems(line.text, specs)).toEqual([]);
        if (plan.bare)
          await runChecked(mapped(requiredPart(line.text)), plan.bare, dirOf(line.section), documentedEnv());
      });
      continue;
    }
    it(title, async () => {
      const dir = dirOf(line.section);
      const env = line.kind === 'workflow' ? { ...mappedEnv(line), ...runnerEnv(dir) } : documentedEnv();
      await runChecked(mapped(line.text), plan.run, dir, env);
    });
  }
});

function mappedEnv(line: DocumentedLine): Record<string, string> {
  return Object.fromEntries(Object.entries(line.env ?? {}).map(([k, v]) => [k, mapped(String(v))]));
}

describe('--help examples of every command', () => {
  const groups = new Map<string, string>();
  for (const example of helpExamples) {
    const plan = HELP_PLANS[example.command];
    if (!plan || !('run' in plan)) continue;
    it(`${example.spec.path.join(' ')}: ${example.command}  # ${example.description}`, async () => {
      const group = plan.run.group;
      let dir = group ? groups.get(group) : undefined;
      if (!dir) {
        dir = tempDir('aar-help-');
        if (group) groups.set(group, dir);
      }
      await runChecked(
        mapped(example.command.replace(/^\$0 /, 'atlas-access-review ')),
        plan.run,
        dir,
        documentedEnv(),
      );
    });
  }
});

describe('what the install instructions rely on', () => {
  it('the bin is the build of src/cli/bin.ts, a node script the build marks executable', () => {
    expect(PACKAGE.bin).toEqual({ 'atlas-access-review': 'dist/cli/bin.cjs' });
    const tsconfig = readJson(join(REPO, 'tsconfig.json')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    for (const entry of ['bin.cts', 'main.ts'])
      expect(readFileSync(join(REPO, 'src', 'cli', entry), 'utf8').split('\n')[0]).toBe(
        '#!/usr/bin/env node',
      );
    // npx inside the clone runs the file itself: without the executable bit it is "Permission denied".
    expect(PACKAGE.scripts.prepare).toBe('npm run build');
    expect(PACKAGE.scripts.build).toContain("chmodSync('dist/cli/bin.cjs', 0o755)");
  });

  it('the tarball the README installs is the one npm pack makes of this package', () => {
    // npm pack names a scoped package's tarball <scope>-<name>-<version>.tgz.
    const tarball = `${PACKAGE.name.replace(/^@/, '').replace('/', '-')}-${PACKAGE.version}.tgz`;
    const named = [...README.matchAll(/\batlas-access-review-[\w.-]+\.tgz\b/g)].map((m) => m[0]);
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) expect(n).toBe(tarball);
  });

  it('the published name the README installs is the scoped package, at its exact version', () => {
    expect(PACKAGE.name).toBe('@atlas-access-review/cli');
    const installs = [...README.matchAll(/@atlas-access-review\/cli@([\w.-]+)/g)].map((m) => m[1]);
    expect(installs.length).toBeGreaterThan(0);
    for (const v of installs) expect(v).toBe(PACKAGE.version);
  });
});
