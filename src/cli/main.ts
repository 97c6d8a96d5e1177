#!/usr/bin/env node
import { installExitGuard } from './exit-guard.js';
import { runCli } from './run-cli.js';

// `atlas-access-review rules list | head -1`: the reader closed the pipe. Nothing more can be shown,
// and that is not an error of this tool: end quietly instead of printing an EPIPE stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const finished = installExitGuard();
process.exitCode = await runCli(process.argv.slice(2));
finished();
