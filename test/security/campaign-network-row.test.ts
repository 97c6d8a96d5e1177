/**
 * A flagged IP access list entry is a Review row of the campaign (docs/review.md, "Campaigns"): a
 * campaign.json edited to drop it would merge into a sign-off that never decided it.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/campaign/campaign.js';
import { networkEntry } from '../builders/database-access.js';
import { snapshot } from '../builders/snapshot.js';
import {
  fillWorkbook,
  q3Org,
  type RowFill,
  splitArgv,
  writeSnapshotFile,
} from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const NOW = new Date(Date.UTC(2026, 10, 25, 9));
const SEC = 'sec@example.com';
let dir: string;
let campaign: Campaign;
const cli = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: NOW });
const merge = (file: string, out: string) =>
  cli(['review', 'merge', 'camp', '--campaign', file, '--snapshot', 'q3.json', '--out-dir', out]);

beforeAll(async () => {
  dir = tempDir('aar-campaign-network-');
  const o = q3Org();
  o.projects[0]!.networkAccess = [networkEntry({ cidrBlock: '0.0.0.0/0', comment: 'temporary' })];
  writeSnapshotFile(dir, 'q3.json', snapshot([o]));
  writeFileSync(join(dir, 'policy.yaml'), `review:\n  fallbackReviewer: ${SEC}\n`);
  const split = await cli(splitArgv('camp'));
  expect(split.code, split.stderr).toBe(0);
  campaign = JSON.parse(readFileSync(join(dir, 'camp', 'campaign.json'), 'utf8'));
  for (const r of campaign.reviewers) {
    const file = join(dir, 'camp', r.workbook);
    await fillWorkbook(
      file,
      file,
      (): RowFill => ({
        decision: 'Keep',
        reviewer: r.reviewer,
        reviewedOn: new Date(Date.UTC(2026, 10, 20)),
        comment: 'needed for the on-call rota',
      }),
    );
  }
}, 60_000);

describe('a flagged access list entry dropped from campaign.json', () => {
  it('is refused (exit 2); the campaign as written merges', async () => {
    const entryKey = campaign.reviewers
      .flatMap((r) => r.rows)
      .find((r) => r.key.includes(':networkAccessEntry:'));
    expect(entryKey).toBeDefined();
    const edited: Campaign = {
      ...campaign,
      reviewers: campaign.reviewers.map((r) => ({
        ...r,
        rows: r.rows.filter((x) => x.key !== entryKey!.key),
      })),
    };
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(edited));
    // The forger drops the row from the workbook too (copied into the folder the edited campaign names).
    cpSync(join(dir, 'camp'), join(dir, 'forged'), { recursive: true });
    const holder = campaign.reviewers.find((r) => r.rows.some((x) => x.key === entryKey!.key))!;
    const file = join(dir, 'forged', holder.workbook);
    await fillWorkbook(
      file,
      file,
      () => ({}),
      (wb) => {
        const ws = wb.getWorksheet('Review')!;
        let at = 0;
        ws.eachRow((row, n) => {
          row.eachCell((c) => {
            if (c.value === entryKey!.key) at = n;
          });
        });
        expect(at).toBeGreaterThan(1);
        ws.spliceRows(at, 1);
      },
    );
    const r = await cli([
      'review',
      'merge',
      'forged',
      '--campaign',
      'edited.json',
      '--snapshot',
      'q3.json',
      '--out-dir',
      'out-edited',
    ]);
    expect(r.stderr).toMatch(
      /edited\.json: \$\.reviewers: 1 row\(s\) of the snapshot have no reviewer, e\.g\. 0\.0\.0\.0\/0/,
    );
    expect(r.code).toBe(2);
    const ok = await merge('camp/campaign.json', 'out-ok');
    expect(ok.stderr).not.toMatch(/^error/m);
    expect(ok.code).toBe(0);
  });
});
