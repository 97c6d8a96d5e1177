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

/** Pieces are yielded from about this many characters: a generator step per value cost more than the JSON. */
const PIECE = 1 << 16;

const isLeaf = (value: unknown, depth: number): boolean =>
  depth === 0 || value === null || typeof value !== 'object';

/** JSON.stringify of a value written `indent` deep: JSON text has no raw line breaks inside strings. */
function leafText(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  return indent === '' ? text : text.replaceAll('\n', `\n${indent}`);
}

/** `value` is already what toJSON made of it. */
function* chunksOf(value: unknown, depth: number, indent: string): Generator<string> {
  if (isLeaf(value, depth)) return yield escapeRaw(leafText(value, indent));
  const inner = `${indent}  `;
  const array = Array.isArray(value);
  const entries: Array<[string | null, unknown]> = [];
  if (array) {
    for (let i = 0; i < value.length; i++) {
      const v = jsonValue(value[i], String(i));
      entries.push([null, v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v]);
    }
  } else {
    for (const k of Object.keys(value as object)) {
      const v = jsonValue((value as Record<string, unknown>)[k], k);
      if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') entries.push([k, v]);
    }
  }
  if (entries.length === 0) return yield array ? '[]' : '{}';
  let buf = array ? '[\n' : '{\n';
  for (const [i, [k, v]] of entries.entries()) {
    buf += k === null ? inner : `${inner}${JSON.stringify(k)}: `;
    if (isLeaf(v, depth - 1)) buf += leafText(v, inner);
    else {
      yield escapeRaw(buf);
      buf = '';
      yield* chunksOf(v, depth - 1, inner);
    }
    buf += i < entries.length - 1 ? ',\n' : '\n';
    if (buf.length >= PIECE) {
      yield escapeRaw(buf);
      buf = '';
    }
  }
  yield escapeRaw(`${buf}${indent}${array ? ']' : '}'}`);
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
