/**
 * Builds the published command's bundle, run by `npm run build` after tsc (README "Performance"):
 *
 *   node --import tsx scripts/build-cli.ts
 *
 * 1. esbuild bundles src/cli/bundle-entry.ts with the libraries every command needs (yargs, zod,
 *    json-rules-engine, yaml, ...) into one CommonJS file, dist/cli.cjs. Node 20 loads an ESM package
 *    file by file (yargs alone costs about the CPU of an empty Node process); one file does not.
 *    exceljs, nodemailer and handlebars stay outside: only the commands that write a workbook, an
 *    HTML page or an email load them, from node_modules as before. The libraries stay declared
 *    dependencies, so their licences are installed beside the bundle.
 * 2. yargs reads its message translations from a folder beside its own file; the bundle's copy is
 *    dist/yargs-locales (the same files), so the bundled help reads as the unbundled one in every locale.
 * 3. string-width builds an Intl.Segmenter and the `\p{RGI_Emoji}` set when it is loaded, about 27 ms
 *    of CPU on every start; yargs asks it the width of each help line, which is printable ASCII, whose
 *    width is its length (string-width's own first test), and of the epilogue, which adds line breaks
 *    (control characters: no width, and a cluster of their own). In the bundle, a stand-in answers
 *    those cases and loads string-width for any other text, on first use.
 * 4. The bundle is made pure ASCII (below), so that it can be read without decoding UTF-8.
 * 5. The bundle is run in this process on `--help`, `rules list` and an audit of a generated one-org
 *    snapshot, and V8's code cache of everything that compiled is written to dist/cli.cache (after the
 *    bundle's checksum), which src/cli/bin.cts hands back to V8 (src/cli/bundle-loader.cts says how a
 *    mismatched cache is refused).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { build, type Plugin } from 'esbuild';
import bundleLoader from '../src/cli/bundle-loader.cjs';
import type { CliContext } from '../src/cli/context.js';
import {
  DEFAULT_RULES_DIR,
  FRAMEWORKS_DIR,
  RULE_SCHEMA_FILE,
  validateFrameworkText,
} from '../src/input/rules-dir.js';
import { validateRuleText } from '../src/rules/load.js';
import { generateEstate, PRESETS } from '../src/sim/generate.js';
import { snapshotOf } from '../src/sim/offline-snapshot.js';
import { lazyStringWidth } from './lazy-string-width.js';
import { replaceOnce } from './replace-once.js';

const BUNDLE = 'dist/cli.cjs';
const CACHE = 'dist/cli.cache';
const EXTERNAL = ['exceljs', 'nodemailer', 'handlebars'];

/** Where yargs's ESM shim looks for its translations, and where the bundle's copy of them is. */
const YARGS_LOCALES_FROM = "resolve(__dirname, '../../../locales')";
const YARGS_LOCALES_TO = "resolve(__dirname, '../yargs-locales')";

/**
 * Where yargs's ESM shim starts looking for a package.json to guess the version, which every yargs()
 * does when it is made (we then set our own). Its `__dirname` is a file's path; in the bundle that file
 * is dist/cli.cjs, and the shim took the part before the last `node_modules`: nothing in a checkout (so
 * the current directory: a `readdir` of it and of each parent until one holds a package.json, 20 ms in
 * a directory of 30,000 files), the prefix in a global install (`/usr/lib/`: a readdir of it, `/usr`
 * and `/`). In the bundle it starts at the package root, two levels up from dist/cli.cjs.
 */
const YARGS_MAIN_FROM = "__dirname.substring(0, __dirname.lastIndexOf('node_modules'))";
const YARGS_MAIN_TO = "resolve(__dirname, '..', '..')";

const yargsShim: Plugin = {
  name: 'yargs-shim',
  setup(b) {
    b.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      text = replaceOnce(args.path, text, YARGS_LOCALES_FROM, YARGS_LOCALES_TO);
      text = replaceOnce(args.path, text, YARGS_MAIN_FROM, YARGS_MAIN_TO);
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * The shipped rule files and framework catalogues with what their schemas make of them, for
 * src/util/prevalidated.ts: validated here by the same functions the command runs on any other text.
 * A result JSON would change (a Date, an undefined key) stops the build rather than be prevalidated.
 */
function prevalidatedTable(): string {
  const entries = (
    dir: string,
    pick: (name: string) => boolean,
    validate: (text: string, file: string) => unknown,
  ) =>
    readdirSync(dir)
      .filter(pick)
      .sort()
      .map((name) => {
        const file = join(dir, name);
        const text = readFileSync(file, 'utf8');
        const value = validate(text, file);
        const json = JSON.stringify(value);
        if (!isDeepStrictEqual(JSON.parse(json), value))
          throw new Error(`${file}: its validated form does not survive JSON; it cannot be prevalidated`);
        return [text, json];
      });
  return JSON.stringify({
    rule: entries(
      DEFAULT_RULES_DIR,
      (n) => n.endsWith('.json') && n !== RULE_SCHEMA_FILE,
      (text, file) => validateRuleText({ file, text }),
    ),
    framework: entries(FRAMEWORKS_DIR, (n) => n.endsWith('.json'), validateFrameworkText),
  });
}

/** The line of src/util/prevalidated.ts the bundle's table replaces. */
const PREVALIDATED_FROM = 'const TABLE_JSON: string | undefined = undefined;';

const prevalidatedFiles: Plugin = {
  name: 'prevalidated-files',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]util[\\/]prevalidated\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const table = `const TABLE_JSON: string | undefined = ${JSON.stringify(prevalidatedTable())};`;
      return { contents: replaceOnce(args.path, text, PREVALIDATED_FROM, table), loader: 'ts' };
    });
  },
};

await build({
  entryPoints: ['src/cli/bundle-entry.ts'],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  // The code reads import.meta.url to find the package root (src/version.ts) and yargs to find its
  // translations; in the bundle both mean the bundle's own file, dist/cli.cjs.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [yargsShim, lazyStringWidth, prevalidatedFiles],
  logLevel: 'warning',
});
// esbuild writes code in ASCII (charset 'ascii' escapes every other character in strings, regular
// expressions and names); only comments it keeps may hold other characters. Escaped too, the file is
// ASCII, which src/cli/bundle-loader.cts reads as latin1: a third of the time of decoding UTF-8.
const bundled = readFileSync(BUNDLE, 'utf8');
const ascii = bundled.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (!/^[\x00-\x7f]*$/.test(ascii)) throw new Error(`${BUNDLE} is not ASCII after escaping`);
writeFileSync(BUNDLE, ascii);
cpSync(join(dirname(import.meta.dirname), 'node_modules/yargs/locales'), 'dist/yargs-locales', {
  recursive: true,
});

// Training: the commands whose start-up the bench measures, in this process, output discarded.
const tmp = mkdtempSync(join(tmpdir(), 'build-cli-'));
try {
  const now = new Date('2026-05-01T00:00:00.000Z');
  const estate = generateEstate({ seed: 7, now, ...PRESETS.demo, orgs: 1 });
  const snapshot = join(tmp, 'snapshot.json');
  writeFileSync(snapshot, JSON.stringify(snapshotOf(estate.organizations, now)));
  const { exports, script } = bundleLoader.loadBundle(BUNDLE);
  for (const argv of [['--help'], ['rules', 'list'], ['audit', snapshot, '--fail-on', 'never']]) {
    const errors: string[] = [];
    const ctx: CliContext = {
      env: {},
      stdout: () => {},
      stderr: (text) => errors.push(text),
      stderrIsTTY: false,
      now: () => now,
      cwd: tmp,
      exitCode: 0,
    };
    const code = await exports.runCli(argv, ctx);
    if (code !== 0) throw new Error(`bundle: ${argv.join(' ')} exited ${code}: ${errors.join('')}`);
  }
  writeFileSync(CACHE, bundleLoader.cacheFile(BUNDLE, script));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const kib = (file: string): string => `${(statSync(file).size / 1024).toFixed(0)} KiB`;
console.log(`${BUNDLE} ${kib(BUNDLE)}, ${CACHE} ${kib(CACHE)}`);
