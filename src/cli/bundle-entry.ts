// The entry esbuild bundles into dist/cli.cjs (scripts/build-cli.ts): what src/cli/bin.ts starts, and
// what the build runs in-process to record the code cache.
export { runCli } from './run-cli.js';
export { startCli } from './start.js';
