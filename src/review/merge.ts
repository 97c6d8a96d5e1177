/**
 * `review merge` as a function of data (docs/review.md, "Campaigns"): the campaign folder's state
 * (src/review/campaign-state.ts) gives one sign-off and one revocation plan, in the formats `review
 * import` writes, so `review apply` and `review verify` read them as they read an import's.
 *
 * Refusals, in order: any problem in any workbook (exit 2, every problem listed with its file); then
 * missing workbooks and undecided rows (exit 1, listed) unless `close` is set, in which case the policy's
 * `review.undecided` decides them (`revoke`: Revoke decisions, so plan entries; `keep`: Keep; `fail`:
 * still exit 1) and the sign-off records `closedUndecided`.
 */
import type { Campaign } from '../campaign/campaign.js';
import type { ReviewPolicy } from '../campaign/policy.js';
import { compareText } from '../domain/compare-text.js';
import type { Snapshot } from '../snapshot/schema.js';
import { sha256Hex } from '../snapshot/store.js';
import { TOOL } from '../version.js';
import {
  type CampaignState,
  type MergedDecision,
  readCampaignState,
  stateProblems,
} from './campaign-state.js';
import type { ReviewProblem } from './import.js';
import { type ReviewOutputs, type ReviewTrust, reviewOutputs } from './import-review.js';
import { buildSignoff, type CampaignRecord, CLOSED_BY_POLICY, type Signer, type Signoff } from './signoff.js';
import { rubberStampSignals } from './trust.js';

/** The inputs of {@link mergeCampaign}. */
export interface MergeInput {
  /**
   * `signature` here and on `snapshot`: the file's signature as checked when it was read (null: not
   * checked); the sign-off records it. Undefined leaves it out (`review apply` rebuilding an older sign-off).
   */
  campaign: { file: string; text: string; campaign: Campaign; signature?: Signer | undefined };
  /** The campaign folder's name as given (the sign-off records its base name). */
  folder: string;
  snapshot: { file: string; snapshot: Snapshot; sha256: string; signature?: Signer | undefined };
  readFile: (name: string) => Promise<Uint8Array | null>;
  review: ReviewPolicy;
  trust: ReviewTrust;
  close: boolean;
  now: Date;
}

/** An open row as listed: whose it is and why it is open. */
interface OpenRow {
  key: string;
  name: string;
  reviewer: string;
  why: 'undecided' | 'missing-workbook';
}

export type MergeResult =
  | {
      ok: false;
      reason: 'problems';
      state: CampaignState;
      problems: Array<{ file: string; problems: ReviewProblem[] }>;
    }
  | { ok: false; reason: 'open'; state: CampaignState; open: OpenRow[]; missing: string[] }
  | ({ ok: true; state: CampaignState } & ReviewOutputs);

/** The manifest the sign-off's `workbook.sha256` is the digest of: `<sha256>  <file>` per workbook read, sorted. */
function workbookManifest(workbooks: CampaignState['workbooks']): string {
  return workbooks
    .filter((w) => w.sha256 !== null)
    .map((w) => `${w.sha256}  ${w.file}\n`)
    .sort(compareText)
    .join('');
}

/** Open rows in a stable order: reviewer, then name, then key. */
function openRows(state: CampaignState): OpenRow[] {
  return [...state.open]
    .map(([key, o]) => ({ key, name: o.identity.name, reviewer: o.reviewer, why: o.why }))
    .sort(
      (a, b) =>
        compareText(a.reviewer, b.reviewer) || compareText(a.name, b.name) || compareText(a.key, b.key),
    );
}

/** The decisions `--close` adds for the open rows, by the policy's `review.undecided`. */
function closingDecisions(state: CampaignState, policy: 'revoke' | 'keep', now: Date): MergedDecision[] {
  const day = now.toISOString().slice(0, 10);
  return [...state.open].map(([, o]) => ({
    ...o.identity,
    decision: policy === 'revoke' ? ('Revoke' as const) : ('Keep' as const),
    reviewer: CLOSED_BY_POLICY,
    reviewedOn: day,
    comment: `undecided when the campaign closed (policy review.undecided: ${policy})`,
    // The sign-off's workbookRow is positive: a closed row was read from no workbook, so row 1 (the header).
    row: 1,
    workbook: '',
  }));
}

/** The campaign section of the sign-off. */
function campaignRecord(
  input: Omit<MergeInput, 'readFile'>,
  state: CampaignState,
  decisions: readonly MergedDecision[],
  closed: CampaignRecord['closedUndecided'],
): CampaignRecord {
  return {
    campaignId: state.campaign.campaignId,
    file: basename(input.campaign.file),
    sha256: sha256Hex(input.campaign.text),
    ...(input.campaign.signature !== undefined ? { signature: input.campaign.signature } : {}),
    workbooks: state.workbooks
      .filter((w) => w.present && w.sha256 !== null)
      .map((w) => ({ reviewer: w.reviewer, file: w.file, sha256: w.sha256!, kind: w.kind, rows: w.rows })),
    decisions: decisions
      .map((d) => ({
        key: d.key,
        decision: d.decision,
        reviewer: d.reviewer,
        reviewedOn: d.reviewedOn,
        workbook: d.workbook === '' ? null : d.workbook,
      }))
      .sort((a, b) => compareText(a.key, b.key)),
    reassignments: state.reassignments
      .map((r) => ({
        key: r.key,
        name: r.identity.name,
        from: r.from,
        to: r.to,
        reviewedOn: r.reviewedOn,
        workbook: r.workbook,
        workbookRow: r.row,
      }))
      .sort((a, b) => compareText(a.key, b.key)),
    closedUndecided: closed,
    policy: { undecided: input.review.undecided, keepNeedsJustification: input.trust.keepNeedsJustification },
  };
}

function basename(file: string): string {
  const parts = file.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? file;
}

/** Builds the sign-off from a complete (or closed) campaign state. */
export function signoffFromState(
  input: Omit<MergeInput, 'readFile'>,
  state: CampaignState,
  signedOffAt: Date,
): Signoff {
  const closing = input.close && state.open.size > 0 && input.review.undecided !== 'fail';
  const policy = input.review.undecided === 'keep' ? 'keep' : 'revoke';
  const closed = closing ? closingDecisions(state, policy, signedOffAt) : [];
  const decisions = [...state.decisions, ...closed];
  const signoff = buildSignoff({
    snapshot: input.snapshot.snapshot,
    snapshotFile: basename(input.snapshot.file),
    snapshotSha256: input.snapshot.sha256,
    snapshotSignature: input.snapshot.signature,
    workbookFile: basename(input.folder),
    workbookSha256: sha256Hex(workbookManifest(state.workbooks)),
    decisions,
    signedOffAt,
    tool: TOOL,
    signals: rubberStampSignals(state.decisions, state.flagged, input.trust.identicalCommentRows),
    campaign: campaignRecord(
      input,
      state,
      decisions,
      closing ? { policy, rows: closed.map((d) => d.key).sort(compareText) } : null,
    ),
  });
  return signoff;
}

/** Reads the campaign folder and merges it: the sign-off and plan, or why not. */
export async function mergeCampaign(input: MergeInput): Promise<MergeResult> {
  const state = await readCampaignState(
    {
      campaign: input.campaign.campaign,
      snapshot: input.snapshot,
      readFile: input.readFile,
      trust: input.trust,
      now: input.now,
    },
    input.campaign.file,
  );
  const problems = stateProblems(state);
  if (problems.length > 0) return { ok: false, reason: 'problems', state, problems };
  const missing = state.workbooks.filter((w) => !w.present).map((w) => w.file);
  if (state.open.size > 0 && (!input.close || input.review.undecided === 'fail'))
    return { ok: false, reason: 'open', state, open: openRows(state), missing };
  return { ok: true, state, ...reviewOutputs(signoffFromState(input, state, input.now)) };
}
