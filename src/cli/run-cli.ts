import yargs from 'yargs';
import { ExitCode, KnownError, redactSecrets } from '../errors.js';
import { TOOL } from '../version.js';
import { commands } from './commands/index.js';
import { type CliContext, processContext } from './context.js';

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Known errors print
 * one line plus an optional hint; anything else is a bug (exit 70) and prints its stack.
 */
export async function runCli(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  let parser = yargs(argv)
    .scriptName('atlas-access-review')
    .usage('$0 <command> [options]\n\nAccess reviews of MongoDB Atlas: collect, audit, report.')
    .version(TOOL.version)
    .strict()
    .demandCommand(1, 'Name a command; see --help.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue(
      'Exit codes: 0 ok, 1 violations at or above --fail-on, 2 bad usage or input, 3 Atlas API/auth/network failure, 4 output refused, 5 delivery failed, 70 bug.\nDocs: README.md',
    )
    .fail((message, error) => {
      if (error) throw error;
      throw new CliUsageFailure(message);
    })
    .exitProcess(false);
  for (const factory of commands) parser = parser.command(factory(ctx));
  let helpOrVersionShown = false;
  parser = parser.showHelpOnFail(false);
  try {
    await parser.parseAsync(argv, {}, (err, _argv, output) => {
      if (output && !err) {
        helpOrVersionShown = true;
        ctx.stdout(`${output}\n`);
      }
    });
    if (helpOrVersionShown) return ExitCode.ok;
    return ctx.exitCode;
  } catch (error) {
    return reportError(error, ctx);
  }
}

class CliUsageFailure extends Error {}

function reportError(error: unknown, ctx: CliContext): number {
  if (error instanceof CliUsageFailure) {
    ctx.stderr(`error: ${error.message}\nRun with --help for usage.\n`);
    return ExitCode.usage;
  }
  if (error instanceof KnownError) {
    ctx.stderr(`error: ${error.message}\n`);
    if (error.hint) ctx.stderr(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  ctx.stderr(`internal error (a bug; please report it):\n${redactSecrets(stack)}\n`);
  return ExitCode.bug;
}
