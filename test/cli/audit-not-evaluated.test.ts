/**
 * "Not evaluated" through every `audit --format`: a Cloud Manager v1.0 snapshot has no sign-in dates,
 * teams, keys, service accounts or settings, so the rules that need them are reported per org as
 * "not evaluated: <reason>" in each format, never as findings and never as passes. The org's name
 * carries markup, so each format's escaping is exercised too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { legacyOrg, snapshot } from '../builders/snapshot.js';
import { runCliForTest } from '../helpers/cli.js';

const NAME = 'Legacy <b>Ops</b> | "CM"';
let dir: string;
let snapFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-ne-'));
  const snap = snapshot([legacyOrg({ name: NAME })], {
    source: {
      baseUrl: 'https://opsmanager.example.com:8080',
      api: 'cloud-manager',
      apiVersion: null,
      auth: 'api-key',
      keepPii: false,
    },
  });
  snapFile = join(dir, 'cm.json');
  writeFileSync(snapFile, JSON.stringify(snap, null, 2));
});

const audit = (...args: string[]) =>
  runCliForTest(['audit', snapFile, ...args], { cwd: dir, now: new Date('2026-06-01T12:00:00Z') });

describe('audit: rules without data are "not evaluated" in every format', () => {
  it('text: a healthy v1.0 org passes the gate; the not-evaluated rules are listed, not passed', async () => {
    const r = await audit();
    expect(r.code).toBe(0); // two ACTIVE owners: too-few-org-owners does not fire without dates
    expect(r.stdout).toContain('Findings: 0 ');
    expect(r.stdout).toContain(
      'Not evaluated: 42 rule checks in 1 organization (the snapshot lacks the data; neither findings nor passes)',
    );
    expect(r.stdout).toContain(`  [${NAME}] stale-last-auth: not evaluated: no sign-in data\n`);
    expect(r.stdout).toContain(
      `  [${NAME}] idle-privileged-user: not evaluated: no team data, no sign-in data\n`,
    );
    expect(r.stdout).toContain(`  [${NAME}] mfa-not-required: not evaluated: no organization settings\n`);
    expect(r.stdout).not.toContain('too-few-org-owners: not evaluated');
    // 21 for the snapshot's coverage, and the 4 roster rules: no --roster was given.
    expect(r.stdout).toContain(`  [${NAME}] roster-unknown-identity: not evaluated: no roster (--roster)\n`);
  });

  it('json: notEvaluated per rule x org; the rule counts leave those subjects out', async () => {
    const doc = JSON.parse((await audit('--format', 'json')).stdout);
    expect(doc.notEvaluated).toHaveLength(42);
    expect(doc.notEvaluated).toContainEqual({
      ruleId: 'stale-last-auth',
      ruleTitle: 'Active user not signed in recently',
      severity: 'medium',
      subjectKind: 'user',
      orgId: expect.stringMatching(/^[a-f0-9]{24}$/),
      orgName: NAME,
      missing: ['signIns'],
      reason: 'no sign-in data',
    });
    const stale = doc.rules.find((r: { id: string }) => r.id === 'stale-last-auth');
    expect([stale.subjectsChecked, stale.passed, stale.failed]).toEqual([0, 0, 0]);
    const owners = doc.rules.find((r: { id: string }) => r.id === 'too-few-org-owners');
    expect([owners.subjectsChecked, owners.passed, owners.failed]).toEqual([1, 1, 0]);
  });

  it('junit: each not-evaluated org is a skipped testcase, and no "passed" case is made up', async () => {
    const xml = (await audit('--format', 'junit')).stdout;
    expect(xml).toMatch(
      /<testsuite name="stale-last-auth" tests="1" failures="0" errors="0" skipped="1" [^>]*>\n(?: {6}.*\n| {4}<\/?properties>\n)*/,
    );
    expect(xml).toContain(
      '    <testcase classname="stale-last-auth" name="Legacy &lt;b&gt;Ops&lt;/b&gt; | &quot;CM&quot;: not evaluated" time="0">\n' +
        '      <skipped message="not evaluated: no sign-in data"/>\n' +
        '    </testcase>\n' +
        '  </testsuite>',
    );
    // No "passed" case for a rule checked nowhere: its suite holds the skip alone.
    const suite = /<testsuite name="stale-last-auth"[\s\S]*?<\/testsuite>/.exec(xml)![0];
    expect(suite).not.toContain('passed');
    expect(xml).toMatch(/<testsuites [^>]*tests="\d+" failures="0" errors="0" skipped="42"/);
    expect(xml).not.toContain('<b>');
  });

  it('markdown: a count in the summary and a table of rule, organization and status', async () => {
    const md = (await audit('--format', 'markdown')).stdout;
    expect(md).toContain(
      '**Not evaluated:** 42 rules in 1 organization (42 rule checks): the snapshot lacks the data they need, so they are neither findings nor passes',
    );
    expect(md).toContain('## Not evaluated (42)\n');
    expect(md).toContain('| Organization | Rule | Status |\n|---|---|---|\n');
    expect(md).toContain(
      '| Legacy &lt;b&gt;Ops&lt;/b&gt; \\| "CM" | Active user not signed in recently `stale-last-auth` | not evaluated: no sign-in data |',
    );
  });

  it('github: a notice per rule x org and the count in the last line', async () => {
    const out = (await audit('--format', 'github')).stdout;
    expect(out).toContain(
      `::notice file=${snapFile.replace(/:/g, '%3A').replace(/,/g, '%2C')},title=not evaluated stale-last-auth::[${NAME}] stale-last-auth not evaluated: no sign-in data\n`,
    );
    expect(out).toMatch(
      /^audit: 0 finding\(s\), 0 waived; not evaluated: 42 rule checks in 1 organization; gate passed$/m,
    );
  });

  it('sarif: no result, one tool execution notification per rule x org naming the rule', async () => {
    const sarif = JSON.parse((await audit('--format', 'sarif')).stdout);
    const run = sarif.runs[0];
    expect(run.results).toEqual([]);
    expect(run.tool.driver.notifications[0].id).toBe('not-evaluated');
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(notes).toHaveLength(42);
    const stale = notes.find(
      (n: { associatedRule: { id: string } }) => n.associatedRule.id === 'stale-last-auth',
    );
    const index = run.tool.driver.rules.findIndex((r: { id: string }) => r.id === 'stale-last-auth');
    expect(stale).toMatchObject({
      descriptor: { id: 'not-evaluated', index: 0 },
      associatedRule: { id: 'stale-last-auth', index },
      level: 'note',
      message: { text: `[${NAME}] stale-last-auth not evaluated: no sign-in data` },
      locations: [{ logicalLocations: [{ name: NAME, kind: 'org' }] }],
      properties: { missing: ['signIns'], reason: 'no sign-in data' },
    });
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });
});
