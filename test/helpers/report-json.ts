/** Reading the JSON output (the report model) in tests: findings are grouped by severity and rule. */
import type { FindingRow, ReportModel } from '../../src/report/model.js';

/** Every finding row of a parsed `--format json` / `report --json` document, in report order. */
export function findingRows(doc: unknown): FindingRow[] {
  return (doc as ReportModel).findings.flatMap((g) => g.rules.flatMap((r) => r.findings));
}
