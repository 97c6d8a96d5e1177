/**
 * `review remind --eml DIR` writes one message per reviewer as one set: a message that cannot be
 * written (the disk fills up at the second) leaves none of the others, so the folder is as before and
 * the command can be run again as it was (the messages already written would refuse it, exit 4).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { expect, it, vi } from 'vitest';
import { q3, splitArgv, writeSnapshotFile } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const fault = vi.hoisted(() => ({ dir: null as string | null, opened: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    // The second file created in the reminders folder finds the disk full.
    open: async (...args: Parameters<typeof actual.open>) => {
      if (
        fault.dir &&
        args[1] === 'wx' &&
        String(args[0]).startsWith(fault.dir + sep) &&
        ++fault.opened === 2
      )
        throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC' });
      return actual.open(...args);
    },
  };
});

it('a reminder that cannot be written leaves none of the others (exit 4)', async () => {
  const dir = tempDir('aar-remind-eml-');
  const cli = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: new Date(Date.UTC(2026, 10, 25, 9)) });
  writeSnapshotFile(dir, 'q3.json', q3());
  writeFileSync(
    join(dir, 'policy.yaml'),
    'review:\n  fallbackReviewer: sec@example.com\n  teamOwners:\n    admins: lead@example.com\n',
  );
  expect((await cli(splitArgv('camp'))).code).toBe(0);
  fault.dir = join(dir, 'reminders');
  const r = await cli([
    'review',
    'remind',
    'camp',
    '--campaign',
    'camp/campaign.json',
    '--eml',
    'reminders',
    '--email-from',
    'review-bot@example.com',
  ]);
  fault.dir = null;
  expect(r.code, r.stderr).toBe(4);
  expect(r.stderr).toContain('no space left on device');
  expect(existsSync(join(dir, 'reminders')) ? readdirSync(join(dir, 'reminders')) : []).toEqual([]);
});
