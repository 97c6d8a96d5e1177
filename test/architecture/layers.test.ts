/**
 * Dependencies point one way (docs/architecture.md): every relative import under src/ is checked
 * against the layer table below, and rules, audit and report never import atlas, node:fs or nodemailer.
 * The checker itself is proven on a small fake graph, so this test cannot pass by checking nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkLayers,
  describeViolations,
  forbiddenModules,
  importSpecifiers,
  type LayerTable,
  layerOf,
} from './import-graph.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** src/util and the root modules errors.ts and version.ts form the bottom layer, `base`. */
const ALIASES = { util: 'base', errors: 'base', version: 'base' };

/** Each layer and the layers it may import; the same table as docs/architecture.md. */
const LAYERS: LayerTable = {
  base: [],
  evidence: ['base'],
  domain: ['base'],
  roster: ['domain', 'base'],
  campaign: ['workbook', 'roster', 'snapshot', 'domain', 'base'],
  snapshot: ['domain', 'evidence', 'base'],
  atlas: ['base'],
  collect: ['atlas', 'snapshot', 'domain', 'base'],
  sim: ['atlas', 'snapshot', 'domain', 'base'],
  rules: ['snapshot', 'domain', 'roster', 'base'],
  audit: ['campaign', 'rules', 'snapshot', 'domain', 'roster', 'evidence', 'base'],
  changes: ['audit', 'rules', 'snapshot', 'domain', 'base'],
  workbook: ['domain', 'base'],
  templates: ['rules', 'domain', 'base'],
  report: [
    'campaign',
    'roster',
    'changes',
    'workbook',
    'templates',
    'audit',
    'rules',
    'snapshot',
    'domain',
    'evidence',
    'base',
  ],
  review: [
    'campaign',
    'roster',
    'changes',
    'workbook',
    'templates',
    'audit',
    'rules',
    'snapshot',
    'domain',
    'evidence',
    'atlas',
    'base',
  ],
  pack: [
    'campaign',
    'changes',
    'workbook',
    'templates',
    'audit',
    'rules',
    'snapshot',
    'domain',
    'evidence',
    'base',
  ],
  email: ['templates', 'audit', 'rules', 'snapshot', 'domain', 'base'],
  input: [
    'campaign',
    'review',
    'report',
    'audit',
    'rules',
    'snapshot',
    'evidence',
    'domain',
    'roster',
    'base',
  ],
  cli: [
    'campaign',
    'input',
    'review',
    'pack',
    'report',
    'email',
    'changes',
    'workbook',
    'templates',
    'audit',
    'rules',
    'collect',
    'sim',
    'atlas',
    'snapshot',
    'evidence',
    'roster',
    'domain',
    'base',
  ],
  // The library entry point (src/index.ts): the top, beside cli.
  index: [
    'cli',
    'campaign',
    'input',
    'review',
    'pack',
    'report',
    'email',
    'changes',
    'workbook',
    'templates',
    'audit',
    'rules',
    'collect',
    'sim',
    'atlas',
    'snapshot',
    'evidence',
    'roster',
    'domain',
    'base',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function srcGraph(): Map<string, string[]> {
  return new Map(
    sourceFiles(SRC).map((f) => [
      relative(SRC, f).split(sep).join('/'),
      importSpecifiers(readFileSync(f, 'utf8')),
    ]),
  );
}

describe('the import checker', () => {
  const table: LayerTable = { base: [], low: ['base'], high: ['low', 'base'] };

  it('reads static, multi-line, type-only, re-export, side-effect and dynamic imports, not comments', () => {
    const source = [
      "import { a } from './a.js';",
      'import {',
      '  b,',
      '  type C,',
      "} from '../b.js';",
      "import type * as w from '../w.js';",
      "export { d } from './d.js';",
      "import './side.js';",
      "const m = await import('../dyn.js');",
      " * import { x } from '../in-a-comment.js';",
      "// import { y } from '../also-a-comment.js';",
      "const glob = 'rules/*.json'; import('./after-glob.js');",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['../b.js', '../dyn.js', '../w.js', './a.js', './after-glob.js', './d.js', './side.js'].sort(),
    );
  });

  it('maps files to layers by top-level folder, root files by name, through aliases', () => {
    expect(layerOf('report/renderers/xlsx.ts')).toBe('report');
    expect(layerOf('errors.ts', ALIASES)).toBe('base');
    expect(layerOf('util/files.ts', ALIASES)).toBe('base');
  });

  it('fails on an upward import, naming the file and the import', () => {
    const graph = new Map([
      ['high/h.ts', ['../low/l.js', './h2.js']],
      ['low/l.ts', ['../high/h.js', '../base/b.js']],
    ]);
    const v = checkLayers(graph, table);
    expect(v).toEqual([{ file: 'low/l.ts', specifier: '../high/h.js', from: 'low', to: 'high' }]);
    expect(describeViolations(v)).toBe("src/low/l.ts: import '../high/h.js' (low -> high)");
  });

  it('fails on a sideways import and on a layer the table does not place', () => {
    const graph = new Map([
      ['low/l.ts', ['../other/o.js']],
      ['other/o.ts', ['../base/b.js']],
    ]);
    expect(checkLayers(graph, { ...table, other: ['base'] }).map((x) => x.to)).toEqual(['other']);
    expect(checkLayers(graph, table).map((x) => `${x.from}->${x.to}`)).toEqual(['low->other', 'other->base']);
  });

  it('passes a graph that only imports downward', () => {
    const graph = new Map([
      ['high/h.ts', ['../low/l.js', '../base/b.js', 'zod']],
      ['low/l.ts', ['../base/b.js', './l2.js']],
    ]);
    expect(checkLayers(graph, table)).toEqual([]);
  });

  it('finds a forbidden bare module', () => {
    const graph = new Map([['low/l.ts', ['node:fs/promises', 'zod']]]);
    expect(forbiddenModules(graph, ['low'], ['node:fs/promises'])).toHaveLength(1);
    expect(forbiddenModules(graph, ['high'], ['node:fs/promises'])).toEqual([]);
  });
});

describe('src/', () => {
  const graph = srcGraph();

  it('has files in every layer the checks below rely on (the graph is not empty)', () => {
    const layers = new Set([...graph.keys()].map((f) => layerOf(f, ALIASES)));
    for (const l of ['domain', 'rules', 'audit', 'report', 'review', 'cli', 'base'])
      expect(layers).toContain(l);
    expect([...graph.values()].flat().filter((s) => s.startsWith('.')).length).toBeGreaterThan(300);
  });

  it('imports only downward (docs/architecture.md)', () => {
    expect(describeViolations(checkLayers(graph, LAYERS, ALIASES))).toBe('');
  });

  it('keeps rules, audit and report free of atlas, node:fs and nodemailer', () => {
    const v = forbiddenModules(
      graph,
      ['rules', 'audit', 'report'],
      ['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'nodemailer'],
      ALIASES,
    );
    const atlas = checkLayers(graph, LAYERS, ALIASES).filter((x) => x.to === 'atlas');
    for (const l of ['rules', 'audit', 'report']) expect(LAYERS[l]).not.toContain('atlas');
    expect(describeViolations([...v, ...atlas])).toBe('');
  });
});
