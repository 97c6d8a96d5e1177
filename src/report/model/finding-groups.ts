/** Findings section of the report model: finding rows grouped by severity, then by rule. */
import type { RuleSummary } from '../../audit/types.js';
import { compareText } from '../../domain/compare-text.js';
import { SEVERITY_ORDER } from '../../domain/severity.js';
import type { FindingRow, RuleFindingGroup, SeverityGroup } from '../model.js';
import { pushTo } from './shared.js';

export function groupFindings(rows: FindingRow[], rules: RuleSummary[]): SeverityGroup[] {
  const ruleInfo = new Map(rules.map((r) => [r.id, r]));
  const groups: SeverityGroup[] = [];
  for (const severity of SEVERITY_ORDER) {
    const ofSeverity = rows.filter((r) => r.severity === severity);
    if (ofSeverity.length === 0) continue;
    const byRule = new Map<string, FindingRow[]>();
    for (const r of ofSeverity) pushTo(byRule, r.ruleId, r);
    const ruleGroups: RuleFindingGroup[] = [...byRule.keys()].sort(compareText).map((ruleId) => {
      const list = byRule.get(ruleId)!;
      const info = ruleInfo.get(ruleId);
      const waived = list.filter((r) => r.waived).length;
      return {
        ruleId,
        title: info?.title ?? list[0]!.ruleTitle,
        severity,
        rationale: info?.rationale ?? '',
        remediation: info?.remediation ?? '',
        references: info ? [...info.references] : [],
        controls: info?.controls ? [...info.controls] : [],
        count: list.length,
        open: list.length - waived,
        waived,
        findings: list,
      };
    });
    const waived = ofSeverity.filter((r) => r.waived).length;
    groups.push({
      severity,
      count: ofSeverity.length,
      open: ofSeverity.length - waived,
      waived,
      rules: ruleGroups,
    });
  }
  return groups;
}
