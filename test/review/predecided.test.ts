/**
 * Invitations that can no longer be accepted (expired, rejected) are written with Decision `Revoke`
 * already filled in (src/review/workbook-contract.ts PREDECIDED_REVOKE). The import takes that value
 * like a typed one, but a pre-filled Revoke is a proposal until a reviewer signs for it: without a
 * Reviewer and a Reviewed on date the row is refused; with them it is signed off as Revoke. A reviewer
 * may also overwrite it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, REVIEW_SHEET, WHY_FLAGGED_HEADER } from '../../src/workbook/contract.js';
import { invitation, snapshot } from '../builders/snapshot.js';
import { fillWorkbook, ORG, q3Org, type RowFill, writeSnapshotFile } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const day = (d: number) => new Date(Date.UTC(2026, 10, d));
const EXPIRED = 'b000000000000000000000e1';
const REJECTED = 'b000000000000000000000e2';
const key = (id: string) => `${ORG}:user:${id}`;

let dir: string;
let snapFile: string;
let workbook: string;

beforeAll(async () => {
  dir = tempDir('aar-predecided-');
  const o = q3Org();
  o.users.push(
    invitation({ id: EXPIRED, username: 'expired@example.com', status: 'INVITATION_EXPIRED' }, 40),
    invitation({ id: REJECTED, username: 'rejected@example.com', status: 'INVITATION_REJECTED' }),
  );
  snapFile = writeSnapshotFile(dir, 'q3.json', snapshot([o]));
  workbook = join(dir, 'review.xlsx');
  const r = await runCliForTest(['report', snapFile, '--xlsx', workbook], { now: day(1) });
  expect(r.stderr).not.toContain('internal error');
});

async function importWith(name: string, fill: (key: string) => RowFill) {
  const file = join(dir, name);
  await fillWorkbook(workbook, file, fill);
  const out = join(dir, `out-${name}`);
  const r = await runCliForTest(['review', 'import', file, '--snapshot', snapFile, '--out-dir', out], {
    now: NOW,
  });
  return { ...r, out };
}

/** Every row decided by a lead, except that the pre-filled rows' Decision is left as written. */
const lead = (k: string): RowFill => {
  const base: RowFill = { reviewer: 'lead@example.com', reviewedOn: day(20) };
  return k === key(EXPIRED) || k === key(REJECTED)
    ? base
    : { ...base, decision: 'Keep', comment: 'needed for the on-call rota' };
};

describe('pre-decided Revoke rows', () => {
  it('are written with Decision Revoke, shaded and validated like any input, and say why', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(workbook);
    const ws = wb.getWorksheet(REVIEW_SHEET)!;
    const col = new Map<string, number>();
    ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
    const byKey = new Map<string, ExcelJS.Row>();
    ws.eachRow((row, n) => {
      if (n > 1) byKey.set(String(row.getCell(col.get(HEADERS.key)!).value), row);
    });
    for (const [id, why] of [
      [EXPIRED, 'Invitation expired: Revoke pre-filled'],
      [REJECTED, 'Invitation rejected: Revoke pre-filled'],
    ] as const) {
      const row = byKey.get(key(id))!;
      const decision = row.getCell(col.get(HEADERS.decision)!);
      expect(decision.value).toBe('Revoke');
      expect(decision.dataValidation).toMatchObject({ type: 'list' });
      expect(decision.fill).toMatchObject({ fgColor: { argb: 'FFFEF9C3' } });
      expect(row.getCell(col.get(HEADERS.reviewer)!).value).toBeNull();
      expect(String(row.getCell(col.get(WHY_FLAGGED_HEADER)!).value)).toContain(why);
    }
    // A pending invitation can still be accepted: no decision is made for the reviewer.
    const pending = [...byKey.values()].filter((r) => r.getCell(col.get('Status')!).value === 'PENDING');
    expect(pending.length).toBeGreaterThan(0);
    for (const r of pending) expect(r.getCell(col.get(HEADERS.decision)!).value).toBeNull();
  });

  it('without a reviewer and date are refused, naming the pre-filled Revoke', async () => {
    const r = await importWith('unconfirmed.xlsx', (k) => (k === key(EXPIRED) ? {} : lead(k)));
    expect(r.code).toBe(2);
    expect(existsSync(r.out)).toBe(false);
    expect(r.stderr).toMatch(
      /Review!F\d+ \(Reviewer\): no reviewer: the Revoke was pre-filled \(invitation expired\); confirm it with your name and a date/,
    );
    expect(r.stderr).toMatch(/Review!G\d+ \(Reviewed on\): no review date/);
    expect(r.stderr).toContain('2 problems in the workbook');
  });

  it('with a reviewer and date are signed off as Revoke; a reviewer may overwrite one with Keep', async () => {
    const r = await importWith('confirmed.xlsx', (k) =>
      k === key(REJECTED) ? { ...lead(k), decision: 'Keep' } : lead(k),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/8 decisions \(7 keep, 1 revoke/);
    const signoff = JSON.parse(readFileSync(join(r.out, 'signoff.json'), 'utf8'));
    const text = JSON.stringify(signoff);
    expect(text).toContain('expired@example.com');
    expect(text).not.toContain('rejected@example.com');
    const plan = readFileSync(join(r.out, 'revocation-plan.txt'), 'utf8');
    expect(plan).toContain('expired@example.com');
  });
});
