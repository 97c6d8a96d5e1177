#!/usr/bin/env node
// Proves the package as users get it: `npm pack` of the built clone, a tarball holding nothing from
// test/, bench/, src/ or .ci/, installed into an empty directory with `npm install --omit=dev` (no dev
// dependency, no clone), where `atlas-access-review --help` and `demo --out-dir` run. Prints one line per
// step; any failure exits non-zero with the reason. Needs dist/ (npm ci builds it through `prepare`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'aar-pack-'));
class CheckFailed extends Error {}
const fail = (message) => {
  throw new CheckFailed(message);
};
const npm = (args, cwd) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: npmEnv });
// Installs must not pick up the clone's own .npmrc or run anything but the package's dependencies.
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

try {
  if (!existsSync(join(root, 'dist', 'cli.cjs'))) fail('dist/ is missing: run npm ci (or npm run build) first');

  // --ignore-scripts: dist/ is already built; `prepare` would rebuild it for nothing.
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], root));
  const files = packed.files.map((f) => f.path);
  const forbidden = files.filter((f) => /^(test|bench|src|\.ci|\.github|action|node_modules)\//.test(f) || f.endsWith('.map'));
  if (forbidden.length > 0) fail(`the tarball ships ${forbidden.join(', ')}`);
  for (const needed of ['dist/cli/bin.cjs', 'dist/cli/main.js', 'dist/cli.cjs', 'dist/cli.cache', 'dist/yargs-locales/en.json', 'dist/index.js', 'dist/index.d.ts', 'rules/stale-last-auth.json', 'reports/report.hbs'])
    if (!files.includes(needed)) fail(`the tarball lacks ${needed}`);
  console.log(`pack-check: ${packed.filename}: ${files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check-app', private: true }));
  npm(['install', '--omit=dev', '--no-package-lock', '--prefer-offline', join(work, packed.filename)], app);
  const installed = readdirSync(join(app, 'node_modules'));
  for (const dev of ['vitest', 'typescript', '@biomejs', 'nock', 'tsx', 'publint'])
    if (installed.includes(dev)) fail(`a dev dependency was installed: ${dev}`);

  // The library export the README's "Library API" imports, by the published name.
  const exported = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `const m = await import(${JSON.stringify(packed.name)}); console.log(Object.keys(m).sort().join(' '))`],
    { cwd: app, encoding: 'utf8' },
  );
  for (const name of ['audit', 'buildReport', 'collect', 'diff', 'render'])
    if (!exported.split(/\s+/).includes(name)) fail(`the package exports no ${name}: ${exported.trim()}`);

  // The command starts the bundle with its code cache, which V8 accepts on the Node that built it.
  const installedDist = join(app, 'node_modules', ...packed.name.split('/'), 'dist');
  const cache = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `const { loadBundle } = (await import(${JSON.stringify(join(installedDist, 'cli', 'bundle-loader.cjs'))})).default; const { readFileSync } = await import('node:fs'); console.log(loadBundle(${JSON.stringify(join(installedDist, 'cli.cjs'))}, readFileSync(${JSON.stringify(join(installedDist, 'cli.cache'))})).cacheRejected ? 'rejected' : 'accepted')`],
    { cwd: app, encoding: 'utf8' },
  ).trim();
  if (cache !== 'accepted') fail(`the installed bundle's code cache was ${cache}`);
  const help = execFileSync('npx', ['--no-install', 'atlas-access-review', '--help'], { cwd: app, encoding: 'utf8' });
  if (!/^Commands:$/m.test(help)) fail('--help printed no command list');
  execFileSync('npx', ['--no-install', 'atlas-access-review', 'demo', '--out-dir', 'trial'], {
    cwd: app,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const written = readdirSync(join(app, 'trial'), { recursive: true }).map(String);
  if (!written.some((f) => f.endsWith('.html')) || !written.some((f) => f.endsWith('.xlsx')))
    fail(`demo wrote no HTML or XLSX report: ${written.join(', ')}`);
  console.log(`pack-check: installed with --omit=dev into an empty directory; --help, demo and the library import ran (${written.length} files)`);
} catch (error) {
  const e = /** @type {{ message: string, stderr?: string }} */ (error);
  console.error(`pack-check: ${e.message}${e.stderr ? `\n${e.stderr}` : ''}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
