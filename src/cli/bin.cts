#!/usr/bin/env node
// The published command. It starts the bundled CLI (dist/cli.cjs: the CLI and the libraries every
// command needs in one file, with V8's code cache dist/cli.cache; scripts/build-cli.ts builds both),
// and falls back to the unbundled entry when the bundle is missing (a build made by `tsc` alone).
import fs = require('node:fs');
import path = require('node:path');
import bundleLoader = require('./bundle-loader.cjs');

const bundle = path.join(__dirname, '..', 'cli.cjs');
if (fs.existsSync(bundle)) {
  let cache: Buffer | undefined;
  try {
    cache = fs.readFileSync(path.join(__dirname, '..', 'cli.cache'));
  } catch {
    cache = undefined; // no cache: the bundle compiles from source
  }
  void bundleLoader.loadBundle(bundle, cache).exports.startCli();
} else {
  void import('./main.js');
}
