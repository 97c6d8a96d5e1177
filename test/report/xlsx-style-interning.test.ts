/**
 * The sheet engine gives cells that look alike one shared, frozen style object (StyleInterner in
 * src/report/renderers/xlsx/sheet-engine.ts), and exceljs then finds a cell's style id by that
 * object's identity. Read back, every cell of every sheet must have the value and the style it has in
 * a workbook written without sharing: the whole workbook in both layouts, with the changes since a
 * previous review (row fills), and a reviewer's workbook of a campaign.
 */
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { type SheetSpec, writeSheet } from '../../src/report/renderers/xlsx/sheet-engine.js';
import { renderReviewerWorkbooks, renderXlsx } from '../../src/report/renderers/xlsx.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

/** exceljs's Row, the one the renderer uses (exceljs is CommonJS: one module instance). */
const Row = createRequire(import.meta.url)('exceljs/lib/doc/row.js') as {
  prototype: { eachCell(options: unknown, iteratee?: unknown): void };
};
const eachCell = Row.prototype.eachCell;
afterEach(() => {
  Row.prototype.eachCell = eachCell;
});

/** Renders with the interner's pass over each row's cells skipped: every cell keeps its own style. */
async function withoutSharing<T>(render: () => Promise<T>): Promise<T> {
  let skipped = 0;
  Row.prototype.eachCell = function (this: unknown, options: unknown, iteratee?: unknown) {
    // The interner is the one caller that asks for empty cells too.
    if ((options as { includeEmpty?: boolean } | undefined)?.includeEmpty === true) {
      skipped++;
      return;
    }
    return eachCell.call(this, options, iteratee);
  };
  try {
    const out = await render();
    expect(skipped).toBeGreaterThan(0);
    return out;
  } finally {
    Row.prototype.eachCell = eachCell;
  }
}

type CellRecord = { type: number; value: unknown; style: unknown };

async function cells(bytes: Uint8Array): Promise<Map<string, CellRecord>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const out = new Map<string, CellRecord>();
  wb.eachSheet((ws) =>
    ws.eachRow({ includeEmpty: true }, (row, r) =>
      row.eachCell({ includeEmpty: true }, (cell, c) => {
        out.set(`${ws.name}!R${r}C${c}`, {
          type: cell.type,
          value: cell.value,
          style: JSON.parse(JSON.stringify(cell.style)),
        });
      }),
    ),
  );
  return out;
}

function model(hostile: boolean): ReportModel {
  const snapshot = fixtureSnapshot({ hostile });
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
    previous: previousReview(),
  });
}

async function expectSameCells(render: () => Promise<Uint8Array>): Promise<void> {
  const shared = await cells(await render());
  const own = await cells(await withoutSharing(render));
  expect(shared.size).toBeGreaterThan(100);
  expect([...shared.keys()]).toEqual([...own.keys()]);
  for (const [at, cell] of own) expect(shared.get(at), at).toEqual(cell);
  // Dates are still dates, with their format (exceljs picks a date's default format by cell type).
  expect([...shared.values()].some((c) => c.value instanceof Date)).toBe(true);
}

describe('XLSX cells sharing one style object per distinct style', () => {
  for (const hostile of [false, true])
    for (const groupBy of ['rule', 'control'] as const)
      it(`read back as a workbook without sharing: every value and style (${hostile ? 'hostile' : 'plain'}, by ${groupBy})`, async () => {
        const m = model(hostile);
        await expectSameCells(() => renderXlsx(m, { groupBy }));
      });

  it("read back as without sharing in a reviewer's campaign workbook", async () => {
    const m = model(false);
    const rows = m.roster.slice(0, 4);
    const campaign = {
      campaignId: '2026-06-30-deadbeef',
      reviewer: 'lead@example.com',
      due: '2026-06-30',
      rows: 4,
    };
    await expectSameCells(async () => {
      const [one] = await renderReviewerWorkbooks(m, [{ rows, campaign }]);
      return one!;
    });
  });

  it('a date without a number format of its own does not take the style of a number that looks alike', async () => {
    // exceljs gives such a date its default date format by the cell's type, so a style shared with a
    // number would show the date as a serial number. Rows: a number, a date (set by styleRow), a number.
    const spec: SheetSpec<number> = {
      name: 'Mixed',
      rows: [1, 2, 3],
      columns: [{ header: 'Value', width: 20, kind: 'number', value: (i) => i }],
      styleRow(row, i) {
        if (i === 2) row.getCell(1).value = new Date('2026-05-01T00:00:00Z');
        row.getCell(1).alignment = { horizontal: 'left' };
      },
    };
    const write = async (): Promise<Uint8Array> => {
      const chunks: Buffer[] = [];
      const stream = new PassThrough();
      stream.on('data', (c: Buffer) => chunks.push(c));
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
      writeSheet(wb, spec as SheetSpec<unknown>);
      await wb.commit();
      return Buffer.concat(chunks);
    };
    const shared = await cells(await write());
    const own = await cells(await withoutSharing(write));
    expect(own.get('Mixed!R3C1')?.style).toMatchObject({ numFmt: 'mm-dd-yy' });
    expect(shared).toEqual(own);
  });
});
