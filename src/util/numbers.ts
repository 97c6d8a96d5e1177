/**
 * An integer with a comma every three digits, as `toLocaleString('en-US')` writes it (1,234,567), without
 * ICU: the first `toLocaleString` of a process loads ICU's number formatting, 10 ms on this project's
 * machine, which every command paid to format a size limit it almost never printed (a test holds the
 * two equal). Other numbers (fractions, beyond 2^53) go to ICU.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 || Object.is(n, -0) ? `-${digits}` : digits;
}
