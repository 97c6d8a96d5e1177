/**
 * Parsing the hand-written input files (policy, waivers) as JSON or YAML, with errors that say where:
 * a YAML syntax error names its line and column, and a validation error found later (a JSON path such
 * as `$.waivers[2].expiresOn`) gets the line and column of that path in the YAML file as written, so a
 * user can go straight to it.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { InputError } from '../errors.js';
import { checkDocument, parseJsonText } from './validate.js';

/** A parsed input file: its data, and where a JSON path of that data is in the file (YAML only). */
export interface ParsedInput {
  data: unknown;
  /** 1-based line and column of the node at `jsonPath`, or of its nearest ancestor that exists; null when unknown. */
  locate(jsonPath: string): { line: number; col: number } | null;
}

const YAML_FILE = /\.ya?ml$/i;

/** Parses JSON, or YAML when the file name ends in .yaml/.yml. Errors are InputErrors naming the file and line. */
export function parseJsonOrYaml(text: string, file: string): ParsedInput {
  if (!YAML_FILE.test(file)) return { data: parseJsonText(text, file), locate: () => null };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  const syntax = doc.errors[0];
  if (syntax) {
    // `linePos` is only filled in by the package's pretty-printing, which also appends a code frame:
    // the line counter gives the same position without copying file text into the message.
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    throw new InputError(file, '$', `not valid YAML at line ${line}, column ${col}: ${syntax.message}`);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // e.g. the alias-count limit that stops a "billion laughs" document.
    throw new InputError(file, '$', `not valid YAML: ${(error as Error).message}`);
  }
  const parsed: ParsedInput = {
    data,
    locate: (jsonPath) => {
      const path = parseJsonPath(jsonPath);
      if (!path) return null;
      // The deepest node that exists: a missing required field is reported at the object that lacks it.
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
      }
      return null;
    },
  };
  withLocation(parsed, file, () => checkDocument(data, file));
  return parsed;
}

/**
 * Runs `validate` (which throws InputErrors with a JSON path) and adds the line and column of that
 * path in `input`'s file to the problem, when the file is YAML. Other errors pass through unchanged.
 */
export function withLocation<T>(input: ParsedInput, file: string, validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    throw located(input, file, error);
  }
}

/**
 * `error` with the line and column of its JSON path in `input`'s file added, when it is an InputError
 * about that file at a path the file has; otherwise `error` itself. For errors raised after loading,
 * e.g. a policy's params checked against the rules they override.
 */
export function located(input: ParsedInput, file: string, error: unknown): unknown {
  if (!(error instanceof InputError) || error.file !== file || error.jsonPath === '$') return error;
  const at = input.locate(error.jsonPath);
  if (!at) return error;
  return new InputError(file, error.jsonPath, `${error.problem} (line ${at.line}, column ${at.col})`, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    cause: error,
  });
}

/**
 * The keys of a JSON path as `formatJsonPath` (src/util/validate.ts) writes it: `$`, then `.name`,
 * `[3]` or `["quoted name"]` steps. Null for anything else. A scanner, not a regex: the path can hold
 * file text.
 */
export function parseJsonPath(jsonPath: string): Array<string | number> | null {
  if (!jsonPath.startsWith('$')) return null;
  const keys: Array<string | number> = [];
  let i = 1;
  while (i < jsonPath.length) {
    const c = jsonPath[i];
    if (c === '.') {
      let end = i + 1;
      while (end < jsonPath.length && jsonPath[end] !== '.' && jsonPath[end] !== '[') end++;
      if (end === i + 1) return null;
      keys.push(jsonPath.slice(i + 1, end));
      i = end;
    } else if (c === '[' && jsonPath[i + 1] === '"') {
      // A JSON string: find its closing quote, skipping escaped characters.
      let end = i + 2;
      while (end < jsonPath.length && jsonPath[end] !== '"') end += jsonPath[end] === '\\' ? 2 : 1;
      if (jsonPath[end + 1] !== ']') return null;
      try {
        keys.push(JSON.parse(jsonPath.slice(i + 1, end + 1)) as string);
      } catch {
        return null;
      }
      i = end + 2;
    } else if (c === '[') {
      const end = jsonPath.indexOf(']', i);
      const digits = end < 0 ? '' : jsonPath.slice(i + 1, end);
      if (digits === '' || ![...digits].every((d) => d >= '0' && d <= '9')) return null;
      keys.push(Number(digits));
      i = end + 1;
    } else return null;
  }
  return keys;
}
