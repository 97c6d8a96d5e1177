/**
 * Control status: what an audit says about each control its rules evidence. A rule is failing with an
 * open finding, not evaluated when disabled or when it could not run somewhere, waived when its only
 * findings are waived, else passing; a control takes the worst status of its rules. The evidence pack's
 * control matrix (src/pack/controls.ts) and the report's Controls sheet and grouping read this one
 * computation. Pure.
 */
import type { Severity } from '../domain/severity.js';
import type { ControlRef } from '../rules/frameworks.js';
import type { AuditResult, RuleSummary } from './types.js';

/** Worst first: the order a control's status is taken in. */
const CONTROL_STATUSES = ['failing', 'not evaluated', 'waived', 'passing'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

/** One rule's part in a control's status. */
export interface RuleControlStatus {
  id: string;
  status: ControlStatus;
  /** Unwaived findings of the rule. */
  open: number;
  waived: number;
}

/** A control (keyed by `K`) with the rules that test it and the status they add up to. */
export interface ControlStatusGroup<K> {
  control: K;
  status: ControlStatus;
  rules: RuleControlStatus[];
  open: number;
  waived: number;
}

/** The status of one rule in an audit, and its open and waived findings. */
function ruleControlStatus(
  rule: RuleSummary,
  audit: Pick<AuditResult, 'findings' | 'notEvaluated'>,
): RuleControlStatus {
  let open = 0;
  let waived = 0;
  for (const f of audit.findings)
    if (f.ruleId === rule.id) {
      if (f.waived) waived += 1;
      else open += 1;
    }
  const at = (status: ControlStatus): RuleControlStatus => ({ id: rule.id, status, open, waived });
  if (!rule.enabled) return at('not evaluated');
  if (open > 0) return at('failing');
  if (audit.notEvaluated.some((n) => n.ruleId === rule.id)) return at('not evaluated');
  if (waived > 0) return at('waived');
  return at('passing');
}

const rank = (s: ControlStatus) => CONTROL_STATUSES.indexOf(s);

/**
 * Groups the audit's rules by the controls `controlsOf` names for each (deduplicated by `keyOf`), in
 * first-seen order over the rules sorted by id; each group's status is the worst of its rules'.
 */
export function groupRulesByControl<K>(
  audit: Pick<AuditResult, 'rules' | 'findings' | 'notEvaluated'>,
  controlsOf: (rule: RuleSummary) => readonly K[],
  keyOf: (control: K) => string,
): Array<ControlStatusGroup<K>> {
  const byControl = new Map<string, ControlStatusGroup<K>>();
  for (const rule of [...audit.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const r = ruleControlStatus(rule, audit);
    for (const control of controlsOf(rule)) {
      const key = keyOf(control);
      let group = byControl.get(key);
      if (!group) {
        group = { control, status: 'passing', rules: [], open: 0, waived: 0 };
        byControl.set(key, group);
      }
      if (group.rules.some((x) => x.id === r.id)) continue;
      group.rules.push(r);
      group.open += r.open;
      group.waived += r.waived;
      if (rank(r.status) < rank(group.status)) group.status = r.status;
    }
  }
  return [...byControl.values()];
}

/** Count of controls per status, every status present. */
export function controlCounts(rows: ReadonlyArray<{ status: ControlStatus }>): Record<ControlStatus, number> {
  const counts = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>;
  for (const r of rows) counts[r.status] += 1;
  return counts;
}

/** One control of the frameworks in scope, with the rules that test it and their status. */
export interface ControlReportRow {
  framework: string;
  frameworkName: string;
  control: string;
  title: string;
  /** Worst of its rules'; `not evaluated` when no rule tests it. */
  status: ControlStatus;
  rules: Array<RuleControlStatus & { title: string; severity: Severity }>;
  /** Findings of its rules: unwaived, waived, all. */
  open: number;
  waived: number;
  findings: number;
}

const keyOf = (c: ControlRef) => `${c.framework} ${c.control}`;

/**
 * Every control of the frameworks in scope in catalogue order, with its rules' status; then controls
 * the rules cite outside the scope (a source that is not a profile), by framework and id. A control no
 * rule tests is `not evaluated` with no rules, so the gap shows.
 */
export function controlRows(audit: AuditResult): ControlReportRow[] {
  const fw = audit.frameworks;
  if (!fw) return [];
  const rulesById = new Map(audit.rules.map((r) => [r.id, r]));
  const groups = new Map(
    groupRulesByControl(audit, (r) => r.controls ?? [], keyOf).map((g) => [keyOf(g.control), g]),
  );
  const rows: ControlReportRow[] = [];
  const row = (framework: string, frameworkName: string, control: string, title: string) => {
    const g = groups.get(`${framework} ${control}`);
    groups.delete(`${framework} ${control}`);
    const rules = (g?.rules ?? []).map((r) => {
      const rule = rulesById.get(r.id)!;
      return { ...r, title: rule.title, severity: rule.severity };
    });
    const open = g?.open ?? 0;
    const waived = g?.waived ?? 0;
    rows.push({
      framework,
      frameworkName,
      control,
      title,
      status: g?.status ?? 'not evaluated',
      rules,
      open,
      waived,
      findings: open + waived,
    });
  };
  for (const c of fw.scope) for (const x of c.controls) row(c.id, c.name, x.id, x.title);
  const rest = [...groups.values()].sort((a, b) => (keyOf(a.control) < keyOf(b.control) ? -1 : 1));
  for (const g of rest) row(g.control.framework, g.control.framework, g.control.control, g.control.title);
  return rows;
}
