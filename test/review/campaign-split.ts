/**
 * A campaign folder for the merge tests: the full `report --xlsx` workbook cut into one workbook per
 * reviewer (src/review/reassigned-workbook.ts does the cutting, the Summary names the campaign and
 * reviewer) and the campaign.json that lists them, in the schema `report --split-by reviewer` writes
 * (src/campaign/campaign.ts). Routing here is the test's own function of the row key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Campaign } from '../../src/campaign/campaign.js';
import { subsetWorkbook } from '../../src/review/reassigned-workbook.js';
import { sha256Hex } from '../../src/snapshot/store.js';
import { CAMPAIGN_DECISIONS } from '../../src/workbook/contract.js';

/** The Identity keys of a workbook's Review sheet, in sheet order. */
export async function workbookKeys(file: string): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('Review')!;
  let kc = 0;
  ws.getRow(1).eachCell((c, n) => {
    if (c.value === 'Identity key') kc = n;
  });
  const keys: string[] = [];
  ws.eachRow((row, n) => {
    if (n > 1) keys.push(String(row.getCell(kc).value));
  });
  return keys;
}

/** The workbook file name of a reviewer in the test campaigns. */
export const workbookOf = (reviewer: string) => `${reviewer.replace(/[^A-Za-z0-9._@+-]/g, '_')}.xlsx`;

/** Cuts `fullXlsx` into `dir`, one workbook per reviewer `route` names; writes and returns campaign.json. */
export async function splitForTest(opts: {
  fullXlsx: string;
  snapshotFile: string;
  dir: string;
  route: (key: string) => string;
  campaignId: string;
  due: string;
  fallbackReviewer: string;
}): Promise<Campaign> {
  const full = new Uint8Array(readFileSync(opts.fullXlsx));
  const keys = await workbookKeys(opts.fullXlsx);
  const byReviewer = new Map<string, string[]>();
  for (const k of keys) byReviewer.set(opts.route(k), [...(byReviewer.get(opts.route(k)) ?? []), k]);
  const snap = JSON.parse(readFileSync(opts.snapshotFile, 'utf8')) as { collectedAt: string };
  const reviewers: Campaign['reviewers'] = [];
  for (const [reviewer, rows] of [...byReviewer].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const bytes = await subsetWorkbook([{ file: opts.fullXlsx, bytes: full }], rows, {
      campaignId: opts.campaignId,
      reviewer,
      decisions: CAMPAIGN_DECISIONS,
    });
    writeFileSync(join(opts.dir, workbookOf(reviewer)), bytes);
    reviewers.push({
      reviewer,
      workbook: workbookOf(reviewer),
      sha256: sha256Hex(bytes),
      rows: rows.map((key) => ({ key, route: reviewer === opts.fallbackReviewer ? 'fallback' : 'manager' })),
    });
  }
  const campaign: Campaign = {
    campaignSchemaVersion: 1,
    campaignId: opts.campaignId,
    tool: { name: 'atlas-access-review', version: 'test' },
    createdAt: '2026-11-02T09:00:00.000Z',
    due: opts.due,
    snapshot: { sha256: sha256Hex(readFileSync(opts.snapshotFile)), collectedAt: snap.collectedAt },
    roster: null,
    policy: null,
    fallbackReviewer: opts.fallbackReviewer,
    reviewers,
  };
  writeFileSync(join(opts.dir, 'campaign.json'), `${JSON.stringify(campaign, null, 2)}\n`);
  return campaign;
}
