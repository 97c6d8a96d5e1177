/** JSON renderer: the versioned report model itself, 2-space indented with a trailing newline. */

import { terminalJson, terminalJsonChunks } from '../../util/terminal.js';
import type { ReportModel } from '../model.js';

/** The model's key order is fixed by its construction, so the output is byte-stable for the same input. */
export function renderJson(model: ReportModel): string {
  return `${terminalJson(model)}\n`;
}

/** renderJson in pieces (the same bytes), for a file: a 50,000-user model is 290 MB of JSON. */
export function* renderJsonChunks(model: ReportModel): Generator<string> {
  yield* terminalJsonChunks(model, MODEL_PIECES);
  yield '\n';
}

/**
 * Where the model's bulk is, written piece by piece: each top-level section, the findings down to each
 * rule's list of findings (severity groups, their rules, each rule's findings), and the database
 * access projects. Everything below is written a few hundred elements at a time.
 */
function MODEL_PIECES(path: readonly string[]): boolean {
  if (path.length <= 1) return true;
  if (path[0] === 'findings') return path.length <= 5;
  return path[0] === 'databaseAccess' && path.length <= 2;
}
