// CommonJS, as is src/cli/bin.cts: a CommonJS entry starts without Node's ESM loader (about 12 ms of
// CPU on every start, README "Performance").
import fs = require('node:fs');
import nodeModule = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

import type { CliContext } from './context.js';

/** What dist/cli.cjs exports (src/cli/bundle-entry.ts). */
interface BundleExports {
  startCli(argv?: string[]): Promise<void>;
  runCli(argv: string[], ctx?: CliContext): Promise<number>;
}

interface LoadedBundle {
  exports: BundleExports;
  /** The compiled script: `createCachedData()` records what has been compiled so far (the build's training run). */
  script: vm.Script;
  /** True when V8 refused the code cache (another Node or V8 version, other flags, another bundle): it compiled from source. */
  cacheRejected: boolean;
}

/**
 * Runs the CommonJS bundle `bundleFile` the way Node's own loader would (the same wrapper and
 * arguments), but through `vm.Script`, which on Node 20 is the one way to hand V8 a code cache: with a
 * cache that matches (same bundle, same V8 and flags) nothing is parsed or compiled again, which is
 * most of the start-up (README "Performance"). V8 checks the cache against the source and its own
 * version and refuses a mismatched one; the bundle then compiles from source as usual. The cache ships
 * in the package beside the bundle, so it is trusted as the code is; nothing is written at run time.
 */
function loadBundle(bundleFile: string, cachedData?: Buffer): LoadedBundle {
  const file = path.resolve(bundleFile);
  // The build writes the bundle in ASCII (scripts/build-cli.ts): latin1 reads it as UTF-8 would, faster.
  const source = fs.readFileSync(file, 'latin1');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} as BundleExports };
  wrapper.call(
    module.exports,
    module.exports,
    nodeModule.createRequire(file),
    module,
    file,
    path.dirname(file),
  );
  return {
    exports: module.exports,
    script,
    cacheRejected: cachedData !== undefined && script.cachedDataRejected === true,
  };
}

export = { loadBundle };
