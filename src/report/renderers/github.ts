/**
 * GitHub Actions renderer: one workflow annotation per finding (waived ones as notices, the rest by
 * severity), a notice per rule not evaluated in an organization, one per waiver
 * needing attention, and a last summary line. `audit --format github` also appends the Markdown
 * renderer's output to $GITHUB_STEP_SUMMARY.
 */
import type { Severity } from '../../domain/severity.js';
import { visibleControls } from '../../util/text-safety.js';
import type { ReportModel } from '../model.js';
import { notEvaluatedCount, waiverText } from './shared.js';

/**
 * Escapes a workflow command's message (data) part: `%`, CR and LF are percent-encoded (how the runner
 * reads them back), controls are made visible first.
 */
function escapeData(s: string): string {
  return visibleControls(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** Escapes a workflow command's property value (also `:` and `,`, which delimit properties). */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'notice'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'notice',
};

export function renderGithub(m: ReportModel): string {
  const file = m.meta.snapshotFile === null ? '' : `file=${escapeProperty(m.meta.snapshotFile)},`;
  const lines: string[] = [];
  for (const g of m.findings)
    for (const r of g.rules)
      for (const f of r.findings) {
        const level = f.waived ? 'notice' : LEVEL[f.severity];
        const title = `${f.severity} ${f.ruleId}${f.waived ? ' (waived)' : ''}`;
        lines.push(
          `::${level} ${file}title=${escapeProperty(title)}::${escapeData(`[${f.orgName}] ${f.message}`)}`,
        );
      }
  for (const n of m.notEvaluated)
    lines.push(
      `::notice ${file}title=${escapeProperty(`not evaluated ${n.ruleId}`)}::${escapeData(`[${n.orgName}] ${n.ruleId} not evaluated: ${n.reason}`)}`,
    );
  for (const w of m.waivers.filter((x) => x.status !== 'applied'))
    lines.push(
      `::${w.status === 'notApplied' ? 'error' : 'warning'} title=${escapeProperty(`waiver ${w.status}`)}::${escapeData(waiverText(w))}`,
    );
  const f = m.summary.findings;
  const skipped = m.notEvaluated.length ? `; not evaluated: ${notEvaluatedCount(m)}` : '';
  const v = m.verdict;
  const gate =
    v.failOn === 'never'
      ? 'off'
      : v.status === 'fail'
        ? `failed (${v.failing} at or above ${v.failOn})`
        : 'passed';
  lines.push(escapeData(`audit: ${f.total} finding(s), ${f.waived} waived${skipped}; gate ${gate}`));
  return `${lines.join('\n')}\n`;
}
