/** JSON renderer: the versioned report model itself, 2-space indented with a trailing newline. */

import { terminalJson, terminalJsonChunks } from '../../util/terminal.js';
import type { ReportModel } from '../model.js';

/** The model's key order is fixed by its construction, so the output is byte-stable for the same input. */
export function renderJson(model: ReportModel): string {
  return `${terminalJson(model)}\n`;
}

/** renderJson in pieces (the same bytes), for a file: a 50,000-user model is 290 MB of JSON. */
export function* renderJsonChunks(model: ReportModel): Generator<string> {
  yield* terminalJsonChunks(model);
  yield '\n';
}
