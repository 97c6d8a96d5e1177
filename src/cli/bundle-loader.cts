// CommonJS, as is src/cli/bin.cts: a CommonJS entry starts without Node's ESM loader (about 12 ms of
// CPU on every start, README "Performance").
import fs = require('node:fs');
import nodeModule = require('node:module');
import path = require('node:path');
import vm = require('node:vm');
import zlib = require('node:zlib');

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
  /** True when a cache was given but not used (made for other bytes, or refused by V8: another V8 version, other flags): it compiled from source. */
  cacheRejected: boolean;
}

/** Bytes before V8's data in the cache file: the CRC-32 of the bundle it was made from (big-endian). */
const HEADER = 4;

/**
 * The cache file for a bundle: the CRC-32 of the bundle's bytes, then V8's code cache of `script`.
 * V8 matches a cache to its source by the source's length only, so without the checksum an edit of
 * dist/cli.cjs that keeps its length (a patched constant) would run the code of the cache, not the
 * file's; loadBundle compares the checksum first.
 */
function cacheFile(bundleFile: string, script: vm.Script): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(zlib.crc32(fs.readFileSync(path.resolve(bundleFile))));
  return Buffer.concat([header, script.createCachedData()]);
}

/**
 * Runs the CommonJS bundle `bundleFile` the way Node's own loader would (the same wrapper and
 * arguments), but through `vm.Script`, which on Node 20 is the one way to hand V8 a code cache: with a
 * cache that matches (same bundle, same V8 and flags) nothing is parsed or compiled again, which is
 * most of the start-up (README "Performance"). A cache made for other bytes (see cacheFile) is not
 * used; V8 refuses one made by another V8 version or under other flags. Either way the bundle then
 * compiles from source as usual. The cache ships in the package beside the bundle, so it is trusted
 * as the code is; nothing is written at run time.
 */
function loadBundle(bundleFile: string, cacheFileBytes?: Buffer): LoadedBundle {
  const file = path.resolve(bundleFile);
  const bytes = fs.readFileSync(file);
  // The build writes the bundle in ASCII (scripts/build-cli.ts): latin1 reads it as UTF-8 would, faster.
  const source = bytes.toString('latin1');
  const matches =
    cacheFileBytes !== undefined &&
    cacheFileBytes.length > HEADER &&
    cacheFileBytes.readUInt32BE(0) === zlib.crc32(bytes);
  const cachedData = matches ? cacheFileBytes.subarray(HEADER) : undefined;
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
    cacheRejected:
      cacheFileBytes !== undefined && (cachedData === undefined || script.cachedDataRejected === true),
  };
}

export = { cacheFile, loadBundle };
