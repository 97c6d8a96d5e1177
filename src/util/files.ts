import { constants as bufferConstants } from 'node:buffer';
import {
  close as closeFd,
  constants,
  fstat,
  lstatSync,
  open as openFd,
  read as readFd,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
} from 'node:fs';
import { access, lstat, mkdir, open, stat, statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ExitCode, InputError, OutputError } from '../errors.js';
import { groupDigits } from './numbers.js';

/**
 * `bytes` random bytes in hex, from the Web Crypto object: node:crypto would be loaded by every command
 * that reads a file (several milliseconds of start-up), Web Crypto only when something is written.
 */
function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

/**
 * Undo actions for writes in progress: temporary files to delete, or a set of renames to roll back.
 * While any is registered, SIGINT and SIGTERM run them all (synchronously), print one line and exit
 * 130, so an interrupted write leaves neither a `.tmp` file nor a partial set (README "Exit codes":
 * 130, nothing partial left behind). The handlers are installed only while a write is in flight, so
 * commands that handle signals themselves (`simulate`) are not affected otherwise.
 */
const pending = new Set<() => void>();

/** Set by {@link handleInterrupts}: the handlers stay installed for the whole run. */
let handlingAlways = false;

/**
 * For the whole run (the CLI calls it, except for `simulate`, which stops itself on a signal): Ctrl-C or
 * SIGTERM at any moment undoes the writes in progress, says so in one line, and exits 130.
 */
export function handleInterrupts(): void {
  if (handlingAlways) return;
  handlingAlways = true;
  if (pending.size === 0) {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
  }
}

function onInterrupt(signal: NodeJS.Signals): void {
  const count = pending.size;
  // Last registered first, as undo goes: a folder the first staged file created is empty only once the
  // files staged in it after it are gone.
  for (const undo of [...pending].reverse()) {
    try {
      undo();
    } catch {
      // Best effort: the other undo actions must still run.
    }
  }
  pending.clear();
  process.stderr.write(
    count === 0
      ? `interrupted (${signal}): nothing was written\n`
      : `interrupted (${signal}): ${count} write${count === 1 ? '' : 's'} in progress undone; nothing partial left behind\n`,
  );
  process.exit(ExitCode.interrupted);
}

/** Registers an undo action until the returned function is called. */
export function whileWriting(undo: () => void): () => void {
  if (pending.size === 0 && !handlingAlways) {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
  }
  pending.add(undo);
  return () => {
    pending.delete(undo);
    if (pending.size === 0 && !handlingAlways) {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }
  };
}

/** Writes in progress (temporary files or sets being committed); for tests. */
export function writesInProgress(): number {
  return pending.size;
}

/** True when `path` exists (any file type). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when something is at `path`, a symbolic link included even when what it points to is missing:
 * an output is put in place by a rename, which replaces the link itself.
 */
async function occupied(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** occupied, synchronously (for the commit of a staged file, which a signal must not interrupt). */
function occupiedSync(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the folders a write created, from `dir` up to `created` (the first one mkdir made; undefined
 * when `dir` existed), while they are empty: a write that fails or is interrupted leaves no folder.
 */
function removeCreatedDirs(dir: string, created: string | undefined): void {
  for (let d = dir; created !== undefined; d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      break;
    }
    if (d === created) break;
  }
}

/**
 * Refuses, before any work is done, to overwrite an existing output without `force` (exit 4).
 * Call it for every output up front so a long collection does not end in a refusal.
 */
export async function assertWritable(path: string, force: boolean): Promise<void> {
  if (!force && (await occupied(path))) {
    throw new OutputError(`${path} already exists; not overwriting it`, {
      hint: 'pass --force to replace it',
    });
  }
  // --force replaces a file; a folder cannot be renamed over, so refuse it now, before any work.
  if (force && (await lstat(path).catch(() => undefined))?.isDirectory())
    throw new OutputError(`${path} is a directory; not replacing it`, {
      hint: 'name a file inside it',
    });
  await assertDirectoryUsable(path);
}

/**
 * Kernel filesystems no output belongs on, by `statfs` type (linux/magic.h). On `/proc` Node's
 * recursive mkdir never returns, so a path there must be refused before anything is made.
 */
const SPECIAL_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x74726163, 'tracefs'],
  [0xcafe4a11, 'bpf'],
]);

/**
 * Checks that the directory of `path` exists or can be made, before any work (exit 4): its nearest
 * existing ancestor must be a directory (not a file: `report.json/x`), on an ordinary filesystem,
 * and writable. `access` answers for root too on a read-only mount (EROFS); root passes mode bits.
 */
async function assertDirectoryUsable(path: string): Promise<void> {
  let dir = dirname(path);
  for (;;) {
    try {
      const st = await stat(dir);
      if (!st.isDirectory())
        throw new OutputError(`cannot write ${path}: ${dir} is a file, not a directory`, {
          hint: 'choose an output path inside a directory',
        });
      break;
    } catch (error) {
      if (error instanceof OutputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(dir);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === dir)
        throw new OutputError(`cannot write ${path}: ${dir}: ${(error as Error).message}`);
      dir = parent;
    }
  }
  let type: number | undefined;
  try {
    type = (await statfs(dir)).type;
  } catch {
    // statfs is not available everywhere; the access check below still runs.
  }
  const special = type === undefined ? undefined : SPECIAL_FILESYSTEMS.get(type);
  if (special)
    throw new OutputError(
      `cannot write ${path}: ${dir} is on the ${special} filesystem, not a place for files`,
      {
        hint: 'choose an output path on an ordinary disk',
      },
    );
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'read-only filesystem' : code === 'EACCES' ? 'permission denied' : code;
    throw new OutputError(`cannot write ${path}: ${dir} is not writable (${why})`);
  }
}

/**
 * Writes `data` atomically: to a temporary file in the same directory, fsync, then rename over the
 * target. A crash or error leaves either the old file or none, never a partial one.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: { force: boolean },
): Promise<void> {
  (await stageFile(path, data, opts)).commit();
}

/** A file written and synced beside its target, not yet in place: `commit` renames it, `discard` removes it. */
export interface StagedFile {
  /** Bytes written. */
  size: number;
  /** Throws what `commit` would for a target that appeared since it was staged (without --force). */
  check(): void;
  commit(): void;
  discard(): void;
}

/**
 * The first half of writeFileAtomic: `data` is written and synced to a temporary file beside `path`,
 * so the caller can drop it from memory, and put in place later by `commit` (or removed by `discard`).
 * Several outputs rendered one by one are staged, then committed together, so a renderer that fails
 * writes nothing and memory holds one output at a time. Ctrl-C removes a staged file until it is
 * committed or discarded.
 */
export async function stageFile(path: string, data: FileData, opts: { force: boolean }): Promise<StagedFile> {
  await assertWritable(path, opts.force);
  const dir = dirname(path);
  /** The first folder this call created (undefined when `dir` existed): removed again if nothing is put in it. */
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new OutputError(`cannot create directory ${dir}: ${(error as Error).message}`);
  }
  const tmp = join(dir, `.${basename(path)}.${randomHex(6)}.tmp`);
  const remove = (): void => {
    rmSync(tmp, { force: true });
    removeCreatedDirs(dir, created);
  };
  const done = whileWriting(remove);
  let size: number;
  try {
    size = await writeTemp(tmp, data);
  } catch (error) {
    remove();
    done();
    // A file system error is the output's fault; anything else came from the data's producer (a renderer).
    if (error instanceof OutputError || (error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new OutputError(`cannot write ${path}: ${(error as Error).message}`);
  }
  let settled = false;
  const check = (): void => {
    if (!opts.force && occupiedSync(path))
      throw new OutputError(`${path} appeared while writing; not overwriting it`, {
        hint: 'pass --force to replace it',
      });
  };
  return {
    size,
    check,
    commit() {
      if (settled) throw new Error(`internal: ${path} committed or discarded twice`);
      settled = true;
      try {
        check();
        // Synchronous, so a signal cannot run the undo action between the rename and its bookkeeping.
        renameSync(tmp, path);
      } catch (error) {
        remove();
        if (error instanceof OutputError) throw error;
        throw new OutputError(`cannot write ${path}: ${(error as Error).message}`);
      } finally {
        done();
      }
    },
    discard() {
      if (settled) return;
      settled = true;
      remove();
      done();
    },
  };
}

/**
 * Writes and syncs a new file; returns its size in bytes. Always O_EXCL (`wx`), `--force` or not: the
 * name is fresh, so anything already there (a link planted in a shared folder) is refused, not followed.
 * Mode 600 unless `mode` says otherwise: set on the open file (whatever the umask), never by name
 * once it is in place, where a chmod would follow a link swapped in for it.
 */
async function writeTemp(tmp: string, data: FileData, mode?: number): Promise<number> {
  const handle = await open(tmp, 'wx', 0o600);
  try {
    if (mode !== undefined) await handle.chmod(mode);
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else {
      // Pieces of a document too large for one string, written a mebibyte at a time.
      let pending = '';
      for (const piece of data) {
        pending += piece;
        if (pending.length >= 1 << 20) {
          await handle.writeFile(pending);
          pending = '';
        }
      }
      await handle.writeFile(pending);
    }
    await handle.sync();
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** What a file is written from: its text, its bytes, or its text in pieces (written as they come). */
export type FileData = string | Uint8Array | Iterable<string>;

/**
 * Writes a set of files (all in one directory) all or nothing: every file is written and synced into
 * a temporary directory next to them, then renamed into place, the record named last (callers put
 * `signoff.json` last, so it never exists without its plan). A failure or a signal at any point
 * removes what was written and puts back any file `--force` was replacing. Only a power loss in the
 * middle of the renames (microseconds) can leave a mix; even then the last file is never the new one
 * without all the others.
 *
 * An entry with `data: null` is removed if it exists, as part of the set (a signature that no longer
 * matches the file written beside it): moved aside with the replaced files, and put back on failure.
 * Without `force` an existing one is refused like any other file the set would replace.
 *
 * Files are created with mode 600, or an entry's `mode` (a public key meant to be read by all).
 */
export async function writeFilesAtomic(
  files: ReadonlyArray<{ path: string; data: string | Uint8Array | null; mode?: number }>,
  opts: { force: boolean },
): Promise<void> {
  if (files.length === 0) return;
  const dir = dirname(files[0]!.path);
  if (files.some((f) => dirname(f.path) !== dir)) throw new Error('internal: a file set spans directories');
  for (const f of files) {
    if (f.data === null && !opts.force && (await exists(f.path)))
      throw new OutputError(`${f.path} exists and would no longer match the file written beside it`, {
        hint: 'pass --force to replace both',
      });
    await assertWritable(f.path, opts.force);
  }
  /** The first folder this call created (undefined when `dir` existed): removed again on failure. */
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new OutputError(`cannot create directory ${dir}: ${(error as Error).message}`);
  }
  // Named before it is made, so the undo action is registered before anything exists on disk.
  const staging = join(dir, `.atlas-access-review-${randomHex(6)}`);
  /** Renames made so far: [from, to], undone in reverse order. */
  const moves: Array<[string, string]> = [];
  /** Undoes the renames; false when one could not be undone (the staging directory is then kept). */
  const undo = (): boolean => {
    let complete = true;
    for (const [from, to] of moves.reverse()) {
      try {
        renameSync(to, from);
      } catch {
        complete = false;
      }
    }
    moves.length = 0;
    // Never delete a replaced file that could not be put back: it is still in the staging directory.
    if (complete) {
      rmSync(staging, { recursive: true, force: true });
      removeCreatedDirs(dir, created);
    }
    return complete;
  };
  const done = whileWriting(() => {
    undo();
  });
  let current = files[0]!.path;
  try {
    await mkdir(staging, { mode: 0o700 });
    for (const [i, f] of files.entries()) {
      current = f.path;
      if (f.data !== null) await writeTemp(join(staging, `${i}.new`), f.data, f.mode);
    }
    // Commit: synchronous renames, so no signal handler runs between a rename and its record.
    for (const [i, f] of files.entries()) {
      current = f.path;
      if (occupiedSync(f.path)) {
        if (!opts.force)
          throw new OutputError(`${f.path} appeared while writing; not overwriting it`, {
            hint: 'pass --force to replace it',
          });
        renameSync(f.path, join(staging, `${i}.old`));
        moves.push([f.path, join(staging, `${i}.old`)]);
        // Checked once it is in the staging folder (no one else can swap it there): a folder put in
        // place of a file since the checks would otherwise be deleted with that folder. It goes back.
        if (lstatSync(join(staging, `${i}.old`)).isDirectory())
          throw new OutputError(`${f.path} is a directory; not replacing it`, {
            hint: 'name a file inside it',
          });
      }
      if (f.data === null) continue;
      renameSync(join(staging, `${i}.new`), f.path);
      moves.push([join(staging, `${i}.new`), f.path]);
    }
    moves.length = 0;
    rmSync(staging, { recursive: true, force: true });
  } catch (error) {
    const restored = undo();
    const tail = restored
      ? 'nothing was written'
      : `some replaced files could not be put back; they are in ${staging}`;
    if (error instanceof OutputError && restored) throw error;
    throw new OutputError(`cannot write ${current}: ${(error as Error).message}; ${tail}`);
  } finally {
    done();
  }
}

/** The most bytes a text input is read to: the longest string V8 can hold (past it, it could not be read). */
export const MAX_TEXT_INPUT_BYTES = bufferConstants.MAX_STRING_LENGTH;

/**
 * Reads a text input file (UTF-8) of at most `maxBytes` through {@link readInputBytes}, turning a
 * missing, unreadable or oversized file into an InputError (exit 2).
 */
export async function readInputFile(path: string, maxBytes: number = MAX_TEXT_INPUT_BYTES): Promise<string> {
  return Buffer.from(await readInputBytes(path, path, maxBytes)).toString('utf8');
}

/** Input files {@link readInputFiles} keeps open at once: far below any descriptor limit. */
const READ_AT_ONCE = 16;

/**
 * Reads text input files concurrently, at most {@link READ_AT_ONCE} at a time (a rules folder of
 * thousands of files must not run out of file descriptors), and returns their texts in `paths` order.
 * When some cannot be read, the error is that of the first of them in `paths` order, whichever failed
 * first in time, so the same folder always gives the same message.
 */
export async function readInputFiles(paths: readonly string[]): Promise<string[]> {
  const results: Array<PromiseSettledResult<string>> = new Array(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await readInputFile(paths[i]!) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_AT_ONCE, paths.length) }, worker));
  return results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

/** Why an input that is a terminal (`/dev/stdin` typed at, `/dev/tty`) is not read. */
export const TERMINAL_INPUT =
  'is a terminal, not a file; not read (redirect the file in with `< FILE`, pipe it in, or name the file)';

/** The most bytes one read of {@link readInputBytes} asks for when the size is not known up front. */
const READ_CHUNK = 1 << 20;

/**
 * Open flags of every input: read-only and non-blocking, so opening a FIFO that no process writes to
 * returns at once instead of waiting for a writer forever (a blocking open would hang the command in
 * a libuv thread, Ctrl-C the only way out). On a regular file the flag changes nothing.
 */
export const INPUT_OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Reads a binary input file of at most `maxBytes` (checked before reading it), turning a missing,
 * unreadable or oversized file into an InputError (exit 2) that names it as `shown`. Never more than
 * `maxBytes + 1` bytes are read: a device or pipe reports size 0 (a `.sig` linked to /dev/zero), and
 * reading it to its end would never finish. The file is opened without blocking
 * ({@link INPUT_OPEN_FLAGS}); a pipe (`/dev/stdin` fed by a pipe, `<(command)`, a named FIFO) is read
 * as a stream until its writer closes it, and a FIFO that no writer opens within 2 s is refused.
 * A terminal is refused: nothing was redirected into the command.
 */
export async function readInputBytes(path: string, shown: string, maxBytes: number): Promise<Uint8Array> {
  const limit = groupDigits(maxBytes);
  try {
    // A descriptor, not a FileHandle: a pipe is read on this very descriptor (readPipe takes it over).
    // Closing it and opening the FIFO again would leave it without a reader for a moment, killing a
    // writer this open had woken with SIGPIPE; and a FIFO opened after its writer closed never reports
    // the hang-up, so a read of what that writer left in it would wait forever.
    const fd = await fdOpen(path, INPUT_OPEN_FLAGS);
    let info: Stats;
    try {
      info = await fdStat(fd);
      if (info.size > maxBytes)
        throw new InputError(
          shown,
          '$',
          `file is ${groupDigits(info.size)} bytes, over the limit of ${limit}; not read`,
        );
    } catch (error) {
      await fdClose(fd);
      throw error;
    }
    if (info.isFIFO()) return await (await import('./pipe.js')).readPipe(fd, shown, maxBytes);
    if (info.isCharacterDevice() && (await import('node:tty')).isatty(fd)) {
      // Read without blocking, a terminal says "try again" until someone types: EAGAIN, no cause named.
      await fdClose(fd);
      throw new InputError(shown, '$', TERMINAL_INPUT);
    }
    try {
      return await readOpened(fd, info.size, shown, maxBytes);
    } finally {
      await fdClose(fd);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      shown,
      '$',
      code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`,
    );
  }
}

const fdOpen = promisify(openFd);
const fdStat = promisify(fstat);
const fdRead = promisify(readFd);
const fdClose = promisify(closeFd);

/** The bytes of an open file or device whose size stat gave as `size` (0 for a device), up to `maxBytes`. */
async function readOpened(fd: number, size: number, shown: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // The size as stat gave it (and one byte more, to see the end or a file that grew), then chunks.
    const want = Math.min(maxBytes + 1 - total, total < size ? size - total + 1 : READ_CHUNK);
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await fdRead(fd, chunk, 0, want, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes)
      throw new InputError(
        shown,
        '$',
        size > 0
          ? 'file grew while it was read; not read'
          : `holds more than the limit of ${groupDigits(maxBytes)} bytes (a device or pipe?); not read`,
      );
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/**
 * True when `a` and `b` name the same file: the same absolute path, or (both existing) the same
 * device and inode, which catches symbolic and hard links.
 */
export async function sameFile(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
