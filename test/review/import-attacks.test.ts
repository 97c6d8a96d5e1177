/**
 * Forged review workbooks: each test reproduces an attack that `review import` once accepted and
 * signed off as Keep while the spreadsheet showed Revoke (or that exhausted memory), and checks that it
 * is now refused with exit 2, nothing written, and the sheet, row and column (or part) at fault named.
 * Workbooks are forged with exceljs, and by editing the ZIP's XML where exceljs cannot write the attack.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotIdentities } from '../../src/review/import.js';
import { org, snapshot, user } from '../builders/snapshot.js';
import {
  fillWorkbook,
  KEY,
  MALLORY,
  ORG,
  OWNER1,
  q3,
  type RowFill,
  writeSnapshotFile,
} from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { deflatedRepeat, editZip, readZip, writeZip } from '../helpers/zip.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const day = (d: number) => new Date(Date.UTC(2026, 10, d));
const key = (type: string, id: string) => `${ORG}:${type}:${id}`;

/** Every row decided Keep by a reviewer who is none of the identities; mallory's row as given. */
function fill(mallory: RowFill = {}) {
  return (k: string): RowFill => {
    const base: RowFill = {
      decision: 'Keep',
      reviewer: 'lead@example.com',
      reviewedOn: day(20),
      // A Keep of a privileged or flagged row needs a justification (policy review.keepNeedsJustification).
      comment: 'needed for the on-call rota',
    };
    return k === key('user', MALLORY) ? { ...base, ...mallory } : base;
  };
}

let dir: string;
let q3File: string;
let workbook: string;
/** Review sheet column of each header, and mallory's row, in the workbook `report` wrote. */
let cols: Map<string, number>;
let malloryRow: number;

beforeAll(async () => {
  dir = tempDir('aar-attack-');
  q3File = writeSnapshotFile(dir, 'q3.json', q3());
  workbook = join(dir, 'review.xlsx');
  const r = await runCliForTest(['report', q3File, '--xlsx', workbook], { now: day(1) });
  expect(r.stderr).not.toContain('internal error');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(workbook);
  const ws = wb.getWorksheet('Review')!;
  cols = new Map();
  ws.getRow(1).eachCell((c, n) => cols.set(String(c.value), n));
  ws.eachRow((row, n) => {
    if (String(row.getCell(cols.get('Identity key')!).value) === key('user', MALLORY)) malloryRow = n;
  });
});

let seq = 0;
async function importWorkbook(file: string) {
  const out = join(dir, `out-${++seq}`);
  const r = await runCliForTest(['review', 'import', file, '--snapshot', q3File, '--out-dir', out], {
    now: NOW,
  });
  return { ...r, out, written: existsSync(out) };
}

/** A filled workbook written by exceljs, with `edit` applied before saving. */
async function forged(name: string, mallory: RowFill, edit?: (wb: ExcelJS.Workbook) => void) {
  const file = join(dir, name);
  await fillWorkbook(workbook, file, fill(mallory), edit);
  return file;
}

/** The ZIP part of a sheet, found through xl/workbook.xml and its relationships as Excel finds it. */
function sheetPart(entries: Map<string, Buffer>, sheet: string): string {
  const wbXml = entries.get('xl/workbook.xml')!.toString('utf8');
  const tag = wbXml.split('<sheet ').find((t) => t.includes(`name="${sheet}"`))!;
  const rid = /r:id="([^"]+)"/.exec(tag)![1];
  const rels = entries.get('xl/_rels/workbook.xml.rels')!.toString('utf8');
  const rel = rels.split('<Relationship ').find((t) => t.includes(`Id="${rid}"`))!;
  const target = /Target="([^"]+)"/.exec(rel)![1]!;
  return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
}

const letter = (n: number) => String.fromCharCode(64 + n);

describe('a control: the untouched fill imports', () => {
  it('exits 0 with the same decisions the attacks start from', async () => {
    const r = await importWorkbook(await forged('control.xlsx', { decision: 'Revoke' }));
    expect(r.stderr).toContain('1 revoke');
    expect(r.code).toBe(0);
  });
});

describe('attacks on what the spreadsheet shows', () => {
  it('a hidden duplicate Decision column before the visible one is refused, naming both columns', async () => {
    const decision = cols.get('Decision')!;
    const file = await forged('hidden-duplicate.xlsx', { decision: 'Revoke' }, (wb) => {
      const ws = wb.getWorksheet('Review')!;
      // The forged column, inserted before the real one, says Keep everywhere and is hidden.
      const values = ['Decision', ...Array.from({ length: ws.rowCount - 1 }, () => 'Keep')];
      ws.spliceColumns(decision, 0, values);
      ws.getColumn(decision).hidden = true;
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.written).toBe(false);
    const [hidden, visible] = [letter(decision), letter(decision + 1)];
    expect(r.stderr).toContain(
      `Review!${hidden}1 (Decision): "Decision" heads 2 columns (${hidden}, ${visible}); keep exactly one`,
    );
    expect(r.stderr).toContain(`Review!${visible}1 (Decision): "Decision" heads 2 columns`);
    expect(r.stderr).toContain(
      `Review!${hidden}1 (Decision): the column is hidden; input columns must be visible`,
    );
  });

  it('a look-alike header ("Decision" with a zero-width space) counts as a second Decision column', async () => {
    const file = await forged('lookalike.xlsx', { decision: 'Revoke' }, (wb) => {
      const ws = wb.getWorksheet('Review')!;
      const values = ['Deci\u200bsion', ...Array.from({ length: ws.rowCount - 1 }, () => 'Keep')];
      ws.spliceColumns(1, 0, values);
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Review!A1 \(Decision\): "Decision" heads 2 columns \(A, [A-Z]+\)/);
  });

  it('a hidden input column is refused even without a duplicate', async () => {
    const reviewer = cols.get('Reviewer')!;
    const file = await forged('hidden-reviewer.xlsx', { decision: 'Revoke' }, (wb) => {
      wb.getWorksheet('Review')!.getColumn(reviewer).width = 0.1;
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Review!${letter(reviewer)}1 (Reviewer): the column is 0.1 characters wide`);
  });

  it('the number format ;;;"Revoke" on a Keep cell is refused at that cell', async () => {
    const decision = cols.get('Decision')!;
    const file = await forged('numfmt.xlsx', { decision: 'Keep' }, (wb) => {
      wb.getWorksheet('Review')!.getCell(malloryRow, decision).numFmt = ';;;"Revoke"';
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.written).toBe(false);
    expect(r.stderr).toContain(
      `Review!${letter(decision)}${malloryRow} (Decision): has the number format ";;;\\"Revoke\\"", which can show something other than the cell's value; set it to General`,
    );
  });

  it('a number format on a header cell is refused (a fake header could show "Decision")', async () => {
    const file = await forged('numfmt-header.xlsx', { decision: 'Revoke' }, (wb) => {
      wb.getWorksheet('Review')!.getCell(1, cols.get('Organization')!).numFmt = ';;;"Decision"';
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `Review!${letter(cols.get('Organization')!)}1 (Organization): has the number format`,
    );
  });

  it('a conditional format that applies ;;;"Revoke" over the Decision column is refused', async () => {
    const d = letter(cols.get('Decision')!);
    const file = await forged('conditional.xlsx', { decision: 'Keep' }, (wb) => {
      wb.getWorksheet('Review')!.addConditionalFormatting({
        ref: `${d}2:${d}20`,
        rules: [{ type: 'expression', priority: 1, formulae: ['TRUE'], style: { numFmt: ';;;"Revoke"' } }],
      } as never);
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `Review!${d}2 (Decision): a conditional format on ${d}2:${d}20 applies the number format ";;;\\"Revoke\\""`,
    );
  });

  it('a date format on Reviewed on is fine, a date format with literal text is not', async () => {
    const on = cols.get('Reviewed on')!;
    const ok = await forged('date-ok.xlsx', { decision: 'Revoke' }, (wb) => {
      wb.getWorksheet('Review')!.getCell(malloryRow, on).numFmt = '[$-409]d-mmm-yyyy;@';
    });
    expect((await importWorkbook(ok)).code).toBe(0);
    const bad = await forged('date-bad.xlsx', { decision: 'Revoke' }, (wb) => {
      wb.getWorksheet('Review')!.getCell(malloryRow, on).numFmt = '"2026-11-01"';
    });
    const r = await importWorkbook(bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Review!${letter(on)}${malloryRow} (Reviewed on): has the number format`);
  });

  it('a formula whose cached value is Keep is refused, whatever it would show when recalculated', async () => {
    const decision = cols.get('Decision')!;
    const file = await forged('formula.xlsx', {
      decision: { formula: '"Re"&"voke"', result: 'Keep' } as ExcelJS.CellValue,
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `Review!${letter(decision)}${malloryRow} (Decision): holds a formula (="Re"&"voke"); its stored result may not be what the spreadsheet shows`,
    );
  });

  it('a formula over an external link is refused, and so is the link part itself', async () => {
    const decision = cols.get('Decision')!;
    const file = await forged('external.xlsx', {
      decision: { formula: '[1]Decisions!$A$1', result: 'Keep' } as ExcelJS.CellValue,
    });
    // exceljs cannot write external links: add the part, its relationship and content type by hand.
    const bytes = editZip(readFileSync(file), (e) => {
      e.set(
        'xl/externalLinks/externalLink1.xml',
        Buffer.from(
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"><sheetNames><sheetName val="Decisions"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>Revoke</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>',
        ),
      );
      e.set(
        'xl/externalLinks/_rels/externalLink1.xml.rels',
        Buffer.from(
          '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" Target="https://attacker.example/decisions.xlsx" TargetMode="External"/></Relationships>',
        ),
      );
      const rels = e.get('xl/_rels/workbook.xml.rels')!.toString('utf8');
      e.set(
        'xl/_rels/workbook.xml.rels',
        Buffer.from(
          rels.replace(
            '</Relationships>',
            '<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>',
          ),
        ),
      );
      const types = e.get('[Content_Types].xml')!.toString('utf8');
      e.set(
        '[Content_Types].xml',
        Buffer.from(
          types.replace(
            '</Types>',
            '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
          ),
        ),
      );
    });
    writeFileSync(file, bytes);
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.written).toBe(false);
    expect(r.stderr).toContain(
      `Review!${letter(decision)}${malloryRow} (Decision): holds a formula (=[1]Decisions!$A$1)`,
    );
    expect(r.stderr).toContain(
      'xl/externalLinks/externalLink1.xml: the workbook contains an external link to another workbook',
    );
    expect(r.stderr).toContain('xl/_rels/workbook.xml.rels: the workbook contains an external link');
    expect(r.stderr).toContain('[Content_Types].xml: the workbook contains an external link');
  });

  it('a formula exceljs cannot see (an <x:f> with a namespace prefix) is refused by the package check', async () => {
    const file = await forged('prefixed.xlsx', { decision: 'Keep' });
    const d = letter(cols.get('Decision')!);
    const bytes = editZip(readFileSync(file), (e) => {
      const part = sheetPart(e, 'Review');
      const xml = e.get(part)!.toString('utf8');
      // mallory's Decision cell keeps its stored "Keep", but Excel reads the prefixed formula.
      const cell = new RegExp(`<c r="${d}${malloryRow}"([^>]*)>`).exec(xml)!;
      const forgedXml = xml.replace(
        cell[0],
        `${cell[0]}<x:f xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"Revoke"</x:f>`,
      );
      expect(forgedXml).not.toBe(xml);
      e.set(part, Buffer.from(forgedXml));
    });
    writeFileSync(file, bytes);
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/xl\/worksheets\/sheet\d+\.xml: the part uses the namespace prefix in <x:f>/);
  });

  it('a hidden Review sheet behind a visible look-alike copy is refused', async () => {
    const file = await forged('hidden-sheet.xlsx', { decision: 'Keep' }, (wb) => {
      const real = wb.getWorksheet('Review')!;
      const copy = wb.addWorksheet('Review\u200b');
      real.eachRow((row, n) => {
        copy.getRow(n).values = row.values as ExcelJS.CellValue[];
      });
      copy.getCell(malloryRow, cols.get('Decision')!).value = 'Revoke';
      real.state = 'hidden';
    });
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'Review: the sheet is hidden; the sheet reviewers see must be the one that is read',
    );
    expect(r.stderr).toContain('Review: another sheet, "Review\u200b", looks like this one; remove it');
  });
});

describe('self-review is compared as a reader sees the address', () => {
  it.each([
    ['display name and upper case', 'Owner One <OWNER1@Example.COM>'],
    ['a zero-width space', 'owner1\u200b@example.com'],
    ['full-width letters (NFKC)', 'ｏｗｎｅｒ１@example.com'],
    ['a mailto: link', 'mailto:owner1@example.com'],
  ])('%s', async (_n, reviewer) => {
    const file = join(dir, `self-${++seq}.xlsx`);
    await fillWorkbook(workbook, file, (k) =>
      k === key('user', OWNER1)
        ? { decision: 'Keep', reviewer, reviewedOn: day(20) }
        : fill({ decision: 'Revoke' })(k),
    );
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Review![A-Z]+\d+ \(Reviewer\): .* reviewed their own access/);
  });

  it('applies to an API key whose description names the reviewer (the snapshot has no owner or creator)', async () => {
    const s = q3();
    s.organizations[0]!.apiKeys[0]!.description = 'deploy key of Sec <sec@example.com>';
    expect(snapshotIdentities(s).get(key('apiKey', KEY))!.ownerHints).toEqual([
      'deploy key of Sec <sec@example.com>',
    ]);
    const snap = writeSnapshotFile(dir, 'q3-key.json', s);
    const book = join(dir, 'key-review.xlsx');
    expect((await runCliForTest(['report', snap, '--xlsx', book], { now: day(1) })).stderr).not.toContain(
      'internal error',
    );
    const filled = join(dir, 'key-filled.xlsx');
    await fillWorkbook(book, filled, (k) =>
      k === key('apiKey', KEY)
        ? { decision: 'Keep', reviewer: 'SEC@example.com', reviewedOn: day(20) }
        : fill()(k),
    );
    const r = await runCliForTest(
      ['review', 'import', filled, '--snapshot', snap, '--out-dir', join(dir, 'key-out')],
      { now: NOW },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Review![A-Z]+\d+ \(Reviewer\): SEC@example.com reviewed their own access/);
  });
});

describe('size caps before loading (exit 2, one line, nothing loaded)', () => {
  it('refuses a million rows after counting past the cap, without loading or listing them', async () => {
    const file = await forged('rows.xlsx', { decision: 'Revoke' });
    const bytes = editZip(readFileSync(file), (e) => {
      const part = sheetPart(e, 'Review');
      const xml = e.get(part)!.toString('utf8');
      const extra: string[] = [];
      for (let r = 100; r < 1_000_100; r++) extra.push(`<row r="${r}"><c r="A${r}"><v>1</v></c></row>`);
      e.set(part, Buffer.from(xml.replace('</sheetData>', `${extra.join('')}</sheetData>`)));
    });
    writeFileSync(file, bytes);
    const before = process.memoryUsage().rss;
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.written).toBe(false);
    expect(r.stderr).toMatch(
      /workbook too large to read safely: rows 10,\d{3} exceeds the limit of 10,\d{3}/,
    );
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    // The million rows took 3.4 GB in exceljs; the streaming count stays far below.
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  });

  it('refuses a zip bomb from its declared sizes before inflating anything', async () => {
    const payload = await deflatedRepeat(' ', 400 * 1024 * 1024);
    expect(payload.bytes.length).toBeLessThan(1024 * 1024);
    const entries = readZip(readFileSync(await forged('bomb-base.xlsx', {})));
    const file = join(dir, 'bomb.xlsx');
    writeFileSync(
      file,
      writeZip([
        ...[...entries].map(([name, data]) => ({ name, data })),
        { name: 'xl/media/padding.bin', data: '', deflated: payload },
      ]),
    );
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('uncompressed size (bytes) 419,');
    expect(r.stderr).toContain('exceeds the limit of 268,435,456');
  });

  it('refuses a zip bomb that lies about its size, as soon as it inflates past what it declared', async () => {
    const payload = await deflatedRepeat('A', 400 * 1024 * 1024);
    const entries = readZip(readFileSync(await forged('liar-base.xlsx', {})));
    const file = join(dir, 'liar.xlsx');
    writeFileSync(
      file,
      writeZip([
        ...[...entries].map(([name, data]) => ({ name, data })),
        { name: 'xl/sharedStrings2.xml', data: '', deflated: payload, declaredSize: 1000 },
      ]),
    );
    const before = process.memoryUsage().rss;
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'not a readable XLSX workbook: xl/sharedStrings2.xml: inflates to more than the 1000 bytes its directory entry declares',
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses a file over 64 MiB before reading it', async () => {
    const file = join(dir, 'huge.xlsx');
    writeFileSync(file, '');
    const { truncateSync } = await import('node:fs');
    truncateSync(file, 65 * 1024 * 1024);
    const r = await importWorkbook(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('huge.xlsx: file is 68,157,440 bytes, over the limit of 67,108,864; not read');
  });
});

describe('the problem list is bounded', () => {
  it('prints at most 50 problems and counts the rest', async () => {
    const big = snapshot([org({ users: Array.from({ length: 80 }, () => user()) })]);
    const snap = writeSnapshotFile(dir, 'many.json', big);
    const book = join(dir, 'many.xlsx');
    expect((await runCliForTest(['report', snap, '--xlsx', book], { now: day(1) })).stderr).not.toContain(
      'internal error',
    );
    // Nothing filled in: each of the 80 rows has no decision, reviewer or date (240 problems).
    const r = await runCliForTest(
      ['review', 'import', book, '--snapshot', snap, '--out-dir', join(dir, 'm')],
      {
        now: NOW,
      },
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.includes(': Review!'))).toHaveLength(50);
    expect(r.stderr).toContain('many.xlsx: ... and 190 more problems (not listed)');
    expect(r.stderr).toContain('240 problems in the workbook');
  });
});
