/**
 * `review import` on a full disk once left `signoff.json` without its revocation plan. The four
 * evidence files are now written as one set (src/util/files.ts writeFilesAtomic): a failed write
 * leaves none of them, and with --force the previous set stays as it was.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fillWorkbook, ORG, q3, type RowFill, writeSnapshotFile } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const disk = vi.hoisted(() => ({ fullAt: null as string | null }));

// The disk fills up when the staged copy of a given file of the set is written. The set is signoff.html
// (0), revocation-plan.json.sig (1, removed if present when unsigned), revocation-plan.json (2),
// revocation-plan.txt (3), signoff.json.sig (4), signoff.json (5).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      if (disk.fullAt && String(args[0]).endsWith(disk.fullAt)) {
        handle.writeFile = async () => {
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        };
      }
      return handle;
    },
  };
});

afterEach(() => {
  disk.fullAt = null;
});

const NOW = new Date('2026-11-25T12:00:00Z');
const EVIDENCE = ['revocation-plan.json', 'revocation-plan.txt', 'signoff.html', 'signoff.json'];
let dir: string;
let q3File: string;
let filled: string;

beforeAll(async () => {
  dir = tempDir('aar-atomic-');
  q3File = writeSnapshotFile(dir, 'q3.json', q3());
  const book = join(dir, 'review.xlsx');
  await runCliForTest(['report', q3File, '--xlsx', book], { now: new Date(Date.UTC(2026, 10, 1)) });
  filled = join(dir, 'filled.xlsx');
  await fillWorkbook(
    book,
    filled,
    (k): RowFill => ({
      decision: k.startsWith(`${ORG}:apiKey`) ? 'Revoke' : 'Keep',
      reviewer: 'lead@example.com',
      reviewedOn: new Date(Date.UTC(2026, 10, 20)),
      comment: 'needed for the on-call rota',
    }),
  );
});

const importTo = (out: string, ...extra: string[]) =>
  runCliForTest(['review', 'import', filled, '--snapshot', q3File, '--out-dir', out, ...extra], { now: NOW });

describe('review import on a full disk', () => {
  it('writes no evidence file at all, and exits 4 naming the file that failed', async () => {
    const out = join(dir, 'fresh');
    disk.fullAt = '2.new';
    const r = await importTo(out);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `cannot write ${join(out, 'revocation-plan.json')}: ENOSPC: no space left on device, write; nothing was written`,
    );
    expect(r.stdout).toBe('');
    // Not even the folder it created for them.
    expect(existsSync(out)).toBe(false);
  });

  it('with --force, leaves the previous sign-off and plan exactly as they were', async () => {
    const out = join(dir, 'again');
    expect((await importTo(out)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(EVIDENCE);
    const before = EVIDENCE.map((f) => readFileSync(join(out, f), 'utf8'));
    disk.fullAt = '5.new';
    const r = await runCliForTest(
      ['review', 'import', filled, '--snapshot', q3File, '--out-dir', out, '--force'],
      { now: new Date('2026-11-26T12:00:00Z') },
    );
    expect(r.code).toBe(4);
    expect(readdirSync(out).sort()).toEqual(EVIDENCE);
    expect(EVIDENCE.map((f) => readFileSync(join(out, f), 'utf8'))).toEqual(before);
  });
});
