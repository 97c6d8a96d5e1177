/**
 * What a command may touch of the outside world. The CLI is the only layer that reads the
 * environment, the clock and argv; everything is passed in so tests run commands in-process.
 */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is an interactive terminal (progress output is shown only then). */
  stderrIsTTY: boolean;
  now: () => Date;
  cwd: string;
  /** Set by a command to choose the process exit code when it completes normally (e.g. 1 for the gate). */
  exitCode: number;
}

export function processContext(): CliContext {
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    now: () => new Date(),
    cwd: process.cwd(),
    exitCode: 0,
  };
}
