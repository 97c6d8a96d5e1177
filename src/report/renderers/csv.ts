/** CSV renderer: the review roster, one row per identity, RFC 4180 quoting, formula-safe. */

import { neutraliseFormula } from '../../util/text-safety.js';
import { RECOMMENDATION_HEADER } from '../../workbook/contract.js';
import { identityTypeText, type ReportModel, type RosterRow } from '../model.js';
import { KEEP_RECOMMENDATION, recommendations } from '../recommendation.js';
import { controlLabel } from './shared.js';

/** Column headings and how each is read from a roster row. Shared with the XLSX Review sheet's order. */
export const ROSTER_COLUMNS: Array<{ header: string; value: (r: RosterRow) => string | number | null }> = [
  { header: 'Identity key', value: (r) => r.key },
  { header: 'Organization', value: (r) => r.orgName },
  { header: 'Organization id', value: (r) => r.orgId },
  { header: 'Kind', value: (r) => r.kind },
  { header: 'Id', value: (r) => r.id },
  { header: 'Name', value: (r) => r.name },
  { header: 'Display name', value: (r) => r.displayName },
  { header: 'Status', value: (r) => r.status },
  { header: 'Org roles', value: (r) => r.orgRoles.join(', ') },
  { header: 'Project roles', value: (r) => r.projectRoles.join('; ') },
  { header: 'Teams', value: (r) => r.teams.join(', ') },
  { header: 'Created', value: (r) => r.createdAt },
  { header: 'Last activity', value: (r) => r.lastActivity },
  { header: 'Days since activity', value: (r) => r.daysSinceActivity },
  { header: 'Expires', value: (r) => r.expiresAt },
  { header: 'Open findings', value: (r) => r.openFindingCount },
  { header: 'Max severity', value: (r) => r.maxSeverity },
  { header: 'Rules', value: (r) => r.findingRules.join(', ') },
  // Rules that could not check this identity (its org's snapshot lacks their data): not a pass.
  { header: 'Not evaluated', value: (r) => r.notEvaluated.join('; ') },
  // Last, beside the reviewer's Decision: person, non-human (Atlas Charts) or programmatic, and what
  // manages it when the organization does not. Appended so the columns before it keep their letters.
  { header: 'Identity type', value: (r) => identityTypeText(r) },
];

/** One CSV field: formula-neutralised, quoted when it holds a separator, quote or line break. */
export function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = neutraliseFormula(value);
  // Quote on `;` and tab too: Excel in locales whose list separator is `;` (de, fr, nl, ...) would
  // otherwise split `x;=1+2` into a second cell that is a formula.
  return /[",;\t\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The CSV's own column after the Recommendation: the controls the identity's findings evidence
 * ("pci-dss-4 8.2.6; soc2 CC6.2", in rule order, each once). Not a roster column, so the Review
 * sheet's columns stay as they are.
 */
const CSV_CONTROLS_HEADER = 'Controls';

function controlsByRule(model: ReportModel): (r: RosterRow) => string {
  const byRule = new Map(model.rules.map((r) => [r.id, r.controls.map(controlLabel)]));
  return (r) => [...new Set(r.findingRules.flatMap((id) => byRule.get(id) ?? []))].join('; ');
}

/**
 * Renders the roster as CSV with CRLF line ends and a UTF-8 BOM so Excel detects the encoding. The
 * Recommendation (the Review sheet's, src/report/recommendation.ts) and the Controls follow the
 * roster columns, so theirs keep their letters.
 */
export function renderCsv(model: ReportModel): string {
  return [...renderCsvChunks(model)].join('');
}

/** The roster CSV in pieces of a thousand lines (a 50,000-user roster is 47 MB). */
export function* renderCsvChunks(model: ReportModel): Generator<string> {
  const recommended = recommendations(model);
  const controls = controlsByRule(model);
  let lines = [
    `\uFEFF${[...ROSTER_COLUMNS.map((c) => cell(c.header)), cell(RECOMMENDATION_HEADER), cell(CSV_CONTROLS_HEADER)].join(',')}`,
  ];
  for (const r of model.roster) {
    lines.push(
      [
        ...ROSTER_COLUMNS.map((c) => cell(c.value(r))),
        cell(recommended.get(r.key) ?? KEEP_RECOMMENDATION),
        cell(controls(r)),
      ].join(','),
    );
    if (lines.length === 1000) {
      yield `${lines.join('\r\n')}\r\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\r\n')}\r\n`;
}
