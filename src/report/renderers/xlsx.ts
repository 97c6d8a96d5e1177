/**
 * XLSX renderer: the quarterly review workbook (issue 4 "XLSX"). Written with exceljs's streaming
 * WorkbookWriter into memory (DEPENDENCIES.md §3/§4.6: the in-memory writer needs ~7x the memory), so it
 * still only returns bytes.
 *
 * Contract with `review import` (read back by a later stage), in src/review/workbook-contract.ts:
 * - sheet "Summary": column A label "Snapshot sha256", column B the hex digest; the same digest is in the
 *   workbook's core properties `subject` and `keywords` as `snapshot-sha256:<hex>`.
 * - sheet "Review": row 1 headers (REVIEW_HEADERS): who (Name, Display name, Kind, Organization, frozen
 *   with the header row), the four inputs "Decision" (list validation Keep, Revoke, Modify), "Reviewer",
 *   "Reviewed on" and "Comment", then the evidence, "Why flagged" first and "Identity key"
 *   (`orgId:subjectType:id`, see RosterRow.key) among it. Expired and rejected invitations are written
 *   with Decision `Revoke` (PREDECIDED_REVOKE). Every sheet prints landscape, one page wide, with its
 *   header row repeated.
 * With `--previous` the Findings sheet gets a "Since last review" column and two sheets follow it:
 * "Changes" (snapshot changes, escalations first) and "Resolved findings".
 * Every text value is passed through neutraliseFormula, and no cell is ever written as a formula.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FindingMark } from '../../changes/compare-findings.js';
import { identityKey } from '../../domain/keys.js';
import { coverageText } from '../../rules/requirements.js';
import { neutraliseFormula } from '../../util/text-safety.js';
import {
  HEADERS,
  INPUT_HEADERS,
  PREDECIDED_REVOKE,
  REVIEW_DATE_FORMAT,
  REVIEW_DECISIONS,
  REVIEW_HEADERS,
  REVIEW_IDENTITY_HEADERS,
  REVIEW_SHEET,
  SUMMARY_SHA_LABEL,
  SUMMARY_SHEET,
  WHY_FLAGGED_HEADER,
} from '../../workbook/contract.js';
import type { FindingRow, ReportChanges, ReportModel, RosterRow } from '../model.js';
import { ROSTER_COLUMNS } from './csv.js';

export { REVIEW_DECISIONS, REVIEW_HEADERS, SUMMARY_SHA_LABEL };
/** Headers of the reviewer-editable columns of the Review sheet (from the shared contract). */
export const REVIEW_INPUT_HEADERS = INPUT_HEADERS;

/** Findings sheet column (only with --previous): `new` or `still open` since the last review. */
export const SINCE_LAST_REVIEW_HEADER = 'Since last review';

const MARK_TEXT: Record<FindingMark, string> = { new: 'new', 'still-open': 'still open' };
const ESCALATION_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFE4E6' } } as const;

type CellKind = 'text' | 'number' | 'date' | 'severity' | 'bool';
type CellValue = string | number | boolean | null;
interface Column {
  header: string;
  width: number;
  kind?: CellKind;
  /** Number format of a date column (default DATE_FORMAT, date and time). */
  numFmt?: string;
}

const DATE_FORMAT = 'yyyy-mm-dd hh:mm';
const HEADER_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF0F172A' } } as const;
const HEADER_FONT = { bold: true, color: { argb: 'FFFFFFFF' } } as const;
const INPUT_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFEF9C3' } } as const;
const SEVERITY_STYLE: Record<string, { fill: string; font: string }> = {
  critical: { fill: 'FF9F1239', font: 'FFFFFFFF' },
  high: { fill: 'FFC2410C', font: 'FFFFFFFF' },
  medium: { fill: 'FFFACC15', font: 'FF422006' },
  low: { fill: 'FF2563EB', font: 'FFFFFFFF' },
};

function toDate(iso: string | null): Date | null {
  if (iso === null || iso === '') return null;
  // Waiver expiries are YYYY-MM-DD: read them as UTC midnight, not local time.
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

class SheetWriter {
  private readonly ws: ExcelJS.Worksheet;
  rows = 1;
  constructor(
    wb: ExcelJS.stream.xlsx.WorkbookWriter,
    name: string,
    private readonly columns: Column[],
    opts: { filter?: boolean; frozenColumns?: number } = {},
  ) {
    const xSplit = opts.frozenColumns ?? 0;
    this.ws = wb.addWorksheet(name, {
      views: [{ state: 'frozen', ySplit: 1, xSplit, topLeftCell: `${columnLetter(xSplit + 1)}2` }],
      // On paper: landscape, every column within one page width (as many pages down as it takes) and
      // the header row on every page, so each printed page can be read on its own.
      pageSetup: {
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '1:1',
      },
    });
    this.ws.columns = columns.map((c) => ({ width: c.width }));
    if (opts.filter !== false) {
      this.ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
    }
    const header = this.ws.addRow(columns.map((c) => c.header));
    header.eachCell((cell) => {
      cell.fill = HEADER_FILL;
      cell.font = HEADER_FONT;
      cell.alignment = { vertical: 'middle' };
    });
    header.commit();
  }

  get worksheet(): ExcelJS.Worksheet {
    return this.ws;
  }

  add(values: CellValue[], styleRow?: (row: ExcelJS.Row) => void): void {
    const row = this.ws.addRow(
      values.map((v, i) => {
        const kind = this.columns[i]?.kind ?? 'text';
        if (v === null) return null;
        if (kind === 'date' && typeof v === 'string') return toDate(v);
        // No value from Atlas may start a formula, even in a cell typed as text (see module doc).
        return typeof v === 'string' ? neutraliseFormula(v) : v;
      }),
    );
    this.columns.forEach((c, i) => {
      if (c.kind === 'date') row.getCell(i + 1).numFmt = c.numFmt ?? DATE_FORMAT;
      if (c.kind === 'severity') {
        const sev = values[i];
        const style = typeof sev === 'string' ? SEVERITY_STYLE[sev] : undefined;
        if (style) {
          const cell = row.getCell(i + 1);
          cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: style.fill } };
          cell.font = { bold: true, color: { argb: style.font } };
        }
      }
    });
    styleRow?.(row);
    row.commit();
    this.rows++;
  }

  commit(): void {
    this.ws.commit();
  }
}

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

/** Renders the review workbook. Async because exceljs streams the zip. */
export async function renderXlsx(model: ReportModel): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  const generated = new Date(model.meta.generatedAt);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = `${model.meta.tool.name} ${model.meta.tool.version}`;
  wb.lastModifiedBy = wb.creator;
  // Document dates come from the model, never the clock, so the properties are reproducible.
  wb.created = generated;
  wb.modified = generated;
  const fingerprint = `snapshot-sha256:${model.meta.snapshotSha256}`;
  wb.title = neutraliseFormula(model.meta.title);
  wb.subject = fingerprint;
  wb.keywords = fingerprint;
  wb.description = `Access review workbook; report schema v${model.reportSchemaVersion}`;

  writeSummary(wb, model);

  // With --previous, each finding says whether it is new since the last review or was there then. The
  // sheet's "Status" column already holds open / waived / fails gate, hence a column of its own.
  const compared = model.changes !== null;
  // "New" is new since the previous review (--previous). From --baseline it is "Not in baseline"; with
  // neither it was TRUE of every finding, which says nothing, so the column is left out.
  const newColumn = compared
    ? { header: 'New', value: (f: FindingRow) => f.sinceLastReview === 'new' }
    : model.meta.inputs.baselineFile
      ? { header: 'Not in baseline', value: (f: FindingRow) => f.isNew }
      : null;
  const findings = new SheetWriter(wb, 'Findings', [
    { header: 'Severity', width: 11, kind: 'severity' },
    { header: 'Rule', width: 28 },
    { header: 'Rule title', width: 36 },
    { header: 'Organization', width: 24 },
    { header: 'Subject type', width: 14 },
    { header: 'Subject id', width: 26 },
    { header: 'Subject', width: 32 },
    { header: 'Message', width: 60 },
    { header: 'Evidence', width: 40 },
    { header: 'Status', width: 12 },
    ...(compared ? [{ header: SINCE_LAST_REVIEW_HEADER, width: 14 }] : []),
    ...(newColumn
      ? [{ header: newColumn.header, width: newColumn.header.length + 3, kind: 'bool' as const }]
      : []),
    { header: 'Waiver approver', width: 24 },
    { header: 'Waiver expires', width: 16, kind: 'date' },
    { header: 'Waiver reason', width: 36 },
    { header: 'Waiver ticket', width: 14 },
    { header: 'Remediation', width: 50 },
    { header: 'Controls', width: 36 },
    { header: 'Finding key', width: 50 },
  ]);
  for (const g of model.findings)
    for (const r of g.rules)
      for (const f of r.findings)
        findings.add([
          f.severity,
          f.ruleId,
          r.title,
          f.orgName,
          f.subjectType,
          f.subjectId,
          f.subjectName,
          f.message,
          f.evidence.map((e) => `${e.name}=${e.value}`).join('; '),
          f.waived ? 'waived' : f.gating ? 'fails gate' : 'open',
          ...(compared ? [f.sinceLastReview === null ? null : MARK_TEXT[f.sinceLastReview]] : []),
          ...(newColumn ? [newColumn.value(f)] : []),
          f.waiver?.approver ?? null,
          f.waiver?.expiresOn ?? null,
          f.waiver?.reason ?? null,
          f.waiver?.ticket ?? null,
          r.remediation,
          r.references.join('; '),
          f.key,
        ]);
  findings.commit();

  if (model.changes) writeChanges(wb, model.changes);

  writeReview(wb, model);

  const teams = new SheetWriter(wb, 'Teams', [
    { header: 'Organization', width: 24 },
    { header: 'Team', width: 28 },
    { header: 'Team id', width: 26 },
    { header: 'Members', width: 10, kind: 'number' },
    { header: 'Project roles', width: 48 },
    { header: 'Member list', width: 60 },
    { header: 'Findings', width: 10, kind: 'number' },
  ]);
  for (const t of model.teams)
    teams.add([
      t.orgName,
      t.name,
      t.id,
      t.memberCount,
      t.projectRoles.join('; '),
      t.members.join(', '),
      t.findingCount,
    ]);
  teams.commit();

  const prog = new SheetWriter(wb, 'Programmatic identities', [
    { header: 'Identity key', width: 30 },
    { header: 'Organization', width: 24 },
    { header: 'Kind', width: 15 },
    { header: 'Managed by', width: 12 },
    { header: 'Id', width: 36 },
    { header: 'Name', width: 28 },
    { header: 'Description', width: 32 },
    { header: 'Org roles', width: 24 },
    { header: 'Project roles', width: 40 },
    { header: 'Access list', width: 30 },
    { header: 'Secrets', width: 9, kind: 'number' },
    { header: 'Created', width: 17, kind: 'date' },
    { header: 'Last used', width: 17, kind: 'date' },
    { header: 'Expires', width: 17, kind: 'date' },
    { header: 'Findings', width: 10, kind: 'number' },
    { header: 'Max severity', width: 12, kind: 'severity' },
  ]);
  for (const p of model.programmatic)
    prog.add([
      p.key,
      p.orgName,
      p.kind,
      p.managedBy,
      p.id,
      p.name,
      p.description,
      p.orgRoles.join(', '),
      p.projectRoles.join('; '),
      !p.accessListCollected ? 'not collected' : p.accessList.length > 0 ? p.accessList.join(', ') : 'none',
      p.secrets,
      p.createdAt,
      p.lastUsedAt,
      p.expiresAt,
      p.findingCount,
      p.maxSeverity,
    ]);
  prog.commit();

  // Listed for review beside the roster: a decision here has no revocation in the plan yet.
  const invitations = new SheetWriter(wb, 'Project invitations', [
    { header: 'Organization', width: 24 },
    { header: 'Project', width: 28 },
    { header: 'Invited', width: 32 },
    { header: 'Roles', width: 36 },
    { header: 'Invited by', width: 28 },
    { header: 'Sent', width: 17, kind: 'date' },
    { header: 'Expires', width: 17, kind: 'date' },
    { header: 'Expired', width: 9, kind: 'bool' },
    { header: 'Days pending', width: 10, kind: 'number' },
    { header: 'Invitation id', width: 26 },
  ]);
  for (const i of model.projectInvitations)
    invitations.add([
      i.orgName,
      i.projectName,
      i.username,
      i.roles.join(', '),
      i.inviterUsername,
      i.createdAt,
      i.expiresAt,
      i.expired,
      i.daysPending,
      i.id,
    ]);
  invitations.commit();

  const rules = new SheetWriter(wb, 'Rules', [
    { header: 'Rule', width: 30 },
    { header: 'Title', width: 40 },
    { header: 'Severity', width: 11, kind: 'severity' },
    { header: 'Subject kind', width: 14 },
    { header: 'Enabled', width: 9, kind: 'bool' },
    { header: 'Checked', width: 10, kind: 'number' },
    { header: 'Passed', width: 10, kind: 'number' },
    { header: 'Failed', width: 10, kind: 'number' },
    { header: 'Waived', width: 10, kind: 'number' },
    { header: 'Not evaluated in', width: 40 },
    { header: 'Params', width: 30 },
    { header: 'Controls', width: 48 },
  ]);
  for (const r of model.rules)
    rules.add([
      r.id,
      r.title,
      r.severity,
      r.subjectKind,
      r.enabled,
      r.subjectsChecked,
      r.passed,
      r.failed,
      r.waived,
      r.notEvaluated.map((n) => `${n.orgName}: not evaluated: ${n.reason}`).join('; ') || null,
      r.params.join(', '),
      r.references.join('; '),
    ]);
  rules.commit();

  const waivers = new SheetWriter(wb, 'Waivers', [
    { header: 'Status', width: 13 },
    { header: 'Rule', width: 28 },
    { header: 'Subject', width: 30 },
    { header: 'Reason', width: 44 },
    { header: 'Approver', width: 26 },
    { header: 'Ticket', width: 14 },
    { header: 'Expires', width: 13, kind: 'date' },
    { header: 'Findings', width: 10, kind: 'number' },
  ]);
  for (const w of model.waivers)
    waivers.add([
      w.problem ? `${w.status}: ${w.problem}` : w.status,
      w.ruleId,
      w.subject,
      w.reason,
      w.approver,
      w.ticket,
      w.expiresOn,
      w.findingCount,
    ]);
  waivers.commit();

  await wb.commit();
  return Buffer.concat(chunks);
}

const WHY_FLAGGED_WIDTH = 60;
const SEVERITY_WORD: Record<string, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/**
 * "Why flagged", in words: for each finding on the identity (most severe first, as the Findings sheet
 * orders them), the rule's title and the finding's message, which states the evidence ("last signed in
 * 208 days ago (limit 90)"). Waived findings say so. A pre-filled Revoke says why it was pre-filled.
 */
function whyFlagged(r: RosterRow, found: Array<{ title: string; finding: FindingRow }>): string | null {
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

function capitalise(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/**
 * The Review sheet: one row per identity, columns in the contract's order (REVIEW_HEADERS). Who the row
 * is about stays on screen (frozen beside the header row) while the reviewer scrolls through the
 * evidence; the four input columns come right after it, shaded.
 */
function writeReview(wb: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const roster = new Map(ROSTER_COLUMNS.map((c) => [c.header, c.value]));
  const flagged = new Map<string, Array<{ title: string; finding: FindingRow }>>();
  for (const g of model.findings)
    for (const r of g.rules)
      for (const f of r.findings) {
        const key = identityKey(f.orgId, f.subjectType, f.subjectId);
        const list = flagged.get(key) ?? [];
        list.push({ title: r.title, finding: f });
        flagged.set(key, list);
      }
  const inputWidths: Record<string, number> = {
    [HEADERS.decision]: 12,
    [HEADERS.reviewer]: 26,
    [HEADERS.reviewedOn]: 13,
    [HEADERS.comment]: 40,
  };
  const columns: Column[] = REVIEW_HEADERS.map((h) => ({
    header: h,
    width: inputWidths[h] ?? (h === WHY_FLAGGED_HEADER ? WHY_FLAGGED_WIDTH : (ROSTER_WIDTHS[h] ?? 18)),
    kind: h === HEADERS.reviewedOn ? 'date' : (ROSTER_KINDS[h] ?? 'text'),
    // Activity, creation and expiry are read as days; the time of day only clutters the column.
    numFmt: REVIEW_DATE_FORMAT,
  }));
  const review = new SheetWriter(wb, REVIEW_SHEET, columns, {
    frozenColumns: REVIEW_IDENTITY_HEADERS.length,
  });
  const at = (h: string) => (REVIEW_HEADERS as readonly string[]).indexOf(h) + 1;
  const firstInput = at(HEADERS.decision);
  const reviewedOnCol = at(HEADERS.reviewedOn);
  const inputs = new Set<string>(INPUT_HEADERS);
  for (const r of model.roster) {
    const values = REVIEW_HEADERS.map((h): CellValue => {
      if (h === HEADERS.decision) return PREDECIDED_REVOKE[r.status] ? 'Revoke' : null;
      if (inputs.has(h)) return null;
      if (h === WHY_FLAGGED_HEADER) return whyFlagged(r, flagged.get(r.key) ?? []);
      const value = roster.get(h);
      // REVIEW_HEADERS and ROSTER_COLUMNS drifting apart is a bug, caught by the first render.
      if (!value) throw new Error(`Review sheet column "${h}" is not a roster column`);
      return value(r);
    });
    review.add(values, (row) => {
      for (let c = firstInput; c < firstInput + INPUT_HEADERS.length; c++) {
        const cell = row.getCell(c);
        cell.fill = INPUT_FILL;
        if (c === reviewedOnCol) cell.numFmt = REVIEW_DATE_FORMAT;
      }
    });
  }
  const decisionCol = columnLetter(firstInput);
  const lastRow = Math.max(2, model.roster.length + 1);
  // One range, one <dataValidation sqref>, instead of one per cell (DEPENDENCIES.md §4.6).
  dataValidations(review.worksheet).add(`${decisionCol}2:${decisionCol}${lastRow}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`"${REVIEW_DECISIONS.join(',')}"`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Decision',
    error: `Choose ${REVIEW_DECISIONS.join(', ')}`,
  });
  const reviewedOn = columnLetter(reviewedOnCol);
  dataValidations(review.worksheet).add(`${reviewedOn}2:${reviewedOn}${lastRow}`, {
    type: 'date',
    operator: 'greaterThan',
    allowBlank: true,
    formulae: [new Date('2000-01-01T00:00:00Z')],
    showErrorMessage: true,
    errorTitle: 'Reviewed on',
    error: 'Enter a date',
  });
  review.commit();
}

function writeSummary(wb: ExcelJS.stream.xlsx.WorkbookWriter, m: ReportModel): void {
  const s = m.summary;
  const f = s.findings;
  const sheet = new SheetWriter(
    wb,
    SUMMARY_SHEET,
    [
      { header: 'Field', width: 30 },
      { header: 'Value', width: 70 },
    ],
    { filter: false },
  );
  const kv: Array<[string, CellValue, CellKind?]> = [
    ['Title', m.meta.title],
    ['Verdict', m.verdict.headline],
    ['Gate', m.verdict.gate],
    ['Findings failing the gate', m.verdict.failing, 'number'],
    [SUMMARY_SHA_LABEL, m.meta.snapshotSha256],
    ['Evidence signature', m.meta.evidence.statement],
    ['Collected at', m.meta.collectedAt, 'date'],
    ['Generated at', m.meta.generatedAt, 'date'],
    ['Audit evaluated at', m.meta.evaluatedAt, 'date'],
    [
      'Source',
      `${m.meta.source.api}${m.meta.source.apiVersion ? ` ${m.meta.source.apiVersion}` : ''} ${m.meta.source.baseUrl}`,
    ],
    ['Report tool', `${m.meta.tool.name} ${m.meta.tool.version}`],
    ['Report schema version', m.reportSchemaVersion, 'number'],
    ['Rules', m.meta.inputs.rulesDir],
    ['Policy', m.meta.inputs.policyFile],
    ['Waivers file', m.meta.inputs.waiversFile],
    ['Organizations', s.organizations, 'number'],
    ['Identities', s.identities.total, 'number'],
    ['Active users', s.identities.users, 'number'],
    ['Pending invitations', s.identities.pendingInvitations, 'number'],
    ['API keys', s.identities.apiKeys, 'number'],
    ['Service accounts', s.identities.serviceAccounts, 'number'],
    ['System-managed service accounts', s.identities.systemManagedServiceAccounts, 'number'],
    ['Non-human users', s.identities.nonHumanUsers, 'number'],
    ['Project invitations', s.identities.projectInvitations, 'number'],
    ['Human owners', s.identities.ownerUsers, 'number'],
    ['Programmatic owners', s.identities.ownerProgrammatic, 'number'],
    ['Open findings', f.open, 'number'],
    ['Open critical', f.openBySeverity.critical, 'number'],
    ['Open high', f.openBySeverity.high, 'number'],
    ['Open medium', f.openBySeverity.medium, 'number'],
    ['Open low', f.openBySeverity.low, 'number'],
    ['Waived findings', f.waived, 'number'],
    ['Waivers applied', s.waivers.applied, 'number'],
    ['Waivers expired', s.waivers.expired, 'number'],
    ['Waivers unused', s.waivers.unused, 'number'],
    ['Incomplete organizations', s.incompleteOrgs, 'number'],
    ['Rules not evaluated', s.notEvaluated.rules, 'number'],
    ['Rule checks not evaluated (rule x organization)', s.notEvaluated.checks, 'number'],
  ];
  if (m.changes) {
    const c = m.changes;
    kv.push(
      ['Previous snapshot', c.previous.file],
      ['Previous snapshot collected at', c.previous.collectedAt, 'date'],
      ['Previous snapshot sha256', c.previous.snapshotSha256],
      ['Changes since then', c.summary.total, 'number'],
      ['Privilege escalations', c.summary.escalations, 'number'],
      ['Joiners', c.summary.joiners, 'number'],
      ['Leavers', c.summary.leavers, 'number'],
      ['New findings', c.findings.new, 'number'],
      ['New open findings', c.findings.newOpen, 'number'],
      ['Findings still open', c.findings.stillOpen, 'number'],
      ['Findings resolved', c.findings.resolved, 'number'],
      ['Change in open findings', c.openDelta.total, 'number'],
    );
  }
  for (const [label, value, kind] of kv) {
    sheet.add([label, kind === 'date' && typeof value === 'string' ? null : value], (row) => {
      if (kind === 'date' && typeof value === 'string') {
        const cell = row.getCell(2);
        cell.value = toDate(value);
        cell.numFmt = DATE_FORMAT;
        cell.alignment = { horizontal: 'left' };
      }
      if (kind === 'number') row.getCell(2).alignment = { horizontal: 'left' };
    });
  }
  sheet.add([null, null]);
  sheet.add(['Organization', 'Identities · open critical/high/medium/low · evidence'], (row) => {
    row.getCell(1).font = { bold: true };
    row.getCell(2).font = { bold: true };
  });
  for (const o of m.organizations) {
    const ob = o.findings.openBySeverity;
    const evidence = !o.complete
      ? 'count mismatch'
      : o.missingCoverage.length > 0
        ? `partial: no ${coverageText(o.missingCoverage)}`
        : 'complete';
    const skipped = o.notEvaluated.reduce((n, g) => n + g.rules.length, 0);
    sheet.add([
      o.name,
      `${o.identities.total} identities · ${ob.critical}/${ob.high}/${ob.medium}/${ob.low} · ${evidence}${skipped ? ` · ${skipped} rules not evaluated` : ''}`,
    ]);
  }
  if (m.notEvaluated.length > 0) {
    sheet.add([null, null]);
    sheet.add(
      [
        'Not evaluated',
        'The snapshot lacks the data these rules need in these organizations, so they were not run: neither findings nor passes, and not counted as checked or passed on the Rules sheet.',
      ],
      (row) => {
        row.getCell(1).font = { bold: true };
        row.getCell(2).alignment = { wrapText: true };
      },
    );
    for (const o of m.organizations)
      for (const g of o.notEvaluated)
        sheet.add([o.name, `not evaluated: ${g.reason}: ${g.rules.join(', ')}`]);
  }
  sheet.commit();
}

/**
 * The "Changes" sheet (snapshot changes since the previous review, escalations first and shaded) and
 * the "Resolved findings" sheet (previous findings that no longer fire).
 */
const CHANGES_COLUMNS = 8;

function writeChanges(wb: ExcelJS.stream.xlsx.WorkbookWriter, c: ReportChanges): void {
  const changes = new SheetWriter(wb, 'Changes', [
    { header: 'Organization', width: 24 },
    { header: 'Change', width: 28 },
    { header: 'Subject type', width: 14 },
    { header: 'Subject', width: 32 },
    { header: 'Details', width: 60 },
    { header: 'Privilege escalation', width: 36 },
    { header: 'Subject id', width: 36 },
    { header: 'Organization id', width: 26 },
  ]);
  for (const r of c.rows)
    changes.add(
      [
        r.orgName,
        r.change,
        r.subjectType,
        r.subjectName,
        r.details,
        r.escalation === '' ? null : r.escalation,
        r.subjectId,
        r.orgId,
      ],
      (row) => {
        if (r.escalation === '') return;
        for (let col = 1; col <= CHANGES_COLUMNS; col++) row.getCell(col).fill = ESCALATION_FILL;
        row.getCell(6).font = { bold: true, color: { argb: 'FF9F1239' } };
      },
    );
  changes.commit();

  const resolved = new SheetWriter(wb, 'Resolved findings', [
    { header: 'Severity', width: 11, kind: 'severity' },
    { header: 'Rule', width: 28 },
    { header: 'Rule title', width: 36 },
    { header: 'Organization', width: 24 },
    { header: 'Subject type', width: 14 },
    { header: 'Subject', width: 32 },
    { header: 'Message (previous review)', width: 60 },
    { header: 'Was waived', width: 11, kind: 'bool' },
    { header: 'Finding key', width: 50 },
  ]);
  for (const f of c.resolved)
    resolved.add([
      f.severity,
      f.ruleId,
      f.ruleTitle,
      f.orgName,
      f.subjectType,
      f.subjectName,
      f.message,
      f.wasWaived,
      f.key,
    ]);
  resolved.commit();
}

/**
 * exceljs implements `worksheet.dataValidations` (also in the streaming writer, DEPENDENCIES.md §2.4)
 * but its typings omit it; this names the one method used.
 */
function dataValidations(ws: ExcelJS.Worksheet): { add(range: string, rule: ExcelJS.DataValidation): void } {
  return (ws as unknown as { dataValidations: { add(range: string, rule: ExcelJS.DataValidation): void } })
    .dataValidations;
}

/** 1 -> A, 27 -> AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
