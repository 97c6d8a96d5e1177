#!/usr/bin/env node
// The unbundled entry: `node --import tsx src/cli/main.ts` in development and tests, and what the
// published bin (src/cli/bin.cts) falls back to when the bundle is missing.
import { startCli } from './start.js';

await startCli();
