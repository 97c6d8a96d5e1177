import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run-cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with a given environment, clock and working directory. */
export async function runCliForTest(
  argv: string[],
  options: { env?: Record<string, string | undefined>; now?: Date; cwd?: string; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    env: options.env ?? {},
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stderrIsTTY: options.tty ?? false,
    now: () => options.now ?? new Date('2026-11-25T12:00:00Z'),
    cwd: options.cwd ?? process.cwd(),
    exitCode: 0,
  };
  const code = await runCli(argv, ctx);
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'aar-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
