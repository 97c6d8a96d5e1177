import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Script } from 'node:vm';
import type { CliContext } from './context.js';

/** What dist/cli.cjs exports (src/cli/bundle-entry.ts). */
interface BundleExports {
  startCli(argv?: string[]): Promise<void>;
  runCli(argv: string[], ctx?: CliContext): Promise<number>;
}

export interface LoadedBundle {
  exports: BundleExports;
  /** The compiled script: `createCachedData()` records what has been compiled so far (the build's training run). */
  script: Script;
  /** True when V8 refused the code cache (another Node or V8 version, other flags, another bundle): it compiled from source. */
  cacheRejected: boolean;
}

/**
 * Runs the CommonJS bundle `file` the way Node's own loader would (the same wrapper and arguments),
 * but through `vm.Script`, which on Node 20 is the one way to hand V8 a code cache: with a cache that
 * matches (same bundle, same V8 and flags) nothing is parsed or compiled again, which is most of the
 * start-up (README "Performance"). V8 checks the cache against the source and its own version and
 * refuses a mismatched one; the bundle then compiles from source as usual. The cache ships in the
 * package beside the bundle, so it is trusted as the code is; nothing is written at run time.
 */
export function loadBundle(bundleFile: string, cachedData?: Buffer): LoadedBundle {
  const file = resolve(bundleFile);
  const source = readFileSync(file, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
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
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    script,
    cacheRejected: cachedData !== undefined && script.cachedDataRejected === true,
  };
}
