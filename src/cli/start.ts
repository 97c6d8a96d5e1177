import { handleInterrupts } from '../util/files.js';
import { installExitGuard } from './exit-guard.js';
import { runCli } from './run-cli.js';

/**
 * The process around one CLI run: stream errors, Ctrl-C, the exit guard, the exit code. Shared by
 * the unbundled entry (src/cli/main.ts) and the bundled one (src/cli/bundle-entry.ts), so both
 * behave alike.
 */
export function startCli(argv: string[] = process.argv.slice(2)): Promise<void> {
  // `atlas-access-review rules list | head -1`: the reader closed the pipe. Nothing more can be shown,
  // and that is not an error of this tool: end quietly instead of printing an EPIPE stack.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  // Ctrl-C at any moment: one line, nothing partial, exit 130. `simulate` stops itself on the signal.
  if (!argv.includes('simulate')) handleInterrupts();
  const finished = installExitGuard();
  return runCli(argv).then((code) => {
    process.exitCode = code;
    finished();
  });
}
