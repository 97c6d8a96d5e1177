import yargs, { type Argv, type CommandModule } from 'yargs';
import { ExitCode, KnownError, redactSecrets, UsageError } from '../errors.js';
import { streamSafe, terminalSafe } from '../util/terminal.js';
import { TOOL } from '../version.js';
import { EXIT_CODES } from './commands/define.js';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import { type CliContext, processContext } from './context.js';

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Known errors print
 * one line plus an optional hint; anything else is a bug (exit 70) and prints its stack.
 */
export async function runCli(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  // One place: nothing any command prints can carry a terminal escape sequence (files are not filtered).
  const { stdout, stderr } = ctx;
  ctx.stdout = (text) => stdout(streamSafe(text));
  ctx.stderr = (text) => stderr(streamSafe(text));
  let parser: Argv = yargs(argv)
    .scriptName('atlas-access-review')
    .usage('$0 <command> [options]\n\nAccess reviews of MongoDB Atlas: collect, audit, report.')
    .version(TOOL.version)
    .strict()
    .demandCommand(1, 'Name a command; see --help.')
    .recommendCommands()
    // No wrapping: an example split over two lines cannot be copied; long option descriptions wrap in the terminal.
    .wrap(null)
    .epilogue(EXIT_CODES)
    .option('insecure-tls-from-env', {
      type: 'boolean',
      default: false,
      describe:
        'Run even though NODE_TLS_REJECT_UNAUTHORIZED=0 turns off TLS certificate verification (refused otherwise)',
    })
    .middleware((args) => checkTlsVerification(String(args._[0] ?? ''), args['insecure-tls-from-env'], ctx))
    // The parser's options are the running command's by the time middleware runs (getOptions is
    // yargs' own, missing from its type declarations; a test runs this on every command's options).
    .middleware((args): void =>
      refuseRepeatedOptions(args, (parser as unknown as { getOptions(): DeclaredOptions }).getOptions()),
    )
    .fail((message, error) => {
      if (error) throw error;
      // yargs says only "Did you mean collect?" for a misspelt command: name what was typed too.
      const typed = argv.find((a) => !a.startsWith('-'));
      if (typed && /^Did you mean /.test(message ?? ''))
        throw new CliUsageFailure(
          `unknown command ${typed}; ${message.charAt(0).toLowerCase()}${message.slice(1)}`,
        );
      throw new CliUsageFailure(message);
    })
    .exitProcess(false);
  // Only the command being run is loaded (its module imports the heavy libraries it needs); the others
  // are registered by name and description alone, which is all the top-level help and the
  // "did you mean" suggestion read.
  const chosen = chosenCommand(argv);
  for (const entry of COMMANDS) {
    if (entry === chosen) parser = parser.command((await entry.load())(ctx));
    else parser = parser.command(listedOnly(entry));
  }
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

/**
 * The command `argv` names: its first word that is a command name (the top-level options are
 * flags, so nothing before the command takes a value that could be one).
 */
function chosenCommand(argv: readonly string[]): CommandEntry | undefined {
  for (const word of argv) {
    if (word === '--') return undefined;
    const entry = COMMANDS.find((c) => c.name === word);
    if (entry) return entry;
  }
  return undefined;
}

/** A command not named in argv: listed in the help, never run (`chosenCommand` loads a named one). */
function listedOnly(entry: CommandEntry): CommandModule {
  return {
    command: entry.command,
    describe: entry.describe,
    handler: () => {
      throw new Error(`command ${entry.name} ran without its module loaded`);
    },
  };
}

/** Commands that open TLS connections (Atlas, SMTP). */
const NETWORK_COMMANDS = new Set(['collect', 'doctor', 'run', 'email', 'review']);

/**
 * Node honours NODE_TLS_REJECT_UNAUTHORIZED=0 for every TLS connection of the process, so a leftover
 * variable would send Atlas and SMTP credentials to any server presenting any certificate. Refused
 * unless the user says they mean it; then a warning on every run.
 */
function checkTlsVerification(command: string, insecure: boolean, ctx: CliContext): void {
  if (ctx.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0' || !NETWORK_COMMANDS.has(command)) return;
  if (!insecure) {
    throw new UsageError(
      'NODE_TLS_REJECT_UNAUTHORIZED=0 is set: it turns off TLS certificate verification for Atlas and SMTP',
      {
        hint: 'unset it (use --smtp-ca for a private CA), or pass --insecure-tls-from-env if you really mean it',
      },
    );
  }
  ctx.stderr(
    'warning: TLS certificate verification is OFF (NODE_TLS_REJECT_UNAUTHORIZED=0, --insecure-tls-from-env)\n',
  );
}

function reportError(error: unknown, ctx: CliContext): number {
  if (error instanceof CliUsageFailure) {
    ctx.stderr(`error: ${terminalSafe(error.message)}\nRun with --help for usage.\n`);
    return ExitCode.usage;
  }
  if (error instanceof KnownError) {
    // Messages carry Atlas error details, file contents and workbook text: never raw to a terminal.
    ctx.stderr(`error: ${terminalSafe(error.message)}\n`);
    if (error.hint) ctx.stderr(`hint: ${terminalSafe(error.hint)}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const lines = redactSecrets(stack).split('\n').map(terminalSafe).join('\n');
  ctx.stderr(`internal error (a bug; please report it):\n${lines}\n`);
  return ExitCode.bug;
}

/** What yargs knows of the declared options: those declared as lists, and every name. */
interface DeclaredOptions {
  array: string[];
  key: Record<string, unknown>;
}

/** Options that take one value but may be given more than once: each occurrence adds to a list. */
const REPEATABLE = new Set(['verify-key', 'framework']);

/**
 * Refuses (exit 2) an option that takes one value given more than once: yargs turns `--policy a
 * --policy b` into a list, which no command expects (it was an internal error), and neither value
 * may silently win in a tool whose inputs are evidence. Options declared as lists, and those
 * {@link REPEATABLE}, may repeat.
 */
function refuseRepeatedOptions(args: Record<string, unknown>, options: DeclaredOptions): void {
  const lists = new Set(options.array);
  for (const [name, value] of Object.entries(args)) {
    if (!Array.isArray(value) || name === '_' || lists.has(name) || REPEATABLE.has(name)) continue;
    // yargs adds each option under its camelCase name too; only the declared name is checked.
    if (!(name in options.key)) continue;
    throw new UsageError(
      `--${name} was given ${value.length} times (${value.map((v) => JSON.stringify(String(v))).join(', ')}); it takes one value`,
      { hint: `give --${name} once` },
    );
  }
}
