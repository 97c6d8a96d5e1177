import { describe, expect, it } from 'vitest';
import type { CommandModule } from 'yargs';
import { COMMANDS } from '../../src/cli/commands/index.js';
import type { CliContext } from '../../src/cli/context.js';

// The top-level help lists the registry's names and descriptions without loading the modules: they
// must say what the modules themselves declare.
describe('command registry', () => {
  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))(
    '%s: name, command and description match the loaded module',
    async (_name, entry) => {
      const module = (await entry.load())({} as CliContext) as CommandModule;
      expect(entry.command).toBe(module.command);
      expect(entry.describe).toBe(module.describe);
      expect(entry.command.split(' ')[0]).toBe(entry.name);
    },
  );

  it('names each command once', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});
