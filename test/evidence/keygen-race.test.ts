/**
 * `evidence keygen` into a folder others can write to: the public key is made readable by all (0644)
 * on the file as it is written, never by its name afterwards. A chmod by name follows a link: someone
 * who swaps verify-key.pem for a link to signing-key.pem once the pair is in place would have the
 * private key made readable by all.
 */
import { renameSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { runCliForTest, tempDir } from '../helpers/cli.js';

vi.mock('../../src/util/files.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/util/files.js')>();
  return {
    ...actual,
    // The other writer acts the moment the pair is in place.
    writeFilesAtomic: async (...args: Parameters<typeof actual.writeFilesAtomic>) => {
      await actual.writeFilesAtomic(...args);
      const verify = args[0].find((f) => f.path.endsWith('verify-key.pem'))?.path;
      if (verify === undefined) return;
      renameSync(verify, `${verify}.kept`);
      symlinkSync(join(verify, '..', 'signing-key.pem'), verify);
    },
  };
});

it('a link put in place of verify-key.pem after the write does not make the private key readable', async () => {
  const dir = tempDir();
  const r = await runCliForTest(['evidence', 'keygen', '--out-dir', 'keys'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  expect(statSync(join(dir, 'keys', 'signing-key.pem')).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, 'keys', 'verify-key.pem.kept')).mode & 0o777).toBe(0o644);
});
