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
 * Which containers terminalJsonChunks writes piece by piece, by their path from the root (keys, and
 * array indexes as strings). A number n means every container less than n levels deep.
 */
export type JsonSplit = number | ((path: readonly string[]) => boolean);

/**
 * terminalJson in pieces, for a document too large to hold as one string (a 50,000-user report model
 * is 290 MB of JSON, and JSON.stringify of it peaked at 2.4 GB). The containers `split` names are
 * written key by key and element by element; every other value is written by JSON.stringify where it
 * sits, and the elements of a split array that are not themselves split a few hundred at a time (see
 * `elementsAt`). The pieces joined are terminalJson(value), byte for byte (a test holds them equal):
 * the same keys in the same order, toJSON honoured, undefined and functions left out of objects and
 * written as null in arrays. A piece never splits a string, so the escapes are the same.
 */
export function* terminalJsonChunks(value: unknown, split: JsonSplit = 2): Generator<string> {
  const splits = typeof split === 'number' ? (path: readonly string[]) => path.length < split : split;
  yield* chunksOf(jsonValue(value, ''), [], splits, 0);
}

/** Elements of a split array written by one JSON.stringify. */
const BATCH = 500;

/**
 * The elements of an array that sits `level` containers deep, as JSON.stringify(_, null, 2) writes
 * them inside the whole document: each on its own lines, indented by 2 x (level + 1) spaces, joined by
 * ",\n", without the brackets. JSON.stringify indents from column 0, so the items are wrapped in
 * `level` arrays and the wrappers' text cut off: for each wrapper "[\n" and its child's indentation
 * before, "\n", its own indentation and "]" after (no copy: V8 slices the string).
 */
function elementsAt(items: unknown[], level: number): string {
  let wrapped: unknown = items;
  for (let i = 0; i < level; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  const before = level * level + 3 * level + 2;
  const after = level * level + 3 * level + 2;
  return text.slice(before, text.length - after);
}

/** A value written whole by JSON.stringify where it sits, `level` containers deep. */
function leafAt(value: unknown, level: number): string {
  return level === 0 ? JSON.stringify(value, null, 2) : elementsAt([value], level - 1).slice(2 * level);
}

/** What an array holds for a value JSON.stringify cannot write there. */
const inArray = (v: unknown): unknown =>
  v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v;

/** `value` is already what toJSON made of it; it sits `level` containers deep, at `path`. */
function* chunksOf(
  value: unknown,
  path: readonly string[],
  split: (path: readonly string[]) => boolean,
  level: number,
): Generator<string> {
  if (value === null || typeof value !== 'object' || !split(path))
    return yield escapeRaw(leafAt(value, level));
  const indent = '  '.repeat(level);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    yield '[\n';
    let batch: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      // toJSON is called with the element's own index, as in the whole document.
      const item = inArray(jsonValue(value[i], String(i)));
      const sep = i < value.length - 1 ? ',\n' : '\n';
      const itemPath = [...path, String(i)];
      if (item !== null && typeof item === 'object' && split(itemPath)) {
        if (batch.length > 0) yield escapeRaw(`${elementsAt(batch, level)},\n`);
        batch = [];
        yield inner;
        yield* chunksOf(item, itemPath, split, level + 1);
        yield sep;
        continue;
      }
      batch.push(item);
      if (batch.length === BATCH || i === value.length - 1) {
        yield escapeRaw(`${elementsAt(batch, level)}${sep}`);
        batch = [];
      }
    }
    return yield `${indent}]`;
  }
  const entries: Array<[string, unknown]> = [];
  for (const k of Object.keys(value)) {
    const v = jsonValue((value as Record<string, unknown>)[k], k);
    if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') entries.push([k, v]);
  }
  if (entries.length === 0) return yield '{}';
  let buf = '{\n';
  for (const [i, [k, v]] of entries.entries()) {
    buf += `${inner}${JSON.stringify(k)}: `;
    const valuePath = [...path, k];
    if (v !== null && typeof v === 'object' && split(valuePath)) {
      yield escapeRaw(buf);
      buf = '';
      yield* chunksOf(v, valuePath, split, level + 1);
    } else buf += leafAt(v, level + 1);
    buf += i < entries.length - 1 ? ',\n' : '\n';
  }
  yield escapeRaw(`${buf}${indent}}`);
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
