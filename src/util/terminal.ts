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
/** Also used for every JSON output, so a JSON file and the same JSON on stdout are the same bytes. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The last line of defence for everything the CLI writes to stdout and stderr: C0 controls other than
 * tab and newline, DEL, C1 controls and bidi overrides become `?`. A carriage return is kept only as the
 * first character of a write (how progress rewrites its line), so no value can rewrite a line. Values
 * are neutralised where they are formatted too; this catches what a formatter missed.
 */
export function streamSafe(chunk: string): string {
  const head = chunk.startsWith('\r') ? '\r' : '';
  return head + chunk.slice(head.length).replace(STREAM_UNSAFE, '?');
}
const STREAM_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
