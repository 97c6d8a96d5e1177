/**
 * Controls phase of the report model: the `--framework` selection as the report's meta states it, and
 * one row per control of the frameworks in scope with its status (`controlRows`, src/audit/controls.ts,
 * which the evidence pack's control matrix reads too).
 */
import type { AuditResult } from '../../audit/types.js';
import type { Snapshot } from '../../snapshot/schema.js';
import type { ReportFrameworks } from '../model.js';

export { controlRows } from '../../audit/controls.js';

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
