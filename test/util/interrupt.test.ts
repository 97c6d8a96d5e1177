/**
 * SIGINT/SIGTERM in the middle of an atomic write once left a `.tmp` file behind. A child process
 * starts a 64 MiB write and signals itself once the temporary file (or the staging directory of a set)
 * exists; it must exit 130 and leave the directory empty.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'interrupt-child.ts');

describe.each(['SIGINT', 'SIGTERM'])('%s during an atomic write', (signal) => {
  it.each(['one', 'set'])('of %s file(s): exit 130, nothing left behind', (mode) => {
    const dir = tempDir('aar-signal-');
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, mode, dir, signal], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).not.toContain('finished');
    // One undo ran, so the signal did arrive while the write was in progress.
    expect(r.stderr).toContain(
      `interrupted (${signal}): 1 write in progress undone; nothing partial left behind`,
    );
    expect(r.status).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.each(['SIGINT', 'SIGTERM'])('%s between staging outputs and putting them in place', (signal) => {
  it('exit 130; the staged files and the folders made for them are gone', () => {
    const dir = tempDir('aar-signal-');
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'staged', dir, signal], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toContain(
      `interrupted (${signal}): 2 writes in progress undone; nothing partial left behind`,
    );
    expect(r.status).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});
