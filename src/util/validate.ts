import type { z } from 'zod';
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
 * Validates `data` against `schema`; on failure throws an InputError naming `file` and the JSON path of
 * the first problem (and how many more there are), so a user can fix the file in one look.
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, data: unknown, file: string): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  throw new InputError(file, formatJsonPath(first?.path ?? []), `${first?.message ?? 'invalid'}${more}`);
}

/** Parses JSON text, turning a syntax error into an InputError that names the file. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(file, '$', `not valid JSON: ${(error as Error).message}`);
  }
}
