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
export function defineCommand<A>(module: {
  command: string | string[];
  describe: string;
  // biome-ignore lint/suspicious/noExplicitAny: builders return yargs instances of many option shapes.
  builder: (yargs: Argv) => Argv<any>;
  handler: (args: A) => Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
}): CommandModule<any, any> {
  return module as unknown as CommandModule;
}
