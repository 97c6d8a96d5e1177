/**
 * The control matrix: each control of the frameworks in scope -> the rules that test it, their status
 * in the audit of the packed snapshot, and the packed files that evidence it. Pure.
 */
import {
  type ControlStatus,
  controlRows,
  groupRulesByControl,
  type RuleControlStatus,
} from '../audit/controls.js';
import type { AuditResult } from '../audit/types.js';
import { neutraliseFormula } from '../util/text-safety.js';

export { controlCounts } from '../audit/controls.js';

export interface ControlRow {
  /**
   * The framework id and control id, e.g. "pci-dss-4 8.2.6" (as the report's Controls sheet names it);
   * without framework catalogues, the reference as the rule files write it ("PCI DSS v4.0 8.2.6").
   */
  control: string;
  /** The control's title from its catalogue; null without catalogues. */
  title: string | null;
  status: ControlStatus;
  rules: RuleControlStatus[];
  open: number;
  waived: number;
  /** Packed files that hold the evidence: the snapshot the rules ran on and the reports showing the results. */
  files: string[];
}

/**
 * One row per control of the frameworks in scope (`--framework`, or every selectable framework when
 * none is selected) in catalogue order, the controls no rule tests included as `not evaluated`, so
 * the auditor sees the gaps; then controls the rules cite outside the scope. The report's Controls
 * sheet reads the same rows (src/audit/controls.ts). An audit given no catalogues falls back to the
 * rules' references, sorted.
 */
export function controlMatrix(audit: AuditResult, evidenceFiles: readonly string[]): ControlRow[] {
  if (audit.frameworks)
    return controlRows(audit).map((r) => ({
      control: `${r.framework} ${r.control}`,
      title: r.title,
      status: r.status,
      rules: r.rules.map(({ id, status, open, waived }) => ({ id, status, open, waived })),
      open: r.open,
      waived: r.waived,
      files: [...evidenceFiles],
    }));
  return groupRulesByControl(
    audit,
    (rule) => rule.references,
    (ref) => ref,
  )
    .map((g) => ({ ...g, title: null, files: [...evidenceFiles] }))
    .sort((a, b) => (a.control < b.control ? -1 : a.control > b.control ? 1 : 0));
}

/**
 * One CSV field: formula-neutralised, quoted on a separator (`,` and `;`, Excel's list separator in
 * some locales), quote, tab, line break or outer space; the same rule as the roster CSV's cells.
 */
function cell(value: string): string {
  const safe = neutraliseFormula(value);
  return /[",;\t\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** controls.csv: RFC 4180, CRLF, formula-neutralised cells (the rule ids and references are data). */
export function renderControlsCsv(rows: readonly ControlRow[]): string {
  const lines = [
    ['control', 'title', 'status', 'rules', 'rule statuses', 'open findings', 'waived findings', 'files'],
  ];
  for (const r of rows)
    lines.push([
      r.control,
      r.title ?? '',
      r.status,
      r.rules.map((x) => x.id).join(' '),
      r.rules.map((x) => `${x.id}: ${x.status}`).join('; '),
      String(r.open),
      String(r.waived),
      r.files.join(' '),
    ]);
  return `${lines.map((l) => l.map((v) => cell(v)).join(',')).join('\r\n')}\r\n`;
}
