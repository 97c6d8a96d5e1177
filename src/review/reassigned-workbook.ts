/**
 * The follow-up workbook of reassigned rows (docs/review.md, "Campaigns"): `review merge
 * --reassigned-out` writes `reassigned-<reviewer>.xlsx` for every reviewer rows were reassigned to.
 * It is the workbook the rows came from (same sheets, Summary and evidence columns), holding only
 * those rows with their input cells cleared, and the Summary's Assigned reviewer set to the new
 * reviewer; `review merge` then reads it like any reviewer's workbook.
 */
import { InputError } from '../errors.js';
import {
  ASSIGNED_REVIEWER_LABEL,
  CAMPAIGN_ID_LABEL,
  HEADERS,
  INPUT_HEADERS,
  REVIEW_DECISIONS,
  REVIEW_SHEET,
  SUMMARY_SHEET,
} from '../workbook/contract.js';
import type { CampaignState } from './campaign-state.js';
import { plainCell } from './import.js';

type Workbook = import('exceljs').Workbook;
type Worksheet = import('exceljs').Worksheet;
type CellValue = import('exceljs').CellValue;

/** The 1-based column of each header in row 1 of a sheet. */
function headerColumns(ws: Worksheet): Map<string, number> {
  const col = new Map<string, number>();
  ws.getRow(1).eachCell((c, n) => {
    const v = plainCell(c.value);
    if (v !== null) col.set(String(v).trim(), n);
  });
  return col;
}

/** A row's cells: value and style by 1-based column. */
type CopiedRow = Map<number, { value: CellValue; style: Partial<import('exceljs').Style> }>;

function copyRow(row: import('exceljs').Row): CopiedRow {
  const out: CopiedRow = new Map();
  row.eachCell({ includeEmpty: true }, (cell, c) => {
    out.set(c, { value: cell.value, style: structuredClone(cell.style) });
  });
  return out;
}

/**
 * The Review sheet again, holding only its header row, in the same place (exceljs 4.4's spliceRows
 * leaves the rows of a loaded sheet in place): columns, header cells, frozen panes and filter copied.
 */
function freshReviewSheet(wb: Workbook): Worksheet {
  const old = wb.getWorksheet(REVIEW_SHEET)!;
  const header = copyRow(old.getRow(1));
  const columns = old.columns.map((c) => ({ width: c.width, hidden: c.hidden, style: c.style }));
  const { views, autoFilter, orderNo } = old as unknown as {
    views: Worksheet['views'];
    autoFilter: Worksheet['autoFilter'];
    orderNo: number;
  };
  wb.removeWorksheet(old.id);
  const ws = wb.addWorksheet(REVIEW_SHEET, { views });
  (ws as unknown as { orderNo: number }).orderNo = orderNo;
  columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    if (c.width !== undefined) col.width = c.width;
    if (c.hidden) col.hidden = true;
  });
  for (const [c, cell] of header) {
    ws.getRow(1).getCell(c).value = cell.value;
    ws.getRow(1).getCell(c).style = cell.style;
  }
  if (autoFilter) ws.autoFilter = autoFilter;
  return ws;
}

/** Sets the Summary value (column B) of a label (column A), adding the row when there is none. */
function setSummary(wb: Workbook, label: string, value: string): void {
  const ws = wb.getWorksheet(SUMMARY_SHEET) ?? wb.addWorksheet(SUMMARY_SHEET);
  let found = false;
  ws.eachRow((row) => {
    if (!found && String(plainCell(row.getCell(1).value) ?? '').trim() === label) {
      row.getCell(2).value = value;
      found = true;
    }
  });
  if (!found) ws.addRow([label, value]);
}

/**
 * A workbook holding only `keys` (in that order), read from the first of `sources` that has each row
 * (the first source is the template: its sheets and Summary are kept), the input cells cleared, and
 * the Summary naming `campaignId` and `reviewer`. A key no source holds is an InputError.
 */
async function subsetWorkbook(
  sources: ReadonlyArray<{ file: string; bytes: Uint8Array }>,
  keys: readonly string[],
  campaign: { campaignId: string; reviewer: string; decisions?: readonly string[] },
): Promise<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const wanted = new Set(keys);
  const found = new Map<string, CopiedRow>();
  let template: Workbook | null = null;
  for (const s of sources) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength) as never);
    template ??= wb;
    const ws = wb.getWorksheet(REVIEW_SHEET);
    const kc = ws ? headerColumns(ws).get(HEADERS.key) : undefined;
    if (!ws || kc === undefined)
      throw new InputError(s.file, '$', `no ${REVIEW_SHEET} sheet with "${HEADERS.key}"`);
    ws.eachRow((row, n) => {
      const key = n === 1 ? null : plainCell(row.getCell(kc).value);
      if (typeof key === 'string' && wanted.has(key) && !found.has(key)) found.set(key, copyRow(row));
    });
  }
  const missing = keys.find((k) => !found.has(k));
  if (!template || missing !== undefined)
    throw new InputError(
      sources[0]?.file ?? '(none)',
      '$',
      `no row for ${missing ?? 'any key'} in the workbooks read`,
    );
  const ws = freshReviewSheet(template);
  const col = headerColumns(ws);
  const choices = campaign.decisions ?? REVIEW_DECISIONS;
  for (const [i, key] of keys.entries()) {
    const row = ws.getRow(i + 2);
    for (const [c, cell] of found.get(key)!) {
      row.getCell(c).value = cell.value;
      row.getCell(c).style = cell.style;
    }
    for (const h of INPUT_HEADERS) {
      const c = col.get(h);
      if (c !== undefined) row.getCell(c).value = null;
    }
    const dc = col.get(HEADERS.decision);
    if (dc !== undefined)
      row.getCell(dc).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`"${choices.join(',')}"`],
        showErrorMessage: true,
        error: `Choose ${choices.join(', ')}`,
      };
  }
  setSummary(template, CAMPAIGN_ID_LABEL, campaign.campaignId);
  setSummary(template, ASSIGNED_REVIEWER_LABEL, campaign.reviewer);
  return new Uint8Array(await template.xlsx.writeBuffer());
}

/**
 * The follow-up workbooks a campaign still lacks: one per reviewer rows were reassigned to whose
 * `reassigned-<reviewer>.xlsx` is not in the folder, made from the workbooks the rows came from.
 */
export async function missingReassignedWorkbooks(
  state: Pick<CampaignState, 'campaign' | 'workbooks' | 'reassignments'>,
  readFile: (name: string) => Promise<Uint8Array | null>,
): Promise<Array<{ file: string; reviewer: string; rows: number; bytes: Uint8Array }>> {
  const out: Array<{ file: string; reviewer: string; rows: number; bytes: Uint8Array }> = [];
  for (const w of state.workbooks.filter((x) => x.kind === 'reassigned' && !x.present)) {
    const rows = state.reassignments.filter((r) => r.to === w.reviewer);
    const sources: Array<{ file: string; bytes: Uint8Array }> = [];
    for (const file of [...new Set(rows.map((r) => r.workbook))]) {
      const bytes = await readFile(file);
      if (bytes) sources.push({ file, bytes });
    }
    const bytes = await subsetWorkbook(
      sources,
      rows.map((r) => r.key),
      { campaignId: state.campaign.campaignId, reviewer: w.reviewer },
    );
    out.push({ file: w.file, reviewer: w.reviewer, rows: rows.length, bytes });
  }
  return out;
}
