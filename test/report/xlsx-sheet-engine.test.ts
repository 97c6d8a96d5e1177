/**
 * The sheet engine (src/report/renderers/xlsx/sheet-engine.ts) writes any declarative sheet spec, and
 * workbookSheets lists the workbook's sheets in order. Read back with exceljs.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { type SheetSpec, writeSheet } from '../../src/report/renderers/xlsx/sheet-engine.js';
import { workbookSheets } from '../../src/report/renderers/xlsx.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

interface Item {
  name: string;
  seen: string | null;
  count: number;
  severity: string | null;
}

const SPEC = (rows: Item[]): SheetSpec<Item> => ({
  name: 'Things',
  rows,
  frozenColumns: 1,
  columns: [
    { header: 'Name', width: 20, value: (i) => i.name },
    { header: 'Seen', width: 17, kind: 'date', value: (i) => i.seen },
    { header: 'Count', width: 8, kind: 'number', value: (i) => i.count },
    { header: 'Severity', width: 11, kind: 'severity', value: (i) => i.severity },
  ],
  styleRow(row, i) {
    if (i.count > 1) row.getCell(1).font = { italic: true };
  },
  validations: [
    { header: 'Count', rule: { type: 'whole', operator: 'greaterThan', allowBlank: true, formulae: [0] } },
  ],
});

async function written(spec: SheetSpec<Item>): Promise<ExcelJS.Worksheet> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  writeSheet(wb, spec);
  await wb.commit();
  const back = new ExcelJS.Workbook();
  await back.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return back.getWorksheet('Things')!;
}

describe('writeSheet', () => {
  it('writes headers, typed and neutralised cells, row styles, validations and frozen panes', async () => {
    const ws = await written(
      SPEC([
        { name: '=HYPERLINK("x")', seen: '2026-05-01T10:00:00Z', count: 2, severity: 'critical' },
        { name: 'plain', seen: null, count: 1, severity: null },
      ]),
    );
    expect(ws.getRow(1).values).toEqual([undefined, 'Name', 'Seen', 'Count', 'Severity']);
    expect(ws.getCell('A2').value).toBe(`'=HYPERLINK("x")`);
    expect(ws.getCell('B2').value).toEqual(new Date('2026-05-01T10:00:00Z'));
    expect(ws.getCell('B2').numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(ws.getCell('C2').value).toBe(2);
    expect(ws.getCell('D2').fill).toMatchObject({ fgColor: { argb: 'FF9F1239' } });
    expect(ws.getCell('A2').font).toMatchObject({ italic: true });
    expect(ws.getCell('A3').font?.italic).toBeUndefined();
    expect(ws.getCell('B3').value).toBeNull();
    expect(ws.getCell('C3').dataValidation).toMatchObject({ type: 'whole', formulae: [0] });
    expect(ws.getCell('C4').dataValidation).toBeUndefined();
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
  });

  it('validates row 2 of an empty sheet, so a row typed in later is checked', async () => {
    const ws = await written(SPEC([]));
    expect(ws.getCell('C2').dataValidation).toMatchObject({ type: 'whole' });
  });

  it('refuses a validation of a column the sheet does not have', async () => {
    const spec = SPEC([]);
    spec.validations = [{ header: 'Missing', rule: { type: 'list', allowBlank: true, formulae: ['"a"'] } }];
    await expect(written(spec)).rejects.toThrow('Things sheet: no column "Missing" to validate');
  });
});

describe('workbookSheets', () => {
  const model = (withPrevious: boolean) => {
    const snapshot = fixtureSnapshot();
    return buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(snapshot),
      generatedAt: FIXED_NOW,
      previous: withPrevious ? previousReview() : undefined,
    });
  };
  const base = [
    'Summary',
    'Findings',
    'Review',
    'Roles',
    'Teams',
    'Programmatic identities',
    'Project invitations',
    'Database users',
    'Custom roles',
    'Network access',
    'Rules',
    'Waivers',
  ];

  it('lists the sheets in order; Changes and Resolved findings only with a previous review', () => {
    expect(workbookSheets(model(false)).map((s) => s.name)).toEqual(base);
    expect(workbookSheets(model(true)).map((s) => s.name)).toEqual([
      ...base.slice(0, 2),
      'Changes',
      'Resolved findings',
      ...base.slice(2),
    ]);
  });

  it('gives every sheet unique column headers', () => {
    for (const sheet of workbookSheets(model(true))) {
      const headers = sheet.columns.map((c) => c.header);
      expect(new Set(headers).size, sheet.name).toBe(headers.length);
    }
  });
});
