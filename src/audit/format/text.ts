import { SEVERITY_ORDER } from '../../domain/severity.js';
import type { AuditResult } from '../types.js';
import { gateVerdict } from '../verdict.js';
import type { SnapshotMeta } from './index.js';
import { byOrganization, notEvaluatedCount, notEvaluatedText } from './not-evaluated.js';

/** `--format text`: a readable terminal summary, most severe first. */
export function renderText(result: AuditResult, snapshot: SnapshotMeta): string {
  const lines: string[] = [];
  const s = result.summary;
  lines.push(
    `Audit of ${snapshot.file} (collected ${snapshot.collectedAt}), evaluated ${result.evaluatedAt}`,
    snapshot.evidence.statement,
  );
  const enabled = result.rules.filter((r) => r.enabled).length;
  lines.push(`Rules: ${enabled} enabled of ${result.rules.length}`);
  if (result.notEvaluated.length)
    lines.push(
      `Not evaluated: ${notEvaluatedCount(result.notEvaluated)} (the snapshot lacks the data; neither findings nor passes)`,
    );
  const bySev = SEVERITY_ORDER.map((sev) => `${sev} ${s.bySeverity[sev]}`).join(', ');
  lines.push(`Findings: ${s.total} (${bySev}); waived ${s.waived}; open ${s.open}`);
  lines.push('');
  let current = '';
  for (const f of result.findings) {
    const head = `${f.severity.toUpperCase()} ${f.ruleId}: ${f.ruleTitle}`;
    if (head !== current) {
      current = head;
      lines.push(head);
    }
    const marks = [
      f.waived ? `waived until ${f.waiver?.expiresOn}: ${f.waiver?.reason}` : '',
      f.isNew ? '' : 'in baseline',
    ]
      .filter(Boolean)
      .join('; ');
    lines.push(`  [${f.orgName}] ${f.message}${marks ? ` (${marks})` : ''}`);
  }
  if (result.findings.length) lines.push('');
  if (result.notEvaluated.length) {
    lines.push('NOT EVALUATED: the snapshot lacks data these rules need');
    for (const n of byOrganization(result.notEvaluated))
      lines.push(`  [${n.orgName}] ${n.ruleId}: ${notEvaluatedText(n)}`);
    lines.push('');
  }
  const w = result.waivers;
  for (const x of w.expired)
    lines.push(`warning: waiver expired on ${x.expiresOn}: ${x.ruleId} / ${x.subject}`);
  for (const x of w.unused) lines.push(`warning: waiver matches nothing: ${x.ruleId} / ${x.subject}`);
  for (const x of w.expiringSoon)
    lines.push(`warning: waiver expires on ${x.expiresOn}: ${x.ruleId} / ${x.subject}`);
  for (const x of w.notApplied ?? [])
    lines.push(`warning: waiver not applied (${x.problem}): ${x.ruleId} / ${x.subject}: ${x.detail}`);
  const v = gateVerdict(result);
  lines.push(`Verdict: ${v.headline} (gate: ${v.gate})`);
  return `${lines.join('\n')}\n`;
}
