import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES_DIR, readFrameworkCatalogues, readRulesDir } from '../../src/input/rules-dir.js';
import { tempDir } from '../helpers/cli.js';

/** How the mocked open behaves: a delay per file name, and how many files were open at once. */
const disk = { delayMs: new Map<string, number>(), open: 0, mostOpen: 0 };

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  // Input files are opened (src/util/files.ts, readInputBytes) and closed by descriptor.
  const open = (path: string, flags: number, done: (error: Error | null, fd?: number) => void): void => {
    disk.open += 1;
    disk.mostOpen = Math.max(disk.mostOpen, disk.open);
    const name = String(path).split(/[\\/]/).pop()!;
    setTimeout(
      () =>
        actual.open(path, flags, (error, fd) => {
          if (error) disk.open -= 1;
          done(error, fd);
        }),
      disk.delayMs.get(name) ?? 0,
    );
  };
  const close = (fd: number, done: (error: Error | null) => void): void => {
    disk.open -= 1;
    actual.close(fd, done);
  };
  return { ...actual, default: { ...actual, open, close }, open, close };
});

let dir: string;
beforeEach(() => {
  dir = tempDir();
  disk.delayMs.clear();
  disk.open = 0;
  disk.mostOpen = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a rules folder', () => {
  it('names the first unreadable file in name order, whichever fails first', async () => {
    // Two "files" that cannot be read (folders); the first by name is the slower to fail.
    mkdirSync(join(dir, 'a-rule.json'));
    mkdirSync(join(dir, 'b-rule.json'));
    disk.delayMs.set('a-rule.json', 30);
    await expect(readRulesDir(dir)).rejects.toThrow(/a-rule\.json/);
  });

  it('keeps a bounded number of files open, however many the folder holds', async () => {
    const text = readFileSync(join(DEFAULT_RULES_DIR, 'stale-last-auth.json'), 'utf8');
    for (let i = 0; i < 200; i++) {
      const id = `copy-${String(i).padStart(3, '0')}`;
      writeFileSync(join(dir, `${id}.json`), text.replace('"id": "stale-last-auth"', `"id": "${id}"`));
    }
    const set = await readRulesDir(dir);
    expect(set.rules.map((r) => r.id)).toHaveLength(200);
    expect(disk.mostOpen).toBeGreaterThan(1);
    expect(disk.mostOpen).toBeLessThanOrEqual(16);
  });

  it('reads the framework catalogues in name order', async () => {
    const ids = (await readFrameworkCatalogues()).map((c) => c.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids.length).toBeGreaterThan(0);
  });
});
