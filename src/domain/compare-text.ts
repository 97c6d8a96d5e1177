/**
 * Plain code-unit comparison: deterministic and locale-independent. Every sort in the product uses it
 * (never `localeCompare`), so golden files and stored outputs do not vary with the machine's locale.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
