/**
 * `review import` as a function of data: a filled workbook and the snapshot it was written from give
 * the sign-off and the revocation plan, rendered as the texts the command writes. No file, clock or
 * terminal: the caller reads the inputs, passes `now`, and writes (or refuses) the outputs.
 */
import { basename } from 'node:path';
import type { Snapshot } from '../snapshot/schema.js';
import { sha256Hex } from '../snapshot/store.js';
import { TOOL } from '../version.js';
import { checkReviewWorkbook, type ReviewProblem, readReviewWorkbook } from './import.js';
import { buildRevocationPlan, formatPlanText, type RevocationPlan, serializePlan } from './plan.js';
import { buildSignoff, type Signer, type Signoff, serializeSignoff } from './signoff.js';
import { renderSignoffHtml } from './signoff-html.js';
import { keepJustificationRule, rubberStampSignals } from './trust.js';
import { snapshotSubjectCount, workbookLimits } from './xlsx-package.js';

/**
 * The inputs of an import: the workbook's bytes and the snapshot, each with its file name as given
 * (problems name it so; the sign-off records its base name).
 */
export interface ImportReviewInput {
  workbook: { file: string; bytes: Uint8Array };
  /** `signature`: the snapshot's signature as checked when it was read (null or absent: not checked). */
  snapshot: { file: string; snapshot: Snapshot; sha256: string; signature?: Signer };
  /** Sign-off time, and the upper bound of review dates. */
  now: Date;
  /** What the policy's `review` section and the audit add (src/review/trust.ts); default: no flagged rows. */
  trust?: ReviewTrust;
}

/** The audit's flagged rows and the policy's `review.keepNeedsJustification`, for import and merge. */
export interface ReviewTrust {
  /** Identity keys with open findings. */
  flagged: ReadonlySet<string>;
  keepNeedsJustification: boolean;
  /** Rows with one identical comment that make a rubber-stamp signal (default 100). */
  identicalCommentRows?: number;
  /** With `--roster`: a subject's other addresses, so an alias cannot review its own access. */
  aliasesOf?: (name: string) => readonly string[];
}

/** The trust settings when none are given: privileged Keeps need a justification, nothing is flagged. */
const DEFAULT_TRUST: ReviewTrust = { flagged: new Set(), keepNeedsJustification: true };

/** A sign-off, the plan that names it, and the texts of the four output files (by IMPORT_OUTPUTS key). */
export interface ReviewOutputs {
  signoff: Signoff;
  plan: RevocationPlan;
  texts: { signoffJson: string; signoffHtml: string; planJson: string; planText: string };
}

/**
 * The outputs of a sign-off, for `review import` and `review merge` alike. The plan names the sign-off
 * by the sha256 of the text returned here, which is the text the caller must write (`review apply`
 * checks it).
 */
export function reviewOutputs(signoff: Signoff): ReviewOutputs {
  const signoffJson = serializeSignoff(signoff);
  const plan = buildRevocationPlan(signoff, sha256Hex(signoffJson));
  return {
    signoff,
    plan,
    texts: {
      signoffJson,
      signoffHtml: renderSignoffHtml(signoff),
      planJson: serializePlan(plan),
      planText: formatPlanText(plan),
    },
  };
}

/** What an import produces: nothing but the problems, or the sign-off, the plan and their texts. */
export type ImportReviewResult = { ok: false; problems: ReviewProblem[] } | ({ ok: true } & ReviewOutputs);

/**
 * Reads and checks the workbook against the snapshot; when it has no problem, builds the sign-off and
 * the plan. The plan names the sign-off by the sha256 of the text returned here, which is the text
 * the caller must write (`review apply` checks it). Bytes that are not an XLSX workbook, or above
 * the size limits for the snapshot, are an InputError.
 */
export async function importReview({
  workbook,
  snapshot,
  now,
  trust = DEFAULT_TRUST,
}: ImportReviewInput): Promise<ImportReviewResult> {
  const limits = workbookLimits(snapshotSubjectCount(snapshot.snapshot));
  const contents = await readReviewWorkbook(workbook.bytes, workbook.file, limits);
  const check = checkReviewWorkbook(contents, snapshot, now, {
    ...(trust.keepNeedsJustification
      ? { keepNeedsComment: keepJustificationRule(snapshot.snapshot, trust.flagged) }
      : {}),
    ...(trust.aliasesOf ? { aliasesOf: trust.aliasesOf } : {}),
  });
  if (check.problems.length > 0) return { ok: false, problems: check.problems };
  const signoff = buildSignoff({
    snapshot: snapshot.snapshot,
    snapshotFile: basename(snapshot.file),
    snapshotSha256: snapshot.sha256,
    snapshotSignature: snapshot.signature ?? null,
    workbookFile: basename(workbook.file),
    workbookSha256: sha256Hex(workbook.bytes),
    decisions: check.decisions,
    signedOffAt: now,
    tool: TOOL,
    signals: rubberStampSignals(check.decisions, trust.flagged, trust.identicalCommentRows),
  });
  return { ok: true, ...reviewOutputs(signoff) };
}
