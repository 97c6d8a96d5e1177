import { describe, expect, it } from 'vitest';
import { groupDigits } from '../../src/util/numbers.js';

describe('groupDigits', () => {
  it('writes integers as toLocaleString("en-US") does', () => {
    const values = [0, -0, 7, -7, 999, 1000, -1000, 12_345, 999_999, 1_000_000, 536_870_888, 2 ** 31];
    for (let n = 1; n < Number.MAX_SAFE_INTEGER; n = n * 7 + 3) values.push(n, -n);
    values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER);
    for (const n of values) expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
  });

  it('leaves fractions and numbers beyond 2^53 to ICU', () => {
    for (const n of [1234.5, 2 ** 60, Number.POSITIVE_INFINITY, Number.NaN])
      expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
  });
});
