/**
 * The Recommendation column: the one table from rule id to revoke reason names only rules that exist
 * and reads only what their findings record; end to end, a roster leaver, an orphan, a stale user and
 * an expired invitation get their reasons in the workbook and the CSV, everyone else Keep.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolveRules } from '../../src/audit/policy.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import { REVOKE_REASONS } from '../../src/report/recommendation.js';
import { RECOMMENDATION_HEADER } from '../../src/workbook/contract.js';
import { rosterCsv } from '../builders/roster.js';
import { BUILDER_NOW, daysAgo, invitation, org, snapshot, user } from '../builders/snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

describe('REVOKE_REASONS', () => {
  it('names only rules that exist, each once, and reads only their evidence facts and params', async () => {
    const rules = resolveRules(await readRulesDir(DEFAULT_RULES_DIR), DEFAULT_POLICY, null);
    const byId = new Map(rules.map((r) => [r.id, r]));
    expect(new Set(REVOKE_REASONS.map((r) => r.ruleId)).size).toBe(REVOKE_REASONS.length);
    for (const reason of REVOKE_REASONS) {
      const rule = byId.get(reason.ruleId);
      expect(rule, reason.ruleId).toBeDefined();
      const read: string[] = [];
      const text = reason.reason((name) => {
        read.push(name);
        return '1';
      });
      expect(text.length, reason.ruleId).toBeGreaterThan(0);
      for (const name of [...reason.facts, ...read])
        expect(
          rule!.evidenceFacts.includes(name) || Object.hasOwn(rule!.params, name),
          `${reason.ruleId} reads ${name}`,
        ).toBe(true);
    }
  });
});

describe('Recommendation column', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    const o = org({ name: 'acme' });
    o.users.push(
      user({ username: 'leaver@example.com' }),
      user({ username: 'stale@example.com', lastAuth: daysAgo(143) }),
      user({ username: 'ghost@example.com' }),
      user({ username: 'fine@example.com' }),
      { ...invitation({ username: 'late@example.com' }), status: 'INVITATION_EXPIRED' },
    );
    writeFileSync(join(dir, 'snap.json'), JSON.stringify(snapshot([o]), null, 2));
    writeFileSync(
      join(dir, 'hr.csv'),
      rosterCsv([
        { email: 'leaver@example.com', status: 'Terminated', endDate: '2026-04-30' },
        { email: 'stale@example.com' },
        { email: 'fine@example.com' },
        { email: 'late@example.com' },
        { email: 'owner1@example.com' },
        { email: 'owner2@example.com' },
      ]),
    );
    const r = await runCliForTest(
      [
        'report',
        'snap.json',
        '--roster',
        'hr.csv',
        '--csv',
        'r.csv',
        '--xlsx',
        'r.xlsx',
        '--fail-on',
        'never',
      ],
      { cwd: dir, now: BUILDER_NOW },
    );
    expect(r.code, r.stderr).toBe(0);
  });

  const expected = new Map([
    ['leaver@example.com', 'Revoke: terminated in the roster (2026-04-30)'],
    ['stale@example.com', 'Revoke: no sign-in for 143 days (policy 90)'],
    ['ghost@example.com', 'Revoke: not in the roster (orphan)'],
    ['late@example.com', 'Revoke: invitation expired'],
    ['fine@example.com', 'Keep'],
    ['owner1@example.com', 'Keep'],
  ]);

  it('is on the Review sheet, with its reason', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'r.xlsx'));
    const ws = wb.getWorksheet('Review')!;
    const header = (ws.getRow(1).values as unknown[]).map(String);
    const [name, rec] = [header.indexOf('Name'), header.indexOf(RECOMMENDATION_HEADER)];
    const got = new Map<string, string>();
    ws.eachRow((row, n) => {
      if (n > 1) got.set(String(row.getCell(name).value), String(row.getCell(rec).value));
    });
    for (const [user, text] of expected) expect(got.get(user), user).toBe(text);
  });

  it('is the CSV roster’s last column, the same text', () => {
    const lines = readFileSync(join(dir, 'r.csv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const header = lines[0]!.split(',');
    expect(header.at(-1)).toBe(RECOMMENDATION_HEADER);
    const name = header.indexOf('Name');
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      const want = expected.get(cells[name]!);
      if (want) expect(cells.at(-1), cells[name]).toBe(want);
    }
  });
});
