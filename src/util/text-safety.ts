/**
 * Neutralising Atlas-supplied text for formats without their own escaping: spreadsheets and CSV
 * (formula injection, OWASP "CSV injection") and Markdown.
 */

/** Characters that make a spreadsheet treat a cell as a formula (or DDE) when typed or imported. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** True when a text value would be read as a formula by Excel, LibreOffice or Google Sheets. */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/**
 * Prefixes formula-like text with an apostrophe, the convention spreadsheets display as "text follows".
 * Applied to every Atlas-supplied string in CSV and XLSX so no cell can become a formula on import or edit.
 */
export function neutraliseFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}

/**
 * Escapes text for a Markdown table cell or list item: HTML is shown literally (GitHub renders inline
 * HTML), Markdown syntax is shown literally, and line breaks cannot end the row.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Only what is markup in the middle of a line: emphasis, code, links, table pipes, strikethrough.
      .replace(/([\\`*_[\]|~])/g, '\\$1')
      .replace(/\r\n|\r|\n/g, ' ')
      .replace(/\t/g, ' ')
  );
}
