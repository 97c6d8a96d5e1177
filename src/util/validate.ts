import type * as z from 'zod';
import { InputError } from '../errors.js';

/** Formats a zod issue path as a JSONPath-like string: `$.organizations[0].users[3].lastAuth`. */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * `build()` run the first time the result is asked for, and that result ever after. A module whose zod
 * schemas are built this way costs nothing to load until something is parsed with them: a plain audit
 * loads the modules of sign-offs, rosters, waivers, policies and rule files and built 774 schemas, of
 * which it used the snapshot's 316 (counted in the bundle; docs/architecture.md, "How the command
 * starts"). Export such a schema as
 * `z.lazy(() => schemas().name)`, which parses and fails exactly as the schema it wraps.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/**
 * Validates `data` against `schema`; on failure throws an InputError naming `file` and the JSON path of
 * the first problem (and how many more there are), so a user can fix the file in one look.
 *
 * zod compiles an object schema into a function (`new Function`) on its first parse, which costs more
 * than it saves unless the schema then checks thousands of objects: a one-org snapshot validates in
 * 9 ms without that and in 20 to 31 ms with it, a 76 MB snapshot in 490 ms without and 410 ms with
 * (README "Performance"). So it is off unless `jit` asks for it, as the snapshot reader does for large files.
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  { jit = false }: { jit?: boolean } = {},
): z.output<S> {
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(data, { jitless: !jit });
  } catch (error) {
    // zod gathers a value's problems into its parent's with push(...issues), one argument each: past
    // about 120,000 of them (a 600 kB snapshot whose organizations are numbers) that call overflows the
    // stack. The input is at fault, not the tool: exit 2 naming the file, not an internal error.
    if (error instanceof RangeError && /call stack/i.test(error.message))
      throw new InputError(file, '$', 'too many problems to list: this is not a valid file of its kind');
    throw error;
  }
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  throw new InputError(file, formatJsonPath(first?.path ?? []), `${first?.message ?? 'invalid'}${more}`);
}

/** Deepest nesting any input file may have; the deepest legitimate one (a rule) is about 10. */
const MAX_INPUT_DEPTH = 64;

/**
 * Checks a parsed input document before any schema sees it: no `__proto__` key (JSON.parse and YAML
 * keep it as a key, and zod's records then drop it silently, so a policy entry could vanish unseen),
 * and no nesting deeper than `maxDepth` (zod validates recursively; a 20,000-deep rule condition
 * overflowed the stack, exit 70). Iterative, so it cannot overflow itself. Throws an InputError naming
 * the file and the JSON path.
 */
export function checkDocument(data: unknown, file: string, maxDepth: number = MAX_INPUT_DEPTH): void {
  // Paths are kept as parent links and spelled out only for an error: a snapshot has millions of nodes.
  interface Node {
    value: unknown;
    key: PropertyKey;
    parent: Node | null;
    depth: number;
  }
  const pathOf = (n: Node | null, last?: PropertyKey): string => {
    const keys: PropertyKey[] = last === undefined ? [] : [last];
    for (let x = n; x?.parent; x = x.parent) keys.unshift(x.key);
    return formatJsonPath(keys);
  };
  const stack: Node[] = [{ value: data, key: '$', parent: null, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const value = node.value;
    if (value === null || typeof value !== 'object') continue;
    if (node.depth >= maxDepth)
      throw new InputError(file, pathOf(node), `nested more than ${maxDepth} levels deep`);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const child: unknown = value[i];
        // Only containers are visited: a node per string of a 76 MB snapshot was garbage to collect.
        if (child !== null && typeof child === 'object')
          stack.push({ value: child, key: i, parent: node, depth: node.depth + 1 });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw new InputError(file, pathOf(node, key), `unknown key "${key}"`);
      const child = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object')
        stack.push({ value: child, key, parent: node, depth: node.depth + 1 });
    }
  }
}

/**
 * Parses JSON text, turning a syntax error into an InputError that names the file, and checks the
 * document (see checkDocument) unless `check` is false: the caller then checks it itself (a rule file,
 * src/rules/load.ts) or its schema refuses what the check would (a snapshot, src/snapshot/store.ts).
 */
export function parseJsonText(text: string, file: string, check = true): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, '$', `not valid JSON: ${withLineAndColumn((error as Error).message, text)}`);
  }
  if (check) checkDocument(data, file);
  return data;
}

/**
 * V8 reports a JSON syntax error's place as a character offset ("at position 1042"); a person looks
 * for a line. Adds "(line L, column C)" when the message gives a position and does not say it already.
 */
function withLineAndColumn(message: string, text: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match || message.includes('(line ')) return message;
  const position = Math.min(Number(match[1]), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `${message} (line ${line}, column ${position - lineStart + 1})`;
}
