import type { Severity } from '../../domain/severity.js';
import type { AuditResult } from '../types.js';
import type { SnapshotMeta } from './index.js';
import { byOrganization, notEvaluatedCount, notEvaluatedText } from './not-evaluated.js';

/** Escapes a workflow command's message (data) part. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** Escapes a workflow command's property value. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'notice'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'notice',
};

/**
 * `--format github`: one workflow annotation per finding (waived ones as notices), a notice per rule
 * not evaluated in an org, and one per waiver problem. The Markdown step summary is written by the
 * command (it appends to $GITHUB_STEP_SUMMARY).
 */
export function renderGithub(result: AuditResult, snapshot: SnapshotMeta): string {
  const lines: string[] = [];
  for (const f of result.findings) {
    const level = f.waived ? 'notice' : LEVEL[f.severity];
    const title = `${f.severity} ${f.ruleId}${f.waived ? ' (waived)' : ''}`;
    lines.push(
      `::${level} file=${escapeProperty(snapshot.file)},title=${escapeProperty(title)}::${escapeData(`[${f.orgName}] ${f.message}`)}`,
    );
  }
  for (const n of byOrganization(result.notEvaluated)) {
    lines.push(
      `::notice file=${escapeProperty(snapshot.file)},title=${escapeProperty(`not evaluated ${n.ruleId}`)}::${escapeData(`[${n.orgName}] ${n.ruleId} ${notEvaluatedText(n)}`)}`,
    );
  }
  for (const w of result.waivers.expired) {
    lines.push(
      `::warning title=waiver expired::${escapeData(`${w.ruleId} / ${w.subject} expired on ${w.expiresOn}`)}`,
    );
  }
  for (const w of result.waivers.unused) {
    lines.push(
      `::warning title=waiver unused::${escapeData(`${w.ruleId} / ${w.subject} matches no finding`)}`,
    );
  }
  for (const w of result.waivers.notApplied ?? []) {
    lines.push(
      `::error title=waiver not applied::${escapeData(`${w.ruleId} / ${w.subject}: ${w.detail} (${w.problem})`)}`,
    );
  }
  for (const w of result.waivers.expiringSoon) {
    lines.push(
      `::warning title=waiver expiring::${escapeData(`${w.ruleId} / ${w.subject} expires on ${w.expiresOn}`)}`,
    );
  }
  const g = result.gate;
  const skipped = result.notEvaluated.length
    ? `; not evaluated: ${notEvaluatedCount(result.notEvaluated)}`
    : '';
  lines.push(
    `audit: ${result.summary.total} finding(s), ${result.summary.waived} waived${skipped}; gate ${g.failOn === 'never' ? 'off' : g.failed ? `failed (${g.failing} at or above ${g.failOn})` : 'passed'}`,
  );
  return `${lines.join('\n')}\n`;
}
