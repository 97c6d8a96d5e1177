/**
 * Text renderer: the terminal summary `audit` prints by default, most severe first. Every Atlas value
 * is folded to one line with its controls made visible (oneLine), so no value can start a line or
 * rewrite one.
 */
import { SEVERITY_ORDER } from '../../domain/severity.js';
import { oneLine as l } from '../../util/text-safety.js';
import type { FindingRow, ReportModel } from '../model.js';
import { databaseAccessLine, notEvaluatedCount, rosterLine, waiverAttention } from './shared.js';

function findingLine(f: FindingRow): string {
  const marks = [
    f.waived && f.waiver ? `waived until ${f.waiver.expiresOn}: ${l(f.waiver.reason)}` : '',
    f.isNew ? '' : 'in baseline',
    f.gating ? 'fails the gate' : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `  [${l(f.orgName)}] ${l(f.message)}${marks ? ` (${marks})` : ''}`;
}

export function renderText(m: ReportModel): string {
  const f = m.summary.findings;
  const lines = [
    `Audit of ${l(m.meta.snapshotFile ?? `snapshot sha256 ${m.meta.snapshotSha256}`)} (collected ${m.meta.collectedAt}), evaluated ${m.meta.evaluatedAt}`,
    l(m.meta.evidence.statement),
    ...(rosterLine(m) === null ? [] : [l(rosterLine(m)!)]),
    `Rules: ${m.summary.rules.enabled} enabled of ${m.summary.rules.total}`,
    databaseAccessLine(m),
  ];
  if (m.notEvaluated.length)
    lines.push(
      `Not evaluated: ${notEvaluatedCount(m)} (the snapshot lacks the data; neither findings nor passes)`,
    );
  const bySev = SEVERITY_ORDER.map((sev) => `${sev} ${f.bySeverity[sev]}`).join(', ');
  lines.push(`Findings: ${f.total} (${bySev}); waived ${f.waived}; open ${f.open}`, '');
  for (const g of m.findings)
    for (const r of g.rules) {
      lines.push(`${g.severity.toUpperCase()} ${r.ruleId}: ${l(r.title)}`);
      for (const x of r.findings) lines.push(findingLine(x));
    }
  if (m.findings.length) lines.push('');
  if (m.notEvaluated.length) {
    lines.push('NOT EVALUATED: the snapshot lacks data these rules need');
    for (const n of m.notEvaluated)
      lines.push(`  [${l(n.orgName)}] ${n.ruleId}: not evaluated: ${l(n.reason)}`);
    lines.push('');
  }
  for (const w of waiverAttention(m)) lines.push(`warning: ${l(w)}`);
  lines.push(`Verdict: ${l(m.verdict.headline)} (gate: ${m.verdict.gate})`);
  return `${lines.join('\n')}\n`;
}
