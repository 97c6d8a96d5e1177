#!/usr/bin/env node
// The published command. It starts the bundled CLI (dist/cli.cjs: the CLI and the libraries every
// command needs in one file, with V8's code cache dist/cli.cache; scripts/build-cli.ts builds both),
// and falls back to the unbundled entry when the bundle is missing (a build made by `tsc` alone).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './bundle-loader.js';

const bundle = fileURLToPath(new URL('../cli.cjs', import.meta.url));
if (existsSync(bundle)) {
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(fileURLToPath(new URL('../cli.cache', import.meta.url)));
  } catch {
    cache = undefined; // no cache: the bundle compiles from source
  }
  await loadBundle(bundle, cache).exports.startCli();
} else {
  await import('./main.js');
}
