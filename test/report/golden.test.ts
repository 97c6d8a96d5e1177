/**
 * Golden files: HTML, Markdown, JUnit and JSON from a fixed fixture and clock. A diff here is a visible
 * change of the report; review it, then regenerate with `UPDATE_GOLDEN=1 npx vitest run test/report`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { RENDERERS, type ReportFormat } from '../../src/report/renderers/index.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden', 'report');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const GOLDEN: Array<[ReportFormat, string]> = [
  ['html', 'report.html'],
  ['markdown', 'report.md'],
  ['junit', 'report-junit.xml'],
  ['json', 'report.json'],
  ['csv', 'roster.csv'],
];

/** With `--previous`: the same formats plus the changes (see test/report/previous-fixture.ts). */
const GOLDEN_PREVIOUS: Array<[ReportFormat, string]> = [
  ['html', 'report-previous.html'],
  ['markdown', 'report-previous.md'],
  ['json', 'report-previous.json'],
];

function model(withPrevious = false) {
  const snapshot = fixtureSnapshot();
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
    previous: withPrevious ? previousReview() : undefined,
  });
}

describe('golden report files', () => {
  const cases = [
    ...GOLDEN.map(([format, file]) => [format, file, false] as const),
    ...GOLDEN_PREVIOUS.map(([format, file]) => [format, file, true] as const),
  ];
  for (const [format, file, withPrevious] of cases) {
    it(`${format} matches test/golden/report/${file}`, async () => {
      const out = await RENDERERS[format].render(model(withPrevious));
      expect(typeof out).toBe('string');
      const path = join(GOLDEN_DIR, file);
      if (UPDATE || !existsSync(path)) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(path, out);
        if (!UPDATE) throw new Error(`golden file ${file} was missing and has been written; rerun`);
      }
      expect(out).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('renders byte-identical output twice', async () => {
    for (const [format] of GOLDEN) {
      expect(await RENDERERS[format].render(model())).toBe(await RENDERERS[format].render(model()));
      expect(await RENDERERS[format].render(model(true))).toBe(await RENDERERS[format].render(model(true)));
    }
  });
});
