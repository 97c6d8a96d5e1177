/**
 * The control matrix: each control id the rules reference -> the rules that test it, their status in
 * the audit of the packed snapshot, and the packed files that evidence it. Pure.
 */
import { type ControlStatus, groupRulesByControl, type RuleControlStatus } from '../audit/controls.js';
import type { AuditResult } from '../audit/types.js';
import { neutraliseFormula } from '../util/text-safety.js';

export { controlCounts } from '../audit/controls.js';

export interface ControlRow {
  /** The reference as the rule files write it, e.g. "PCI DSS v4.0 8.2.6". */
  control: string;
  status: ControlStatus;
  rules: RuleControlStatus[];
  open: number;
  waived: number;
  /** Packed files that hold the evidence: the snapshot the rules ran on and the reports showing the results. */
  files: string[];
}

/**
 * One row per control id referenced by any rule, sorted by id; status is the worst of its rules' (the
 * computation the report's Controls sheet shares, src/audit/controls.ts).
 */
export function controlMatrix(audit: AuditResult, evidenceFiles: readonly string[]): ControlRow[] {
  return groupRulesByControl(
    audit,
    (rule) => rule.references,
    (ref) => ref,
  )
    .map((g) => ({ ...g, files: [...evidenceFiles] }))
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
    ['control', 'status', 'rules', 'rule statuses', 'open findings', 'waived findings', 'files'],
  ];
  for (const r of rows)
    lines.push([
      r.control,
      r.status,
      r.rules.map((x) => x.id).join(' '),
      r.rules.map((x) => `${x.id}: ${x.status}`).join('; '),
      String(r.open),
      String(r.waived),
      r.files.join(' '),
    ]);
  return `${lines.map((l) => l.map((v) => cell(v)).join(',')).join('\r\n')}\r\n`;
}
