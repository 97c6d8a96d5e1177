/** Rules sections of the report model: rule coverage rows and every rule x org not evaluated. */
import type { AuditResult } from '../../audit/types.js';
import { compareText } from '../../domain/compare-text.js';
import { severityRank } from '../../domain/severity.js';
import type { FindingRow, NotEvaluatedRow, RuleRow } from '../model.js';

/** One row per rule, most severe first, then by id; `waived` counted from the finding rows. */
export function ruleRows(audit: AuditResult, findingRows: readonly FindingRow[]): RuleRow[] {
  const waivedByRule = new Map<string, number>();
  for (const r of findingRows)
    if (r.waived) waivedByRule.set(r.ruleId, (waivedByRule.get(r.ruleId) ?? 0) + 1);
  return [...audit.rules]
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || compareText(a.id, b.id))
    .map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      subjectKind: r.subjectKind,
      enabled: r.enabled,
      description: r.description,
      rationale: r.rationale,
      remediation: r.remediation,
      subjectsChecked: r.subjectsChecked,
      passed: r.passed,
      failed: r.failed,
      waived: waivedByRule.get(r.id) ?? 0,
      notEvaluated: audit.notEvaluated
        .filter((n) => n.ruleId === r.id)
        .map((n) => ({ orgId: n.orgId, orgName: n.orgName, reason: n.reason }))
        .sort((a, b) => compareText(a.orgName, b.orgName) || compareText(a.orgId, b.orgId)),
      references: [...r.references],
      controls: [...(r.controls ?? [])],
      params: Object.keys(r.params)
        .sort(compareText)
        .map((k) => `${k}=${JSON.stringify(r.params[k])}`),
    }));
}

/** Every rule x org not evaluated, by organization, then severity and rule. */
export function notEvaluatedRows(audit: AuditResult): NotEvaluatedRow[] {
  return audit.notEvaluated
    .map((n) => ({
      orgId: n.orgId,
      orgName: n.orgName,
      ruleId: n.ruleId,
      ruleTitle: n.ruleTitle,
      severity: n.severity,
      subjectKind: n.subjectKind,
      missing: [...n.missing],
      reason: n.reason,
    }))
    .sort(
      (a, b) =>
        compareText(a.orgName, b.orgName) ||
        compareText(a.orgId, b.orgId) ||
        severityRank(b.severity) - severityRank(a.severity) ||
        compareText(a.ruleId, b.ruleId),
    );
}
