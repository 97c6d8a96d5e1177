/**
 * The Findings sheet, and with `--previous` the "Changes" (snapshot changes since the previous review,
 * escalations first and shaded) and "Resolved findings" (previous findings that no longer fire) sheets.
 */
import type { FindingMark, ResolvedFinding } from '../../../changes/compare-findings.js';
import type { ChangeRow } from '../../../changes/format-diff.js';
import type { FindingRow, ReportChanges, ReportModel, RuleFindingGroup } from '../../model.js';
import { controlsText } from '../shared.js';
import type { ColumnSpec, SheetSpec } from './sheet-engine.js';

/** Findings sheet column (only with --previous): `new` or `still open` since the last review. */
export const SINCE_LAST_REVIEW_HEADER = 'Since last review';

const MARK_TEXT: Record<FindingMark, string> = { new: 'new', 'still-open': 'still open' };
const ESCALATION_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFE4E6' } } as const;

/** A finding with the rule group it is listed under (title, remediation, controls). */
interface FindingItem {
  rule: RuleFindingGroup;
  finding: FindingRow;
}

function* findingItems(model: ReportModel): Iterable<FindingItem> {
  for (const g of model.findings)
    for (const rule of g.rules) for (const finding of rule.findings) yield { rule, finding };
}

/**
 * Columns only some reports have. With --previous, each finding says whether it is new since the last
 * review or was there then (the "Status" column already holds open / waived / fails gate, hence a
 * column of its own). "New" is new since the previous review; from --baseline it is "Not in baseline";
 * with neither it was TRUE of every finding, which says nothing, so the column is left out.
 */
function comparedColumns(model: ReportModel): Array<ColumnSpec<FindingItem>> {
  const columns: Array<ColumnSpec<FindingItem>> = [];
  const since = (f: FindingRow) => (f.sinceLastReview === null ? null : MARK_TEXT[f.sinceLastReview]);
  if (model.changes !== null) {
    columns.push({ header: SINCE_LAST_REVIEW_HEADER, width: 14, value: ({ finding }) => since(finding) });
    columns.push({
      header: 'New',
      width: 6,
      kind: 'bool',
      value: ({ finding }) => finding.sinceLastReview === 'new',
    });
  } else if (model.meta.inputs.baselineFile) {
    columns.push({
      header: 'Not in baseline',
      width: 18,
      kind: 'bool',
      value: ({ finding }) => finding.isNew,
    });
  }
  return columns;
}

export function findingsSheet(model: ReportModel): SheetSpec<FindingItem> {
  return {
    name: 'Findings',
    rows: findingItems(model),
    columns: [
      { header: 'Severity', width: 11, kind: 'severity', value: ({ finding }) => finding.severity },
      { header: 'Rule', width: 28, value: ({ finding }) => finding.ruleId },
      { header: 'Rule title', width: 36, value: ({ rule }) => rule.title },
      { header: 'Organization', width: 24, value: ({ finding }) => finding.orgName },
      { header: 'Subject type', width: 14, value: ({ finding }) => finding.subjectType },
      { header: 'Subject id', width: 26, value: ({ finding }) => finding.subjectId },
      { header: 'Subject', width: 32, value: ({ finding }) => finding.subjectName },
      { header: 'Message', width: 60, value: ({ finding }) => finding.message },
      {
        header: 'Evidence',
        width: 40,
        value: ({ finding }) => finding.evidence.map((e) => `${e.name}=${e.value}`).join('; '),
      },
      {
        header: 'Status',
        width: 12,
        value: ({ finding: f }) => (f.waived ? 'waived' : f.gating ? 'fails gate' : 'open'),
      },
      ...comparedColumns(model),
      { header: 'Waiver approver', width: 24, value: ({ finding }) => finding.waiver?.approver ?? null },
      {
        header: 'Waiver expires',
        width: 16,
        kind: 'date',
        value: ({ finding }) => finding.waiver?.expiresOn ?? null,
      },
      { header: 'Waiver reason', width: 36, value: ({ finding }) => finding.waiver?.reason ?? null },
      { header: 'Waiver ticket', width: 14, value: ({ finding }) => finding.waiver?.ticket ?? null },
      { header: 'Remediation', width: 50, value: ({ rule }) => rule.remediation },
      // The finding's controls (of the --framework selection, else of every framework).
      { header: 'Controls', width: 36, value: ({ finding }) => controlsText(finding.controls) || null },
      { header: 'Finding key', width: 50, value: ({ finding }) => finding.key },
    ],
  };
}

export function changesSheet(c: ReportChanges): SheetSpec<ChangeRow> {
  const columns: Array<ColumnSpec<ChangeRow>> = [
    { header: 'Organization', width: 24, value: (r) => r.orgName },
    { header: 'Change', width: 28, value: (r) => r.change },
    { header: 'Subject type', width: 14, value: (r) => r.subjectType },
    { header: 'Subject', width: 32, value: (r) => r.subjectName },
    { header: 'Details', width: 60, value: (r) => r.details },
    { header: 'Privilege escalation', width: 36, value: (r) => (r.escalation === '' ? null : r.escalation) },
    { header: 'Subject id', width: 36, value: (r) => r.subjectId },
    { header: 'Organization id', width: 26, value: (r) => r.orgId },
  ];
  return {
    name: 'Changes',
    rows: c.rows,
    columns,
    styleRow(row, r) {
      if (r.escalation === '') return;
      for (let col = 1; col <= columns.length; col++) row.getCell(col).fill = ESCALATION_FILL;
      row.getCell(6).font = { bold: true, color: { argb: 'FF9F1239' } };
    },
  };
}

export function resolvedFindingsSheet(c: ReportChanges): SheetSpec<ResolvedFinding> {
  return {
    name: 'Resolved findings',
    rows: c.resolved,
    columns: [
      { header: 'Severity', width: 11, kind: 'severity', value: (f) => f.severity },
      { header: 'Rule', width: 28, value: (f) => f.ruleId },
      { header: 'Rule title', width: 36, value: (f) => f.ruleTitle },
      { header: 'Organization', width: 24, value: (f) => f.orgName },
      { header: 'Subject type', width: 14, value: (f) => f.subjectType },
      { header: 'Subject', width: 32, value: (f) => f.subjectName },
      { header: 'Message (previous review)', width: 60, value: (f) => f.message },
      { header: 'Was waived', width: 11, kind: 'bool', value: (f) => f.wasWaived },
      { header: 'Finding key', width: 50, value: (f) => f.key },
    ],
  };
}
