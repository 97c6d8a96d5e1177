/**
 * The import-direction checker behind test/architecture/layers.test.ts: reads the import specifiers of
 * a TypeScript source, maps every file under src/ to its layer, and lists the imports a layer table
 * does not allow. Kept apart from the test so it can be unit-tested on a small fake graph.
 */
import { posix } from 'node:path';

/** Layer name -> the layers it may import (its own layer is always allowed). */
export type LayerTable = Readonly<Record<string, readonly string[]>>;

/** One import a layer table forbids. */
export interface Violation {
  file: string;
  specifier: string;
  from: string;
  to: string;
}

/**
 * Every module specifier in a source: static imports and re-exports (also across lines), side-effect
 * imports and dynamic `import('…')`. Comment lines are dropped first so an example in prose does not count.
 */
export function importSpecifiers(source: string): string[] {
  // Comment lines only (JSDoc ` * `, `/*`, `//`): a pattern over the whole text would also eat code
  // between a `/*` inside a string (a glob such as 'rules/*.json') and the next comment's end.
  const code = source.replace(/^\s*(?:\/\/|\/\*|\*).*$/gm, '');
  const out: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

/**
 * The layer of a file under src/ (a posix path relative to src/, e.g. `report/model.ts`): its top-level
 * folder, or for a file directly in src/ its name without `.ts`; then `aliases` maps that name to a
 * layer (e.g. `util`, `errors` and `version` all to `base`).
 */
export function layerOf(srcRelative: string, aliases: Readonly<Record<string, string>> = {}): string {
  const first = srcRelative.split('/')[0]!;
  const name = srcRelative.includes('/') ? first : first.replace(/\.ts$/, '');
  return aliases[name] ?? name;
}

/**
 * Checks a graph of src/-relative files and their relative import specifiers against a layer table.
 * A layer missing from the table is itself a violation (a new folder must be placed, not waved through).
 */
export function checkLayers(
  graph: ReadonlyMap<string, readonly string[]>,
  table: LayerTable,
  aliases: Readonly<Record<string, string>> = {},
): Violation[] {
  const violations: Violation[] = [];
  for (const [file, specifiers] of graph) {
    const from = layerOf(file, aliases);
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      if (target.startsWith('..')) {
        violations.push({ file, specifier, from, to: '(outside src)' });
        continue;
      }
      const to = layerOf(target.replace(/\.js$/, '.ts'), aliases);
      if (to === from) continue;
      const allowed = table[from];
      if (!allowed?.includes(to)) violations.push({ file, specifier, from, to });
    }
  }
  return violations;
}

/** Imports of bare modules (`node:fs`, `nodemailer`, …) by files of the given layers. */
export function forbiddenModules(
  graph: ReadonlyMap<string, readonly string[]>,
  layers: readonly string[],
  modules: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): Violation[] {
  const out: Violation[] = [];
  for (const [file, specifiers] of graph) {
    const from = layerOf(file, aliases);
    if (!layers.includes(from)) continue;
    for (const specifier of specifiers)
      if (modules.includes(specifier)) out.push({ file, specifier, from, to: specifier });
  }
  return out;
}

/** One line per violation, naming the file and the import. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `src/${v.file}: import '${v.specifier}' (${v.from} -> ${v.to})`).join('\n');
}
