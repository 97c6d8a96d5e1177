/**
 * The Review sheet: one row per identity, columns in the contract's order (REVIEW_HEADERS, read back by
 * src/review/import.ts). Who the row is about stays on screen (frozen beside the header row) while the
 * reviewer scrolls through the evidence; the four input columns come right after it, shaded, Decision
 * with a list validation and Reviewed on with a date validation.
 */

import { identityKey } from '../../../domain/keys.js';
import {
  HEADERS,
  INPUT_HEADERS,
  PREDECIDED_REVOKE,
  RECOMMENDATION_HEADER,
  REVIEW_DATE_FORMAT,
  REVIEW_DECISIONS,
  REVIEW_HEADERS,
  REVIEW_IDENTITY_HEADERS,
  REVIEW_SHEET,
  WHY_FLAGGED_HEADER,
} from '../../../workbook/contract.js';
import type { FindingRow, ReportModel, RosterRow } from '../../model.js';
import { KEEP_RECOMMENDATION, recommendations } from '../../recommendation.js';
import { ROSTER_COLUMNS } from '../csv.js';
import type { CellKind, CellValue, ColumnSpec, SheetSpec } from './sheet-engine.js';

const INPUT_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFEF9C3' } } as const;
const WHY_FLAGGED_WIDTH = 60;
const RECOMMENDATION_WIDTH = 40;
const SEVERITY_WORD: Record<string, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};
const ROSTER_KINDS: Record<string, CellKind> = {
  Created: 'date',
  'Last activity': 'date',
  Expires: 'date',
  'Days since activity': 'number',
  'Open findings': 'number',
  'Max severity': 'severity',
};
const ROSTER_WIDTHS: Record<string, number> = {
  'Identity key': 30,
  Organization: 24,
  'Organization id': 26,
  Kind: 14,
  'Identity type': 30,
  Id: 26,
  Name: 32,
  'Display name': 24,
  Status: 14,
  'Org roles': 24,
  'Project roles': 40,
  Teams: 24,
  'Days since activity': 10,
  'Open findings': 10,
  'Max severity': 12,
  Rules: 30,
  'Not evaluated': 40,
};
const INPUT_WIDTHS: Record<string, number> = {
  [HEADERS.decision]: 12,
  [HEADERS.reviewer]: 26,
  [HEADERS.reviewedOn]: 13,
  [HEADERS.comment]: 40,
};

type Flagged = Array<{ title: string; finding: FindingRow }>;

function capitalise(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/**
 * "Why flagged", in words: for each finding on the identity (most severe first, as the Findings sheet
 * orders them), the rule's title and the finding's message, which states the evidence ("last signed in
 * 208 days ago (limit 90)"). Waived findings say so. A pre-filled Revoke says why it was pre-filled.
 */
function whyFlagged(r: RosterRow, found: Flagged): string | null {
  const parts: string[] = [];
  const predecided = PREDECIDED_REVOKE[r.status];
  if (predecided)
    parts.push(`${capitalise(predecided)}: Revoke pre-filled (change it if access is still needed)`);
  for (const { title, finding: f } of found) {
    const waived = f.waived ? ` (waived${f.waiver ? ` until ${f.waiver.expiresOn}` : ''})` : '';
    parts.push(`${SEVERITY_WORD[f.severity] ?? f.severity}: ${title}: ${f.message}${waived}`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Findings per identity key, with their rule's title, in the Findings sheet's order. */
function flaggedByIdentity(model: ReportModel): Map<string, Flagged> {
  const flagged = new Map<string, Flagged>();
  for (const g of model.findings)
    for (const r of g.rules)
      for (const f of r.findings) {
        const key = identityKey(f.orgId, f.subjectType, f.subjectId);
        const list = flagged.get(key) ?? [];
        list.push({ title: r.title, finding: f });
        flagged.set(key, list);
      }
  return flagged;
}

/** What the Review sheet's computed columns read: findings and recommendations by identity key, and the roster columns. */
interface ReviewSources {
  flagged: Map<string, Flagged>;
  recommended: Map<string, string>;
  roster: Map<string, (r: RosterRow) => CellValue>;
}

/** The findings-derived sources, computed once per model and shared by every workbook of a split. */
export type ReviewEvidence = Pick<ReviewSources, 'flagged' | 'recommended'>;

export function reviewEvidence(model: ReportModel): ReviewEvidence {
  return { flagged: flaggedByIdentity(model), recommended: recommendations(model) };
}

/** The value getter of one Review column: an input (Decision pre-filled for stale invitations), Recommendation, Why flagged, or a roster column. */
function reviewValue(
  header: string,
  { flagged, recommended, roster }: ReviewSources,
): (r: RosterRow) => CellValue {
  if (header === HEADERS.decision) return (r) => (PREDECIDED_REVOKE[r.status] ? 'Revoke' : null);
  if ((INPUT_HEADERS as readonly string[]).includes(header)) return () => null;
  if (header === RECOMMENDATION_HEADER) return (r) => recommended.get(r.key) ?? KEEP_RECOMMENDATION;
  if (header === WHY_FLAGGED_HEADER) return (r) => whyFlagged(r, flagged.get(r.key) ?? []);
  const value = roster.get(header);
  // REVIEW_HEADERS and ROSTER_COLUMNS drifting apart is a bug, caught by the first render.
  if (!value) throw new Error(`Review sheet column "${header}" is not a roster column`);
  return value;
}

/** The Review sheet of `model.roster`; `evidence` from {@link reviewEvidence} of the same findings. */
export function reviewSheet(
  model: ReportModel,
  evidence: ReviewEvidence = reviewEvidence(model),
  /** A campaign workbook's list offers Reassign too (`review merge` reads it; `review import` refuses it). */
  decisions: readonly string[] = REVIEW_DECISIONS,
): SheetSpec<RosterRow> {
  const sources: ReviewSources = {
    ...evidence,
    roster: new Map(ROSTER_COLUMNS.map((c) => [c.header, c.value])),
  };
  const columns: Array<ColumnSpec<RosterRow>> = REVIEW_HEADERS.map((h) => ({
    header: h,
    width:
      INPUT_WIDTHS[h] ??
      (h === WHY_FLAGGED_HEADER
        ? WHY_FLAGGED_WIDTH
        : h === RECOMMENDATION_HEADER
          ? RECOMMENDATION_WIDTH
          : (ROSTER_WIDTHS[h] ?? 18)),
    kind: h === HEADERS.reviewedOn ? 'date' : (ROSTER_KINDS[h] ?? 'text'),
    // Activity, creation and expiry are read as days; the time of day only clutters the column.
    numFmt: REVIEW_DATE_FORMAT,
    value: reviewValue(h, sources),
  }));
  const at = (h: string) => (REVIEW_HEADERS as readonly string[]).indexOf(h) + 1;
  const firstInput = at(HEADERS.decision);
  const reviewedOnCol = at(HEADERS.reviewedOn);
  return {
    name: REVIEW_SHEET,
    rows: model.roster,
    columns,
    frozenColumns: REVIEW_IDENTITY_HEADERS.length,
    styleRow(row) {
      for (let c = firstInput; c < firstInput + INPUT_HEADERS.length; c++) {
        const cell = row.getCell(c);
        cell.fill = INPUT_FILL;
        if (c === reviewedOnCol) cell.numFmt = REVIEW_DATE_FORMAT;
      }
    },
    validations: [
      {
        header: HEADERS.decision,
        rule: {
          type: 'list',
          allowBlank: true,
          formulae: [`"${decisions.join(',')}"`],
          showErrorMessage: true,
          errorStyle: 'stop',
          errorTitle: 'Decision',
          error: `Choose ${decisions.join(', ')}`,
        },
      },
      {
        header: HEADERS.reviewedOn,
        rule: {
          type: 'date',
          operator: 'greaterThan',
          allowBlank: true,
          formulae: [new Date('2000-01-01T00:00:00Z')],
          showErrorMessage: true,
          errorTitle: 'Reviewed on',
          error: 'Enter a date',
        },
      },
    ],
  };
}
