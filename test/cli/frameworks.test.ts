/** `--framework` on the auditing commands and `rules list --framework`, through the CLI. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILDER_NOW, daysAgo, org, snapshot, user } from '../builders/snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

let dir: string;
let snap: string;
beforeAll(() => {
  dir = tempDir();
  snap = join(dir, 'snap.json');
  const o = org({ name: 'acme' });
  o.users.push(user({ username: 'sixty@example.com', lastAuth: daysAgo(60), teamIds: [o.teams[0]!.id] }));
  o.teams[0]!.memberIds = o.users.map((u) => u.id).sort();
  writeFileSync(snap, JSON.stringify(snapshot([o]), null, 2));
});

const run = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: BUILDER_NOW });
const staleUsers = (stdout: string) =>
  (
    JSON.parse(stdout).findings as Array<{
      rules: Array<{ ruleId: string; findings: Array<{ subjectName: string }> }>;
    }>
  )
    .flatMap((g) => g.rules)
    .filter((r) => r.ruleId === 'stale-last-auth')
    .flatMap((r) => r.findings.map((f) => f.subjectName));

describe('--framework', () => {
  it('CIS v8 5.3 (45 days) flags a user idle for 60 days that the default 90 days passes, and says so', async () => {
    const plain = await run(['audit', snap, '--format', 'json', '--fail-on', 'never']);
    expect(staleUsers(plain.stdout)).toEqual([]);
    const cis = await run(['audit', snap, '--format', 'json', '--fail-on', 'never', '--framework', 'cis-v8']);
    expect(cis.code).toBe(0);
    expect(staleUsers(cis.stdout)).toEqual(['sixty@example.com']);
    expect(cis.stderr).toContain('framework: cis-v8\n  db-user-inactive inactiveDays=45: cis-v8 5.3\n');
  });

  it('is repeatable and comma-separated; the policy file wins', async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'rules:\n  stale-last-auth:\n    params:\n      maxDays: 75\n');
    const r = await run([
      'audit',
      snap,
      '--format',
      'json',
      '--fail-on',
      'never',
      '--framework',
      'pci-dss-4,cis-v8',
      '--framework',
      'soc2',
      '--policy',
      policy,
    ]);
    expect(r.code).toBe(0);
    expect(staleUsers(r.stdout)).toEqual([]);
    expect(r.stderr).toContain('framework: pci-dss-4, cis-v8, soc2\n');
    expect(r.stderr).toContain(
      'stale-last-auth maxDays=75: the policy file (over cis-v8 5.3: 45, pci-dss-4 8.2.6: 90)',
    );
  });

  it('an unknown framework is exit 2 naming the choices, and nothing is written', async () => {
    const out = join(dir, 'never.html');
    const r = await run(['report', snap, '--html', out, '--framework', 'pci-dss-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'unknown framework "pci-dss-3" (choose from: cis-v8, iso27001, pci-dss-4, soc2)',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an empty value (an unset variable, blanks between commas) is refused, not an audit without it', async () => {
    for (const value of ['', ' , ', ',']) {
      const r = await run(['audit', snap, '--format', 'json', '--fail-on', 'never', '--framework', value]);
      expect(r.stderr).toContain('unknown framework "" (choose from: cis-v8, iso27001, pci-dss-4, soc2)');
      expect(r.code).toBe(2);
    }
  });

  it('an id named like an Object.prototype property is unknown; blanks inside a list and repeats are dropped', async () => {
    for (const value of ['__proto__', 'constructor', 'toString']) {
      const r = await run(['audit', snap, '--format', 'json', '--fail-on', 'never', '--framework', value]);
      expect(r.stderr).toContain(`unknown framework "${value}"`);
      expect(r.code).toBe(2);
    }
    const r = await run([
      'audit',
      snap,
      '--format',
      'json',
      '--fail-on',
      'never',
      '--framework',
      'soc2,,soc2',
      '--framework',
      'soc2',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).meta.frameworks.selected.map((f: { id: string }) => f.id)).toEqual(['soc2']);
  });
});

describe('rules list --framework', () => {
  it('lists the rules per control, the review-cycle controls and the controls no rule tests', async () => {
    const r = await run(['rules', 'list', '--framework', 'pci-dss-4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PCI DSS v4\.0 \(pci-dss-4\): \d+ of 25 controls tested by a rule$/m);
    expect(r.stdout).toMatch(
      /^8\.2\.6 {2}Inactive user accounts[^\n]*\n(?: {2}\S+ +\S+ +[^\n]+\n)*? {2}stale-last-auth +medium /m,
    );
    expect(r.stdout).toContain(
      'Evidenced by the review cycle itself (sign-off, review verify): 7.2.4, 7.2.5.1',
    );
    const gaps = r.stdout.slice(r.stdout.indexOf('No rule tests'));
    expect(gaps).toContain('7.2.1  An access control model is defined');
    expect(gaps).not.toContain('8.2.6');
  });

  it('as JSON: every control of each framework, with rule ids and severities', async () => {
    const r = await run(['rules', 'list', '--framework', 'cis-v8', '--format', 'json']);
    const [cis] = JSON.parse(r.stdout) as Array<{
      id: string;
      controls: Array<{ control: string; rules: Array<{ id: string; severity: string }> }>;
    }>;
    expect(cis!.id).toBe('cis-v8');
    const catalogue = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../rules/frameworks/cis-v8.json'), 'utf8'),
    );
    expect(cis!.controls.map((c) => c.control)).toEqual(catalogue.controls.map((c: { id: string }) => c.id));
    expect(cis!.controls.find((c) => c.control === '5.3')!.rules).toContainEqual({
      id: 'stale-last-auth',
      severity: 'medium',
      title: 'Active user not signed in recently',
      enabled: true,
    });
  });

  it('refuses an unknown framework (exit 2)', async () => {
    const r = await run(['rules', 'list', '--framework', 'hipaa']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('choose from: cis-v8, iso27001, pci-dss-4, soc2');
  });
});
