/** The review workbook read back with exceljs: sheets, headers, frozen panes, filters, validation, types. */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { ROSTER_COLUMNS } from '../../src/report/renderers/csv.js';
import { REVIEW_INPUT_HEADERS, renderXlsx, SUMMARY_SHA_LABEL } from '../../src/report/renderers/xlsx.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot, HOSTILE } from '../fixtures/report/estate.js';

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return wb;
}

function headers(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = [];
  ws.getRow(1).eachCell((c) => out.push(String(c.value)));
  return out;
}

/** Every cell value of a sheet (rows 2..), flattened. */
function values(ws: ExcelJS.Worksheet): ExcelJS.CellValue[] {
  const out: ExcelJS.CellValue[] = [];
  ws.eachRow((row, n) => {
    if (n > 1) row.eachCell((c) => out.push(c.value));
  });
  return out;
}

describe('XLSX review workbook', () => {
  let model: ReportModel;
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    const snapshot = fixtureSnapshot({ hostile: true });
    model = buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(snapshot),
      generatedAt: FIXED_NOW,
    });
    wb = await load(await renderXlsx(model));
  });

  it('has the sheets in order, with the snapshot fingerprint in Summary and the properties', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Findings',
      'Review',
      'Teams',
      'Programmatic identities',
      'Rules',
      'Waivers',
    ]);
    const summary = wb.getWorksheet('Summary')!;
    let sha: ExcelJS.CellValue = null;
    summary.eachRow((row) => {
      if (row.getCell(1).value === SUMMARY_SHA_LABEL) sha = row.getCell(2).value;
    });
    expect(sha).toBe(FIXED_SHA);
    expect(wb.subject).toBe(`snapshot-sha256:${FIXED_SHA}`);
    expect(wb.keywords).toBe(`snapshot-sha256:${FIXED_SHA}`);
    expect(wb.created?.toISOString()).toBe(FIXED_NOW.toISOString());
  });

  it('freezes and filters the header row of every sheet', () => {
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      const h = ws.getRow(1);
      expect(h.getCell(1).font?.bold).toBe(true);
      if (ws.name !== 'Summary') expect(ws.autoFilter).toBeTruthy();
      // Widths are set, not left at the default.
      expect(ws.getColumn(1).width).toBeGreaterThan(8);
    }
  });

  it('has one Review row per identity with a stable key and the reviewer columns', () => {
    const ws = wb.getWorksheet('Review')!;
    expect(headers(ws)).toEqual([...ROSTER_COLUMNS.map((c) => c.header), ...REVIEW_INPUT_HEADERS]);
    expect(ws.rowCount).toBe(model.roster.length + 1);
    const keys: string[] = [];
    for (let r = 2; r <= ws.rowCount; r++) keys.push(String(ws.getRow(r).getCell(1).value));
    expect(keys).toEqual(model.roster.map((r) => r.key));
  });

  it('validates Decision as a list of Keep, Revoke, Modify over every roster row', () => {
    const ws = wb.getWorksheet('Review')!;
    const decisionCol = ROSTER_COLUMNS.length + 1;
    for (const r of [2, ws.rowCount]) {
      const dv = ws.getRow(r).getCell(decisionCol).dataValidation;
      expect(dv).toMatchObject({ type: 'list', formulae: ['"Keep,Revoke,Modify"'] });
    }
    expect(ws.getRow(ws.rowCount + 1).getCell(decisionCol).dataValidation).toBeFalsy();
  });

  it('writes dates as real dates and severities with colour', () => {
    const review = wb.getWorksheet('Review')!;
    const lastActivityCol = ROSTER_COLUMNS.findIndex((c) => c.header === 'Last activity') + 1;
    const withActivity = model.roster.findIndex((r) => r.lastActivity !== null);
    const cell = review.getRow(withActivity + 2).getCell(lastActivityCol);
    expect(cell.value).toBeInstanceOf(Date);
    expect((cell.value as Date).toISOString()).toBe(
      new Date(model.roster[withActivity]!.lastActivity!).toISOString(),
    );
    const findings = wb.getWorksheet('Findings')!;
    const sev = findings.getRow(2).getCell(1);
    expect(sev.value).toBe('critical');
    expect(sev.fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FF9F1239' } });
    const waivers = wb.getWorksheet('Waivers')!;
    expect(waivers.getRow(2).getCell(7).value).toBeInstanceOf(Date);
  });

  it('never writes a formula: formula-like Atlas text reads back as apostrophe-prefixed strings', () => {
    const all = wb.worksheets.flatMap(values);
    for (const v of all) {
      expect(typeof v === 'object' && v !== null && !(v instanceof Date) && 'formula' in v).toBe(false);
      if (typeof v === 'string') expect(v).not.toMatch(/^[=+\-@\t\r]/);
    }
    const strings = all.filter((v): v is string => typeof v === 'string');
    expect(strings).toContain(`'${HOSTILE.hyperlink}`);
    expect(strings).toContain(`'${HOSTILE.plus}`);
    expect(strings).toContain(`'${HOSTILE.at}`);
    expect(strings).toContain(`'${HOSTILE.tab}`);
    expect(strings).toContain(`'${HOSTILE.minus}`);
    // Other hostile text survives byte for byte.
    expect(strings).toContain(HOSTILE.long);
    expect(strings.some((s) => s.includes(HOSTILE.rtl))).toBe(true);
  });
});
