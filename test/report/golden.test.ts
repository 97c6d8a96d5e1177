/**
 * Golden files: one per registry entry (src/report/renderers/index.ts) from a fixed fixture and clock,
 * plus the change-aware formats with `--previous`. Text formats are compared byte for byte; the XLSX
 * workbook (a zip whose bytes carry no meaning) as a dump of its sheets and cell values. A registry
 * entry without a golden fails here, so a new format is its renderer, one registry line and a golden.
 * A diff is a visible change of the output; review it, then regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/report`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { buildReportModel } from '../../src/report/model.js';
import { RENDERERS, REPORT_FORMATS, type ReportFormat } from '../../src/report/renderers/index.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden', 'report');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The golden file of every registry entry (a Record: a format missing here does not compile). */
const GOLDEN: Record<ReportFormat, string> = {
  html: 'report.html',
  xlsx: 'report.xlsx.txt',
  json: 'report.json',
  csv: 'roster.csv',
  junit: 'report-junit.xml',
  markdown: 'report.md',
  text: 'report.txt',
  github: 'report-github.txt',
  sarif: 'report.sarif',
  email: 'report-email.html',
};

/** With `--previous`: the formats that show changes (see test/report/previous-fixture.ts). */
const GOLDEN_PREVIOUS: Array<[ReportFormat, string]> = [
  ['html', 'report-previous.html'],
  ['markdown', 'report-previous.md'],
  ['json', 'report-previous.json'],
];

/** The audit judged users against an HR roster (`--roster`): every format names it. */
function withRoster(audit: AuditResult): AuditResult {
  return {
    ...audit,
    inputs: {
      ...audit.inputs,
      roster: { file: 'hr/workday-2026-06-01.csv', sha256: 'ab'.repeat(32), rows: 1204 },
    },
  };
}

function model(withPrevious = false) {
  const snapshot = fixtureSnapshot();
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    snapshotFile: 'snapshots/acme-2026-06-01.json',
    audit: withRoster(fixtureAudit(snapshot)),
    generatedAt: FIXED_NOW,
    previous: withPrevious ? previousReview() : undefined,
  });
}

/** A workbook as text: each sheet's name, then each row's cell values as JSON. */
async function workbookDump(bytes: Uint8Array): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const out: string[] = [];
  for (const ws of wb.worksheets) {
    out.push(`## ${ws.name}`);
    ws.eachRow({ includeEmpty: false }, (row, n) => {
      const values = (row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString() : v));
      out.push(`${n}: ${JSON.stringify(values)}`);
    });
  }
  return `${out.join('\n')}\n`;
}

async function rendered(format: ReportFormat, withPrevious: boolean): Promise<string> {
  const out = await RENDERERS[format].render(model(withPrevious));
  expect(typeof out === 'string').toBe(!RENDERERS[format].binary);
  return typeof out === 'string' ? out : workbookDump(out);
}

describe('golden report files', () => {
  const cases = [
    ...REPORT_FORMATS.map((format) => [format, GOLDEN[format], false] as const),
    ...GOLDEN_PREVIOUS.map(([format, file]) => [format, file, true] as const),
  ];
  for (const [format, file, withPrevious] of cases) {
    it(`${format} matches test/golden/report/${file}`, async () => {
      const out = await rendered(format, withPrevious);
      const path = join(GOLDEN_DIR, file);
      if (UPDATE || !existsSync(path)) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(path, out);
        if (!UPDATE) throw new Error(`golden file ${file} was missing and has been written; rerun`);
      }
      expect(out).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('every registry entry has its own golden file', () => {
    const files = REPORT_FORMATS.map((f) => GOLDEN[f]);
    expect(new Set(files).size).toBe(REPORT_FORMATS.length);
    for (const f of files) expect(existsSync(join(GOLDEN_DIR, f)), f).toBe(true);
  });

  it('renders byte-identical output twice', async () => {
    for (const format of REPORT_FORMATS) {
      expect(await rendered(format, false)).toBe(await rendered(format, false));
      expect(await rendered(format, true)).toBe(await rendered(format, true));
    }
  });
});
