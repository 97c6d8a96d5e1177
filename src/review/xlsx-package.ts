/**
 * Checks of a filled review workbook's ZIP package, made before the reader (workbook-reader.ts) parses
 * a byte of it; the reader then inflates the parts it needs through {@link inflateZipEntry} again.
 *
 * Why: a reader that inflates every part into memory and builds an object per cell (exceljs, which read
 * the workbook before) spent 1.76 GB on a 424 KB zip bomb and 3.4 GB on a million empty rows. And some
 * parts change what a spreadsheet shows without changing what a reader sees: an external link
 * refreshes formula results from another file, and XML namespace tricks inside `<sheetData>` make
 * Excel and a reader see different cells. So, from the ZIP central directory (APPNOTE.TXT
 * 4.3.12-4.3.16) and a streaming inflate of every entry, this module:
 *
 * - caps the file size, the number of entries, the inflated size (checked against what each entry
 *   really inflates to, not only what the directory claims), and the rows and cells of all parts
 *   (exit 2 above any cap, before loading);
 * - reports external links, data connections and query tables (by part name, relationship type and
 *   content type), DTDs anywhere, and namespace prefixes, namespace declarations, comments or
 *   processing instructions inside `<sheetData>`.
 *
 * The ZIP reader takes from the bytes what JSZip takes (last end-of-central-directory record, sizes
 * from the central directory, data after the local header) and refuses what would let two ZIP readers
 * (a spreadsheet's and this one) see different parts:
 * ZIP64, prepended data, a comment that is not the end of the file, Unicode-path extra fields that
 * rename an entry, duplicate names (compared case-insensitively, as OPC part names are), encryption.
 * Pure: bytes in, findings out.
 */
import { createInflateRaw } from 'node:zlib';
import { InputError } from '../errors.js';
import type { Snapshot } from '../snapshot/schema.js';
import { groupDigits } from '../util/numbers.js';

/** Caps on a workbook before it is loaded. */
export interface WorkbookLimits {
  /** Size of the .xlsx file (compressed). */
  maxFileBytes: number;
  /** Entries in the ZIP. */
  maxEntries: number;
  /** Sum of the inflated sizes of all entries. */
  maxUncompressedBytes: number;
  /** `<row>` elements over all parts. */
  maxRows: number;
  /** `<c>` (cell) elements over all parts. */
  maxCells: number;
}

const MiB = 1024 * 1024;

/**
 * The fixed caps and the per-subject allowance. A workbook from `report --xlsx` for 100 orgs and 51,500
 * identities (the largest estate measured) is 9 MB compressed, 54 MB inflated, 60,400 rows and 1.2
 * million cells, so these leave room for a large estate re-saved by Excel while refusing inputs that
 * are orders of magnitude beyond what the snapshot can explain.
 */
export const WORKBOOK_LIMITS = {
  maxFileBytes: 64 * MiB,
  maxEntries: 1000,
  maxUncompressedBytes: 256 * MiB,
  /** Rows allowed whatever the snapshot: summary, rules, waivers and a small estate's findings. */
  baseRows: 10_000,
  /** Rows allowed per subject (org, user, team, project, key, account): its Review row, findings, ... */
  rowsPerSubject: 8,
  /** Cells per allowed row (the Review sheet has 22 columns). */
  cellsPerRow: 30,
} as const;

/** The caps for a workbook that describes `subjects` subjects (see {@link WORKBOOK_LIMITS}). */
export function workbookLimits(subjects: number): WorkbookLimits {
  const maxRows = WORKBOOK_LIMITS.baseRows + WORKBOOK_LIMITS.rowsPerSubject * subjects;
  return {
    maxFileBytes: WORKBOOK_LIMITS.maxFileBytes,
    maxEntries: WORKBOOK_LIMITS.maxEntries,
    maxUncompressedBytes: WORKBOOK_LIMITS.maxUncompressedBytes,
    maxRows,
    maxCells: maxRows * WORKBOOK_LIMITS.cellsPerRow,
  };
}

/**
 * Subjects of a snapshot (orgs, users, teams, projects, API keys, service accounts, and each project's
 * database users, custom roles and access list entries, which have Review rows and sheets of their
 * own), for the row caps.
 */
export function snapshotSubjectCount(snapshot: Snapshot): number {
  let n = 0;
  for (const o of snapshot.organizations) {
    n +=
      1 + o.users.length + o.teams.length + o.projects.length + o.apiKeys.length + o.serviceAccounts.length;
    for (const p of o.projects) n += p.databaseUsers.length + p.customRoles.length + p.networkAccess.length;
  }
  return n;
}

/** One entry of the ZIP central directory. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the entry's data (after its local header). */
  dataOffset: number;
}

/** A problem with a part of the package (not one cell). */
export interface PackageProblem {
  /** Part name, e.g. `xl/externalLinks/externalLink1.xml`. */
  part: string;
  message: string;
}

/** What the inspection found: counts for the caps, and problems to list with the cell problems. */
export interface PackageInspection {
  entries: ZipEntry[];
  uncompressedBytes: number;
  rows: number;
  cells: number;
  problems: PackageProblem[];
}

/** The package is not a ZIP this module reads (the caller makes it an InputError naming the file). */
export class ZipError extends Error {}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** Extra fields that rename an entry (Info-ZIP Unicode Path) or make it ZIP64: JSZip honours them. */
const REFUSED_EXTRA = new Map([
  [0x0001, 'a ZIP64 extra field'],
  [0x7075, 'an Info-ZIP Unicode Path extra field'],
]);

/**
 * Reads the central directory. Throws ZipError for anything that is not a plain, single-disk,
 * non-ZIP64 archive whose directory ends exactly where the end record starts.
 */
export function readZipDirectory(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  if (len < 22) throw new ZipError('too short to be a ZIP file');
  // The end record is 22 bytes plus a comment of up to 65,535; JSZip takes the last signature.
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no ZIP end-of-central-directory record');
  const disk = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  const entriesOnDisk = view.getUint16(eocd + 8, true);
  const total = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  const commentLength = view.getUint16(eocd + 20, true);
  if (eocd + 22 + commentLength !== len) throw new ZipError('data after the ZIP end record');
  if (disk !== 0 || cdDisk !== 0 || entriesOnDisk !== total) throw new ZipError('multi-disk ZIP archive');
  if (
    total === 0xffff ||
    cdSize === 0xffffffff ||
    cdOffset === 0xffffffff ||
    (eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG)
  )
    throw new ZipError('ZIP64 archive (a review workbook is far smaller than 4 GiB)');
  if (cdOffset + cdSize !== eocd) throw new ZipError('central directory does not end at the end record');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  for (let n = 0; n < total; n++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CENTRAL_SIG)
      throw new ZipError(`central directory entry ${n + 1} is malformed`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const compressedSize = view.getUint32(p + 20, true);
    const uncompressedSize = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    const end = p + 46 + nameLength + extraLength + commentLen;
    if (end > eocd) throw new ZipError(`central directory entry ${n + 1} runs past the directory`);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLength);
    let name: string;
    try {
      name = flags & 0x800 ? utf8.decode(rawName) : latin1.decode(rawName);
    } catch {
      throw new ZipError(`central directory entry ${n + 1} has a name that is not UTF-8`);
    }
    for (let x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(x, true);
      const size = view.getUint16(x + 2, true);
      const refused = REFUSED_EXTRA.get(id);
      if (refused) throw new ZipError(`${name}: ${refused}`);
      x += 4 + size;
    }
    if (flags & 0x1) throw new ZipError(`${name}: encrypted entry`);
    if (method !== 0 && method !== 8) throw new ZipError(`${name}: compression method ${method}`);
    if (method === 0 && compressedSize !== uncompressedSize)
      throw new ZipError(`${name}: stored entry with different sizes`);
    if (localOffset + 30 > cdOffset || view.getUint32(localOffset, true) !== LOCAL_SIG)
      throw new ZipError(`${name}: no local header at offset ${localOffset}`);
    const dataOffset =
      localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataOffset + compressedSize > cdOffset) throw new ZipError(`${name}: data runs past the archive`);
    entries.push({ name, method, compressedSize, uncompressedSize, dataOffset });
    p = end;
  }
  if (p !== eocd) throw new ZipError('central directory holds more than its entry count says');
  const seen = new Set<string>();
  for (const e of entries) {
    // OPC part names compare case-insensitively; exceljs strips a leading slash.
    const key = zipPartName(e.name);
    if (seen.has(key)) throw new ZipError(`${e.name}: duplicate entry name`);
    seen.add(key);
  }
  return entries;
}

/** An entry name as an OPC part name for comparing: no leading slashes, lower case. */
export function zipPartName(name: string): string {
  let i = 0;
  while (name[i] === '/') i++;
  return name.slice(i).toLowerCase();
}

/** Inflates one entry in chunks, calling `onChunk`; fails when it inflates to more or less than declared. */
export async function inflateZipEntry(bytes: Uint8Array, e: ZipEntry, onChunk: (chunk: Uint8Array) => void) {
  const data = bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  if (e.method === 0) {
    for (let i = 0; i < data.length; i += 65536) onChunk(data.subarray(i, i + 65536));
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const inflate = createInflateRaw();
    let total = 0;
    let failed = false;
    const fail = (error: string | Error) => {
      if (failed) return;
      failed = true;
      inflate.destroy();
      reject(typeof error === 'string' ? new ZipError(`${e.name}: ${error}`) : error);
    };
    inflate.on('data', (chunk: Buffer) => {
      if (failed) return;
      total += chunk.length;
      // The directory's size is what the caps were checked against: never inflate past it.
      if (total > e.uncompressedSize)
        return fail(`inflates to more than the ${e.uncompressedSize} bytes its directory entry declares`);
      try {
        onChunk(chunk);
      } catch (error) {
        fail(error as Error);
      }
    });
    inflate.on('error', (error) => fail(`invalid compressed data (${error.message})`));
    inflate.on('end', () => {
      if (failed) return;
      if (total !== e.uncompressedSize)
        return fail(`inflates to ${total} bytes, not the ${e.uncompressedSize} its directory entry declares`);
      resolve();
    });
    inflate.end(data);
  });
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const DQ = 0x22;
const SQ = 0x27;
const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
const isNameByte = (b: number) => !isSpace(b) && b !== GT && b !== SLASH && b !== EQ && b !== LT;

/**
 * A streaming scanner of one XML part: counts `row` and `c` elements (with or without a prefix), and
 * inside `<sheetData>` reports what Excel and exceljs read differently (a prefixed element such as
 * `<x:f>` is a formula to Excel and unknown to exceljs; an `xmlns` moves a cell out of the
 * spreadsheet namespace for Excel only). A byte state machine: the structural characters are ASCII,
 * so UTF-8 needs no decoding; linear time, constant memory. Comments, CDATA and processing
 * instructions are skipped to their end markers, so quotes or tags inside them cannot hide rows.
 */
class XmlScanner {
  rows = 0;
  cells = 0;
  problem: string | null = null;
  private state: 'text' | 'name' | 'tag' | 'dq' | 'sq' | 'comment' | 'cdata' | 'pi' = 'text';
  private name = '';
  private attr = '';
  private closing = false;
  private slash = false;
  private local = '';
  private inSheetData = false;
  /** The last two bytes seen, to find `-->`, `]]>` and `?>`. */
  private prev1 = 0;
  private prev2 = 0;

  private note(message: string): void {
    this.problem ??= message;
  }

  /** The tag name is complete: count it and check its prefix. */
  private endName(): void {
    const raw = this.name;
    const colon = raw.indexOf(':');
    this.local = colon >= 0 ? raw.slice(colon + 1) : raw;
    if (raw.startsWith('!')) {
      // `<!DOCTYPE` or `<!ENTITY`: a workbook never has a DTD, and entities could expand.
      this.note('declares a DTD (not allowed in a workbook)');
      this.local = '';
      return;
    }
    if (!this.closing && this.local === 'row') this.rows++;
    if (!this.closing && this.local === 'c') this.cells++;
    if (this.inSheetData && colon >= 0)
      this.note(`uses the namespace prefix in <${raw}> inside the cell data`);
  }

  private endAttr(): void {
    if (this.inSheetData && (this.attr === 'xmlns' || this.attr.startsWith('xmlns:')))
      this.note('declares an XML namespace inside the cell data');
    this.attr = '';
  }

  /** `>` ends the tag: `<sheetData>` opens the cell data, `</sheetData>` closes it. */
  private endTag(): void {
    if (this.local === 'sheetData') this.inSheetData = !this.closing && !this.slash;
    this.state = 'text';
  }

  write(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case 'text':
          if (b === LT) {
            this.state = 'name';
            this.name = '';
            this.attr = '';
            this.local = '';
            this.closing = false;
            this.slash = false;
          }
          break;
        case 'name':
          if (this.name === '' && b === SLASH && !this.closing) {
            this.closing = true;
          } else if (this.name === '' && b === 0x3f) {
            if (this.inSheetData) this.note('has a processing instruction inside the cell data');
            this.state = 'pi';
          } else if (isNameByte(b)) {
            // Only the prefix and local name matter; a 64-byte cap keeps memory constant.
            if (this.name.length < 64) this.name += String.fromCharCode(b);
            if (this.name === '!--' || this.name === '![CDATA[') {
              if (this.inSheetData) this.note('has a comment or CDATA section inside the cell data');
              this.state = this.name === '!--' ? 'comment' : 'cdata';
              this.prev1 = 0;
              this.prev2 = 0;
            }
          } else {
            this.endName();
            if (b === GT) this.endTag();
            else {
              this.slash = b === SLASH;
              this.state = 'tag';
            }
          }
          break;
        case 'tag':
          if (isNameByte(b) && b !== DQ && b !== SQ) {
            if (this.attr.length < 64) this.attr += String.fromCharCode(b);
            this.slash = false;
            break;
          }
          if (this.attr !== '') this.endAttr();
          if (b === GT) this.endTag();
          else if (b === DQ) this.state = 'dq';
          else if (b === SQ) this.state = 'sq';
          else if (b === SLASH) this.slash = true;
          else if (!isSpace(b)) this.slash = false;
          break;
        case 'dq':
          if (b === DQ) this.state = 'tag';
          break;
        case 'sq':
          if (b === SQ) this.state = 'tag';
          break;
        case 'comment':
          if (b === GT && this.prev1 === 0x2d && this.prev2 === 0x2d) this.state = 'text';
          break;
        case 'cdata':
          if (b === GT && this.prev1 === 0x5d && this.prev2 === 0x5d) this.state = 'text';
          break;
        case 'pi':
          if (b === GT && this.prev1 === 0x3f) this.state = 'text';
          break;
      }
      this.prev2 = this.prev1;
      this.prev1 = b;
    }
  }
}

/** Relationship types and content types of parts that pull data from outside the workbook. */
const EXTERNAL_MARKERS: ReadonlyArray<{ needle: string; what: string }> = [
  { needle: 'relationships/externallink', what: 'an external link to another workbook' },
  { needle: 'spreadsheetml.externallink+xml', what: 'an external link to another workbook' },
  { needle: 'relationships/connections', what: 'a data connection' },
  { needle: 'spreadsheetml.connections+xml', what: 'a data connection' },
  { needle: 'relationships/querytable', what: 'a query table' },
  { needle: 'spreadsheetml.querytable+xml', what: 'a query table' },
];

/** Part names (lower case) of the same parts. */
function externalPart(name: string): string | null {
  const n = zipPartName(name);
  if (n.startsWith('xl/externallinks/')) return 'an external link to another workbook';
  if (n === 'xl/connections.xml') return 'a data connection';
  if (n.startsWith('xl/querytables/')) return 'a query table';
  return null;
}

/** Small parts read whole to look for relationship and content types. */
const MAX_INDEX_PART_BYTES = 4 * MiB;

function tooLarge(file: string, what: string, actual: number, limit: number): InputError {
  return new InputError(
    file,
    '$',
    `workbook too large to read safely: ${what} ${groupDigits(actual)} exceeds the limit of ${groupDigits(limit)}; nothing was loaded`,
    {
      hint: 'use the workbook `report --xlsx` wrote for this snapshot; a filled review workbook is never this large',
    },
  );
}

/**
 * Checks the package of `bytes` against `limits` and for parts that change what a spreadsheet shows.
 * Throws InputError (exit 2) when it is not a readable ZIP or exceeds a cap; returns the problems to
 * list otherwise.
 */
export async function inspectWorkbookPackage(
  bytes: Uint8Array,
  file: string,
  limits: WorkbookLimits,
): Promise<PackageInspection> {
  if (bytes.byteLength > limits.maxFileBytes)
    throw tooLarge(file, 'file size (bytes)', bytes.byteLength, limits.maxFileBytes);
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(bytes);
  } catch (error) {
    if (error instanceof ZipError)
      throw new InputError(file, '$', `not a readable XLSX workbook: ${error.message}`);
    throw error;
  }
  if (entries.length > limits.maxEntries)
    throw tooLarge(file, 'ZIP entries', entries.length, limits.maxEntries);
  const declared = entries.reduce((n, e) => n + e.uncompressedSize, 0);
  if (declared > limits.maxUncompressedBytes)
    throw tooLarge(file, 'uncompressed size (bytes)', declared, limits.maxUncompressedBytes);

  const problems: PackageProblem[] = [];
  let rows = 0;
  let cells = 0;
  for (const e of entries) {
    const lower = e.name.toLowerCase();
    if (lower.endsWith('/')) continue;
    const external = externalPart(e.name);
    if (external) problems.push({ part: e.name, message: `the workbook contains ${external}` });
    const isXml = lower.endsWith('.xml') || lower.endsWith('.rels') || lower.endsWith('.vml');
    if (!isXml) continue;
    const scanner = new XmlScanner();
    const keepText = (lower.endsWith('.rels') || lower.endsWith('[content_types].xml')) && !external;
    const kept: Uint8Array[] = [];
    let keptBytes = 0;
    try {
      await inflateZipEntry(bytes, e, (chunk) => {
        scanner.write(chunk);
        // Stop as soon as a cap is crossed: a million rows are refused after the first 1 + cap.
        if (rows + scanner.rows > limits.maxRows)
          throw tooLarge(file, 'rows', rows + scanner.rows, limits.maxRows);
        if (cells + scanner.cells > limits.maxCells)
          throw tooLarge(file, 'cells', cells + scanner.cells, limits.maxCells);
        if (keepText) {
          keptBytes += chunk.length;
          if (keptBytes > MAX_INDEX_PART_BYTES)
            throw new ZipError(`${e.name}: larger than ${MAX_INDEX_PART_BYTES} bytes`);
          kept.push(Uint8Array.from(chunk));
        }
      });
    } catch (error) {
      if (error instanceof ZipError)
        throw new InputError(file, '$', `not a readable XLSX workbook: ${error.message}`);
      throw error;
    }
    rows += scanner.rows;
    cells += scanner.cells;
    if (scanner.problem) problems.push({ part: e.name, message: `the part ${scanner.problem}` });
    if (keepText) {
      const text = Buffer.concat(kept).toString('utf8').toLowerCase();
      const found = new Set<string>();
      for (const m of EXTERNAL_MARKERS) if (text.includes(m.needle)) found.add(m.what);
      for (const what of found) problems.push({ part: e.name, message: `the workbook contains ${what}` });
    }
  }
  return { entries, uncompressedBytes: declared, rows, cells, problems };
}
