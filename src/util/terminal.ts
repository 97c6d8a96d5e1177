/**
 * Text for a terminal or a CI log. Values from Atlas (org, user, team names, error details) and from
 * workbooks can hold escape sequences that clear the screen or rewrite a line, and bidi overrides that
 * reorder what is shown: C0 and C1 controls, DEL and the bidi embedding/override/isolate characters
 * become `?`. Line breaks inside a value are controls too: one value never starts a new line.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '?');
}

/**
 * JSON for a terminal: `JSON.stringify` escapes C0 controls but writes C1 controls (8-bit CSI) and
 * bidi overrides raw; they become `\uXXXX` escapes, so the output is the same JSON value.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
