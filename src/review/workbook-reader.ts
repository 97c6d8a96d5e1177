/**
 * The review workbook read as plain values, one XML part at a time (docs/review.md, `review import`).
 *
 * Why not exceljs: its in-memory reader builds an object per cell of every sheet (1.1 GiB peak RSS for
 * the 70,908-row workbook of `npm run bench:review-import`), and its streaming WorkbookReader crashes
 * ("reading 'sheets'") when a worksheet's relationships come before xl/workbook.xml in the ZIP, which
 * is how exceljs itself saves a workbook with a hyperlink cell (Excel makes one of every typed email
 * address). So this module takes the parts it needs from the ZIP that src/review/xlsx-package.ts has
 * already checked, inflates each as a stream into a SAX parser (saxes: strict XML 1.0, no entity
 * expansion beyond the five predefined ones), and keeps only the values: the relationships, the
 * workbook's sheet list, the number formats of the styles, the shared strings, the core properties, and
 * the Summary and Review sheets. Other sheets are never inflated a second time.
 *
 * It reads what a spreadsheet shows, not only what exceljs read: a cell without a style attribute has
 * style 0 (ECMA-376 Part 1, 18.3.1.4 `s`), a formula is a formula in a hyperlinked cell too, and a row
 * or cell given twice, or two sheets of one name, are reported as package problems rather than one of
 * them silently chosen.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { InputError } from '../errors.js';
import { REVIEW_SHEET, SUMMARY_SHEET } from '../workbook/contract.js';
import {
  inflateZipEntry,
  inspectWorkbookPackage,
  type PackageProblem,
  type WorkbookLimits,
  workbookLimits,
  type ZipEntry,
  ZipError,
  zipPartName,
} from './xlsx-package.js';

/** A cell value reduced to what the import needs. */
export type CellData = string | number | boolean | Date | null;

/**
 * How a cell is shown rather than what it holds: a formula (its cached result is what is read, not
 * necessarily what a spreadsheet shows after recalculating) and its number format (`;;;"Revoke"`
 * shows Revoke whatever the cell holds). Recorded only for cells that have either.
 */
interface CellMeta {
  formula: string | null;
  numFmt: string | null;
}

/** The Review sheet as read: values, plus what can make the display differ from them. */
export interface ReviewSheetContents {
  /** Header row: 1-based column -> text. */
  headers: Map<number, string>;
  /** Header cells that have a formula or a number format. */
  headerMeta: Map<number, CellMeta>;
  /** Data rows, by row number; `meta` holds the cells with a formula or number format. */
  rows: Array<{ row: number; cells: Map<number, CellData>; meta: Map<number, CellMeta> }>;
  /** Column visibility (1-based), for the header columns. */
  columns: Map<number, { hidden: boolean; width: number | null }>;
  /** Conditional formats that apply a number format: the range and the format. */
  conditionalNumFmts: Array<{ ref: string; numFmt: string }>;
}

/** The parts of a workbook the import reads, as plain values. */
export interface WorkbookContents {
  sheetNames: string[];
  /** Every sheet with its visibility (`visible`, `hidden` or `veryHidden`). */
  sheets?: Array<{ name: string; state: string }>;
  /** Core properties `subject` and `keywords` (the renderer writes the fingerprint in both). */
  properties: { subject: string | null; keywords: string | null };
  /** Summary sheet rows as [label, value] with their 1-based row numbers; null when the sheet is absent. */
  summary: Array<{ row: number; label: CellData; value: CellData }> | null;
  /** Review sheet; null when the sheet is absent. */
  review: ReviewSheetContents | null;
  /** Problems found in the package (external links, XML tricks in cell data, repeated rows or cells). */
  packageProblems?: PackageProblem[];
}

/** The relationships namespace (ECMA-376 Part 1, 22.8: `r:id` and relationship types). */
const R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL = R_NS;
const REL_OFFICE_DOCUMENT = `${REL}/officeDocument`;
const REL_CORE = 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties';

/**
 * Built-in number formats (ECMA-376 Part 1, 18.8.30), as exceljs names them; other built-in ids are
 * locale-dependent and read as no format, as exceljs read them.
 */
const BUILTIN_NUM_FMTS: Readonly<Record<number, string>> = {
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: 'mm-dd-yy',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'm/d/yy "h":mm',
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00 ;(#,##0.00)',
  40: '#,##0.00 ;[Red](#,##0.00)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mmss.0',
  48: '##0.0E+0',
  49: '@',
};

/** The local part of a qualified name (`x:row` -> `row`). */
function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/**
 * An unprefixed attribute. A prefixed one (`x:t`) is another attribute, in another namespace, which a
 * spreadsheet does not read in its place: neither does this reader.
 */
function attr(node: SaxesTagPlain, name: string): string | undefined {
  return (node.attributes as Record<string, string>)[name];
}

/**
 * The relationship id of an element (`r:id`), by the namespace its prefix is bound to, not by the
 * prefix: `prefixes` holds the declarations seen. Two ids that differ cannot both be obeyed: null.
 */
function relationshipId(
  node: SaxesTagPlain,
  prefixes: ReadonlyMap<string, string>,
): string | null | 'conflict' {
  let id: string | null = null;
  for (const [k, v] of Object.entries(node.attributes as Record<string, string>)) {
    const colon = k.indexOf(':');
    if (colon < 0 || k.slice(colon + 1) !== 'id' || prefixes.get(k.slice(0, colon)) !== R_NS) continue;
    if (id !== null && id !== v) return 'conflict';
    id = v;
  }
  return id;
}

/** Records the `xmlns:prefix` declarations of an element; a prefix bound to two namespaces is refused. */
function declarePrefixes(
  node: SaxesTagPlain,
  prefixes: Map<string, string>,
  fail: (why: string) => never,
): void {
  for (const [k, v] of Object.entries(node.attributes as Record<string, string>)) {
    if (!k.startsWith('xmlns:')) continue;
    const prefix = k.slice(6);
    if (prefixes.has(prefix) && prefixes.get(prefix) !== v)
      fail(`the prefix ${prefix} is bound to two namespaces`);
    prefixes.set(prefix, v);
  }
}

/** XML Schema boolean (`true`, `1`). */
const isTrue = (v: string | undefined) => v === '1' || v === 'true';

/** The SAX events of one part. */
interface PartHandler {
  open(node: SaxesTagPlain): void;
  text?(text: string): void;
  close?(name: string): void;
}

/** The package's entries by OPC part name, and the file for errors. */
class Package {
  private readonly byName = new Map<string, ZipEntry>();
  constructor(
    private readonly bytes: Uint8Array,
    readonly file: string,
    entries: readonly ZipEntry[],
  ) {
    for (const e of entries) this.byName.set(zipPartName(e.name), e);
  }

  has(part: string): boolean {
    return this.byName.has(zipPartName(part));
  }

  unreadable(part: string, why: string): InputError {
    return new InputError(this.file, '$', `not a readable XLSX workbook: ${part}: ${why}`);
  }

  /** Streams one part through a SAX parser; a missing part is skipped (false) unless `required`. */
  async parse(part: string, handler: PartHandler, required = false): Promise<boolean> {
    const entry = this.byName.get(zipPartName(part));
    if (!entry) {
      if (required) throw this.unreadable(part, 'the part is missing');
      return false;
    }
    const parser = new SaxesParser({ xmlns: false, position: false });
    parser.on('opentag', (node) => handler.open(node));
    if (handler.text) {
      const onText = handler.text.bind(handler);
      parser.on('text', onText);
      parser.on('cdata', onText);
    }
    if (handler.close) {
      const onClose = handler.close.bind(handler);
      parser.on('closetag', (node) => onClose(node.name));
    }
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    try {
      await inflateZipEntry(this.bytes, entry, (chunk) => {
        parser.write(utf8.decode(chunk, { stream: true }));
      });
      parser.write(utf8.decode());
      parser.close();
    } catch (error) {
      if (error instanceof InputError) throw error;
      if (error instanceof ZipError) throw this.unreadable(part, error.message);
      throw this.unreadable(part, (error as Error).message);
    }
    return true;
  }
}

/** Where a relationship's target is: relative to the source part's folder, or absolute from the root. */
function resolveTarget(source: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const base = source.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') base.pop();
    else if (seg !== '.' && seg !== '') base.push(seg);
  }
  return base.join('/');
}

/** The relationships part of `source` (`xl/workbook.xml` -> `xl/_rels/workbook.xml.rels`). */
function relsPart(source: string): string {
  const i = source.lastIndexOf('/');
  return `${source.slice(0, i + 1)}_rels/${source.slice(i + 1)}.rels`;
}

/** Internal relationships of a part: id -> { type, target part }. */
async function readRelationships(
  pkg: Package,
  source: string,
): Promise<Map<string, { type: string; target: string }>> {
  const rels = new Map<string, { type: string; target: string }>();
  await pkg.parse(relsPart(source), {
    open(node) {
      if (local(node.name) !== 'Relationship') return;
      const id = attr(node, 'Id');
      const target = attr(node, 'Target');
      if (id === undefined || target === undefined || attr(node, 'TargetMode') === 'External') return;
      rels.set(id, { type: attr(node, 'Type') ?? '', target: resolveTarget(source, target) });
    },
  });
  return rels;
}

const targetOfType = (rels: Map<string, { type: string; target: string }>, type: string) =>
  [...rels.values()].find((r) => r.type === type)?.target ?? null;

/** The workbook part: its sheets in order, with visibility and relationship id, and the 1904 date system. */
async function readWorkbookPart(pkg: Package, part: string) {
  const sheets: Array<{ name: string; state: string; rid: string | null }> = [];
  const prefixes = new Map<string, string>();
  const fail = (why: string): never => {
    throw pkg.unreadable(part, why);
  };
  let date1904 = false;
  await pkg.parse(
    part,
    {
      open(node) {
        declarePrefixes(node, prefixes, fail);
        const name = local(node.name);
        if (name === 'workbookPr') date1904 = isTrue(attr(node, 'date1904'));
        else if (name === 'sheet') {
          const rid = relationshipId(node, prefixes);
          if (rid === 'conflict')
            fail(`the sheet ${JSON.stringify(attr(node, 'name'))} has two relationship ids`);
          sheets.push({ name: attr(node, 'name') ?? '', state: attr(node, 'state') ?? 'visible', rid });
        }
      },
    },
    true,
  );
  return { sheets, date1904 };
}

/** Number formats of the styles part: each cell style's format code, and each differential style's. */
interface Styles {
  /** `cellXfs` index -> format code (null: General or a locale-dependent built-in). */
  cellFormats: Array<string | null>;
  /** `dxfs` index -> format code. */
  dxfFormats: Array<string | null>;
}

async function readStyles(pkg: Package, part: string | null): Promise<Styles> {
  const custom = new Map<number, string>();
  const cellXfIds: number[] = [];
  const dxfFormats: Array<string | null> = [];
  let section: 'cellXfs' | 'dxfs' | null = null;
  let inDxf = false;
  const code = (id: number) => custom.get(id) ?? BUILTIN_NUM_FMTS[id] ?? null;
  if (part !== null)
    await pkg.parse(part, {
      open(node) {
        const name = local(node.name);
        if (name === 'cellXfs' || name === 'dxfs') section = name;
        else if (name === 'cellStyleXfs') section = null;
        else if (name === 'xf' && section === 'cellXfs')
          cellXfIds.push(Number.parseInt(attr(node, 'numFmtId') ?? '0', 10) || 0);
        else if (name === 'dxf' && section === 'dxfs') {
          dxfFormats.push(null);
          inDxf = true;
        } else if (name === 'numFmt') {
          const id = Number.parseInt(attr(node, 'numFmtId') ?? '', 10);
          const formatCode = attr(node, 'formatCode');
          if (inDxf) dxfFormats[dxfFormats.length - 1] = formatCode ?? (Number.isNaN(id) ? null : code(id));
          else if (!Number.isNaN(id) && formatCode !== undefined) custom.set(id, formatCode);
        }
      },
      close(name) {
        const l = local(name);
        if (l === 'cellXfs' || l === 'dxfs') section = null;
        else if (l === 'dxf') inDxf = false;
      },
    });
  // Custom formats precede the cell styles in the part, but resolve after reading all to be sure.
  return { cellFormats: cellXfIds.map((id) => (id === 0 ? null : code(id))), dxfFormats };
}

/** The shared string table: each `<si>`'s text (its runs joined; phonetic hints left out). */
async function readSharedStrings(pkg: Package, part: string | null): Promise<string[]> {
  const strings: string[] = [];
  if (part === null) return strings;
  let current: string | null = null;
  let inT = false;
  let phonetic = 0;
  await pkg.parse(part, {
    open(node) {
      const name = local(node.name);
      if (name === 'si') current = '';
      else if (name === 'rPh') phonetic++;
      else if (name === 't' && current !== null && phonetic === 0) inT = true;
    },
    text(t) {
      if (inT) current += t;
    },
    close(name) {
      const l = local(name);
      if (l === 't') inT = false;
      else if (l === 'rPh') phonetic--;
      else if (l === 'si' && current !== null) {
        strings.push(current);
        current = null;
      }
    },
  });
  return strings;
}

/** Core properties `subject` and `keywords`. */
async function readCoreProperties(pkg: Package, part: string | null) {
  const props: { subject: string | null; keywords: string | null } = { subject: null, keywords: null };
  if (part === null) return props;
  let field: 'subject' | 'keywords' | null = null;
  let value = '';
  await pkg.parse(part, {
    open(node) {
      const name = local(node.name);
      if (name === 'subject' || name === 'keywords') {
        field = name;
        value = '';
      }
    },
    text(t) {
      if (field) value += t;
    },
    close(name) {
      if (field && local(name) === field) {
        props[field] = value === '' ? null : value;
        field = null;
      }
    },
  });
  return props;
}

/** Column number of a cell reference (`AB12` -> 28), 0 when it has no letters. */
function refColumn(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) & ~0x20;
    if (c < 65 || c > 90) break;
    col = col * 26 + (c - 64);
  }
  return col;
}

/** Excel serial date to a Date, read as UTC (ECMA-376 Part 1, 18.17.4.1), in either date system. */
function serialToDate(v: number, date1904: boolean): Date {
  return new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/**
 * Whether a format shows a number as a date, with exceljs's test (date or time letters outside quotes
 * and brackets), so a Reviewed on date typed in Excel reads as the date it shows.
 */
function showsDate(fmt: string | null): boolean {
  if (!fmt) return false;
  return /[ymdhMsb]/.test(fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** A copy of `s` that shares no memory with the string it was cut from. */
function unslice(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** One cell as read from `<c>`: its type, style, formula and the text of `<v>` or `<is>`. */
interface RawCell {
  col: number;
  ref: string;
  t: string;
  style: number;
  formula: string | null;
  value: string | null;
}

interface SheetSink {
  /** Called for each cell with a value or metadata. */
  cell(row: number, col: number, value: CellData, meta: CellMeta | null): void;
  /** Called once a row's cells are read. */
  rowEnd(row: number): void;
}

/** What the sheet part holds besides cells: column widths and visibility, conditional number formats. */
interface SheetExtras {
  columns: Array<{ min: number; max: number; hidden: boolean; width: number | null }>;
  conditionalNumFmts: Array<{ ref: string; numFmt: string }>;
}

interface SheetContext {
  part: string;
  sheet: string;
  styles: Styles;
  strings: readonly string[];
  date1904: boolean;
  problems: PackageProblem[];
}

/** A cell's value as a spreadsheet holds it: shared and inline strings, numbers, dates, booleans. */
function cellValue(c: RawCell, numFmt: string | null, ctx: SheetContext, fail: (why: string) => never) {
  const v = c.value;
  if (c.formula !== null) {
    // A formula counts by its cached result (none, or an error, is blank); the meta flags it anyway.
    if (v === null || v === '' || c.t === 'e') return null;
    if (c.t === 'str') return v;
    if (c.t === 'b') return Number.parseInt(v, 10) !== 0;
    const n = Number.parseFloat(v);
    return showsDate(numFmt) ? serialToDate(n, ctx.date1904) : n;
  }
  if (v === null) return null;
  switch (c.t) {
    case 's': {
      const i = Number.parseInt(v, 10);
      const s = ctx.strings[i];
      if (s === undefined) fail(`cell ${c.ref} refers to shared string ${v}, which does not exist`);
      return s;
    }
    case 'str':
    case 'inlineStr':
      return v;
    case 'b':
      return Number.parseInt(v, 10) !== 0;
    case 'e':
      return `#ERROR ${v}`;
    case 'd': {
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? v : d;
    }
    default: {
      const n = Number.parseFloat(v);
      return showsDate(numFmt) ? serialToDate(n, ctx.date1904) : n;
    }
  }
}

/**
 * The SAX handler of a worksheet part: hands each cell to `sink` in document order and collects the
 * column and conditional-format extras. Repeated row numbers and cell references are package problems:
 * a spreadsheet shows one of them, and which is not ours to guess.
 */
class SheetHandler implements PartHandler {
  readonly extras: SheetExtras = { columns: [], conditionalNumFmts: [] };
  private readonly seenRows = new Set<number>();
  private readonly sharedFormulas = new Map<string, string>();
  private row = 0;
  private lastCol = 0;
  private seenCols = new Set<number>();
  private cell: RawCell | null = null;
  private into: 'v' | 'f' | 't' | 'sqref' | null = null;
  private inIs = false;
  private phonetic = 0;
  private sharedSi: string | null = null;
  private cf: { ref: string; formats: string[] } | null = null;
  private inRule = false;

  constructor(
    private readonly pkg: Package,
    private readonly ctx: SheetContext,
    private readonly sink: SheetSink,
  ) {}

  private fail(why: string): never {
    throw this.pkg.unreadable(this.ctx.part, why);
  }

  private repeated(what: string): void {
    this.ctx.problems.push({
      part: this.ctx.part,
      message: `the ${this.ctx.sheet} sheet has ${what} twice; keep one`,
    });
  }

  open(node: SaxesTagPlain): void {
    const name = local(node.name);
    if (name === 'row') this.openRow(node);
    else if (name === 'c') this.openCell(node);
    else if (this.cell) this.openInCell(name, node);
    else this.openOutside(name, node);
  }

  private openRow(node: SaxesTagPlain): void {
    const r = attr(node, 'r');
    this.row = r === undefined ? this.row + 1 : Number.parseInt(r, 10);
    if (!(this.row >= 1)) this.fail(`row number ${JSON.stringify(r)}`);
    if (this.seenRows.has(this.row)) this.repeated(`row ${this.row}`);
    this.seenRows.add(this.row);
    this.lastCol = 0;
    this.seenCols = new Set();
  }

  private openCell(node: SaxesTagPlain): void {
    const ref = attr(node, 'r');
    const col = ref === undefined ? this.lastCol + 1 : refColumn(ref);
    if (col < 1) this.fail(`cell reference ${JSON.stringify(ref)}`);
    if (this.seenCols.has(col)) this.repeated(`cell ${ref ?? `${col} of row ${this.row}`}`);
    this.seenCols.add(col);
    this.lastCol = col;
    const s = attr(node, 's');
    this.cell = {
      col,
      ref: ref ?? `column ${col} of row ${this.row}`,
      t: attr(node, 't') ?? 'n',
      style: s === undefined ? 0 : Number.parseInt(s, 10) || 0,
      formula: null,
      value: null,
    };
    this.sharedSi = null;
  }

  /** `<f>`, `<v>` and an inline string's `<is>`, `<t>` and phonetic `<rPh>` (whose text is not shown). */
  private openInCell(name: string, node: SaxesTagPlain): void {
    const cell = this.cell!;
    if (name === 'f') {
      cell.formula = '';
      this.into = 'f';
      if (attr(node, 't') === 'shared') this.sharedSi = attr(node, 'si') ?? null;
    } else if (name === 'v') this.into = 'v';
    else if (name === 'is') {
      this.inIs = true;
      cell.value = '';
    } else if (name === 'rPh') this.phonetic++;
    else if (name === 't' && this.inIs && this.phonetic === 0) this.into = 't';
  }

  /** Column definitions and conditional formats (with a rule's differential format, or an inline one). */
  private openOutside(name: string, node: SaxesTagPlain): void {
    if (name === 'col') {
      const width = attr(node, 'width');
      this.extras.columns.push({
        min: Number.parseInt(attr(node, 'min') ?? '0', 10),
        max: Number.parseInt(attr(node, 'max') ?? '0', 10),
        hidden: isTrue(attr(node, 'hidden')),
        width: width === undefined ? null : Number.parseFloat(width) || 0,
      });
    } else if (name === 'conditionalFormatting') this.cf = { ref: attr(node, 'sqref') ?? '', formats: [] };
    else if (name === 'sqref' && this.cf) this.into = 'sqref';
    else if (name === 'cfRule') {
      this.inRule = true;
      const dxf = attr(node, 'dxfId');
      const fmt = dxf === undefined ? null : this.ctx.styles.dxfFormats[Number.parseInt(dxf, 10)];
      if (this.cf && fmt) this.cf.formats.push(fmt);
    } else if (name === 'numFmt') {
      // x14 conditional formats carry their differential format inline.
      const fmt = attr(node, 'formatCode');
      if (this.cf && this.inRule && fmt) this.cf.formats.push(fmt);
    }
  }

  text(t: string): void {
    if (this.into === null) return;
    if (this.into === 'sqref') {
      if (this.cf) this.cf.ref += this.cf.ref === '' ? t.trim() : ` ${t.trim()}`;
    } else if (this.cell) {
      if (this.into === 'f') this.cell.formula += t;
      else this.cell.value = (this.cell.value ?? '') + t;
    }
  }

  close(name: string): void {
    switch (local(name)) {
      case 'f':
        if (this.cell && this.sharedSi !== null && this.cell.formula)
          this.sharedFormulas.set(this.sharedSi, this.cell.formula);
        this.into = null;
        return;
      case 'v':
      case 't':
      case 'sqref':
        this.into = null;
        return;
      case 'is':
        this.inIs = false;
        return;
      case 'rPh':
        this.phonetic--;
        return;
      case 'c':
        if (this.cell) this.endCell(this.cell);
        this.cell = null;
        return;
      case 'row':
        this.sink.rowEnd(this.row);
        return;
      case 'cfRule':
        this.inRule = false;
        return;
      case 'conditionalFormatting':
        for (const numFmt of this.cf?.formats ?? [])
          this.extras.conditionalNumFmts.push({ ref: this.cf!.ref, numFmt });
        this.cf = null;
        return;
    }
  }

  private endCell(c: RawCell): void {
    const { styles } = this.ctx;
    if (c.formula === '' && this.sharedSi !== null) c.formula = this.sharedFormulas.get(this.sharedSi) ?? '';
    if (c.style !== 0 && c.style >= styles.cellFormats.length)
      this.fail(`cell ${c.ref} has style ${c.style}, which does not exist`);
    const numFmt = styles.cellFormats[c.style] ?? null;
    const read = cellValue(c, numFmt, this.ctx, (why) => this.fail(why));
    // The parser's text is a slice of the chunk it came in: copied, a kept value does not keep the
    // whole 64 KiB chunk alive (without this, the Review sheet's XML stayed in memory).
    const value = typeof read === 'string' ? unslice(read) : read;
    const meta = c.formula === null && numFmt === null ? null : { formula: c.formula, numFmt };
    if (value !== null || meta !== null) this.sink.cell(this.row, c.col, value, meta);
  }
}

/** Streams a worksheet part through a {@link SheetHandler}; returns its column and conditional formats. */
async function readSheet(pkg: Package, ctx: SheetContext, sink: SheetSink): Promise<SheetExtras> {
  const handler = new SheetHandler(pkg, ctx, sink);
  await pkg.parse(ctx.part, handler, true);
  return handler.extras;
}

/** The Summary sheet: column A and B of every row that holds a value. */
async function readSummary(
  pkg: Package,
  ctx: SheetContext,
): Promise<NonNullable<WorkbookContents['summary']>> {
  const rows = new Map<number, { row: number; label: CellData; value: CellData; any: boolean }>();
  await readSheet(pkg, ctx, {
    cell(row, col, value) {
      let r = rows.get(row);
      if (!r) {
        r = { row, label: null, value: null, any: false };
        rows.set(row, r);
      }
      if (value !== null) r.any = true;
      if (col === 1) r.label = value;
      else if (col === 2) r.value = value;
    },
    rowEnd() {},
  });
  return [...rows.values()]
    .filter((r) => r.any)
    .sort((a, b) => a.row - b.row)
    .map(({ row, label, value }) => ({ row, label, value }));
}

/** Options of {@link readWorkbookContents}. */
export interface ReadOptions {
  /**
   * Which Review columns' data cells to keep, by header text; default all. A row with anything in a
   * column not kept is still a row (with no cells of it), so a row added to the sheet stays visible.
   */
  keepColumn?: (header: string) => boolean;
}

/** The Review sheet: header row, data rows (blank text is no value), column visibility, conditional formats. */
async function readReview(
  pkg: Package,
  ctx: SheetContext,
  options: ReadOptions,
): Promise<ReviewSheetContents> {
  const headers = new Map<number, string>();
  const headerMeta = new Map<number, CellMeta>();
  const byRow = new Map<number, ReviewSheetContents['rows'][number]>();
  let cells = new Map<number, CellData>();
  let meta = new Map<number, CellMeta>();
  let elsewhere = false;
  // Known once row 1 is read; a data row before it (rows out of order) keeps every column.
  let kept: Set<number> | null = null;
  const extras = await readSheet(pkg, ctx, {
    cell(row, col, value, m) {
      if (row === 1) {
        if (value !== null) headers.set(col, String(value).trim());
        if (m) headerMeta.set(col, m);
        return;
      }
      const blank = value === null || (typeof value === 'string' && value.trim() === '');
      if (kept !== null && !kept.has(col)) {
        if (!blank || m?.formula != null) elsewhere = true;
        return;
      }
      if (!blank) cells.set(col, value);
      if (m && (m.formula !== null || !blank)) meta.set(col, m);
    },
    rowEnd(row) {
      if (row === 1 && options.keepColumn) {
        const keep = options.keepColumn;
        kept = new Set([...headers].filter(([, h]) => keep(h)).map(([c]) => c));
      }
      // Rows that only carry styling (input fill) are not data rows; a repeated row keeps the last.
      if (row !== 1 && (cells.size > 0 || meta.size > 0 || elsewhere)) byRow.set(row, { row, cells, meta });
      cells = new Map();
      meta = new Map();
      elsewhere = false;
    },
  });
  const columns = new Map<number, { hidden: boolean; width: number | null }>();
  for (const col of headers.keys()) {
    // A later <col> over the same column wins, as it does for exceljs and Excel.
    let c: SheetExtras['columns'][number] | undefined;
    for (const x of extras.columns) if (col >= x.min && col <= x.max) c = x;
    columns.set(col, { hidden: c?.hidden ?? false, width: c?.width ?? null });
  }
  return {
    headers,
    headerMeta,
    rows: [...byRow.values()].sort((a, b) => a.row - b.row),
    columns,
    conditionalNumFmts: extras.conditionalNumFmts,
  };
}

/**
 * Reads the Summary and Review sheets and the core properties. Bytes that are not an XLSX workbook are
 * an InputError (exit 2). The ZIP package is checked first (src/review/xlsx-package.ts): above
 * `limits` nothing is read (exit 2), and its problems are returned with the contents.
 */
export async function readWorkbookContents(
  bytes: Uint8Array,
  file: string,
  limits: WorkbookLimits = workbookLimits(0),
  options: ReadOptions = {},
): Promise<WorkbookContents> {
  const inspection = await inspectWorkbookPackage(bytes, file, limits);
  const pkg = new Package(bytes, file, inspection.entries);
  const problems = [...inspection.problems];
  const rootRels = await readRelationships(pkg, '');
  const workbookPart = targetOfType(rootRels, REL_OFFICE_DOCUMENT) ?? 'xl/workbook.xml';
  const corePart =
    targetOfType(rootRels, REL_CORE) ?? (pkg.has('docProps/core.xml') ? 'docProps/core.xml' : null);
  const { sheets, date1904 } = await readWorkbookPart(pkg, workbookPart);
  const wbRels = await readRelationships(pkg, workbookPart);
  const styles = await readStyles(pkg, targetOfType(wbRels, `${REL}/styles`));
  const wanted = new Set([SUMMARY_SHEET, REVIEW_SHEET]);
  const strings = sheets.some((s) => wanted.has(s.name))
    ? await readSharedStrings(pkg, targetOfType(wbRels, `${REL}/sharedStrings`))
    : [];
  const sheetContext = (name: string): SheetContext | null => {
    const matches = sheets.filter((s) => s.name === name);
    if (matches.length === 0) return null;
    if (matches.length > 1)
      problems.push({
        part: workbookPart,
        message: `${matches.length} sheets are named "${name}"; keep one`,
      });
    const rel = matches[0]!.rid === null ? undefined : wbRels.get(matches[0]!.rid);
    if (!rel) throw pkg.unreadable(workbookPart, `the ${name} sheet has no part`);
    return { part: rel.target, sheet: name, styles, strings, date1904, problems };
  };
  const summaryCtx = sheetContext(SUMMARY_SHEET);
  const reviewCtx = sheetContext(REVIEW_SHEET);
  return {
    sheetNames: sheets.map((s) => s.name),
    sheets: sheets.map((s) => ({ name: s.name, state: s.state })),
    properties: await readCoreProperties(pkg, corePart),
    summary: summaryCtx ? await readSummary(pkg, summaryCtx) : null,
    review: reviewCtx ? await readReview(pkg, reviewCtx, options) : null,
    packageProblems: problems,
  };
}
