/**
 * Reading an input that is a pipe (src/util/files.ts, readInputBytes): its own module, so node:net
 * loads only when a pipe is read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import { InputError } from '../errors.js';
import { groupDigits } from './numbers.js';

/** Why an input that is a pipe gave no bytes: said instead of "empty", which would read as a file. */
const PIPE_NO_DATA = 'is a pipe (FIFO) with nothing writing to it; not read';

/** The most bytes the first, non-blocking read of a pipe takes. */
const FIRST_READ = 64 * 1024;

/**
 * The first bytes of a pipe opened without blocking: some bytes, none yet (`[]`: a writer has it open
 * but has not written), or null at its end. A FIFO that no process has opened for writing reads as
 * its end at once; the event loop would never wake for it (Linux reports no hang-up on a FIFO that
 * never had a writer).
 */
function firstBytes(fd: number): Buffer[] | null {
  const buffer = Buffer.allocUnsafe(FIRST_READ);
  try {
    const n = readSync(fd, buffer, 0, FIRST_READ, null);
    return n === 0 ? null : [buffer.subarray(0, n)];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return [];
    throw error;
  }
}

/**
 * A pipe's bytes, up to `maxBytes`, until its writer closes it; refused at once when nothing writes to
 * it. A non-blocking read of a pipe says "try again" while the writer is slow, so after the first
 * read the pipe is read the way Node reads a piped stdin: as a socket on its descriptor, woken by the
 * event loop. It is opened again by path (without blocking): the socket owns and closes that
 * descriptor.
 */
export async function readPipe(
  path: string,
  shown: string,
  maxBytes: number,
  flags: number,
): Promise<Uint8Array> {
  const fd = openSync(path, flags);
  let first: Buffer[] | null;
  try {
    first = firstBytes(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (first === null) {
    closeSync(fd);
    throw new InputError(shown, '$', PIPE_NO_DATA);
  }
  const socket = new Socket({ fd, readable: true, writable: false });
  const chunks = first;
  let total = first.reduce((n, c) => n + c.length, 0);
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes)
        throw new InputError(
          shown,
          '$',
          `holds more than the limit of ${groupDigits(maxBytes)} bytes (a pipe); not read`,
        );
      chunks.push(chunk);
    }
  } finally {
    socket.destroy();
  }
  if (total === 0)
    throw new InputError(shown, '$', 'is a pipe whose writer closed it without writing; not read');
  return Buffer.concat(chunks, total);
}
