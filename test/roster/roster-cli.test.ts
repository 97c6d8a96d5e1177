/**
 * `--roster` through the commands: the roster's people joined to the Atlas users (findings of the
 * roster rules), its sha256 and row count in every output, and a bad roster refused with exit 2 naming
 * the file and row, for `run` before the first request.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { rosterCsv } from '../builders/roster.js';
import { BUILDER_NOW, org, snapshot, user } from '../builders/snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { findingRows } from '../helpers/report-json.js';

let dir: string;
const cli = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: BUILDER_NOW });
const ROSTER = rosterCsv([
  { email: 'leaver@example.com', status: 'Terminated', endDate: '2026-05-15', manager: 'boss@example.com' },
  { email: 'stayer@example.com', aliases: ['s.tayer@example.com'] },
  { email: 'boss@example.com', status: 'On Leave' },
  // The org builder's two owners.
  { email: 'owner1@example.com' },
  { email: 'owner2@example.com' },
]);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(() => {
  dir = tempDir();
  const o = org({ name: 'acme' });
  o.users.push(
    user({ username: 'Leaver@example.com', teamIds: [o.teams[0]!.id] }),
    user({ username: 'S.Tayer@example.com', teamIds: [o.teams[0]!.id] }),
    user({ username: 'boss@example.com', orgRoles: ['ORG_OWNER'], teamIds: [o.teams[0]!.id] }),
    user({ username: 'ghost@example.com', teamIds: [o.teams[0]!.id] }),
  );
  o.teams[0]!.memberIds = o.users.map((u) => u.id).sort();
  writeFileSync(join(dir, 'snap.json'), JSON.stringify(snapshot([o]), null, 2));
  writeFileSync(join(dir, 'hr.csv'), ROSTER);
});

describe('audit --roster', () => {
  it('joins users to people and reports leavers, unknown identities and owners on leave', async () => {
    const r = await cli(['audit', 'snap.json', '--roster', 'hr.csv', '--format', 'json']);
    expect(r.code).toBe(1);
    const model = JSON.parse(r.stdout);
    const rows = findingRows(model).map((f) => [f.ruleId, f.subjectName]);
    expect(rows.filter(([id]) => id!.startsWith('roster-')).sort()).toEqual([
      ['roster-on-leave-privileged', 'boss@example.com'],
      ['roster-terminated-still-active', 'Leaver@example.com'],
      ['roster-unknown-identity', 'ghost@example.com'],
    ]);
    expect(model.meta.inputs.roster).toEqual({ file: join(dir, 'hr.csv'), sha256: sha(ROSTER), rows: 5 });
    expect(model.notEvaluated.filter((n: { ruleId: string }) => n.ruleId.startsWith('roster-'))).toEqual([]);
  });

  it('names the roster in the text output', async () => {
    const r = await cli(['audit', 'snap.json', '--roster', 'hr.csv']);
    expect(r.stdout).toContain(`Roster ${join(dir, 'hr.csv')}: 5 people, sha256 ${sha(ROSTER)}`);
  });

  it('without --roster the roster rules are not evaluated, never passed', async () => {
    const r = await cli(['audit', 'snap.json', '--format', 'json']);
    const model = JSON.parse(r.stdout);
    const roster = model.notEvaluated.filter((n: { ruleId: string }) => n.ruleId.startsWith('roster-'));
    expect(roster.map((n: { reason: string }) => n.reason)).toEqual(Array(4).fill('no roster (--roster)'));
    expect(model.meta.inputs.roster).toBeUndefined();
    for (const rule of model.rules.filter((x: { id: string }) => x.id.startsWith('roster-')))
      expect([rule.subjectsChecked, rule.passed, rule.failed]).toEqual([0, 0, 0]);
  });

  it('reads an Okta JSON export with the policy roster section', async () => {
    writeFileSync(
      join(dir, 'okta.json'),
      JSON.stringify([
        {
          status: 'ACTIVE',
          profile: { login: 'boss@example.com', email: 'boss@example.com', userType: 'Employee' },
        },
        { status: 'DEPROVISIONED', profile: { login: 'leaver@example.com', email: 'leaver@example.com' } },
        { status: 'ACTIVE', profile: { login: 'stayer@example.com', email: 'stayer@example.com' } },
        { status: 'ACTIVE', profile: { login: 'ghost@example.com', email: 'ghost@example.com' } },
        { status: 'ACTIVE', profile: { login: 'owner1@example.com' } },
        { status: 'ACTIVE', profile: { login: 'owner2@example.com' } },
      ]),
    );
    writeFileSync(
      join(dir, 'okta-policy.yaml'),
      'roster:\n  columns: { email: profile.login, status: status, employmentType: profile.userType }\n',
    );
    const r = await cli([
      'audit',
      'snap.json',
      '--roster',
      'okta.json',
      '--policy',
      'okta-policy.yaml',
      '--format',
      'json',
    ]);
    const ids = findingRows(JSON.parse(r.stdout))
      .filter((f) => f.ruleId.startsWith('roster-'))
      .map((f) => `${f.ruleId} ${f.subjectName}`);
    // S.Tayer@example.com is no alias in this export: an unknown identity now.
    expect(ids.sort()).toEqual([
      'roster-terminated-still-active Leaver@example.com',
      'roster-unknown-identity S.Tayer@example.com',
    ]);
  });
});

describe('a bad roster is exit 2 naming the file and row', () => {
  it.each([
    [
      'duplicate email',
      'Work Email,Worker Status\na@example.com,Active\nA@example.com,Active\n',
      undefined,
      /hr-bad\.csv: row 3: address "a@example\.com" also belongs to row 2/,
    ],
    [
      'a mapped column the file lacks',
      'Work Email,Worker Status\na@example.com,Active\n',
      'roster:\n  columns: { status: "Employment State" }\n',
      /hr-bad\.csv: row 1: the policy maps roster status to column "Employment State"/,
    ],
    [
      'an unknown status',
      'Work Email,Worker Status\na@example.com,Retired\n',
      undefined,
      /row 2: status "Retired"/,
    ],
    ['not CSV', 'Work Email,Worker Status\n"a@example.com,Active\n', undefined, /hr-bad\.csv.*not valid CSV/],
  ])('%s', async (_name, text, policy, message) => {
    writeFileSync(join(dir, 'hr-bad.csv'), text);
    const args = ['audit', 'snap.json', '--roster', 'hr-bad.csv'];
    if (policy !== undefined) {
      writeFileSync(join(dir, 'p-bad.yaml'), policy);
      args.push('--policy', 'p-bad.yaml');
    }
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a missing roster file', async () => {
    const r = await cli(['report', 'snap.json', '--roster', 'nowhere.csv', '--html', 'x.html']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nowhere\.csv.*file not found/);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});

describe('report and email --roster', () => {
  it('every format names the roster and its sha256', async () => {
    const out = tempDir();
    const r = await cli(['report', 'snap.json', '--roster', 'hr.csv', '--out-dir', out]);
    expect(r.code).toBe(1);
    const hash = sha(ROSTER);
    for (const file of ['access-review.html', 'access-review.md', 'access-review.json'])
      expect(readFileSync(join(out, file), 'utf8'), file).toContain(hash);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(out, 'access-review.xlsx'));
    const summary: string[] = [];
    wb.getWorksheet('Summary')!.eachRow((row) => summary.push(row.values!.toString()));
    expect(summary.join('\n')).toContain(`Roster sha256,${hash}`);
    expect(summary.join('\n')).toContain('Roster people,5');
  });

  it('the email names it', async () => {
    const r = await cli([
      'email',
      'snap.json',
      '--roster',
      'hr.csv',
      '--email-to',
      'sec@example.com',
      '--email-from',
      'bot@example.com',
      '--eml',
      'review.eml',
    ]);
    expect(r.code).toBe(1);
    const mail = await simpleParser(readFileSync(join(dir, 'review.eml')));
    expect(mail.text).toContain(`Roster ${join(dir, 'hr.csv')}: 5 people, sha256 ${sha(ROSTER)}`);
  });

  it('refuses an output that would overwrite the roster', async () => {
    const r = await cli(['report', 'snap.json', '--roster', 'hr.csv', '--markdown', 'hr.csv', '--force']);
    expect(r.code).toBe(2);
    expect(readFileSync(join(dir, 'hr.csv'), 'utf8')).toBe(ROSTER);
  });
});

describe('run --roster', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('refuses a bad roster before the first request', async () => {
    const NOW = new Date('2026-11-25T12:00:00Z');
    sim = await startSimulator({
      organizations: generateEstate({ seed: 3, now: NOW, ...PRESETS.demo }).organizations,
    });
    const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;
    const run = await runCliForTest(
      ['run', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'out', '--roster', 'hr.csv'],
      {
        env: { MONGODB_ATLAS_CLIENT_ID: sa.clientId, MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret },
        cwd: (() => {
          const d = tempDir();
          writeFileSync(
            join(d, 'hr.csv'),
            'Work Email,Worker Status\na@example.com,Active\na@example.com,Active\n',
          );
          return d;
        })(),
        now: NOW,
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/row 3: address "a@example\.com" also belongs to row 2/);
    expect(sim.stats().requests).toBe(0);
  });
});
