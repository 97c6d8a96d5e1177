/**
 * The one place output escaping lives: every renderer neutralises Atlas-supplied text here. One
 * control-character filter (visibleControls), one XML escaper, one Markdown escaper, one line folder
 * for line-oriented formats, and spreadsheet/CSV formula neutralisation (OWASP "CSV injection").
 * HTML is escaped by Handlebars (`{{ }}` only) and JSON by JSON.stringify (src/util/terminal.ts).
 */

/**
 * Characters no output should carry raw: C0 controls other than tab, line feed and carriage return,
 * DEL, C1 controls (8-bit CSI), the bidi embedding/override/isolate characters (they reorder what a
 * reader sees), lone surrogates and the noncharacters U+FFFE/U+FFFF (XML 1.0 §2.2 admits none of
 * them). Astral characters (emoji, U+10000 and up, as surrogate pairs) are text and stay intact.
 */
const INVISIBLE_CONTROLS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udfff]/gu;

/**
 * Every code unit INVISIBLE_CONTROLS can match, surrogates paired or not, without the `u` flag: a text
 * this never matches has nothing to replace. Tested first because almost no text has one, and a
 * Unicode-mode replace over it was 2% of a 50,000-user `audit` (text output: 71,000 finding lines).
 */
const MAY_HOLD_CONTROLS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]/;

/** Replaces every character of INVISIBLE_CONTROLS with U+FFFD, so a reader sees that one was there. */
export function visibleControls(text: string): string {
  return MAY_HOLD_CONTROLS.test(text) ? text.replace(INVISIBLE_CONTROLS, '\ufffd') : text;
}

const LINE_BREAK = /[\r\n\t]/;

/** One line of a line-oriented format (text, workflow commands): controls visible, breaks and tabs as spaces. */
export function oneLine(text: string): string {
  const visible = visibleControls(text);
  return LINE_BREAK.test(visible) ? visible.replace(/\r\n|[\r\n\t]/g, ' ') : visible;
}

/**
 * Escapes XML text content (`attribute` false) or an attribute value (the default). In attributes, line
 * feed, carriage return and tab become character references: a parser normalises raw ones to spaces
 * (XML 1.0 §3.3.3). A carriage return in content is a reference too (§2.11 would turn it into a line
 * feed). Characters XML 1.0 cannot carry become U+FFFD (visibleControls).
 */
export function escapeXml(text: string, attribute = true): string {
  const escaped = visibleControls(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
  return attribute ? escaped.replace(/\n/g, '&#10;').replace(/\t/g, '&#9;') : escaped;
}

/**
 * Characters that make a spreadsheet treat a cell as a formula (or DDE) when typed or imported:
 * = + - @ tab and carriage return, by UTF-16 code unit (a table, not a regex: it runs on every cell).
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r'].map((c) => c.charCodeAt(0)));

/** True when a text value would be read as a formula by Excel, LibreOffice or Google Sheets. */
function looksLikeFormula(text: string): boolean {
  return text.length > 0 && FORMULA_START.has(text.charCodeAt(0));
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
 * HTML), Markdown syntax is shown literally, line breaks cannot end the row, controls are visible.
 */
export function escapeMarkdown(text: string): string {
  return (
    visibleControls(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Only what is markup in the middle of a line: emphasis, code, links, table pipes, strikethrough.
      .replace(/([\\`*_[\]|~])/g, '\\$1')
      .replace(/\r\n|\r|\n/g, ' ')
      .replace(/\t/g, ' ')
  );
}
