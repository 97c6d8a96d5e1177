/**
 * Reading an input that is a pipe (src/util/files.ts, readInputBytes): its own module, so node:net
 * loads only when a pipe is read.
 */
import { closeSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import { InputError } from '../errors.js';
import { groupDigits } from './numbers.js';

/** How long a FIFO that no process has opened for writing is waited for: a writer started just after the command. */
export const PIPE_WRITER_WAIT_MS = 2000;

/** How often, while waiting, the FIFO is looked at again. */
const PIPE_POLL_MS = 25;

/** Why an input that is a pipe gave no bytes: said instead of "empty", which would read as a file. */
const PIPE_NO_DATA = `is a pipe (FIFO) that nothing wrote to within ${PIPE_WRITER_WAIT_MS / 1000} s; not read`;

/** The most bytes the first, non-blocking read of a pipe takes. */
const FIRST_READ = 64 * 1024;

/**
 * The first bytes of a pipe opened without blocking, at most `max`: some bytes, none yet (`[]`: a
 * writer has it open but has not written), or null when no writer came within `waitMs`. A FIFO that
 * no process has opened for writing reads as its end; the event loop would never wake for it (Linux
 * reports no hang-up on a FIFO that never had a writer), so it is read again every PIPE_POLL_MS until
 * a writer opens it (`command fifo & producer > fifo`) or the wait is over, never for longer.
 */
async function firstBytes(fd: number, max: number, waitMs: number): Promise<Buffer[] | null> {
  const buffer = Buffer.allocUnsafe(max);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const n = readSync(fd, buffer, 0, max, null);
      if (n > 0) return [buffer.subarray(0, n)];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return [];
      throw error;
    }
    if (Date.now() >= deadline) return null;
    await new Promise((wake) => setTimeout(wake, PIPE_POLL_MS));
  }
}

/**
 * A pipe's bytes, up to `maxBytes`, until its writer closes it; refused when nothing opens it for
 * writing within `waitMs`. `fd` is the pipe opened without blocking; this takes it over and closes it. A non-blocking read
 * of a pipe says "try again" while the writer is slow, so after the first read the pipe is read the
 * way Node reads a piped stdin: as a socket on its descriptor, woken by the event loop.
 */
export async function readPipe(
  fd: number,
  shown: string,
  maxBytes: number,
  waitMs = PIPE_WRITER_WAIT_MS,
): Promise<Uint8Array> {
  const tooMuch = (): InputError =>
    new InputError(
      shown,
      '$',
      `holds more than the limit of ${groupDigits(maxBytes)} bytes (a pipe); not read`,
    );
  const chunks: Buffer[] = [];
  let total: number;
  try {
    // One byte over the limit at most, so a small limit (a key file's) holds on the first read too.
    const first = await firstBytes(fd, Math.min(FIRST_READ, maxBytes + 1), waitMs);
    if (first === null) throw new InputError(shown, '$', PIPE_NO_DATA);
    chunks.push(...first);
    total = first.reduce((n, c) => n + c.length, 0);
    if (total > maxBytes) throw tooMuch();
  } catch (error) {
    // The socket below owns the descriptor once made; until then it is closed here.
    closeSync(fd);
    throw error;
  }
  const socket = new Socket({ fd, readable: true, writable: false });
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooMuch();
      chunks.push(chunk);
    }
  } finally {
    socket.destroy();
  }
  if (total === 0)
    throw new InputError(shown, '$', 'is a pipe whose writer closed it without writing; not read');
  return Buffer.concat(chunks, total);
}
