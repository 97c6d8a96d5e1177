import type { CommandModule } from 'yargs';
import type { CliContext } from '../context.js';

/** A command factory: receives the context, returns a yargs command module. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules are heterogeneous in their argv types.
export type CommandFactory = (ctx: CliContext) => CommandModule<any, any>;

/**
 * The command registry. Each command lives in its own file in this folder and is listed here once.
 */
export const commands: CommandFactory[] = [];
