/**
 * The verdict as the commands print it (README, "CI gate"): with --baseline, findings the baseline accepted
 * are "accepted by the baseline (file)", never "below the high gate"; --fail-on never is "gate off".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKey, BUILDER_NOW, daysAgo, org, snapshot, user } from '../builders/snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

let dir: string;
const cli = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: BUILDER_NOW });

beforeAll(() => {
  dir = tempDir();
  const o = org({ name: 'acme' });
  o.users.push(user({ username: 'stale@example.com', lastAuth: daysAgo(120), teamIds: [o.teams[0]!.id] }));
  o.teams[0]!.memberIds = o.users.map((u) => u.id).sort();
  o.apiKeys.push(apiKey({ description: 'ci', accessList: [] }));
  writeFileSync(join(dir, 'snap.json'), JSON.stringify(snapshot([o]), null, 2));
});

// No --roster: the four roster rules are not evaluated, and the verdict says so.
describe('verdict words on the command line', () => {
  it('--baseline: audit text, report stderr and Markdown say "accepted by the baseline"', async () => {
    expect((await cli(['audit', 'snap.json', '--write-baseline', 'accepted.json'])).code).toBe(0);
    const audit = await cli(['audit', 'snap.json', '--baseline', 'accepted.json', '--fail-on', 'high']);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(
      /^Verdict: PASS: 2 findings \(1 high, 1 medium\) accepted by the baseline \(accepted\.json\); 6 rules not evaluated in 1 organization \(no data for them\) \(gate: fail on high\)$/m,
    );
    const report = await cli([
      'report',
      'snap.json',
      '--baseline',
      'accepted.json',
      '--fail-on',
      'high',
      '--markdown',
      'r.md',
    ]);
    expect(report.code).toBe(0);
    expect(report.stderr).toContain(
      'report: PASS: 2 findings (1 high, 1 medium) accepted by the baseline (accepted.json)',
    );
    const md = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(md).toContain('accepted by the baseline (accepted.json)');
    for (const text of [audit.stdout, report.stderr, md]) expect(text).not.toContain('below the');
  });

  it('--fail-on never: "gate off", never "below the never gate"', async () => {
    const audit = await cli(['audit', 'snap.json', '--fail-on', 'never']);
    expect(audit.stdout).toMatch(
      /^Verdict: GATE OFF \(--fail-on never\): 2 open findings; 6 rules not evaluated in 1 organization \(no data for them\) \(gate: off \(--fail-on never\)\)$/m,
    );
    const report = await cli(['report', 'snap.json', '--fail-on', 'never', '--markdown', 'never.md']);
    expect(report.stderr).toContain('report: GATE OFF (--fail-on never): 2 open findings');
    expect(`${audit.stdout}${report.stderr}${readFileSync(join(dir, 'never.md'), 'utf8')}`).not.toMatch(
      /never gate|fail on never/,
    );
  });
});
