import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { gateVerdict } from '../../src/audit/verdict.js';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { renderHtml } from '../../src/report/renderers/html.js';
import { renderMarkdown } from '../../src/report/renderers/markdown.js';
import { renderText } from '../../src/report/renderers/text.js';
import { renderXlsx } from '../../src/report/renderers/xlsx.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';

const snapshot = fixtureSnapshot();

/** The fixture audit as `--baseline accepted.json` sees it when the baseline holds every finding. */
function acceptedByBaseline(audit: AuditResult, keep: (f: AuditResult['findings'][number]) => boolean) {
  const findings = audit.findings.filter(keep).map((f) => ({ ...f, isNew: false }));
  return {
    ...audit,
    findings,
    gate: { ...audit.gate, failed: false, failing: 0 },
    inputs: { ...audit.inputs, baselineFile: '/srv/review/accepted.json' },
  };
}

const model = (audit: AuditResult): ReportModel =>
  buildReportModel({ snapshot, snapshotSha256: FIXED_SHA, audit, generatedAt: FIXED_NOW });

async function xlsxSummary(m: ReportModel): Promise<Map<string, unknown>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await renderXlsx(m)) as unknown as ArrayBuffer);
  const rows = new Map<string, unknown>();
  wb.getWorksheet('Summary')!.eachRow((r) => {
    rows.set(String(r.getCell(1).value), r.getCell(2).value);
  });
  return rows;
}

/** Every format that shows the verdict, as text. */
async function everyFormat(audit: AuditResult): Promise<Record<string, string>> {
  const m = model(audit);
  const xlsx = await xlsxSummary(m);
  const email = renderEmailSummary(m);
  return {
    text: renderText(m),
    html: renderHtml(m),
    markdown: renderMarkdown(m),
    emailText: email.text,
    emailHtml: email.html,
    xlsx: `${xlsx.get('Verdict')} | gate: ${xlsx.get('Gate')}`,
  };
}

describe('gate verdict', () => {
  it('--baseline: high findings the baseline accepted are "accepted by the baseline", never "below the high gate"', async () => {
    const base = fixtureAudit(snapshot, 'high');
    const audit = acceptedByBaseline(base, (f) => !f.waived && f.severity === 'high');
    const n = audit.findings.length;
    expect(n).toBeGreaterThan(1);
    const v = gateVerdict(audit);
    expect(v.status).toBe('attention');
    expect(v.headline).toBe(`PASS: ${n} high findings accepted by the baseline (accepted.json)`);
    for (const [format, text] of Object.entries(await everyFormat(audit))) {
      expect(text, format).toContain(`${n} high findings accepted by the baseline (accepted.json)`);
      expect(text, format).not.toContain('below the');
    }
  });

  it('--baseline with new findings below the gate names both parts, severities split', () => {
    const base = fixtureAudit(snapshot, 'high');
    const audit = acceptedByBaseline(base, (f) => !f.waived);
    for (const f of audit.findings) if (f.severity !== 'high' && f.severity !== 'critical') f.isNew = true;
    const v = gateVerdict(audit);
    expect(v.headline).toMatch(
      /^PASS: \d+ findings \(.*\) accepted by the baseline \(accepted\.json\); \d+ new /,
    );
    expect(v.headline).toMatch(/new (medium|low|findings).* below the high gate$/);
  });

  it('--baseline with a failing gate counts new findings and the accepted ones', () => {
    const base = fixtureAudit(snapshot, 'high');
    const audit = acceptedByBaseline(base, (f) => !f.waived && f.severity === 'high');
    audit.findings[0]!.isNew = true;
    audit.gate = { ...audit.gate, failed: true, failing: 1 };
    const accepted = audit.findings.length - 1;
    expect(gateVerdict(audit).headline).toBe(
      `FAIL: 1 new finding at or above high; ${accepted} high finding${accepted === 1 ? '' : 's'} accepted by the baseline (accepted.json)`,
    );
  });

  it('--fail-on never says "gate off" in every format, never "the never gate"', async () => {
    const audit = fixtureAudit(snapshot, 'never');
    const v = gateVerdict(audit);
    expect(v.headline).toMatch(/^GATE OFF \(--fail-on never\): \d+ open findings$/);
    expect(v.gate).toBe('off (--fail-on never)');
    const formats = await everyFormat(audit);
    for (const [format, text] of Object.entries(formats)) {
      expect(text, format).toContain(v.headline);
      expect(text, format).toContain('off (--fail-on never)');
      expect(text, format).not.toMatch(/never gate|fail on never|fail on <[^>]*>never|passed the gate/i);
    }
    expect(formats.html).toContain('Gate off, with findings to review');
  });

  it('without a baseline the words are unchanged: at or above the gate', () => {
    expect(gateVerdict(fixtureAudit(snapshot, 'high')).headline).toBe(
      'FAIL: 3 open findings at or above high',
    );
  });
});
