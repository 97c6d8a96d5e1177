#!/usr/bin/env node
import { handleInterrupts } from '../util/files.js';
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

// Ctrl-C at any moment: one line, nothing partial, exit 130. `simulate` stops itself on the signal.
if (!process.argv.slice(2).includes('simulate')) handleInterrupts();
const finished = installExitGuard();
process.exitCode = await runCli(process.argv.slice(2));
finished();
