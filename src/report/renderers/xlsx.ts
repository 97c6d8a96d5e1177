/**
 * XLSX renderer: the quarterly review workbook (docs/report.md; the reviewer's side in docs/review.md, "Filling in the workbook"). Written with exceljs's streaming
 * WorkbookWriter into memory (measured on Node 20 with 100,000 users: exceljs's in-memory writer needs
 * about 7x the memory of the streaming one), so it
 * still only returns bytes.
 *
 * Contract with `review import` (read back by a later stage), in src/workbook/contract.ts:
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
 *
 * Each sheet is a declarative spec (src/report/renderers/xlsx/*-sheet(s).ts: name, columns with header,
 * width, kind and value, row styles, validations), written by one engine (xlsx/sheet-engine.ts).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { neutraliseFormula } from '../../util/text-safety.js';
import { CAMPAIGN_DECISIONS, INPUT_HEADERS, SUMMARY_SHA_LABEL } from '../../workbook/contract.js';
import type { ReportModel } from '../model.js';
import type { RenderOptions } from './index.js';
import { controlsSheet } from './xlsx/controls-sheet.js';
import { customRolesSheet, databaseUsersSheet, networkAccessSheet } from './xlsx/database-sheets.js';
import {
  programmaticSheet,
  projectInvitationsSheet,
  rulesSheet,
  teamsSheet,
  waiversSheet,
} from './xlsx/estate-sheets.js';
import { changesSheet, findingsSheet, resolvedFindingsSheet } from './xlsx/findings-sheets.js';
import { type ReviewEvidence, reviewEvidence, reviewSheet } from './xlsx/review-sheet.js';
import { rolesSheet } from './xlsx/roles-sheet.js';
import { type SheetSpec, writeSheet } from './xlsx/sheet-engine.js';
import { type CampaignAssignment, summarySheet } from './xlsx/summary-sheet.js';

export { SINCE_LAST_REVIEW_HEADER } from './xlsx/findings-sheets.js';
export { columnLetter } from './xlsx/sheet-engine.js';
export { SUMMARY_SHA_LABEL };
/** Headers of the reviewer-editable columns of the Review sheet (from the shared contract). */
export const REVIEW_INPUT_HEADERS = INPUT_HEADERS;

/**
 * The workbook's sheets, in order; Changes and Resolved findings only with `--previous`, Controls only
 * with `--group-by control`. The database sheets are always written (empty with their headers when not
 * collected: the Summary says so).
 */
export function workbookSheets(model: ReportModel, options: RenderOptions = {}): Array<SheetSpec<unknown>> {
  return [
    summarySheet(model),
    findingsSheet(model),
    ...(options.groupBy === 'control' ? [controlsSheet(model)] : []),
    ...(model.changes ? [changesSheet(model.changes), resolvedFindingsSheet(model.changes)] : []),
    reviewSheet(model),
    rolesSheet(model),
    teamsSheet(model),
    programmaticSheet(model),
    projectInvitationsSheet(model),
    databaseUsersSheet(model),
    customRolesSheet(model),
    networkAccessSheet(model),
    rulesSheet(model),
    waiversSheet(model),
  ];
}

/** Renders the review workbook. Async because exceljs streams the zip. */
export function renderXlsx(model: ReportModel, options: RenderOptions = {}): Promise<Uint8Array> {
  return writeWorkbook(model, workbookSheets(model, options));
}

/** One reviewer's workbook of a campaign: the reviewer's rows and the Summary's campaign lines. */
export interface ReviewerWorkbook {
  rows: ReportModel['roster'];
  campaign: CampaignAssignment;
}

/** Workbooks rendered at once: exceljs spends much of a small workbook waiting on its zip stream. */
const RENDER_CONCURRENCY = 8;

/**
 * The workbooks of a campaign (`report --split-by reviewer`), in the order given: each with Summary
 * (with the campaign id and the assigned reviewer), Review holding only its rows, and Roles. Same
 * contract and protections as the full workbook, so `review import` reads each like one. The
 * findings are indexed once for all of them.
 */
export async function renderReviewerWorkbooks(
  model: ReportModel,
  workbooks: readonly ReviewerWorkbook[],
): Promise<Uint8Array[]> {
  const evidence = reviewEvidence(model);
  const out: Uint8Array[] = new Array(workbooks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < workbooks.length; i = next++)
      out[i] = await reviewerWorkbook(model, workbooks[i]!, evidence);
  };
  await Promise.all(Array.from({ length: Math.min(RENDER_CONCURRENCY, workbooks.length) }, worker));
  return out;
}

function reviewerWorkbook(
  model: ReportModel,
  w: ReviewerWorkbook,
  evidence: ReviewEvidence,
): Promise<Uint8Array> {
  const own: ReportModel = { ...model, roster: w.rows };
  return writeWorkbook(own, [
    summarySheet(own, w.campaign),
    reviewSheet(own, evidence, CAMPAIGN_DECISIONS),
    rolesSheet(own),
  ]);
}

async function writeWorkbook(
  model: ReportModel,
  sheets: ReadonlyArray<SheetSpec<unknown>>,
): Promise<Uint8Array> {
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
  for (const sheet of sheets) writeSheet(wb, sheet);
  await wb.commit();
  return Buffer.concat(chunks);
}
