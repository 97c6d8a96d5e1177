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
  return escapeRaw(JSON.stringify(value, null, 2));
}

const RAW_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const escapeRaw = (json: string): string =>
  json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * terminalJson in pieces, for a document too large to hold as one string (a 50,000-user report model
 * is 290 MB of JSON, and JSON.stringify of it peaked at 2.4 GB): objects and arrays down to `depth`
 * levels are written key by key and element by element, each value below that by JSON.stringify and
 * indented to its place. The pieces joined are terminalJson(value), byte for byte (a test holds them
 * equal): the same keys in the same order, toJSON honoured, undefined and functions left out of
 * objects and written as null in arrays. A piece never splits a string, so the escapes are the same.
 */
export function* terminalJsonChunks(value: unknown, depth = 3): Generator<string> {
  yield* chunksOf(jsonValue(value, ''), depth, '');
}

/** `value` is already what toJSON made of it. */
function* chunksOf(value: unknown, depth: number, indent: string): Generator<string> {
  if (depth === 0 || value === null || typeof value !== 'object') {
    const text = escapeRaw(JSON.stringify(value, null, 2) ?? 'null');
    // JSON text has no raw line breaks inside strings: every one is layout, indented to this depth.
    yield indent === '' ? text : text.replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield inner;
      const item = jsonValue(value[i], String(i));
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') yield 'null';
      else yield* chunksOf(item, depth - 1, inner);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    return yield `${indent}]`;
  }
  const entries: Array<[string, unknown]> = [];
  for (const k of Object.keys(value)) {
    const v = jsonValue((value as Record<string, unknown>)[k], k);
    if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') entries.push([k, v]);
  }
  if (entries.length === 0) return yield '{}';
  yield '{\n';
  for (const [i, [k, v]] of entries.entries()) {
    yield `${inner}${escapeRaw(JSON.stringify(k))}: `;
    yield* chunksOf(v, depth - 1, inner);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

/** What JSON.stringify writes for a value: its toJSON(key) when it has one. */
function jsonValue(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value, key) : value;
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
