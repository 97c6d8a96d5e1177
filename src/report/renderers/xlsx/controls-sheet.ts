/**
 * The Controls sheet (`report --group-by control`): one row per control of the frameworks in scope,
 * with its status as the evidence pack's control matrix computes it (src/audit/controls.ts), the rules
 * that test it and their findings. A control no rule tests is listed, not evaluated, so the gap shows.
 */
import type { ControlReportRow, ReportModel } from '../../model.js';
import type { SheetSpec } from './sheet-engine.js';

const CONTROLS_SHEET = 'Controls';

const STATUS_FILL: Record<ControlReportRow['status'], string> = {
  failing: 'FFFECDD3',
  'not evaluated': 'FFFEF3C7',
  waived: 'FFE2E8F0',
  passing: 'FFDCFCE7',
};

export function controlsSheet(model: ReportModel): SheetSpec<ControlReportRow> {
  return {
    name: CONTROLS_SHEET,
    rows: model.controls,
    frozenColumns: 2,
    columns: [
      { header: 'Framework', width: 14, value: (c) => c.framework },
      { header: 'Control', width: 12, value: (c) => c.control },
      { header: 'Title', width: 60, value: (c) => c.title },
      { header: 'Status', width: 14, value: (c) => c.status },
      { header: 'Rules', width: 48, value: (c) => c.rules.map((r) => r.id).join(', ') || null },
      {
        header: 'Rule statuses',
        width: 60,
        value: (c) => c.rules.map((r) => `${r.id}: ${r.status}`).join('; ') || null,
      },
      { header: 'Findings', width: 10, kind: 'number', value: (c) => c.findings },
      { header: 'Open', width: 8, kind: 'number', value: (c) => c.open },
      { header: 'Waived', width: 8, kind: 'number', value: (c) => c.waived },
    ],
    styleRow(row, c) {
      row.getCell(4).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: STATUS_FILL[c.status] } };
    },
  };
}
