/**
 * The streaming workbook reader (src/review/workbook-reader.ts): what it reads from packages written
 * by exceljs (shared strings, rich text, hyperlinks, dates, formulas) and from packages written by hand
 * where a spreadsheet and a lax reader could disagree (style 0, repeated rows and cells, hyperlinked
 * formulas, shared formulas, the 1904 date system, part order, malformed XML).
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readWorkbookContents } from '../../src/review/workbook-reader.js';
import { readZip, writeZip } from '../helpers/zip.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

interface HandMade {
  /** `<sheetData>` inner XML of the Review sheet. */
  review: string;
  /** XML after `</sheetData>` (hyperlinks, conditional formats). */
  reviewTail?: string;
  /** XML before `<sheetData>` (cols). */
  reviewHead?: string;
  /** `<cellXfs>` inner XML; default one General style. */
  cellXfs?: string;
  numFmts?: string;
  sharedStrings?: string[];
  workbookPr?: string;
  /** Extra `<sheet>` elements after Review's. */
  moreSheets?: string;
  /** The Review `<sheet>` element itself. */
  reviewSheet?: string;
  /** A `<!DOCTYPE>` put before the root of the Review sheet and the shared strings. */
  doctype?: string;
}

/** A minimal package: workbook, rels, styles, optional shared strings, a Review sheet. */
function handMade(h: HandMade): Uint8Array {
  const entries = [
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${R}">${h.workbookPr ?? ''}<sheets>${h.reviewSheet ?? '<sheet name="Review" sheetId="1" r:id="rId1"/>'}${h.moreSheets ?? ''}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${R}/styles" Target="styles.xml"/>${h.sharedStrings ? `<Relationship Id="rId3" Type="${R}/sharedStrings" Target="/xl/sharedStrings.xml"/>` : ''}</Relationships>`,
    },
    {
      name: 'xl/styles.xml',
      data: `<?xml version="1.0"?><styleSheet xmlns="${MAIN}">${h.numFmts ? `<numFmts>${h.numFmts}</numFmts>` : ''}<cellXfs>${h.cellXfs ?? '<xf numFmtId="0"/>'}</cellXfs></styleSheet>`,
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      data: `<?xml version="1.0"?>${h.doctype ?? ''}<worksheet xmlns="${MAIN}" xmlns:r="${R}">${h.reviewHead ?? ''}<sheetData>${h.review}</sheetData>${h.reviewTail ?? ''}</worksheet>`,
    },
  ];
  if (h.sharedStrings)
    entries.push({
      name: 'xl/sharedStrings.xml',
      data: `<?xml version="1.0"?>${h.doctype ?? ''}<sst xmlns="${MAIN}">${h.sharedStrings.map((s) => `<si>${s}</si>`).join('')}</sst>`,
    });
  return new Uint8Array(writeZip(entries));
}

const read = (bytes: Uint8Array, keepColumn?: (h: string) => boolean) =>
  readWorkbookContents(bytes, 'w.xlsx', undefined, { keepColumn });

describe('a workbook exceljs wrote', () => {
  async function written(): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    wb.subject = 'snapshot-sha256:abc';
    wb.keywords = 'review';
    const summary = wb.addWorksheet('Summary');
    summary.addRow(['Snapshot sha256', 'f'.repeat(64)]);
    summary.addRow([]);
    summary.addRow(['Orgs', 3]);
    const ws = wb.addWorksheet('Review');
    ws.addRow(['Name', 'Decision', 'Reviewed on', 'Notes']);
    ws.addRow([
      { text: 'ann@example.com', hyperlink: 'mailto:ann@example.com' },
      { richText: [{ text: 'Ke' }, { text: 'ep', font: { bold: true } }] },
      new Date(Date.UTC(2026, 10, 20)),
      { formula: '1+1', result: 2 },
    ]);
    ws.addRow(['bob@example.com', '  ', null, 'x']);
    ws.getColumn(4).hidden = true;
    ws.getColumn(2).width = 0.5;
    wb.addWorksheet('Hidden copy').state = 'veryHidden';
    return new Uint8Array(await wb.xlsx.writeBuffer({ useSharedStrings: true } as never));
  }

  it('reads values, hyperlink text, rich text, dates, formula results and column visibility', async () => {
    const c = await read(await written());
    expect(c.sheetNames).toEqual(['Summary', 'Review', 'Hidden copy']);
    expect(c.sheets).toEqual([
      { name: 'Summary', state: 'visible' },
      { name: 'Review', state: 'visible' },
      { name: 'Hidden copy', state: 'veryHidden' },
    ]);
    expect(c.properties).toEqual({ subject: 'snapshot-sha256:abc', keywords: 'review' });
    expect(c.summary).toEqual([
      { row: 1, label: 'Snapshot sha256', value: 'f'.repeat(64) },
      { row: 3, label: 'Orgs', value: 3 },
    ]);
    const review = c.review!;
    expect([...review.headers]).toEqual([
      [1, 'Name'],
      [2, 'Decision'],
      [3, 'Reviewed on'],
      [4, 'Notes'],
    ]);
    expect(review.rows.map((r) => [r.row, [...r.cells]])).toEqual([
      [
        2,
        [
          [1, 'ann@example.com'],
          [2, 'Keep'],
          [3, new Date(Date.UTC(2026, 10, 20))],
          [4, 2],
        ],
      ],
      [
        3,
        [
          [1, 'bob@example.com'],
          [4, 'x'],
        ],
      ],
    ]);
    expect(review.rows[0]!.meta.get(4)).toEqual({ formula: '1+1', numFmt: null });
    expect(review.rows[0]!.meta.get(3)?.formula).toBeNull();
    expect(review.columns.get(4)).toEqual({ hidden: true, width: 9 });
    expect(review.columns.get(2)).toEqual({ hidden: false, width: 0.5 });
    expect(c.packageProblems).toEqual([]);
  });

  it('reads it whatever the order of the parts (a sheet rels part before xl/workbook.xml)', async () => {
    const entries = [...readZip(await written())];
    entries.sort(([a], [b]) =>
      a.includes('worksheets/_rels') ? -1 : b.includes('worksheets/_rels') ? 1 : 0,
    );
    entries.reverse();
    const bytes = new Uint8Array(writeZip(entries.map(([name, data]) => ({ name, data }))));
    expect((await read(bytes)).review?.rows.length).toBe(2);
  });

  it('keeps only the cells of the columns asked for, but every row with anything in it', async () => {
    const c = await read(await written(), (h) => h === 'Decision');
    expect(c.review!.rows.map((r) => [r.row, [...r.cells]])).toEqual([
      [2, [[2, 'Keep']]],
      [3, []],
    ]);
    expect(c.review!.headers.size).toBe(4);
  });
});

describe('what a spreadsheet shows, read as it shows it', () => {
  it('a cell without a style attribute has style 0, whose number format counts', async () => {
    const c = await read(
      handMade({
        numFmts: '<numFmt numFmtId="164" formatCode=";;;&quot;Revoke&quot;"/>',
        cellXfs: '<xf numFmtId="164"/>',
        review:
          '<row r="1"><c r="A1" t="inlineStr"><is><t>Decision</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Keep</t></is></c></row>',
      }),
    );
    expect(c.review!.rows[0]!.meta.get(1)).toEqual({ formula: null, numFmt: ';;;"Revoke"' });
    expect(c.review!.headerMeta.get(1)?.numFmt).toBe(';;;"Revoke"');
  });

  it('a formula in a hyperlinked cell is still a formula', async () => {
    const c = await read(
      handMade({
        review:
          '<row r="1"><c r="A1" t="str"><f>"Decision"</f><v>Decision</v></c></row><row r="2"><c r="A2" t="str"><f>"Re"&amp;"voke"</f><v>Keep</v></c></row>',
        reviewTail: '<hyperlinks><hyperlink ref="A2" r:id="rIdH"/></hyperlinks>',
      }),
    );
    expect(c.review!.rows[0]!.cells.get(1)).toBe('Keep');
    expect(c.review!.rows[0]!.meta.get(1)?.formula).toBe('"Re"&"voke"');
    expect(c.review!.headerMeta.get(1)?.formula).toBe('"Decision"');
  });

  it('a shared formula is reported with its master formula in every cell that uses it', async () => {
    const c = await read(
      handMade({
        review:
          '<row r="2"><c r="A2" t="str"><f t="shared" ref="A2:A3" si="0">B2</f><v>Keep</v></c></row><row r="3"><c r="A3" t="str"><f t="shared" si="0"/><v>Keep</v></c></row>',
      }),
    );
    expect(c.review!.rows.map((r) => r.meta.get(1)?.formula)).toEqual(['B2', 'B2']);
  });

  it('a repeated row or cell is a package problem, and the last one is read', async () => {
    const c = await read(
      handMade({
        sharedStrings: ['<t>Keep</t>', '<r><t>Re</t></r><r><t>voke</t></r><rPh><t>phonetic</t></rPh>'],
        review:
          '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="A2" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>',
      }),
    );
    expect(c.review!.rows.map((r) => [r.row, [...r.cells]])).toEqual([[2, [[1, 'Revoke']]]]);
    expect(c.packageProblems).toEqual([
      { part: 'xl/worksheets/sheet1.xml', message: 'the Review sheet has cell A2 twice; keep one' },
      { part: 'xl/worksheets/sheet1.xml', message: 'the Review sheet has row 2 twice; keep one' },
    ]);
  });

  it('attributes count by namespace: an unprefixed id or a prefixed type is not what a spreadsheet reads', async () => {
    const c = await read(
      handMade({
        // `id` (no namespace) names another part; `rel:id` is the relationship, whatever its prefix.
        reviewSheet: `<sheet xmlns:rel="${R}" name="Review" sheetId="1" id="rIdNone" rel:id="rId1"/>`,
        review: `<row r="2"><c xmlns:m="${MAIN}" r="A2" m:t="s"><v>46346</v></c></row>`,
      }),
    );
    expect(c.review!.rows[0]!.cells.get(1)).toBe(46346);
    const error = await read(
      handMade({
        review: '',
        reviewSheet: `<sheet xmlns:q="${R}" name="Review" sheetId="1" r:id="rId1" q:id="rId2"/>`,
      }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      'xl/workbook.xml: the sheet "Review" has two relationship ids',
    );
  });

  it('two sheets of one name are a package problem', async () => {
    const c = await read(
      handMade({ review: '', moreSheets: '<sheet name="Review" sheetId="2" r:id="rId1"/>' }),
    );
    expect(c.packageProblems).toContainEqual({
      part: 'xl/workbook.xml',
      message: '2 sheets are named "Review"; keep one',
    });
  });

  it('numbers in a date format are dates, in the 1904 date system too; errors and booleans are kept', async () => {
    const cells =
      '<row r="2"><c r="A2" s="1"><v>46346</v></c><c r="B2" t="e"><v>#N/A</v></c><c r="C2" t="b"><v>1</v></c><c r="D2"><v>46346</v></c></row>';
    const styles = { cellXfs: '<xf numFmtId="0"/><xf numFmtId="14"/>' };
    const c1900 = await read(handMade({ ...styles, review: cells }));
    expect([...c1900.review!.rows[0]!.cells]).toEqual([
      [1, new Date(Date.UTC(2026, 10, 20))],
      [2, '#ERROR #N/A'],
      [3, true],
      [4, 46346],
    ]);
    expect(c1900.review!.rows[0]!.meta.get(1)).toEqual({ formula: null, numFmt: 'mm-dd-yy' });
    const c1904 = await read(
      handMade({ ...styles, review: cells, workbookPr: '<workbookPr date1904="1"/>' }),
    );
    expect(c1904.review!.rows[0]!.cells.get(1)).toEqual(new Date(Date.UTC(2030, 10, 21)));
  });

  it('column widths and visibility come from the last <col> over a column', async () => {
    const c = await read(
      handMade({
        reviewHead:
          '<cols><col min="1" max="3" width="12"/><col min="2" max="2" hidden="1" width="12"/></cols>',
        review:
          '<row r="1"><c r="A1" t="inlineStr"><is><t>A</t></is></c><c r="B1" t="inlineStr"><is><t>B</t></is></c></row>',
      }),
    );
    expect(c.review!.columns.get(1)).toEqual({ hidden: false, width: 12 });
    expect(c.review!.columns.get(2)).toEqual({ hidden: true, width: 12 });
  });

  it('conditional formats carry the number format of their differential style', async () => {
    const bytes = handMade({
      review: '',
      reviewTail:
        '<conditionalFormatting sqref="B2:B9"><cfRule type="expression" dxfId="0" priority="1"><formula>TRUE</formula></cfRule></conditionalFormatting>',
    });
    const entries = readZip(bytes);
    entries.set(
      'xl/styles.xml',
      Buffer.from(
        `<?xml version="1.0"?><styleSheet xmlns="${MAIN}"><cellXfs><xf numFmtId="0"/></cellXfs><dxfs><dxf><numFmt numFmtId="165" formatCode=";;;&quot;Revoke&quot;"/></dxf></dxfs></styleSheet>`,
      ),
    );
    const c = await read(new Uint8Array(writeZip([...entries].map(([name, data]) => ({ name, data })))));
    expect(c.review!.conditionalNumFmts).toEqual([{ ref: 'B2:B9', numFmt: ';;;"Revoke"' }]);
  });
});

describe('unreadable packages are input errors naming the part', () => {
  it.each([
    ['malformed XML', '<row r="2"><c r="A2"><v>1</c></row>', /sheet1\.xml: .*/],
    [
      'an undefined entity',
      '<row r="2"><c r="A2" t="inlineStr"><is><t>&bomb;</t></is></c></row>',
      /sheet1\.xml: .*entity/i,
    ],
    [
      'a shared string that does not exist',
      '<row r="2"><c r="A2" t="s"><v>7</v></c></row>',
      /cell A2 refers to shared string 7/,
    ],
    ['a style that does not exist', '<row r="2"><c r="A2" s="9"><v>1</v></c></row>', /cell A2 has style 9/],
  ])('%s', async (_what, review, message) => {
    const error = await read(handMade({ review })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/not a readable XLSX workbook: xl\/worksheets\/sheet1\.xml: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('XML attacks on a part', () => {
  const LAUGHS = `<!DOCTYPE worksheet [<!ENTITY l0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]>`;
  const unreadable = async (bytes: Uint8Array) => {
    const error = await read(bytes).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  };

  it('billion laughs: an entity declared in the DOCTYPE is never expanded; the part is unreadable', async () => {
    const message = await unreadable(
      handMade({
        doctype: LAUGHS,
        review: '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>',
      }),
    );
    expect(message).toMatch(/xl\/worksheets\/sheet1\.xml/);
    expect(message).toMatch(/entity/i);
  });

  it('an external entity (file:///etc/passwd) is never fetched; the shared strings part is unreadable', async () => {
    const message = await unreadable(
      handMade({
        doctype: '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        sharedStrings: ['<t>&xxe;</t>'],
        review: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
      }),
    );
    expect(message).toMatch(/entity/i);
    expect(message).not.toContain('root:');
  });

  it('a shared string index out of range, negative or not a number is a problem, not a value', async () => {
    for (const v of ['1', '-1', '__proto__', 'length'])
      expect(
        await unreadable(
          handMade({
            sharedStrings: ['<t>Keep</t>'],
            review: `<row r="1"><c r="A1" t="s"><v>${v}</v></c></row>`,
          }),
        ),
      ).toContain(`refers to shared string ${v}, which does not exist`);
  });
});
