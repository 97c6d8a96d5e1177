/**
 * All-or-nothing writes (src/util/files.ts): a set of files is written into a temporary directory and
 * renamed into place; a failed write or rename removes what was written and restores what `--force`
 * was replacing. Failures are injected into node:fs at the exact step (a full disk, a rename refused).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError, OutputError } from '../../src/errors.js';
import {
  readInputBytes,
  stageFile,
  writeFileAtomic,
  writeFilesAtomic,
  writesInProgress,
} from '../../src/util/files.js';
import { tempDir } from '../helpers/cli.js';

const faults = vi.hoisted(() => ({
  /** Fail the write of a temporary file whose name ends with this. */
  writeEndsWith: null as string | null,
  /** Fail the (first) rename whose target ends with this. */
  renameTargetEndsWith: null as string | null,
  /** Fail every such rename, the undo's too. */
  renameRepeats: false,
  /** Run when a file whose name ends with `at` is opened (another process acting while a set is written). */
  onOpen: null as { at: string; run: () => void } | null,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      if (faults.onOpen && String(args[0]).endsWith(faults.onOpen.at)) {
        const { run } = faults.onOpen;
        faults.onOpen = null;
        run();
      }
      const handle = await actual.open(...args);
      if (faults.writeEndsWith && String(args[0]).endsWith(faults.writeEndsWith)) {
        handle.writeFile = async () => {
          await actual.writeFile(String(args[0]), 'partial');
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        };
      }
      return handle;
    },
  };
});
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    renameSync: (from: string, to: string) => {
      if (faults.renameTargetEndsWith && String(to).endsWith(faults.renameTargetEndsWith)) {
        if (!faults.renameRepeats) faults.renameTargetEndsWith = null;
        throw Object.assign(new Error(`EACCES: permission denied, rename '${from}' -> '${to}'`), {
          code: 'EACCES',
        });
      }
      return actual.renameSync(from, to);
    },
  };
});

afterEach(() => {
  faults.writeEndsWith = null;
  faults.renameTargetEndsWith = null;
  faults.renameRepeats = false;
  faults.onOpen = null;
});

const set = (dir: string, tag: string) =>
  ['a.html', 'b.json', 'c.txt', 'record.json'].map((name) => ({
    path: join(dir, name),
    data: `${tag} ${name}\n`,
  }));

describe('writeFilesAtomic', () => {
  it('writes the whole set and leaves no temporary directory', async () => {
    const dir = tempDir('aar-set-');
    await writeFilesAtomic(set(dir, 'new'), { force: false });
    expect(readdirSync(dir).sort()).toEqual(['a.html', 'b.json', 'c.txt', 'record.json']);
    expect(readFileSync(join(dir, 'record.json'), 'utf8')).toBe('new record.json\n');
    expect(writesInProgress()).toBe(0);
  });

  it('a full disk on the third file writes none of them (exit 4, naming the file)', async () => {
    const dir = tempDir('aar-set-');
    const nested = join(dir, 'evidence', 'q3');
    faults.writeEndsWith = '2.new';
    const error = await writeFilesAtomic(set(nested, 'new'), { force: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).exitCode).toBe(4);
    expect((error as Error).message).toBe(
      `cannot write ${join(nested, 'c.txt')}: ENOSPC: no space left on device, write; nothing was written`,
    );
    // Neither the files, nor the staging folder, nor the folders it created for them.
    expect(readdirSync(dir)).toEqual([]);
    expect(writesInProgress()).toBe(0);
  });

  it('a rename refused half-way puts back the files --force was replacing', async () => {
    const dir = tempDir('aar-set-');
    await writeFilesAtomic(set(dir, 'old'), { force: false });
    faults.renameTargetEndsWith = 'record.json';
    const error = await writeFilesAtomic(set(dir, 'new'), { force: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toContain(`cannot write ${join(dir, 'record.json')}: EACCES`);
    expect(readdirSync(dir).sort()).toEqual(['a.html', 'b.json', 'c.txt', 'record.json']);
    for (const f of set(dir, 'old')) expect(readFileSync(f.path, 'utf8')).toBe(f.data);
  });

  it('keeps a replaced file it cannot put back, and says where', async () => {
    const dir = tempDir('aar-set-');
    await writeFilesAtomic(set(dir, 'old'), { force: false });
    faults.renameTargetEndsWith = 'record.json';
    faults.renameRepeats = true;
    const error = await writeFilesAtomic(set(dir, 'new'), { force: true }).catch((e: unknown) => e);
    const staging = readdirSync(dir).find((n) => n.startsWith('.atlas-access-review-'))!;
    expect((error as Error).message).toContain(
      `some replaced files could not be put back; they are in ${join(dir, staging)}`,
    );
    expect(readFileSync(join(dir, staging, '3.old'), 'utf8')).toBe('old record.json\n');
  });

  it('refuses before writing anything when one file exists and --force is not given', async () => {
    const dir = tempDir('aar-set-');
    writeFileSync(join(dir, 'c.txt'), 'mine');
    await expect(writeFilesAtomic(set(dir, 'new'), { force: false })).rejects.toThrow(
      `${join(dir, 'c.txt')} already exists; not overwriting it`,
    );
    expect(readdirSync(dir)).toEqual(['c.txt']);
  });
});

describe('writeFilesAtomic: a directory where a file goes', () => {
  it('is refused with --force too, before anything is written, and what it holds is kept', async () => {
    const dir = tempDir('aar-set-');
    mkdirSync(join(dir, 'b.json'));
    writeFileSync(join(dir, 'b.json', 'inside.txt'), 'keep me');
    await expect(writeFilesAtomic(set(dir, 'new'), { force: true })).rejects.toThrow(
      /b\.json is a directory/,
    );
    expect(readdirSync(dir)).toEqual(['b.json']);
    expect(readFileSync(join(dir, 'b.json', 'inside.txt'), 'utf8')).toBe('keep me');
  });
});

describe('writeFilesAtomic: a directory put where a file goes while the set is written', () => {
  it('is not moved aside and deleted with the staging folder: refused, and the set rolled back', async () => {
    const dir = tempDir('aar-set-');
    await writeFilesAtomic(set(dir, 'old'), { force: false });
    // After the checks, before the renames: b.json becomes someone's folder (renamed there from beside it).
    faults.onOpen = {
      at: '1.new',
      run: () => {
        rmSync(join(dir, 'b.json'));
        mkdirSync(join(dir, 'b.json'));
        writeFileSync(join(dir, 'b.json', 'precious.txt'), 'keep me');
      },
    };
    const error = await writeFilesAtomic(set(dir, 'new'), { force: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toBe(`${join(dir, 'b.json')} is a directory; not replacing it`);
    expect(readFileSync(join(dir, 'b.json', 'precious.txt'), 'utf8')).toBe('keep me');
    for (const f of set(dir, 'old').filter((f) => !f.path.endsWith('b.json')))
      expect(readFileSync(f.path, 'utf8')).toBe(f.data);
    expect(readdirSync(dir).sort()).toEqual(['a.html', 'b.json', 'c.txt', 'record.json']);
    expect(writesInProgress()).toBe(0);
  });
});

describe('writeFilesAtomic: entries to remove (a signature that would no longer match)', () => {
  const withStaleSig = (dir: string, tag: string) => [
    { path: join(dir, 'snap.json.sig'), data: null },
    { path: join(dir, 'snap.json'), data: `${tag}\n` },
  ];

  it('removes the entry with the set, and refuses without --force', async () => {
    const dir = tempDir('aar-set-');
    writeFileSync(join(dir, 'snap.json'), 'old\n');
    writeFileSync(join(dir, 'snap.json.sig'), 'old signature');
    await expect(writeFilesAtomic(withStaleSig(dir, 'new'), { force: false })).rejects.toThrow(
      `${join(dir, 'snap.json.sig')} exists and would no longer match the file written beside it`,
    );
    await writeFilesAtomic(withStaleSig(dir, 'new'), { force: true });
    expect(readdirSync(dir)).toEqual(['snap.json']);
    expect(readFileSync(join(dir, 'snap.json'), 'utf8')).toBe('new\n');
    // Nothing to remove: the same set is simply the file.
    await writeFilesAtomic(withStaleSig(dir, 'newer'), { force: true });
    expect(readdirSync(dir)).toEqual(['snap.json']);
  });

  it('puts the removed entry back when the set fails', async () => {
    const dir = tempDir('aar-set-');
    writeFileSync(join(dir, 'snap.json'), 'old\n');
    writeFileSync(join(dir, 'snap.json.sig'), 'old signature');
    faults.renameTargetEndsWith = 'snap.json';
    await expect(writeFilesAtomic(withStaleSig(dir, 'new'), { force: true })).rejects.toThrow(OutputError);
    expect(readdirSync(dir).sort()).toEqual(['snap.json', 'snap.json.sig']);
    expect(readFileSync(join(dir, 'snap.json.sig'), 'utf8')).toBe('old signature');
    expect(readFileSync(join(dir, 'snap.json'), 'utf8')).toBe('old\n');
  });
});

describe('writeFileAtomic', () => {
  it('a failed write leaves neither the file nor its temporary file', async () => {
    const dir = tempDir('aar-one-');
    faults.writeEndsWith = '.tmp';
    await expect(writeFileAtomic(join(dir, 'out.json'), '{}', { force: false })).rejects.toThrow(
      /cannot write .*out\.json: ENOSPC/,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });

  it('a full disk while the pieces of a document are written leaves nothing, the folders made for it neither', async () => {
    const dir = tempDir('aar-one-');
    faults.writeEndsWith = '.tmp';
    const pieces = ['{\n', '  "a": 1\n', '}\n'];
    await expect(stageFile(join(dir, 'new', 'out.json'), pieces, { force: false })).rejects.toThrow(
      /cannot write .*out\.json: ENOSPC/,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(writesInProgress()).toBe(0);
  });
});

describe('readInputBytes', () => {
  it('reads a file of up to the limit byte for byte, and refuses one over it (exit 2)', async () => {
    const dir = tempDir('aar-read-bytes-');
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    writeFileSync(join(dir, 'f.bin'), bytes);
    expect(Buffer.from(await readInputBytes(join(dir, 'f.bin'), 'f.bin', 3000)).equals(bytes)).toBe(true);
    writeFileSync(join(dir, 'empty.bin'), '');
    expect((await readInputBytes(join(dir, 'empty.bin'), 'empty.bin', 10)).byteLength).toBe(0);
    await expect(readInputBytes(join(dir, 'f.bin'), 'f.bin', 2999)).rejects.toThrow(
      /f\.bin: file is 3,000 bytes, over the limit of 2,999; not read/,
    );
  });

  it('stops at the limit on a device that reports size 0 and never ends (/dev/zero)', async () => {
    const error = await readInputBytes('/dev/zero', 'endless', 1 << 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/endless: holds more than the limit of 1,048,576 bytes/);
  });
});
