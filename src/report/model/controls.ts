/**
 * Controls phase of the report model: the `--framework` selection as the report's meta states it, and
 * one row per control of the frameworks in scope with its status (src/audit/controls.ts, the
 * computation the evidence pack's control matrix uses too).
 */
import { groupRulesByControl } from '../../audit/controls.js';
import type { AuditResult } from '../../audit/types.js';
import type { ControlRef } from '../../rules/frameworks.js';
import type { Snapshot } from '../../snapshot/schema.js';
import type { ControlReportRow, ReportFrameworks } from '../model.js';

const DAY_MS = 86_400_000;

/** The selection, what its presets set, and the strictest review cadence with the next review's date. */
export function reportFrameworks(audit: AuditResult, snapshot: Snapshot): ReportFrameworks {
  const fw = audit.frameworks;
  const selected = fw ? fw.scope.filter((c) => fw.selected.includes(c.id)) : [];
  let cadence: ReportFrameworks['reviewCadence'] = null;
  for (const c of selected) {
    const r = c.reviewCadence;
    if (r === null || (cadence !== null && cadence.maxDays <= r.maxDays)) continue;
    const due = new Date(Date.parse(snapshot.collectedAt) + r.maxDays * DAY_MS).toISOString().slice(0, 10);
    cadence = { framework: c.id, control: r.control, maxDays: r.maxDays, text: r.text, nextReviewBy: due };
  }
  return {
    selected: selected.map((c) => ({ id: c.id, name: c.name })),
    settings: fw
      ? fw.settings.map((s) => ({ ...s, setBy: [...s.setBy], overridden: [...s.overridden] }))
      : [],
    reviewCadence: cadence,
  };
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
