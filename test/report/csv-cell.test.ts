import { describe, expect, it } from 'vitest';
import { cell } from '../../src/report/renderers/csv.js';

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['x;=1+2', '"x;=1+2"'], // a `;`-separator locale must not see a second cell
    ['a\tb', '"a\tb"'],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
    [' padded ', '" padded "'],
    ['@SUM(A1)', "'@SUM(A1)"],
  ])('%j is written as %s', (input, expected) => {
    expect(cell(input)).toBe(expected);
  });

  it('writes numbers and empty values as they are', () => {
    expect(cell(42)).toBe('42');
    expect(cell(null)).toBe('');
  });
});
