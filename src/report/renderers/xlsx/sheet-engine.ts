/**
 * The one place the review workbook's sheets are written with exceljs. A sheet is data (a SheetSpec:
 * name, columns with header, width, kind and value getter, row styling, validations); writeSheet lays
 * any spec out the same way: frozen header row, autofilter, landscape one-page-wide printing, typed and
 * formula-neutralised cells. The specs are in the files beside this one.
 */
import type ExcelJS from 'exceljs';
import { neutraliseFormula } from '../../../util/text-safety.js';

/** How a column's cells are written: text (neutralised), number, date, severity (coloured), bool. */
export type CellKind = 'text' | 'number' | 'date' | 'severity' | 'bool';
export type CellValue = string | number | boolean | null;

/**
 * One column. `value` and `styleRow` below are methods, so a spec of any row type is a
 * SheetSpec<unknown> (method parameters are compared bivariantly) and the workbook is one list.
 */
export interface ColumnSpec<R> {
  header: string;
  width: number;
  kind?: CellKind;
  /** Number format of a date column (default DATE_FORMAT, date and time). */
  numFmt?: string;
  value(row: R): CellValue;
}

/** A data validation over every data row of one column (at least row 2, so an empty sheet has one). */
interface ColumnValidation {
  header: string;
  rule: ExcelJS.DataValidation;
}

export interface SheetSpec<R> {
  name: string;
  columns: ReadonlyArray<ColumnSpec<R>>;
  rows: Iterable<R>;
  /** Autofilter on the header row; default true. */
  filter?: boolean;
  /** Columns frozen beside the (always frozen) header row. */
  frozenColumns?: number;
  /** Extra styling of a written data row, after the column kinds' styles. */
  styleRow?(row: ExcelJS.Row, item: R): void;
  validations?: readonly ColumnValidation[];
}

export const DATE_FORMAT = 'yyyy-mm-dd hh:mm';
const HEADER_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF0F172A' } } as const;
const HEADER_FONT = { bold: true, color: { argb: 'FFFFFFFF' } } as const;
const SEVERITY_COLOURS: Record<string, { fill: string; font: string }> = {
  critical: { fill: 'FF9F1239', font: 'FFFFFFFF' },
  high: { fill: 'FFC2410C', font: 'FFFFFFFF' },
  medium: { fill: 'FFFACC15', font: 'FF422006' },
  low: { fill: 'FF2563EB', font: 'FFFFFFFF' },
};
/** A severity cell's fill and font, one object each per severity (shared by every such cell). */
const SEVERITY_STYLE = new Map(
  Object.entries(SEVERITY_COLOURS).map(([severity, c]) => [
    severity,
    {
      fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: c.fill } } as ExcelJS.Fill,
      font: { bold: true, color: { argb: c.font } } as Partial<ExcelJS.Font>,
    },
  ]),
);

export function toDate(iso: string | null): Date | null {
  if (iso === null || iso === '') return null;
  // Waiver expiries are YYYY-MM-DD: read them as UTC midnight, not local time.
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** 1 -> A, 27 -> AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function addWorksheet<R>(wb: ExcelJS.stream.xlsx.WorkbookWriter, spec: SheetSpec<R>): ExcelJS.Worksheet {
  const xSplit = spec.frozenColumns ?? 0;
  const ws = wb.addWorksheet(spec.name, {
    views: [{ state: 'frozen', ySplit: 1, xSplit, topLeftCell: `${columnLetter(xSplit + 1)}2` }],
    // On paper: landscape, every column within one page width (as many pages down as it takes) and
    // the header row on every page, so each printed page can be read on its own.
    pageSetup: {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
    },
  });
  ws.columns = spec.columns.map((c) => ({ width: c.width }));
  if (spec.filter !== false) {
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: spec.columns.length } };
  }
  const header = ws.addRow(spec.columns.map((c) => c.header));
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.font = HEADER_FONT;
    cell.alignment = { vertical: 'middle' };
  });
  header.commit();
  return ws;
}

function cellValue(kind: CellKind, v: CellValue): CellValue | Date {
  if (v === null) return null;
  if (kind === 'date' && typeof v === 'string') return toDate(v);
  // No value from Atlas may start a formula, even in a cell typed as text.
  return typeof v === 'string' ? neutraliseFormula(v) : v;
}

function styleCells<R>(row: ExcelJS.Row, columns: ReadonlyArray<ColumnSpec<R>>, values: CellValue[]): void {
  columns.forEach((c, i) => {
    if (c.kind === 'date') row.getCell(i + 1).numFmt = c.numFmt ?? DATE_FORMAT;
    if (c.kind === 'severity') {
      const sev = values[i];
      const style = typeof sev === 'string' ? SEVERITY_STYLE.get(sev) : undefined;
      if (style) {
        const cell = row.getCell(i + 1);
        cell.fill = style.fill;
        cell.font = style.font;
      }
    }
  });
}

/**
 * exceljs implements `worksheet.dataValidations` (the streaming writer too: its
 * worksheet writes them into the sheet XML on commit)
 * but its typings omit it; this names the one method used.
 */
function dataValidations(ws: ExcelJS.Worksheet): { add(range: string, rule: ExcelJS.DataValidation): void } {
  return (ws as unknown as { dataValidations: { add(range: string, rule: ExcelJS.DataValidation): void } })
    .dataValidations;
}

/** ExcelJS.ValueType.Date; the type import carries no values (exceljs loads only to write a workbook). */
const DATE_TYPE = 4;

/**
 * The JSON of each style part (a fill, a font, an alignment) by object: the specs share their parts.
 * A part set on a cell is never changed afterwards (the sheets set constants or fresh objects).
 */
const PART_JSON = new WeakMap<object, string>();

function partJson(part: unknown): string {
  if (typeof part !== 'object' || part === null) return JSON.stringify(part) ?? 'undefined';
  let json = PART_JSON.get(part);
  if (json === undefined) {
    json = JSON.stringify(part);
    PART_JSON.set(part, json);
  }
  return json;
}

/**
 * One style object per distinct style, for every cell of a workbook. exceljs gives each new cell a new
 * style object and, on commit, looks a cell's style up by object identity first (a WeakMap), else
 * renders it to XML to find its id: 0.8 s of the 3.4 s of a 10,000-user workbook went to that. A cell
 * that shares an interned object is found by identity. A style is named by its parts' JSON, each
 * part's computed once per object (the sheets set shared constant parts: a JSON of the whole style
 * per cell was 0.5 s of a 50,000-user workbook).
 */
class StyleInterner {
  private readonly byKey = new Map<string, Partial<ExcelJS.Style>>();
  private readonly empty: Partial<ExcelJS.Style> = Object.freeze({}) as Partial<ExcelJS.Style>;
  private readonly emptyDate: Partial<ExcelJS.Style> = Object.freeze({}) as Partial<ExcelJS.Style>;

  intern(row: ExcelJS.Row): void {
    row.eachCell({ includeEmpty: true }, (cell) => {
      const style = cell.style;
      // exceljs gives a date without a number format its default date format, by the cell's type, the
      // first time it meets the style object: such a date must not share a style with a number.
      let key = cell.type === DATE_TYPE && !style.numFmt ? 'date ' : '';
      let parts = 0;
      for (const name in style) {
        key += `${name}:${partJson(style[name as keyof ExcelJS.Style])};`;
        parts++;
      }
      cell.style =
        parts === 0
          ? key === ''
            ? this.empty
            : this.emptyDate
          : (this.byKey.get(key) ?? this.byKey.set(key, Object.freeze(style)).get(key)!);
    });
  }
}

/** Writes one sheet from its spec and commits it (rows stream out as they are added). */
export function writeSheet<R>(wb: ExcelJS.stream.xlsx.WorkbookWriter, spec: SheetSpec<R>): void {
  const ws = addWorksheet(wb, spec);
  const styles = new StyleInterner();
  let count = 0;
  for (const item of spec.rows) {
    const values = spec.columns.map((c) => c.value(item));
    const row = ws.addRow(values.map((v, i) => cellValue(spec.columns[i]?.kind ?? 'text', v)));
    styleCells(row, spec.columns, values);
    spec.styleRow?.(row, item);
    styles.intern(row);
    row.commit();
    count++;
  }
  const lastRow = Math.max(2, count + 1);
  for (const v of spec.validations ?? []) {
    const index = spec.columns.findIndex((c) => c.header === v.header);
    if (index < 0) throw new Error(`${spec.name} sheet: no column "${v.header}" to validate`);
    const col = columnLetter(index + 1);
    // One range, one <dataValidation sqref>, for the whole column, not one per cell.
    dataValidations(ws).add(`${col}2:${col}${lastRow}`, v.rule);
  }
  ws.commit();
}
