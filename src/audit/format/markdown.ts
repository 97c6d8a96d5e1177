import { SEVERITY_ORDER } from '../../domain/severity.js';
import type { AuditResult } from '../types.js';
import { gateVerdict } from '../verdict.js';
import type { SnapshotMeta } from './index.js';
import { byOrganization, notEvaluatedCount, notEvaluatedText } from './not-evaluated.js';

/** Escapes text for a Markdown table cell. */
export function mdCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/([<>*_`[\]])/g, '\\$1');
}

/** `--format markdown` (also the GitHub step summary): counts, gate, findings table, waiver warnings. */
export function renderMarkdown(result: AuditResult, snapshot: SnapshotMeta): string {
  const out: string[] = [];
  const s = result.summary;
  const v = gateVerdict(result);
  out.push('## Atlas access review: audit');
  out.push('');
  out.push(
    `Snapshot \`${mdCell(snapshot.file)}\` collected ${snapshot.collectedAt}, evaluated ${result.evaluatedAt}. ` +
      `Verdict: **${mdCell(v.headline)}** (gate: ${mdCell(v.gate)}).`,
  );
  out.push('');
  out.push(mdCell(snapshot.evidence.statement));
  out.push('');
  out.push('| severity | findings |');
  out.push('|---|---:|');
  for (const sev of SEVERITY_ORDER) out.push(`| ${sev} | ${s.bySeverity[sev]} |`);
  out.push(`| **total** | **${s.total}** (waived ${s.waived}) |`);
  out.push('');
  if (result.notEvaluated.length) {
    out.push(
      `**Not evaluated:** ${notEvaluatedCount(result.notEvaluated)}: the snapshot lacks the data these rules need, so they are neither findings nor passes.`,
    );
    out.push('');
  }
  if (result.findings.length) {
    out.push('| severity | rule | organization | subject | message | status |');
    out.push('|---|---|---|---|---|---|');
    for (const f of result.findings) {
      const status = f.waived ? `waived until ${f.waiver?.expiresOn}` : f.isNew ? 'open' : 'open (baseline)';
      out.push(
        `| ${f.severity} | ${mdCell(f.ruleId)} | ${mdCell(f.orgName)} | ${f.subject.type} ${mdCell(f.subject.name)} | ${mdCell(f.message)} | ${status} |`,
      );
    }
    out.push('');
  }
  if (result.notEvaluated.length) {
    out.push('### Not evaluated', '');
    out.push('| rule | organization | status |');
    out.push('|---|---|---|');
    for (const n of byOrganization(result.notEvaluated))
      out.push(`| ${mdCell(n.ruleId)} | ${mdCell(n.orgName)} | ${mdCell(notEvaluatedText(n))} |`);
    out.push('');
  }
  const w = result.waivers;
  const warn = [
    ...w.expired.map(
      (x) => `- Waiver **expired** on ${x.expiresOn}: ${mdCell(x.ruleId)} / ${mdCell(x.subject)}`,
    ),
    ...w.unused.map((x) => `- Waiver **matches nothing**: ${mdCell(x.ruleId)} / ${mdCell(x.subject)}`),
    ...(w.notApplied ?? []).map(
      (x) =>
        `- Waiver **not applied** (${x.problem}): ${mdCell(x.ruleId)} / ${mdCell(x.subject)}: ${mdCell(x.detail)}`,
    ),
    ...w.expiringSoon.map(
      (x) => `- Waiver expires on ${x.expiresOn}: ${mdCell(x.ruleId)} / ${mdCell(x.subject)}`,
    ),
  ];
  if (warn.length) out.push('### Waivers', '', ...warn, '');
  return `${out.join('\n')}\n`;
}
