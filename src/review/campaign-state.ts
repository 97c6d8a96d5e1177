/**
 * A review campaign as its folder shows it (docs/review.md, "Campaigns"): every workbook campaign.json
 * names, read one at a time and checked as `review import` checks a workbook, against the rows the
 * campaign assigned to its reviewer; then the follow-up workbooks of reassigned rows. `review merge`
 * turns the state into a sign-off; `review status` and `review remind` count it.
 *
 * Reassign: a reviewer writes `Reassign` and the new reviewer's address in Comment. The row leaves
 * their workbook and is open for the new reviewer, who decides it in `reassigned-<address>.xlsx`
 * (`review merge --reassigned-out` writes it into the folder, src/review/reassigned-workbook.ts). A
 * reassigned row is reassigned once: a Reassign in a follow-up workbook is refused.
 */
import { type Campaign, reassignDomains } from '../campaign/campaign.js';
import { compareText } from '../domain/compare-text.js';
import { InputError } from '../errors.js';
import type { Snapshot } from '../snapshot/schema.js';
import { sha256Hex } from '../snapshot/store.js';
import { addressFileSlug, normaliseAddress } from '../util/address.js';
import { ASSIGNED_REVIEWER_LABEL, CAMPAIGN_ID_LABEL, SUMMARY_SHEET } from '../workbook/contract.js';
import {
  type CellData,
  checkReviewWorkbook,
  type ReassignedRow,
  type ReviewDecision,
  type ReviewProblem,
  readReviewWorkbook,
  type SnapshotIdentity,
  snapshotIdentities,
  snapshotNetworkAccessRows,
} from './import.js';
import type { ReviewTrust } from './import-review.js';
import { keepJustificationRule } from './trust.js';
import { snapshotSubjectCount, type WorkbookLimits, workbookLimits } from './xlsx-package.js';

/** The follow-up workbook of the rows reassigned to `reviewer`: a plain file name in the campaign folder. */
export function reassignedWorkbookName(reviewer: string): string {
  return `reassigned-${addressFileSlug(normaliseAddress(reviewer))}.xlsx`;
}

/** One workbook of the campaign as read. */
interface WorkbookState {
  reviewer: string;
  file: string;
  kind: 'assigned' | 'reassigned';
  /** False when the file is not in the folder. */
  present: boolean;
  sha256: string | null;
  /** Rows the campaign (or the reassignments) gave this workbook. */
  rows: number;
  problems: ReviewProblem[];
}

/** A decision as merged: which workbook it came from. */
export type MergedDecision = ReviewDecision & { workbook: string };

/** Everything the campaign folder says. */
export interface CampaignState {
  campaign: Campaign;
  /** The rows treated as flagged ({@link campaignFlagged}). */
  flagged: ReadonlySet<string>;
  workbooks: WorkbookState[];
  decisions: MergedDecision[];
  reassignments: Array<ReassignedRow & { workbook: string }>;
  /** Rows nobody decided yet: key -> the reviewer who holds them and why they are open. */
  open: Map<string, { reviewer: string; identity: SnapshotIdentity; why: 'undecided' | 'missing-workbook' }>;
}

/** The inputs of {@link readCampaignState}. */
export interface CampaignStateInput {
  campaign: Campaign;
  snapshot: { snapshot: Snapshot; sha256: string };
  /** Reads a file of the campaign folder; null when it is not there. Called once per workbook. */
  readFile: (name: string) => Promise<Uint8Array | null>;
  trust: ReviewTrust;
  now: Date;
  /**
   * Accept a Reassign to any mailbox, not only within the campaign's domains: `review apply`, which
   * re-reads the folder to hold a sign-off `review merge` already made to it, and sends no mail. A
   * sign-off merged under an older campaign.json (whose domains are now taken from its reviewers) stays
   * applicable; merge, status and remind, which write follow-ups and send mail, always hold the domains.
   */
  reassignAnywhere?: boolean;
}

/** The Summary sheet's value for a label, as text. */
function summaryValue(
  summary: Array<{ label: CellData; value: CellData }> | null,
  label: string,
): string | null {
  const row = summary?.find((r) => typeof r.label === 'string' && r.label.trim() === label);
  return row && row.value !== null ? String(row.value).trim() : null;
}

/** The workbook names the campaign and the reviewer it was written for (Summary rows). */
export function belongingProblems(
  summary: Array<{ row: number; label: CellData; value: CellData }> | null,
  campaign: Campaign,
  reviewer: string,
): ReviewProblem[] {
  const problems: ReviewProblem[] = [];
  const at = (label: string) => {
    const row = summary?.find((r) => typeof r.label === 'string' && r.label.trim() === label)?.row ?? null;
    return { sheet: SUMMARY_SHEET, row, column: row === null ? null : 'B', header: label };
  };
  const id = summaryValue(summary, CAMPAIGN_ID_LABEL);
  if (id !== campaign.campaignId)
    problems.push({
      ...at(CAMPAIGN_ID_LABEL),
      code: 'campaign-mismatch',
      message: `the workbook belongs to campaign ${JSON.stringify(id)}, not ${campaign.campaignId} (campaign.json)`,
    });
  const assigned = summaryValue(summary, ASSIGNED_REVIEWER_LABEL);
  if (assigned === null || normaliseAddress(assigned) !== normaliseAddress(reviewer))
    problems.push({
      ...at(ASSIGNED_REVIEWER_LABEL),
      code: 'campaign-mismatch',
      message: `the workbook was written for ${JSON.stringify(assigned)}, but campaign.json gives this file to ${reviewer}`,
    });
  return problems;
}

/** Reads and checks one workbook against the rows it must hold; appends what it says to `state`. */
async function readOne(
  input: CampaignStateInput,
  ctx: {
    all: Map<string, SnapshotIdentity>;
    limits: WorkbookLimits;
    state: CampaignState;
    /** The domains a Reassign may name; undefined: any (`reassignAnywhere`). */
    domains: readonly string[] | undefined;
  },
  wb: { reviewer: string; file: string; kind: WorkbookState['kind']; keys: readonly string[] },
): Promise<ReassignedRow[]> {
  const { state } = ctx;
  const rows = new Map<string, SnapshotIdentity>();
  for (const k of wb.keys) {
    const identity = ctx.all.get(k);
    if (identity) rows.set(k, identity);
  }
  const bytes = await input.readFile(wb.file);
  const ws: WorkbookState = {
    reviewer: wb.reviewer,
    file: wb.file,
    kind: wb.kind,
    present: bytes !== null,
    sha256: bytes === null ? null : sha256Hex(bytes),
    rows: wb.keys.length,
    problems: [],
  };
  state.workbooks.push(ws);
  if (bytes === null) {
    for (const [key, identity] of rows)
      state.open.set(key, { reviewer: wb.reviewer, identity, why: 'missing-workbook' });
    return [];
  }
  let contents: Awaited<ReturnType<typeof readReviewWorkbook>>;
  try {
    contents = await readReviewWorkbook(bytes, wb.file, ctx.limits);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // Not a workbook this tool can read (not XLSX, over the limits, a forged package): listed with the
    // other workbooks' problems, so a campaign of 500 is checked in one pass; the merge refuses on it.
    ws.problems = [
      {
        sheet: 'workbook',
        row: null,
        column: null,
        header: null,
        code: 'workbook-unreadable',
        message: error.problem,
      },
    ];
    return [];
  }
  const check = checkReviewWorkbook(contents, input.snapshot, input.now, {
    scope: { rows, all: ctx.all },
    campaign: {
      reviewer: wb.reviewer,
      ...(ctx.domains ? { reassignDomains: ctx.domains } : {}),
    },
    ...(input.trust.keepNeedsJustification
      ? { keepNeedsComment: keepJustificationRule(input.snapshot.snapshot, input.trust.flagged) }
      : {}),
    ...(input.trust.aliasesOf ? { aliasesOf: input.trust.aliasesOf } : {}),
  });
  ws.problems = [...belongingProblems(contents.summary, state.campaign, wb.reviewer), ...check.problems];
  // A reassigned row is decided by the reviewer it went to: it is not handed on again.
  if (wb.kind === 'reassigned')
    for (const r of check.reassigned)
      ws.problems.push({
        sheet: 'Review',
        row: r.row,
        column: null,
        header: 'Decision',
        code: 'decision-not-allowed',
        message: `${r.identity.name} was reassigned to ${wb.reviewer} already; decide it (Keep, Revoke or Modify) or ask the campaign owner`,
      });
  for (const d of check.decisions) state.decisions.push({ ...d, workbook: wb.file });
  for (const key of check.undecided)
    state.open.set(key, { reviewer: wb.reviewer, identity: rows.get(key)!, why: 'undecided' });
  if (wb.kind === 'reassigned') return [];
  for (const r of check.reassigned) state.reassignments.push({ ...r, workbook: wb.file });
  return check.reassigned;
}

/**
 * Every identity of the snapshot (`required`) is some reviewer's row, and no row is two reviewers': a campaign.json edited
 * to leave a reviewer (and their rows) out, or to give a row to two, would otherwise merge into a
 * sign-off that covers less of the estate than it claims (exit 2 naming the file and the first row).
 */
function assertEveryRowAssignedOnce(
  campaign: Campaign,
  required: ReadonlyMap<string, SnapshotIdentity>,
  campaignFile: string,
): void {
  const owner = new Map<string, number>();
  for (const [i, r] of campaign.reviewers.entries())
    for (const [j, row] of r.rows.entries()) {
      const first = owner.get(row.key);
      if (first !== undefined)
        throw new InputError(
          campaignFile,
          `$.reviewers[${i}].rows[${j}].key`,
          `${JSON.stringify(row.key)} is given to ${campaign.reviewers[first]!.reviewer} already; a row has one reviewer`,
          { hint: 'use the campaign.json report --split-by reviewer wrote' },
        );
      owner.set(row.key, i);
    }
  const unassigned = [...required.keys()].filter((k) => !owner.has(k)).sort(compareText);
  if (unassigned.length > 0)
    throw new InputError(
      campaignFile,
      '$.reviewers',
      `${unassigned.length} row(s) of the snapshot have no reviewer, e.g. ${required.get(unassigned[0]!)!.name} (${unassigned[0]})`,
      { hint: 'use the campaign.json report --split-by reviewer wrote for this snapshot' },
    );
}

/**
 * The rows a campaign's checks treat as flagged: a Keep of one needs a justification, a reviewer who
 * kept every row they decided with one among them is a rubber-stamp signal, and a flagged access list
 * entry must have a reviewer. campaign.json records the rows that had an open finding when it was
 * split, which is what each reviewer's workbook showed, so those are the flagged rows whatever policy
 * the merge is given (a closing policy holding only `review.undecided` must not change what was asked
 * of the reviewers after they answered). A campaign.json written before they were recorded: what the
 * merge's own audit (`audited`) flags.
 */
function campaignFlagged(campaign: Campaign, audited: ReadonlySet<string>): ReadonlySet<string> {
  return campaign.flagged === undefined ? audited : new Set(campaign.flagged);
}

/**
 * The rows a campaign for `snapshot` must give out: checks that the campaign was split from that
 * snapshot (by sha256) and gives every identity of it, and every flagged access list entry
 * ({@link campaignFlagged}; `audited` is what the command's own audit flags), exactly one reviewer.
 * Returns every row a workbook may hold (unflagged entries included) and the flagged rows. `review
 * merge` and `review status --snapshot` both ask it. Throws an InputError naming the campaign file.
 */
export function campaignRows(
  campaign: Campaign,
  snapshot: { snapshot: Snapshot; sha256: string },
  audited: ReadonlySet<string>,
  campaignFile: string,
): { rows: Map<string, SnapshotIdentity>; flagged: ReadonlySet<string> } {
  const flagged = campaignFlagged(campaign, audited);
  if (campaign.snapshot.sha256 !== snapshot.sha256)
    throw new InputError(
      campaignFile,
      '$.snapshot.sha256',
      `the campaign is for snapshot ${campaign.snapshot.sha256}, not ${snapshot.sha256} (the --snapshot file)`,
    );
  const all = snapshotIdentities(snapshot.snapshot);
  // Every identity is a Review row; an access list entry is one when a rule flags it, so the entries
  // the audit flags are required too (an unflagged one may or may not have a row).
  const required = new Map(all);
  for (const [k, v] of snapshotNetworkAccessRows(snapshot.snapshot)) {
    all.set(k, v);
    if (flagged.has(k)) required.set(k, v);
  }
  assertEveryRowAssignedOnce(campaign, required, campaignFile);
  // A recorded flag names a row some reviewer was given: a key added by hand (another org's, a typo)
  // is no flag the workbooks showed. Checked after the rows, so that a campaign.json that dropped a
  // reviewer is named for the rows it lost, not for the flags they leave behind.
  const given = new Set(campaign.reviewers.flatMap((r) => r.rows.map((x) => x.key)));
  const stray = (campaign.flagged ?? []).findIndex((k) => !given.has(k));
  if (stray >= 0)
    throw new InputError(
      campaignFile,
      `$.flagged[${stray}]`,
      `${campaign.flagged![stray]} is not a row of any reviewer`,
    );
  return { rows: all, flagged };
}

/**
 * Reads the campaign folder: every reviewer's workbook (one at a time; a missing one leaves its rows
 * open), then one follow-up workbook per reviewer rows were reassigned to. Problems are collected per
 * workbook, never thrown: `review merge` refuses on any, `review status` counts them. A campaign for
 * another snapshot is an InputError.
 */
export async function readCampaignState(
  input: CampaignStateInput,
  campaignFile: string,
): Promise<CampaignState> {
  const { campaign } = input;
  const { rows: all, flagged } = campaignRows(campaign, input.snapshot, input.trust.flagged, campaignFile);
  input = { ...input, trust: { ...input.trust, flagged } };
  const limits = workbookLimits(snapshotSubjectCount(input.snapshot.snapshot));
  const state: CampaignState = {
    campaign,
    flagged,
    workbooks: [],
    decisions: [],
    reassignments: [],
    open: new Map(),
  };
  const ctx = { all, limits, state, domains: input.reassignAnywhere ? undefined : reassignDomains(campaign) };
  const handedOn = new Map<string, string[]>();
  for (const r of campaign.reviewers) {
    const reassigned = await readOne(input, ctx, {
      reviewer: r.reviewer,
      file: r.workbook,
      kind: 'assigned',
      keys: r.rows.map((x) => x.key),
    });
    for (const x of reassigned) handedOn.set(x.to, [...(handedOn.get(x.to) ?? []), x.key]);
  }
  for (const [reviewer, keys] of [...handedOn].sort((a, b) => compareText(a[0], b[0])))
    await readOne(input, ctx, { reviewer, file: reassignedWorkbookName(reviewer), kind: 'reassigned', keys });
  return state;
}

/** The problems of every workbook, as `<file>: <problem>` pairs in reading order. */
export function stateProblems(state: CampaignState): Array<{ file: string; problems: ReviewProblem[] }> {
  return state.workbooks
    .filter((w) => w.problems.length > 0)
    .map((w) => ({ file: w.file, problems: w.problems }));
}
