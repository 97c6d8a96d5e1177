import { collectCommand } from './collect.js';
import type { CommandFactory } from './define.js';

export { type CommandFactory, defineCommand } from './define.js';

/**
 * The command registry. Each command lives in its own file in this folder and is listed here once.
 */
export const commands: CommandFactory[] = [collectCommand];
