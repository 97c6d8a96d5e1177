/**
 * Outputs are checked before the first request (README, "Exit codes": 4): the directory exists or can be made, is
 * not under a file, not on a kernel filesystem (Node's recursive mkdir never returns on /proc), and is
 * writable. Tests run as root, so a chmod'ed directory proves nothing: a path under a regular file and
 * one under /proc stand in for "cannot be made".
 */

import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import { assertWritable } from '../../src/util/files.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

describe('assertWritable', () => {
  it('refuses a path under a regular file, naming the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'somefile');
    writeFileSync(file, 'x');
    const err = await assertWritable(join(file, 'x', 'out.json'), false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect((err as Error).message).toBe(
      `cannot write ${join(file, 'x', 'out.json')}: ${file} is a file, not a directory`,
    );
  });

  it('refuses /proc (and promptly: recursive mkdir there never returns)', async () => {
    const err = await assertWritable('/proc/x/y/snapshot.json', true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect((err as Error).message).toMatch(
      /^cannot write \/proc\/x\/y\/snapshot\.json: \/proc is on the proc filesystem/,
    );
  });

  it('accepts a directory that does not exist yet under a writable one', async () => {
    await expect(assertWritable(join(tempDir(), 'a', 'b', 'c.json'), false)).resolves.toBeUndefined();
  });
});

/** A port nothing listens on: a request there would fail with exit 3, not the exit 4 expected. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const env = { MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_x', MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_x' };

describe('collect and run refuse an unwritable output before the first request (exit 4)', () => {
  it.each([
    ['collect', '/proc/x/snap.json', /\/proc is on the proc filesystem/],
    ['collect', 'somefile/x/snap.json', /somefile is a file, not a directory/],
    ['run', '/proc/x', /\/proc is on the proc filesystem/],
    ['run', 'somefile/x', /somefile is a file, not a directory/],
  ])('%s %s', async (command, out, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'somefile'), 'x');
    const base = `http://127.0.0.1:${await closedPort()}`;
    const args =
      command === 'collect'
        ? ['collect', '--org', '5f1a2b3c4d5e6f7a8b9c0d1e', '--base-url', base, '-o', out]
        : ['run', '--org', '5f1a2b3c4d5e6f7a8b9c0d1e', '--base-url', base, '--out-dir', out];
    const r = await runCliForTest(args, { env, cwd: dir });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(4);
    expect(existsSync(join(dir, 'somefile'))).toBe(true);
  });
});
