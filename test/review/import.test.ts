/** Cell-level reading of the workbook: the value shapes Excel and LibreOffice produce. */
import { describe, expect, it } from 'vitest';
import { formatProblem, plainCell, reviewDate } from '../../src/review/import.js';

describe('plainCell', () => {
  it.each([
    ['string', 'Keep', 'Keep'],
    [
      'hyperlink (Excel auto-links a typed email)',
      { text: 'a@example.com', hyperlink: 'mailto:a@example.com' },
      'a@example.com',
    ],
    ['rich text', { richText: [{ text: 'Re' }, { text: 'voke' }] }, 'Revoke'],
    ['formula result', { formula: 'IF(1,"Keep")', result: 'Keep' }, 'Keep'],
    ['formula without a result', { formula: 'X()' }, null],
    ['error', { error: '#N/A' }, '#ERROR #N/A'],
    ['empty', null, null],
  ])('%s', (_n, value, expected) => {
    expect(plainCell(value as never)).toEqual(expected);
  });
});

describe('reviewDate', () => {
  it.each([
    ['date cell', new Date(Date.UTC(2026, 10, 20)), '2026-11-20'],
    ['ISO text', '2026-11-20', '2026-11-20'],
    ['ISO text with time', '2026-11-20T10:00:00Z', '2026-11-20'],
    ['Excel serial number', 46346, '2026-11-20'],
    ['impossible date', '2026-02-30', 'invalid'],
    ['free text', 'last Tuesday', 'invalid'],
    ['US order', '11/20/2026', 'invalid'],
    ['blank', null, null],
  ])('%s', (_n, value, expected) => {
    expect(reviewDate(value as never)).toBe(expected);
  });
});

describe('formatProblem', () => {
  it('names the cell the way a spreadsheet does', () => {
    expect(
      formatProblem({
        sheet: 'Review',
        row: 12,
        column: 'S',
        header: 'Decision',
        code: 'decision-blank',
        message: 'no decision',
      }),
    ).toBe('Review!S12 (Decision): no decision');
    expect(
      formatProblem({
        sheet: 'Summary',
        row: null,
        column: null,
        header: null,
        code: 'missing-sheet',
        message: 'sheet not found',
      }),
    ).toBe('Summary: sheet not found');
  });
});
