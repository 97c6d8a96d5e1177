/**
 * The published command runs the bundle dist/cli.cjs with V8's code cache dist/cli.cache
 * (scripts/build-cli.ts, src/cli/bin.cts). These tests run the built files, so they need `npm run build`
 * (npm ci runs it): the bundle must print what the unbundled CLI prints, start from its cache on
 * the Node that built it, and still run, from source, when the cache is refused or the bundle is missing.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { snapshotOf } from '../../src/sim/offline-snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const DIST = join(REPO, 'dist');
const BUNDLE = join(DIST, 'cli.cjs');
const CACHE = join(DIST, 'cli.cache');
// The built loader, as the bin runs it (vitest does not compile .cts sources).
const bundleLoader = createRequire(import.meta.url)(
  join(DIST, 'cli', 'bundle-loader.cjs'),
) as typeof import('../../src/cli/bundle-loader.cjs');

function run(bin: string, argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The time of evaluation differs between two runs; every other byte must not. */
const masked = (text: string): string =>
  text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, (t) =>
    Math.abs(Date.parse(t) - Date.now()) < 3_600_000 ? '<now>' : t,
  );

/**
 * A copy of the package (dist copied, and rules/ when `change` takes a second argument; the rest
 * linked) whose dist/ (and rules/) a test may change.
 */
function packageCopy(change: (dist: string, rules: string) => void): string {
  const root = tempDir('aar-bundle-');
  cpSync(DIST, join(root, 'dist'), { recursive: true });
  const copyRules = change.length > 1;
  if (copyRules) cpSync(join(REPO, 'rules'), join(root, 'rules'), { recursive: true });
  for (const linked of ['package.json', 'reports', 'node_modules', ...(copyRules ? [] : ['rules'])])
    symlinkSync(join(REPO, linked), join(root, linked));
  change(join(root, 'dist'), join(root, 'rules'));
  return root;
}

let dir: string;
let snapshot: string;
beforeAll(() => {
  for (const file of [BUNDLE, CACHE, join(DIST, 'cli', 'bin.cjs')])
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build (npm ci runs it)`);
  dir = tempDir();
  const now = new Date('2026-05-01T00:00:00.000Z');
  snapshot = join(dir, 'snapshot.json');
  const estate = generateEstate({ seed: 11, now, ...PRESETS.demo, orgs: 2 });
  writeFileSync(snapshot, JSON.stringify(snapshotOf(estate.organizations, now)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled command', () => {
  it('is newer than every source file it was built from (a stale dist/ would test old code)', () => {
    const built = statSync(BUNDLE).mtimeMs;
    const sources = readdirRecursive(join(REPO, 'src')).filter((f) => statSync(f).mtimeMs > built);
    expect(sources, 'run npm run build').toEqual([]);
  });

  it('prints the help of every command exactly as the unbundled CLI does', async () => {
    for (const argv of [[], ...COMMANDS.map((c) => [c.name]), ['rules', 'list'], ['review', 'import']]) {
      const bundled = run(join(DIST, 'cli', 'bin.cjs'), [...argv, '--help']);
      const unbundled = await runCliForTest([...argv, '--help'], { env: process.env });
      expect({ argv, code: bundled.code, stdout: bundled.stdout }).toEqual({
        argv,
        code: unbundled.code,
        stdout: unbundled.stdout,
      });
    }
  });

  it('lists the rules and audits a snapshot as the unbundled CLI does', async () => {
    for (const argv of [
      ['rules', 'list'],
      ['audit', snapshot, '--fail-on', 'high', '--format', 'json'],
      ['audit', join(dir, 'missing.json')],
    ]) {
      const bundled = run(join(DIST, 'cli', 'bin.cjs'), argv);
      const unbundled = await runCliForTest(argv, { env: process.env, now: new Date(), cwd: process.cwd() });
      expect({ code: bundled.code, stdout: masked(bundled.stdout), stderr: bundled.stderr }).toEqual({
        code: unbundled.code,
        stdout: masked(unbundled.stdout),
        stderr: unbundled.stderr,
      });
    }
  });

  it('loads exceljs, handlebars and nodemailer only for the outputs that need them', () => {
    // A preload that reports every one of them the bundle requires (they stay outside it).
    const hook = join(dir, 'hook.cjs');
    writeFileSync(
      hook,
      `const M = require('node:module'); const load = M._load;
       M._load = function (request, ...rest) {
         if (['exceljs', 'handlebars', 'nodemailer'].includes(request)) process.stderr.write('LOADED ' + request + '\\n');
         return load.call(this, request, ...rest);
       };`,
    );
    const loaded = (argv: string[]): string[] => {
      const r = spawnSync(process.execPath, ['--require', hook, join(DIST, 'cli', 'bin.cjs'), ...argv], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      expect(r.status, r.stderr).toBe(0);
      return [...new Set(r.stderr.match(/LOADED \S+/g) ?? [])].sort();
    };
    const out = (name: string) => join(dir, name);
    const report = (flag: string, file: string) => [
      'report',
      snapshot,
      '--fail-on',
      'never',
      '--force',
      flag,
      out(file),
    ];
    expect(loaded(['--help'])).toEqual([]);
    expect(loaded(['rules', 'list'])).toEqual([]);
    expect(loaded(['audit', snapshot, '--fail-on', 'never'])).toEqual([]);
    expect(loaded(report('--json', 'r.json'))).toEqual([]);
    expect(loaded(report('--csv', 'r.csv'))).toEqual([]);
    expect(loaded(report('--xlsx', 'r.xlsx'))).toEqual(['LOADED exceljs']);
    expect(loaded(report('--html', 'r.html'))).toEqual(['LOADED handlebars']);
  });

  it('starts from its code cache on the Node that built it', () => {
    expect(bundleLoader.loadBundle(BUNDLE, readFileSync(CACHE)).cacheRejected).toBe(false);
  });

  it('runs from source when V8 refuses the cache (another Node, or a damaged file)', () => {
    const damaged = Buffer.from(readFileSync(CACHE));
    for (let i = 0; i < damaged.length; i += 64) damaged[i] = damaged[i]! ^ 0xff;
    expect(bundleLoader.loadBundle(BUNDLE, damaged).cacheRejected).toBe(true);
    const root = packageCopy((dist) => writeFileSync(join(dist, 'cli.cache'), damaged));
    try {
      const r = run(join(root, 'dist', 'cli', 'bin.cjs'), ['rules', 'list']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(run(join(DIST, 'cli', 'bin.cjs'), ['rules', 'list']).stdout);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs the bundle as it is on disk after an edit that keeps its length (V8 matches a cache by length only)', () => {
    const root = packageCopy((dist) => {
      const file = join(dist, 'cli.cjs');
      const text = readFileSync(file, 'latin1');
      expect(text.split('Exit codes: 0 ok').length).toBe(2);
      writeFileSync(file, text.replace('Exit codes: 0 ok', 'Exit codes: 0 OK'), 'latin1');
    });
    try {
      const dist = join(root, 'dist');
      expect(
        bundleLoader.loadBundle(join(dist, 'cli.cjs'), readFileSync(join(dist, 'cli.cache'))).cacheRejected,
      ).toBe(true);
      const r = run(join(dist, 'cli', 'bin.cjs'), ['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Exit codes: 0 OK');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('validates an edited built-in rule or catalogue file: only the texts it was built with skip the schema', () => {
    // The bundle carries the shipped rule and catalogue texts with their validated form
    // (src/util/prevalidated.ts); it must not be empty, or the start-up figures measure nothing.
    expect(readFileSync(BUNDLE, 'latin1')).toMatch(/TABLE_JSON = [`"']\{\\*"rule\\*":\[\[/);
    const edit = (file: string, from: string, to: string) => {
      const text = readFileSync(file, 'utf8');
      expect(text.split(from).length, `${file} holds ${from} once`).toBe(2);
      writeFileSync(file, text.replace(from, to));
    };
    const cases: Array<{ change: (rules: string) => void; argv: string[]; code: number; out: RegExp }> = [
      {
        change: (rules) =>
          edit(join(rules, 'stale-last-auth.json'), '"severity": "medium"', '"severity": "dire"'),
        argv: ['rules', 'list'],
        code: 2,
        out: /stale-last-auth\.json.*\$\.severity/,
      },
      {
        change: (rules) => edit(join(rules, 'stale-last-auth.json'), '"title": "', '"title": "Edited: '),
        argv: ['rules', 'list'],
        code: 0,
        out: /Edited: /,
      },
      {
        change: (rules) =>
          edit(join(rules, 'frameworks', 'soc2.json'), '"selectable": true', '"selectable": "yes"'),
        argv: ['audit', snapshot, '--fail-on', 'never'],
        code: 2,
        out: /soc2\.json.*\$\.selectable/,
      },
    ];
    for (const c of cases) {
      const root = packageCopy((_dist, rules) => c.change(rules));
      try {
        const r = run(join(root, 'dist', 'cli', 'bin.cjs'), c.argv);
        expect({ code: r.code, matches: c.out.test(r.stdout + r.stderr) }, r.stdout + r.stderr).toEqual({
          code: c.code,
          matches: true,
        });
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  });

  it('falls back to the unbundled entry when the bundle is missing, and runs without a cache', () => {
    const expected = run(join(DIST, 'cli', 'bin.cjs'), ['audit', snapshot, '--fail-on', 'never']);
    for (const remove of [['cli.cjs', 'cli.cache'], ['cli.cache']]) {
      const root = packageCopy((dist) => {
        for (const f of remove) rmSync(join(dist, f));
      });
      try {
        const r = run(join(root, 'dist', 'cli', 'bin.cjs'), ['audit', snapshot, '--fail-on', 'never']);
        expect({ code: r.code, stdout: masked(r.stdout) }).toEqual({
          code: expected.code,
          stdout: masked(expected.stdout),
        });
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  });
});

function readdirRecursive(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
