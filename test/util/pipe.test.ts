/**
 * Reading an input that is a named FIFO (src/util/pipe.ts through readInputBytes): a writer that was
 * already waiting for a reader, a writer that opens it after the command did, one that never does, and a
 * first read over a small limit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readInputBytes } from '../../src/util/files.js';
import { PIPE_WRITER_WAIT_MS } from '../../src/util/pipe.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let fifo: string;
beforeEach(() => {
  dir = tempDir('aar-pipe-');
  fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
});

describe('a named FIFO', () => {
  it('is read whole when its writer was already waiting, and the writer is not killed', async () => {
    // `producer > fifo & atlas-access-review audit fifo`: the shell's open waits for a reader, and the
    // producer (here the shell's own printf) writes the moment the command's open lets it through, then
    // is gone. The descriptor was closed and the FIFO opened again to be read: the producer, left
    // without a reader, died of SIGPIPE, or what it wrote was lost with the pipe, and the command said
    // nothing wrote to it. (Opened again after its writer left, a FIFO never reports the hang-up either.)
    const text = 'x'.repeat(10_000);
    const writer = spawn('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', text, fifo], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => writer.on('exit', (code) => done(code)));
    // The writer is in its open, waiting for a reader, once the shell has started.
    await new Promise((r) => setTimeout(r, 300));
    const read = await readInputBytes(fifo, 'in', 1_000_000);
    expect(Buffer.from(read).toString('utf8')).toBe(text);
    expect(await exited).toBe(0);
  });

  it('is waited for when its writer opens it after the command did', async () => {
    // `atlas-access-review audit fifo & producer > fifo`: the command is first. It used to refuse the
    // FIFO at once as having nothing writing to it, before the producer on the next line had started.
    const text = 'y'.repeat(100_000);
    const reading = readInputBytes(fifo, 'in', 1_000_000);
    await new Promise((r) => setTimeout(r, 400));
    const writer = spawn('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', text, fifo], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => writer.on('exit', (code) => done(code)));
    expect(Buffer.from(await reading).toString('utf8')).toBe(text);
    expect(await exited).toBe(0);
  });

  it('that no process opens for writing is refused once the wait is over, not before', async () => {
    const started = Date.now();
    const error = await readInputBytes(fifo, 'in', 1000).catch((e: unknown) => e);
    const waited = Date.now() - started;
    expect((error as InputError).message).toBe(
      'in: is a pipe (FIFO) that nothing wrote to within 2 s; not read',
    );
    // Bounded both ways: it waited for a writer, and it did not hang.
    expect(waited).toBeGreaterThanOrEqual(PIPE_WRITER_WAIT_MS - 50);
    expect(waited).toBeLessThan(PIPE_WRITER_WAIT_MS + 5000);
  });

  it('written past a small limit before its first read is refused (the limit holds on the first read)', async () => {
    // Opened read-write, the FIFO has a writer that has already written, as a producer faster than the
    // command would; closing it ends the pipe.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    writeSync(fd, Buffer.alloc(2000, 0x41));
    const reading = readInputBytes(fifo, 'key', 1000).catch((e: unknown) => e);
    setTimeout(() => closeSync(fd), 300);
    const error = await reading;
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      'key: holds more than the limit of 1,000 bytes (a pipe); not read',
    );
  });
});
