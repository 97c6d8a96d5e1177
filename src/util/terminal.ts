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
  // The wrappers and the array's own brackets take as many characters before the items as after them.
  const cut = level * level + 3 * level + 2;
  return text.slice(cut, text.length - cut);
}

/** A value written whole by JSON.stringify where it sits, `level` containers deep. */
function leafAt(value: unknown, level: number): string {
  return level === 0 ? JSON.stringify(value, null, 2) : elementsAt([value], level - 1).slice(2 * level);
}

/** What an array holds for a value JSON.stringify cannot write there. */
const inArray = (v: unknown): unknown =>
  v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v;

/** True when JSON.stringify would look for a toJSON on `v` (objects, functions and BigInts). */
const mayHaveToJSON = (v: unknown): v is object =>
  typeof v === 'bigint' || typeof v === 'function' || (typeof v === 'object' && v !== null);

/**
 * Number, String, Boolean and BigInt objects: JSON.stringify writes the primitive inside, so they are
 * never split as containers (their keys are a string's characters, or none).
 */
const isBoxed = (v: object): boolean =>
  v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt;

/**
 * A value toJSON has already made, for JSON.stringify: JSON.stringify calls toJSON once, so a result
 * that has a toJSON of its own (an object, a Date) is wrapped in a holder that hands it back unchanged.
 */
function settled(v: unknown): unknown {
  return typeof v === 'bigint' || (mayHaveToJSON(v) && 'toJSON' in v) ? { toJSON: () => v } : v;
}

/**
 * An element of a batch, as it is in the array: its toJSON, if it has one, is called when JSON.stringify
 * reaches it (in document order, as in the whole document) with its own index, not the batch's.
 */
function asElement(raw: unknown, key: string): unknown {
  return mayHaveToJSON(raw) && 'toJSON' in Object(raw) ? { toJSON: () => jsonValue(raw, key) } : raw;
}

/** A container written piece by piece: arrays, and objects other than boxed primitives. */
const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null && !isBoxed(v);

/**
 * `value` is already what toJSON made of it; it sits `level` containers deep, at `path`. Every value is
 * read and converted in the order JSON.stringify reads it, so a getter or toJSON that throws throws
 * the same error, and the pieces before it are the ones the whole document would have started with.
 */
function* chunksOf(
  value: unknown,
  path: readonly string[],
  split: (path: readonly string[]) => boolean,
  level: number,
): Generator<string> {
  if (!isContainer(value) || !split(path)) return yield escapeRaw(leafAt(settled(value), level));
  const indent = '  '.repeat(level);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const length = value.length;
    if (length === 0) return yield '[]';
    yield '[\n';
    let batch: unknown[] = [];
    for (let i = 0; i < length; i++) {
      const key = String(i);
      const sep = i < length - 1 ? ',\n' : '\n';
      const itemPath = [...path, key];
      if (!split(itemPath)) batch.push(asElement(value[i], key));
      else {
        // The elements before this one are written before it is read, as in the whole document.
        if (batch.length > 0) yield escapeRaw(`${elementsAt(batch, level)},\n`);
        batch = [];
        // toJSON is called with the element's own index, as in the whole document.
        const item = jsonValue(value[i], key);
        if (isContainer(item)) {
          yield inner;
          yield* chunksOf(item, itemPath, split, level + 1);
          yield sep;
          continue;
        }
        batch.push(settled(inArray(item)));
      }
      if (batch.length === BATCH || i === length - 1) {
        yield escapeRaw(`${elementsAt(batch, level)}${sep}`);
        batch = [];
      }
    }
    return yield `${indent}]`;
  }
  let buf = '{\n';
  let first = true;
  for (const k of Object.keys(value)) {
    const v = jsonValue((value as Record<string, unknown>)[k], k);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    buf += `${first ? '' : ',\n'}${inner}${JSON.stringify(k)}: `;
    first = false;
    const valuePath = [...path, k];
    if (isContainer(v) && split(valuePath)) {
      yield escapeRaw(buf);
      buf = '';
      yield* chunksOf(v, valuePath, split, level + 1);
    } else buf += leafAt(settled(v), level + 1);
  }
  if (first) return yield '{}';
  yield escapeRaw(`${buf}\n${indent}}`);
}

/** What JSON.stringify writes for a value: its toJSON(key) when it has one (objects and BigInts only). */
function jsonValue(value: unknown, key: string): unknown {
  if (!mayHaveToJSON(value)) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
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
