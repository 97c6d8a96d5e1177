/**
 * The control matrix: each control id the rules reference -> the rules that test it, their status in
 * the audit of the packed snapshot, and the packed files that evidence it. Pure.
 */
import type { AuditResult, RuleSummary } from '../audit/types.js';
import { neutraliseFormula } from '../util/text-safety.js';

const CONTROL_STATUSES = ['failing', 'not evaluated', 'waived', 'passing'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export interface ControlRow {
  /** The reference as the rule files write it, e.g. "PCI DSS v4.0 8.2.6". */
  control: string;
  status: ControlStatus;
  rules: Array<{ id: string; status: ControlStatus; open: number; waived: number }>;
  open: number;
  waived: number;
  /** Packed files that hold the evidence: the snapshot the rules ran on and the reports showing the results. */
  files: string[];
}

function ruleStatus(
  rule: RuleSummary,
  audit: AuditResult,
): { status: ControlStatus; open: number; waived: number } {
  const findings = audit.findings.filter((f) => f.ruleId === rule.id);
  const open = findings.filter((f) => !f.waived).length;
  const waived = findings.length - open;
  if (!rule.enabled) return { status: 'not evaluated', open, waived };
  if (open > 0) return { status: 'failing', open, waived };
  if (audit.notEvaluated.some((n) => n.ruleId === rule.id)) return { status: 'not evaluated', open, waived };
  if (waived > 0) return { status: 'waived', open, waived };
  return { status: 'passing', open, waived };
}

const rank = (s: ControlStatus) => CONTROL_STATUSES.indexOf(s);

/** One row per control id referenced by any rule, sorted by id; status is the worst of its rules'. */
export function controlMatrix(audit: AuditResult, evidenceFiles: readonly string[]): ControlRow[] {
  const byControl = new Map<string, ControlRow>();
  for (const rule of [...audit.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const r = ruleStatus(rule, audit);
    for (const control of new Set(rule.references)) {
      let row = byControl.get(control);
      if (!row) {
        row = { control, status: 'passing', rules: [], open: 0, waived: 0, files: [...evidenceFiles] };
        byControl.set(control, row);
      }
      row.rules.push({ id: rule.id, ...r });
      row.open += r.open;
      row.waived += r.waived;
      if (rank(r.status) < rank(row.status)) row.status = r.status;
    }
  }
  return [...byControl.values()].sort((a, b) => (a.control < b.control ? -1 : a.control > b.control ? 1 : 0));
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

/** Count of controls per status, every status present. */
export function controlCounts(rows: readonly ControlRow[]): Record<ControlStatus, number> {
  const counts = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>;
  for (const r of rows) counts[r.status] += 1;
  return counts;
}
