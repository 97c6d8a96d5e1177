import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, OutputError } from '../errors.js';

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
 * Refuses, before any work is done, to overwrite an existing output without `force` (exit 4).
 * Call it for every output up front so a long collection does not end in a refusal.
 */
export async function assertWritable(path: string, force: boolean): Promise<void> {
  if (!force && (await exists(path))) {
    throw new OutputError(`${path} already exists; not overwriting it`, {
      hint: 'pass --force to replace it',
    });
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
  await assertWritable(path, opts.force);
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new OutputError(`cannot create directory ${dir}: ${(error as Error).message}`);
  }
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, opts.force ? 'w' : 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!opts.force && (await exists(path))) {
      throw new OutputError(`${path} appeared while writing; not overwriting it`, {
        hint: 'pass --force to replace it',
      });
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    if (error instanceof OutputError) throw error;
    throw new OutputError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/** Reads a text input file, turning a missing or unreadable file into an InputError (exit 2). */
export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      path,
      '$',
      code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`,
    );
  }
}
