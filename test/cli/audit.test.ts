import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { apiKey, BUILDER_NOW, daysAgo, org, snapshot, user } from '../builders/snapshot.js';

let dir: string;
let snapFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
  const o = org({ name: 'acme' });
  o.users.push(user({ username: 'stale@example.com', lastAuth: daysAgo(120), teamIds: [o.teams[0]!.id] }));
  o.teams[0]!.memberIds = o.users.map((u) => u.id).sort();
  o.apiKeys.push(apiKey({ description: 'ci|<b>', accessList: [] }));
  snapFile = join(dir, 'snap.json');
  writeFileSync(snapFile, JSON.stringify(snapshot([o]), null, 2));
});

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    env,
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

const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('audit command', () => {
  it('fails the gate (exit 1) on unwaived findings, text output', async () => {
    const r = await cli(['audit', snapFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('HIGH api-key-no-access-list');
    expect(r.stdout).toContain('stale@example.com last signed in 120 days ago (limit 90)');
    expect(r.stderr).toContain('failing (exit 1)');
  });

  it('--fail-on decides the gate', async () => {
    expect((await cli(['audit', snapFile, '--fail-on', 'critical'])).code).toBe(0);
    expect((await cli(['audit', snapFile, '--fail-on', 'high'])).code).toBe(1);
    expect((await cli(['audit', snapFile, '--fail-on', 'never'])).code).toBe(0);
    expect((await cli(['audit', snapFile, '--fail-on', 'loud'])).code).toBe(2);
  });

  it('--format json is the report model: counts and sorted findings, and it works as a --baseline', async () => {
    const r = await cli(['audit', snapFile, '--format', 'json', '--fail-on', 'never']);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.findings).toMatchObject({
      bySeverity: { low: 0, medium: 1, high: 1, critical: 0 },
      total: 2,
      waived: 0,
      open: 2,
      gating: 0,
    });
    const rows = doc.findings.flatMap((g: { rules: Array<{ findings: unknown[] }> }) =>
      g.rules.flatMap((x) => x.findings),
    );
    expect(rows.map((f: { ruleId: string }) => f.ruleId)).toEqual([
      'api-key-no-access-list',
      'stale-last-auth',
    ]);
    expect(rows[1]).toMatchObject({ subjectType: 'user', subjectName: 'stale@example.com', waived: false });
    expect(doc.meta.snapshotFile).toBe(snapFile);
    const baseline = file('baseline.json', r.stdout);
    expect((await cli(['audit', snapFile, '--baseline', baseline])).code).toBe(0);
  });

  it('--baseline still reads the flat JSON audit wrote before the one output pipeline', async () => {
    const doc = JSON.parse((await cli(['audit', snapFile, '--format', 'json'])).stdout);
    const rows = doc.findings.flatMap((g: { rules: Array<{ findings: Array<{ key: string }> }> }) =>
      g.rules.flatMap((x) => x.findings),
    );
    // The earlier shape: {tool, evaluatedAt, snapshot, summary, findings: [{ruleId, ..., key}]}.
    const flat = (keys: string[]) =>
      JSON.stringify({
        tool: { name: 't', version: '0' },
        findings: keys.map((key) => ({ ruleId: 'x', key })),
      });
    const all = file('old-baseline.json', flat(rows.map((f: { key: string }) => f.key)));
    expect((await cli(['audit', snapFile, '--baseline', all])).code).toBe(0);
    const one = file('old-baseline-one.json', flat([rows[1].key]));
    const r = await cli(['audit', snapFile, '--baseline', one, '--fail-on', 'high']);
    expect(r.code).toBe(1);
    const bad = file('bad-baseline.json', JSON.stringify({ findings: [{ rules: 'x' }] }));
    expect((await cli(['audit', snapFile, '--baseline', bad])).code).toBe(2);
  });

  it('--format xlsx is refused on stdout (exit 2, before reading anything) and written with --output', async () => {
    const r = await cli(['audit', join(dir, 'missing.json'), '--format', 'xlsx']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--format xlsx is binary and is not printed to stdout');
    expect(r.stderr).toContain('report --xlsx');
    const out = join(dir, 'audit.xlsx');
    const w = await cli(['audit', snapFile, '--format', 'xlsx', '--output', out, '--fail-on', 'never']);
    expect(w.code).toBe(0);
    expect(readFileSync(out).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('policy (YAML) and waivers (YAML) apply', async () => {
    const policy = file(
      'policy.yaml',
      'failOn: medium\nrules:\n  api-key-no-access-list:\n    severity: low\n',
    );
    const waivers = file(
      'waivers.yml',
      'waivers:\n  - ruleId: stale-last-auth\n    subject: stale@example.com\n    reason: parental leave\n    approver: ciso@example.com\n    approvedOn: "2026-05-20"\n    expiresOn: "2026-06-10"\n',
    );
    const r = await cli(['audit', snapFile, '--policy', policy, '--waivers', waivers]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('waived until 2026-06-10: parental leave');
    expect(r.stdout).toContain('warning: waiver expires on 2026-06-10');
  });

  it.each([
    ['policy.yaml', 'rules:\n  nope: {enabled: false}\n', '--policy', '$.rules.nope: unknown rule id'],
    ['policy2.yaml', 'rules: [\n', '--policy', 'not valid YAML at line 2, column 1: '],
    [
      'policy4.yaml',
      '# the gate\nfailOn: high\nrules:\n  stale-last-auth:\n    params: {maxDays: ninety}\n',
      '--policy',
      '$.rules["stale-last-auth"].params.maxDays: expected an integer (line 5, column 23)',
    ],
    [
      'waivers2.yaml',
      'waivers:\n  - ruleId: stale-last-auth\n    subject: x\n   reason: r\n',
      '--waivers',
      'not valid YAML at line 4, column 1: Sequence item without - indicator',
    ],
    [
      'waivers3.yaml',
      '- ruleId: stale-last-auth\n  subject: stale@example.com\n  reason: r\n  approver: a\n  expiresOn: "2030-01-01"\n',
      '--waivers',
      '$[0].expiresOn: expiry 2030-01-01 is more than a year ahead (latest allowed: 2027-06-01) (line 5, column 14)',
    ],
    [
      'waivers4.yaml',
      'waivers:\n  - ruleId: stale-last-auth\n    subject: x\n    approver: a\n    expiresOn: "2026-07-01"\n',
      '--waivers',
      '$.waivers[0].reason: Invalid input: expected string, received undefined (line 2, column 5)',
    ],
    ['policy5.json', '{\n  "failOn": "high",\n}\n', '--policy', 'in JSON at position 22 (line 3, column 1)'],
    ['policy3.json', '{"failOn": "sometimes"}', '--policy', '$.failOn'],
    [
      'waivers.json',
      '{"waivers":[{"ruleId":"stale-last-auth","subject":"x","reason":"r","approver":"a","expiresOn":"2030-01-01"}]}',
      '--waivers',
      '$.waivers[0].expiresOn: expiry 2030-01-01 is more than a year ahead',
    ],
  ])('bad %s is exit 2 with one line naming the file and JSON path', async (name, text, flag, expected) => {
    const p = file(name, text);
    const r = await cli(['audit', snapFile, flag, p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${p}: `);
    expect(r.stderr).toContain(expected);
  });

  it.each([
    ['waivers-list.yaml', 'YAML list', (w: string) => `- ${w.replace(/\n/g, '\n  ')}\n`],
    [
      'waivers-doc.yaml',
      'YAML {waivers: [...]}',
      (w: string) => `waivers:\n  - ${w.replace(/\n/g, '\n    ')}\n`,
    ],
  ])('a waivers file may be a bare list or {waivers: [...]} (%s, %s)', async (name, _what, shape) => {
    const waiver =
      'ruleId: stale-last-auth\nsubject: stale@example.com\nreason: parental leave\napprover: ciso@example.com\napprovedOn: "2026-05-20"\nexpiresOn: "2026-06-10"';
    const r = await cli(['audit', snapFile, '--waivers', file(name, shape(waiver)), '--format', 'json']);
    expect(r.stderr).not.toContain('error:');
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.findings).toMatchObject({ waived: 1, open: 1 });
  });

  it('a waivers file with only comments holds no waivers; a JSON list works too', async () => {
    const empty = await cli(['audit', snapFile, '--waivers', file('none.yaml', '# none yet\n')]);
    expect(empty.stderr).not.toContain('error:');
    expect(empty.code).toBe(1);
    const list = file(
      'list.json',
      '[{"ruleId":"stale-last-auth","subject":"x","reason":"r","approver":"a","expiresOn":"2030-01-01"}]',
    );
    const bad = await cli(['audit', snapFile, '--waivers', list]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${list}: $[0].expiresOn: expiry 2030-01-01`);
  });

  it('--write-baseline records the findings as accepted and exits 0; --baseline then gates only new ones', async () => {
    const accepted = join(dir, 'accepted.json');
    const r = await cli(['audit', snapFile, '--write-baseline', 'accepted.json']);
    expect(r.stderr).toContain('wrote accepted.json: 2 finding(s) accepted as the baseline');
    expect(r.code).toBe(0);
    // The same document as --format json (what the README and --baseline's help promise).
    const json = await cli(['audit', snapFile, '--format', 'json']);
    expect(readFileSync(accepted, 'utf8')).toBe(json.stdout);
    expect((await cli(['audit', snapFile, '--baseline', 'accepted.json'])).code).toBe(0);
    expect((await cli(['audit', snapFile])).code).toBe(1);
    // Never over an existing file without --force, never over an input, nothing on a bad input.
    const again = await cli(['audit', snapFile, '--write-baseline', 'accepted.json']);
    expect(again.code).toBe(4);
    const self = await cli([
      'audit',
      snapFile,
      '--baseline',
      'accepted.json',
      '--write-baseline',
      'accepted.json',
      '--force',
    ]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('--write-baseline accepted.json would overwrite the --baseline input file');
    const badPolicy = file('bad-policy.yaml', 'failOn: sometimes\n');
    const bad = await cli(['audit', snapFile, '--policy', badPolicy, '--write-baseline', 'never.json']);
    expect(bad.code).toBe(2);
    expect(() => readFileSync(join(dir, 'never.json'))).toThrow();
  });

  it('a corrupt snapshot is exit 2 naming the JSON path', async () => {
    const bad = JSON.parse(readFileSync(snapFile, 'utf8'));
    bad.organizations[0].users[0].lastAuth = 'yesterday';
    const p = file('bad-snap.json', JSON.stringify(bad));
    const r = await cli(['audit', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('$.organizations[0].users[0].lastAuth');
  });

  it('--output writes atomically and refuses to overwrite without --force (exit 4)', async () => {
    const out = join(dir, 'out.sarif');
    expect(
      (await cli(['audit', snapFile, '--format', 'sarif', '--output', out, '--fail-on', 'never'])).code,
    ).toBe(0);
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(2);
    expect(sarif.runs[0].results[0].partialFingerprints.findingKey).toMatch(/^api-key-no-access-list\|/);
    expect((await cli(['audit', snapFile, '--format', 'sarif', '--output', out])).code).toBe(4);
    expect((await cli(['audit', snapFile, '--format', 'sarif', '--output', out, '--force'])).code).toBe(1);
  });

  it('SARIF locations and automationDetails.id do not depend on the snapshot file name', async () => {
    // Code scanning matches alerts by rule, fingerprint and location: a location that follows the
    // snapshot's name (new every run) would close and reopen every alert.
    const copy = file('q4-snapshot-2026-11-30.json', readFileSync(snapFile, 'utf8'));
    const run = async (snap: string) => {
      const r = await cli(['audit', snap, '--format', 'sarif', '--fail-on', 'never']);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).runs[0];
    };
    const [a, b] = [await run('snap.json'), await run(copy)];
    const orgId = JSON.parse(readFileSync(snapFile, 'utf8')).organizations[0].id as string;
    const uris = (run: { results: Array<{ locations: Array<{ physicalLocation: unknown }> }> }) =>
      run.results.map((r) => r.locations[0]!.physicalLocation);
    expect(uris(a)).toEqual(uris(b));
    expect(uris(a)[0]).toEqual({ artifactLocation: { uri: `atlas-access-review/orgs/${orgId}` } });
    expect(a.automationDetails).toEqual(b.automationDetails);
    expect(a.automationDetails.id).toMatch(new RegExp(`^atlas-access-review/${orgId}/\\d{4}-`));
    // The file is still named, for the reader, outside the location.
    expect(a.properties.snapshot.file).toBe('snap.json');
    expect(b.properties.snapshot.file).toMatch(/q4-snapshot-2026-11-30\.json$/);
  });

  it('--format github prints annotations and appends a Markdown summary to $GITHUB_STEP_SUMMARY', async () => {
    const summary = file('summary.md', '# earlier step\n');
    const r = await cli(['audit', snapFile, '--format', 'github'], { GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=.*title=high api-key-no-access-list::\[acme\] API key ci\|<b>/m);
    expect(r.stdout).toMatch(/^::warning .*stale-last-auth/m);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n# Atlas access review: acme')).toBe(true);
    expect(md).toContain('ci\\|&lt;b&gt;');
  });

  it('--format junit: a case per rule and subject; failures are exactly the findings that fail the gate', async () => {
    const never = await cli(['audit', snapFile, '--format', 'junit', '--fail-on', 'never']);
    // One finding, the other two users passed (one summary case); below an off gate nothing fails.
    expect(never.stdout).toContain('<testsuite name="stale-last-auth" tests="2" failures="0"');
    expect(never.stdout).toContain('name="2 of 3 user subjects passed"');
    expect(never.stdout).toContain('ci|&lt;b&gt;');
    expect(never.stdout).not.toContain('<b>');
    const high = await cli(['audit', snapFile, '--format', 'junit', '--fail-on', 'high']);
    expect(high.code).toBe(1);
    expect(high.stdout).toMatch(/<testsuites [^>]*tests="\d+" failures="1"/);
    expect(high.stdout.match(/<failure /g)).toHaveLength(1);
    expect(high.stdout).toMatch(/<failure type="high" message="API key ci\|&lt;b&gt;/);
  });

  it('audit --format junit and report --junit write the same bytes on the same inputs', async () => {
    for (const failOn of ['high', 'medium', 'never']) {
      const out = `same-${failOn}.xml`;
      const a = await cli(['audit', snapFile, '--format', 'junit', '--fail-on', failOn]);
      const r = await cli(['report', snapFile, '--junit', out, '--fail-on', failOn, '--force']);
      expect(r.code).toBe(a.code);
      expect(readFileSync(join(dir, out), 'utf8')).toBe(a.stdout);
      const gating = JSON.parse(
        (await cli(['audit', snapFile, '--format', 'json', '--fail-on', failOn])).stdout,
      ).summary.findings.gating;
      expect((a.stdout.match(/<failure /g) ?? []).length).toBe(gating);
      expect(Number(/<testsuites [^>]*failures="(\d+)"/.exec(a.stdout)?.[1])).toBe(gating);
      expect(gating).toBe(failOn === 'never' ? 0 : failOn === 'high' ? 1 : 2);
    }
  });

  it('--format markdown', async () => {
    const r = await cli(['audit', snapFile, '--format', 'markdown', '--fail-on', 'never']);
    expect(r.stdout).toContain(
      '| acme | user stale@example.com | stale@example.com last signed in 120 days ago',
    );
  });
});

describe('rules command', () => {
  it('lists the catalogue as text and JSON', async () => {
    const t = await cli(['rules', 'list']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^stale-last-auth\s+medium\s+user\s+Active user not signed in recently$/m);
    const j = JSON.parse((await cli(['rules', 'list', '--format', 'json'])).stdout);
    expect(j.find((r: { id: string }) => r.id === 'stale-last-auth').params.maxDays.default).toBe(90);
  });

  it('validates a rules folder: ok, and exit 2 with file and path on a bad rule', async () => {
    const good = await cli(['rules', 'validate', join(import.meta.dirname, '../../rules')]);
    expect(good.code).toBe(0);
    const rulesDir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(
      join(rulesDir, 'mine.json'),
      JSON.stringify({
        id: 'mine',
        title: 't',
        severity: 'low',
        subject: 'user',
        description: 'd',
        rationale: 'r',
        remediation: 'm',
        references: [],
        conditions: { all: [{ fact: 'lastAuthDays', operator: 'greaterThan', value: 1 }] },
        message: 'x',
      }),
    );
    const bad = await cli(['rules', 'validate', rulesDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      `${join(rulesDir, 'mine.json')}: $.conditions.all[0].fact: unknown fact "lastAuthDays"`,
    );
    expect((await cli(['audit', snapFile, '--rules', rulesDir])).code).toBe(2);
  });

  it('lists facts per kind', async () => {
    const r = await cli(['rules', 'facts', 'user']);
    expect(r.stdout).toMatch(/daysSinceLastAuth\s+number\|null/);
  });
});
