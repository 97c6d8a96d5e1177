/**
 * The Findings sheet's "New" column means new since the previous review (`--previous`); from a
 * baseline it is "Not in baseline"; with neither it is left out (it was TRUE of every finding).
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { buildReportModel, type PreviousReview } from '../../src/report/model.js';
import { renderXlsx } from '../../src/report/renderers/xlsx.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

const snapshot = fixtureSnapshot();

async function findingsColumn(audit: AuditResult, previous?: PreviousReview) {
  const m = buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit,
    generatedAt: FIXED_NOW,
    previous,
  });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await renderXlsx(m)) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('Findings')!;
  const headers: string[] = [];
  ws.getRow(1).eachCell((c) => headers.push(String(c.value)));
  const keyCol = headers.indexOf('Finding key') + 1;
  const column = (header: string) => {
    const col = headers.indexOf(header) + 1;
    const values = new Map<string, unknown>();
    for (let r = 2; r <= ws.rowCount; r++)
      values.set(String(ws.getRow(r).getCell(keyCol).value), ws.getRow(r).getCell(col).value);
    return values;
  };
  return { headers, column, rows: m.findings.flatMap((g) => g.rules.flatMap((r) => r.findings)) };
}

describe('Findings sheet: New / Not in baseline', () => {
  it('with --previous, New is new since the previous review', async () => {
    const { headers, column, rows } = await findingsColumn(fixtureAudit(snapshot), previousReview());
    expect(headers).toContain('New');
    const values = column('New');
    for (const f of rows) expect(values.get(f.key), f.key).toBe(f.sinceLastReview === 'new');
    expect([...values.values()]).toContain(false);
  });

  it('with --baseline, the column is "Not in baseline"', async () => {
    const audit = fixtureAudit(snapshot);
    audit.inputs = { ...audit.inputs, baselineFile: 'accepted.json' };
    audit.findings[0]!.isNew = false;
    const { headers, column } = await findingsColumn(audit);
    expect(headers).not.toContain('New');
    expect(column('Not in baseline').get(audit.findings[0]!.key)).toBe(false);
  });

  it('with neither, no column claims anything is new', async () => {
    const { headers } = await findingsColumn(fixtureAudit(snapshot));
    expect(headers).not.toContain('New');
    expect(headers).not.toContain('Not in baseline');
  });
});
