/**
 * Inputs that are pipes. A FIFO that no process writes to used to hang the command: opening it for
 * reading waits for a writer, in a libuv thread the command then never got back (only Ctrl-C ended
 * it), and the Atlas CLI config's "not a regular file" check came after that open. Every input is now
 * opened without blocking (src/util/files.ts, readInputBytes): such a FIFO is exit 2 naming the file,
 * once no writer has come for 2 s (a producer started after the command is waited for). A pipe that something writes to (`/dev/stdin` fed by a pipe, `<(command)`, a named FIFO
 * with a writer) is still read whole, however slowly it is written, and within the file's limit. A
 * terminal given as an input is refused by name.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAtlasCliProfile } from '../../src/cli/atlas-cli-profile.js';
import { InputError } from '../../src/errors.js';
import { readInputBytes, TERMINAL_INPUT } from '../../src/util/files.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { q3, writeSnapshotFile } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

let dir: string;
let snap: string;
let fifo: string;
beforeAll(() => {
  dir = tempDir('aar-fifo-');
  snap = writeSnapshotFile(dir, 's.json', q3());
  fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
});

/** A FIFO with a writer that sends `chunks`, each after `delayMs`, then closes it. */
function writeLater(path: string, chunks: readonly Uint8Array[], delayMs: number): Promise<void> {
  return new Promise((done, fail) => {
    // Opening for writing waits for the reader: the stream opens once the reader has the FIFO open.
    const out = createWriteStream(path);
    out.on('error', fail);
    let i = 0;
    const next = (): void => {
      if (i === chunks.length) {
        out.end(done);
        return;
      }
      out.write(chunks[i++]);
      setTimeout(next, delayMs);
    };
    out.on('open', () => setTimeout(next, delayMs));
  });
}

describe.concurrent('a FIFO with no writer is refused (exit 2) after a bounded wait, never hangs', () => {
  it.each([
    ['the snapshot', () => ['audit', fifo]],
    ['--policy', () => ['audit', snap, '--policy', fifo]],
    ['--waivers', () => ['audit', snap, '--waivers', fifo]],
    ['--baseline', () => ['audit', snap, '--baseline', fifo]],
  ])('%s', async (_what, args) => {
    const r = await runCliForTest(args());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${fifo}: is a pipe (FIFO) that nothing wrote to within 2 s; not read`);
  });

  it('a rule file of --rules', async () => {
    const rules = tempDir('aar-fifo-rules-');
    execFileSync('mkfifo', [join(rules, 'a.json')]);
    const r = await runCliForTest(['audit', snap, '--rules', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(rules, 'a.json')}: is a pipe (FIFO) that nothing wrote to within 2 s`);
  });

  it('--verify-key names the option', async () => {
    const r = await runCliForTest(['audit', snap, '--verify-key', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`(--verify-key): is a pipe (FIFO) that nothing wrote to within 2 s`);
  });

  it('the Atlas CLI config in place of config.toml: not a regular file', () => {
    expect(() => loadAtlasCliProfile('default', fifo)).toThrow(/the Atlas CLI config is not a regular file/);
  });

  it('readInputBytes itself', async () => {
    const error = await readInputBytes(fifo, 'shown.json', 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      'shown.json: is a pipe (FIFO) that nothing wrote to within 2 s; not read',
    );
  });
});

describe('a pipe that is written to is read whole', () => {
  it('a named FIFO written slowly, in pieces', async () => {
    const bytes = readFileSync(snap);
    const pieces = [bytes.subarray(0, 100), bytes.subarray(100, 5000), bytes.subarray(5000)];
    const [read] = await Promise.all([
      readInputBytes(fifo, fifo, bytes.length),
      writeLater(fifo, pieces, 30),
    ]);
    expect(Buffer.from(read).equals(bytes)).toBe(true);
  });

  it('and held to the limit', async () => {
    const bytes = readFileSync(snap);
    const [error] = await Promise.all([
      readInputBytes(fifo, 'p', 1000).catch((e: unknown) => e),
      writeLater(fifo, [bytes.subarray(0, 600), bytes.subarray(600, 1200)], 20).catch(() => {}),
    ]);
    expect((error as Error).message).toBe('p: holds more than the limit of 1,000 bytes (a pipe); not read');
  });

  it('the built command reads a snapshot piped to /dev/stdin, written in two parts', () => {
    // A shell pipe (Node's own child stdio is a socket pair, which /dev/stdin cannot be opened on).
    const out = execFileSync(
      'bash',
      [
        '-c',
        '(head -c 2000 "$1"; sleep 0.1; tail -c +2001 "$1") | "$2" "$3" audit /dev/stdin --fail-on never',
        'bash',
        snap,
        process.execPath,
        resolve('dist/cli/bin.cjs'),
      ],
      { encoding: 'utf8' },
    );
    expect(out).toContain('Verdict:');
  });
});

describe('a terminal is refused at once (exit 2), not read as "try again"', () => {
  /**
   * The command under a pseudo-terminal (util-linux `script`), its stdin the terminal, which no one
   * types at: the test holds `script`'s own stdin open until the command ends. It used to say
   * "cannot read: EAGAIN: resource temporarily unavailable".
   */
  function underTerminal(args: readonly string[]): Promise<{ code: number | null; out: string }> {
    const command = [process.execPath, '--import', 'tsx', join(PACKAGE_ROOT, 'src/cli/main.ts'), ...args]
      .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    return new Promise((done) => child.on('close', (code) => done({ code, out })));
  }

  it.each([
    ['the snapshot as /dev/stdin', () => ['audit', '/dev/stdin']],
    ['--policy as /dev/tty', () => ['audit', snap, '--policy', '/dev/tty']],
  ])('%s', async (_what, args) => {
    const argv = args();
    const r = await underTerminal(argv);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${argv.at(-1)}: ${TERMINAL_INPUT}`);
    expect(r.out).not.toContain('EAGAIN');
  });
});
