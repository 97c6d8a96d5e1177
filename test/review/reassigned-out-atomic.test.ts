/**
 * `review merge --reassigned-out` writes the follow-up workbooks of a campaign folder as one set: a
 * follow-up that cannot be written (a link planted at its name in a shared folder, refused without
 * --force) leaves none of the others behind, as every other output of the tool (exit 4, nothing partial).
 */
import { existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { reviewerFileName } from '../../src/report/split.js';
import { reassignedWorkbookName } from '../../src/review/campaign-state.js';
import {
  fillWorkbook,
  key,
  MALLORY,
  OWNER2,
  q3,
  splitArgv,
  writeSnapshotFile,
} from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const LEAD = 'lead@example.com';
const SEC = 'sec@example.com';
const NOW = new Date(Date.UTC(2026, 10, 25, 9));

it('a follow-up that cannot be written leaves none of the others (exit 4)', async () => {
  const dir = tempDir('aar-reassigned-out-');
  const cli = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: NOW });
  writeSnapshotFile(dir, 'q3.json', q3());
  writeFileSync(
    join(dir, 'policy.yaml'),
    `review:\n  fallbackReviewer: ${SEC}\n  teamOwners:\n    admins: ${LEAD}\n`,
  );
  expect((await cli(splitArgv('camp'))).code).toBe(0);
  // The lead hands two rows on, each to another colleague.
  const handedTo: Record<string, string> = {
    [key('user', MALLORY)]: 'ann@example.com',
    [key('user', OWNER2)]: 'zed@example.com',
  };
  const lead = join(dir, 'camp', reviewerFileName(LEAD));
  await fillWorkbook(lead, lead, (k) => ({
    decision: handedTo[k] ? 'Reassign' : 'Keep',
    reviewer: LEAD,
    reviewedOn: new Date(Date.UTC(2026, 10, 20)),
    comment: handedTo[k] ?? 'needed for the on-call rota',
  }));
  const names = Object.values(handedTo).map(reassignedWorkbookName).sort();
  // Someone sharing the folder plants a link where the last follow-up goes.
  symlinkSync(join(dir, 'elsewhere.xlsx'), join(dir, 'camp', names[1]!));
  const argv = ['review', 'merge', 'camp', '--campaign', 'camp/campaign.json', '--snapshot', 'q3.json'];
  const r = await cli([...argv, '--out-dir', 'out', '--reassigned-out']);
  expect(r.code, r.stderr).toBe(4);
  expect(r.stderr).toContain(`${names[1]} already exists`);
  expect(existsSync(join(dir, 'camp', names[0]!))).toBe(false);
  expect(existsSync(join(dir, 'elsewhere.xlsx'))).toBe(false);
  expect(readdirSync(join(dir, 'camp')).filter((n) => n.startsWith('reassigned-'))).toEqual([names[1]]);
});
