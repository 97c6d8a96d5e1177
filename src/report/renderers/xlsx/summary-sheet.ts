/**
 * The Summary sheet: label and value lines (the contract's "Snapshot sha256" among them, read back by
 * `review import`), then one line per organization and the rules not evaluated. Its rows are lines of
 * mixed kinds, so each line carries its own kind and the sheet's columns stay text.
 */

import { coverageText } from '../../../rules/requirements.js';
import {
  ASSIGNED_REVIEWER_LABEL,
  CAMPAIGN_ID_LABEL,
  SUMMARY_SHA_LABEL,
  SUMMARY_SHEET,
} from '../../../workbook/contract.js';
import type { ReportModel } from '../../model.js';
import { databaseAccessLine } from '../shared.js';
import { type CellValue, DATE_FORMAT, type SheetSpec, toDate } from './sheet-engine.js';

/** One Summary line; `heading` is bold (both cells), `note` a bold label with a wrapped text. */
interface SummaryLine {
  label: string | null;
  value: CellValue;
  kind?: 'date' | 'number' | 'heading' | 'note';
}

const line = (label: string, value: CellValue, kind?: SummaryLine['kind']): SummaryLine =>
  kind === undefined ? { label, value } : { label, value, kind };
const BLANK: SummaryLine = { label: null, value: null };

/** What a campaign workbook (`report --split-by reviewer`) says about its campaign and its reviewer. */
export interface CampaignAssignment {
  campaignId: string;
  /** Normalised address of the reviewer the workbook was written for. */
  reviewer: string;
  /** YYYY-MM-DD. */
  due: string;
  /** The reviewer's rows (the Review sheet holds exactly these). */
  rows: number;
}

const CAMPAIGN_NOTE = line(
  'Your review',
  'The Review sheet lists the identities routed to you. For each row choose a Decision (Keep, Revoke or Modify), enter your address as Reviewer, the date as Reviewed on, and a Comment; the Recommendation column says what the evidence suggests and why. The Roles sheet explains what each role on your rows grants. Do not add, remove or re-key rows.',
  'note',
);

/** The campaign lines, right below the snapshot sha256 (the merge reads both labels back). */
function campaignLines(c: CampaignAssignment): SummaryLine[] {
  return [
    line(CAMPAIGN_ID_LABEL, c.campaignId),
    line(ASSIGNED_REVIEWER_LABEL, c.reviewer),
    line('Decisions due', c.due),
    line('Rows to review', c.rows, 'number'),
  ];
}

function headerLines(m: ReportModel, campaign?: CampaignAssignment): SummaryLine[] {
  const src = m.meta.source;
  return [
    line('Title', m.meta.title),
    line('Verdict', m.verdict.headline),
    line('Gate', m.verdict.gate),
    line('Findings failing the gate', m.verdict.failing, 'number'),
    line(SUMMARY_SHA_LABEL, m.meta.snapshotSha256),
    ...(campaign ? campaignLines(campaign) : []),
    line('Evidence signature', m.meta.evidence.statement),
    line('Collected at', m.meta.collectedAt, 'date'),
    line('Generated at', m.meta.generatedAt, 'date'),
    line('Audit evaluated at', m.meta.evaluatedAt, 'date'),
    line('Source', `${src.api}${src.apiVersion ? ` ${src.apiVersion}` : ''} ${src.baseUrl}`),
    line('Report tool', `${m.meta.tool.name} ${m.meta.tool.version}`),
    line('Report schema version', m.reportSchemaVersion, 'number'),
    line('Rules', m.meta.inputs.rulesDir),
    line('Policy', m.meta.inputs.policyFile),
    line('Waivers file', m.meta.inputs.waiversFile),
    ...rosterLines(m),
  ];
}

/** The roster the audit joined (`--roster`): file, people and sha256; nothing without one. */
function rosterLines(m: ReportModel): SummaryLine[] {
  const r = m.meta.inputs.roster;
  if (!r) return [];
  return [line('Roster', r.file), line('Roster people', r.rows, 'number'), line('Roster sha256', r.sha256)];
}

function countLines(m: ReportModel): SummaryLine[] {
  const s = m.summary;
  const f = s.findings;
  const counts: Array<[string, number]> = [
    ['Organizations', s.organizations],
    ['Identities', s.identities.total],
    ['Active users', s.identities.users],
    ['Pending invitations', s.identities.pendingInvitations],
    ['Expired or rejected invitations', s.identities.staleInvitations],
    ['API keys', s.identities.apiKeys],
    ['Service accounts', s.identities.serviceAccounts],
    ['Database users on the Review sheet', s.identities.databaseUsers],
    ['Flagged access list entries on the Review sheet', s.identities.accessListEntries],
    ['System-managed service accounts', s.identities.systemManagedServiceAccounts],
    ['Non-human users', s.identities.nonHumanUsers],
    ['Project invitations', s.identities.projectInvitations],
    ['Human owners', s.identities.ownerUsers],
    ['Programmatic owners', s.identities.ownerProgrammatic],
    ['Database users', s.databaseAccess.users],
    ['Privileged database users', s.databaseAccess.privileged],
    ['Unused database users', s.databaseAccess.unused],
    ['Database users, last use unknown', s.databaseAccess.useUnknown],
    ['Custom database roles', s.databaseAccess.customRoles],
    ['IP access list entries', s.databaseAccess.networkEntries],
    ['Access list entries open to the world', s.databaseAccess.worldOpen],
    ['Wide access list entries', s.databaseAccess.wide],
    ['Open findings', f.open],
    ['Open critical', f.openBySeverity.critical],
    ['Open high', f.openBySeverity.high],
    ['Open medium', f.openBySeverity.medium],
    ['Open low', f.openBySeverity.low],
    ['Waived findings', f.waived],
    ['Waivers applied', s.waivers.applied],
    ['Waivers expired', s.waivers.expired],
    ['Waivers unused', s.waivers.unused],
    ['Incomplete organizations', s.incompleteOrgs],
    ['Rules not evaluated', s.notEvaluated.rules],
    ['Rule checks not evaluated (rule x organization)', s.notEvaluated.checks],
  ];
  return [
    ...counts.map(([label, n]) => line(label, n, 'number')),
    line('Database access', databaseAccessLine(m).replace('Database access: ', ''), 'note'),
  ];
}

function changeLines(m: ReportModel): SummaryLine[] {
  const c = m.changes;
  if (!c) return [];
  return [
    line('Previous snapshot', c.previous.file),
    line('Previous snapshot collected at', c.previous.collectedAt, 'date'),
    line('Previous snapshot sha256', c.previous.snapshotSha256),
    line('Changes since then', c.summary.total, 'number'),
    line('Privilege escalations', c.summary.escalations, 'number'),
    line('Joiners', c.summary.joiners, 'number'),
    line('Leavers', c.summary.leavers, 'number'),
    line('New findings', c.findings.new, 'number'),
    line('New open findings', c.findings.newOpen, 'number'),
    line('Findings still open', c.findings.stillOpen, 'number'),
    line('Findings resolved', c.findings.resolved, 'number'),
    line('Change in open findings', c.openDelta.total, 'number'),
  ];
}

function organizationLines(m: ReportModel): SummaryLine[] {
  const lines = [
    BLANK,
    line('Organization', 'Identities · open critical/high/medium/low · evidence', 'heading'),
  ];
  for (const o of m.organizations) {
    const ob = o.findings.openBySeverity;
    const evidence = !o.complete
      ? 'count mismatch'
      : o.missingCoverage.length > 0
        ? `partial: no ${coverageText(o.missingCoverage)}`
        : 'complete';
    const skipped = o.notEvaluated.reduce((n, g) => n + g.rules.length, 0);
    lines.push(
      line(
        o.name,
        `${o.identities.total} identities · ${ob.critical}/${ob.high}/${ob.medium}/${ob.low} · ${evidence}${skipped ? ` · ${skipped} rules not evaluated` : ''}`,
      ),
    );
  }
  return lines;
}

function notEvaluatedLines(m: ReportModel): SummaryLine[] {
  if (m.notEvaluated.length === 0) return [];
  const lines = [
    BLANK,
    line(
      'Not evaluated',
      'The snapshot lacks the data these rules need in these organizations, so they were not run: neither findings nor passes, and not counted as checked or passed on the Rules sheet.',
      'note',
    ),
  ];
  for (const o of m.organizations)
    for (const g of o.notEvaluated)
      lines.push(line(o.name, `not evaluated: ${g.reason}: ${g.rules.join(', ')}`));
  return lines;
}

/**
 * The Summary sheet. A campaign workbook holds one reviewer's rows, so it carries the campaign lines
 * and leaves out the estate's counts and organizations, which describe rows its reader never sees.
 */
export function summarySheet(m: ReportModel, campaign?: CampaignAssignment): SheetSpec<SummaryLine> {
  return {
    name: SUMMARY_SHEET,
    filter: false,
    rows: campaign
      ? [...headerLines(m, campaign), BLANK, CAMPAIGN_NOTE]
      : [
          ...headerLines(m),
          ...countLines(m),
          ...changeLines(m),
          ...organizationLines(m),
          ...notEvaluatedLines(m),
        ],
    columns: [
      { header: 'Field', width: 30, value: (l) => l.label },
      // A date is set on the cell after the row is added (styleRow), as a Date with its format.
      {
        header: 'Value',
        width: 70,
        value: (l) => (l.kind === 'date' && typeof l.value === 'string' ? null : l.value),
      },
    ],
    styleRow(row, l) {
      if (l.kind === 'date' && typeof l.value === 'string') {
        const cell = row.getCell(2);
        cell.value = toDate(l.value);
        cell.numFmt = DATE_FORMAT;
        cell.alignment = { horizontal: 'left' };
      }
      if (l.kind === 'number') row.getCell(2).alignment = { horizontal: 'left' };
      if (l.kind === 'heading' || l.kind === 'note') row.getCell(1).font = { bold: true };
      if (l.kind === 'heading') row.getCell(2).font = { bold: true };
      if (l.kind === 'note') row.getCell(2).alignment = { wrapText: true };
    },
  };
}
