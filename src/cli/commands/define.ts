import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.js';

/** A command factory: receives the context, returns a yargs command module. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules are heterogeneous in their argv types.
export type CommandFactory = (ctx: CliContext) => CommandModule<any, any>;

/**
 * Declares a command with a handler typed by its own argument interface. yargs types the handler's
 * argv from the builder's inferred options, which does not survive being stored in a heterogeneous
 * registry; this is the one place where that type is bridged.
 */
/** The help's last lines, on every command and subcommand. */
export const EXIT_CODES =
  'Exit codes: 0 ok, 1 violations at or above --fail-on, 2 bad usage or input, 3 Atlas API/auth/network failure, 4 output refused, 5 delivery failed, 70 bug, 130 interrupted.\nDocs: README.md';

export function defineCommand<A>(module: {
  command: string | string[];
  describe: string;
  // biome-ignore lint/suspicious/noExplicitAny: builders return yargs instances of many option shapes.
  builder: (yargs: Argv) => Argv<any>;
  handler: (args: A) => Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
}): CommandModule<any, any> {
  // Every command's help ends with the exit codes, as the top level's does.
  const withExitCodes = { ...module, builder: (y: Argv) => module.builder(y).epilogue(EXIT_CODES) };
  return withExitCodes as unknown as CommandModule;
}
