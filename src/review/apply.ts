/**
 * `review apply`: carries out a revocation plan against Atlas, call by call, and keeps a log.
 *
 * Trust: the calls sent are never read from the plan file. They are rebuilt from the evidence: the
 * reviewed snapshot and the filled workbook give the sign-off (as `review import` makes it), the
 * sign-off gives the plan; the sign-off and plan files must equal what is rebuilt, and every file must
 * name the others by sha256. An edited call, sign-off, workbook or snapshot is refused before anything
 * is sent ({@link bindPlan}).
 *
 * Execution ({@link applyPlan}): calls go one at a time in plan order (one identity after another).
 * Candidates (a Modify whose comment named no role or team) are never sent: they are logged as skipped
 * for a human to choose. Outcomes:
 * - done: Atlas answered 2xx;
 * - already-done: 404 (the identity, membership or role is not there any more: nothing left to take
 *   away), or 409 on `:addRole` (the user holds the role already; the `:removeRole` that follows still
 *   checks the rule of one org role);
 * - failed: any other answer after the client's retries (429, 5xx and network errors are retried);
 *   the identity's later calls are skipped (they may depend on it), other identities carry on;
 *   a 401 stops the run (every later call would be refused the same way);
 * - skipped: a candidate, or not attempted (see above).
 * The sender is injected: this module does no I/O of its own.
 */
import { isDeepStrictEqual } from 'node:util';
import { writeOperations, writePathParams } from '../atlas/write-operations.js';
import { parseCampaign } from '../campaign/campaign.js';
import { DEFAULT_REVIEW_POLICY } from '../campaign/policy.js';
import { AtlasApiError, InputError, redactSecrets } from '../errors.js';
import type { Snapshot } from '../snapshot/schema.js';
import { sha256Hex } from '../snapshot/store.js';
import { formatJsonPath, parseJsonText, parseWithSchema } from '../util/validate.js';
import { readCampaignState, stateProblems } from './campaign-state.js';
import { checkReviewWorkbook, readReviewWorkbook } from './import.js';
import { signoffFromState } from './merge.js';
import { buildRevocationPlan, PLAN_SCHEMA_VERSION, type PlannedCall, type RevocationPlan } from './plan.js';
import { buildSignoff, type Signoff, signoffSchema } from './signoff.js';
import { snapshotSubjectCount, workbookLimits } from './xlsx-package.js';

const APPLY_LOG_SCHEMA_VERSION = 1 as const;

type CallOutcome = 'pending' | 'done' | 'already-done' | 'failed' | 'skipped';

/** One call of the plan as the log records it. */
export interface ApplyLogCall {
  /** 1-based position in the plan (candidates included). */
  index: number;
  identityKey: string;
  identity: string;
  decision: 'Revoke' | 'Modify';
  operationId: string;
  method: string;
  path: string;
  version: string;
  body: Record<string, unknown> | null;
  candidate: boolean;
  purpose: string;
  /** When the answer came (or the call was skipped); null while pending. */
  at: string | null;
  /** HTTP status of the answer; null when none (skipped, network failure). */
  status: number | null;
  /** Atlas `errorCode` of an error answer. */
  errorCode: string | null;
  /** Atlas `detail` (or the network error) of a failure. */
  detail: string | null;
  outcome: CallOutcome;
  /** Why a call was skipped or counted as already done. */
  reason: string | null;
}

/** The apply log (`apply-log.json`), rewritten after every call so an interrupted run leaves it. */
export interface ApplyLog {
  applyLogSchemaVersion: typeof APPLY_LOG_SCHEMA_VERSION;
  tool: { name: string; version: string };
  startedAt: string;
  /** Null while the run is in progress (or when it was interrupted). */
  finishedAt: string | null;
  baseUrl: string;
  /**
   * The applying identity: service account client id or API key public key (never a secret); null
   * when the plan has no call to send.
   */
  identity: { auth: 'service-account' | 'api-key'; id: string } | null;
  plan: { file: string; sha256: string };
  signoff: { file: string; sha256: string };
  snapshot: { file: string; sha256: string };
  workbookSha256: string;
  summary: Record<'calls' | 'done' | 'alreadyDone' | 'failed' | 'skipped' | 'pending', number>;
  calls: ApplyLogCall[];
}

/** The files `review apply` binds together, as read (`file` is the name to show). */
export interface ApplyInputs {
  plan: { file: string; text: string };
  signoff: { file: string; text: string };
  snapshot: { file: string; sha256: string; snapshot: Snapshot };
  /** The filled workbook (`review import`); for a campaign sign-off, the folder of returned workbooks. */
  workbook:
    | { file: string; bytes: Uint8Array }
    | { file: string; readFile: (name: string) => Promise<Uint8Array | null> };
  /** campaign.json, for a sign-off `review merge` wrote. */
  campaign?: { file: string; text: string } | undefined;
}

/** The first place where `actual` differs from `expected`, as a JSON path; null when equal. */
export function firstDifference(actual: unknown, expected: unknown, path: PropertyKey[] = []): string | null {
  if (isDeepStrictEqual(actual, expected)) return null;
  const bothArrays = Array.isArray(actual) && Array.isArray(expected);
  const bothObjects =
    !bothArrays &&
    typeof actual === 'object' &&
    typeof expected === 'object' &&
    actual !== null &&
    expected !== null &&
    !Array.isArray(actual) &&
    !Array.isArray(expected);
  if (bothArrays) {
    const a = actual as unknown[];
    const e = expected as unknown[];
    for (let i = 0; i < Math.min(a.length, e.length); i++) {
      const d = firstDifference(a[i], e[i], [...path, i]);
      if (d) return d;
    }
    return formatJsonPath([...path, Math.min(a.length, e.length)]);
  }
  if (bothObjects) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (!(key in a) || !(key in e)) return formatJsonPath([...path, key]);
      const d = firstDifference(a[key], e[key], [...path, key]);
      if (d) return d;
    }
  }
  return formatJsonPath(path);
}

/**
 * Checks that the evidence and what was derived from it agree, and returns the plan rebuilt from it
 * (the only calls that will be sent):
 * 1. the plan names the sign-off and the snapshot by sha256, the sign-off names the snapshot and the
 *    workbook by sha256;
 * 2. the sign-off is what `review import` makes of the workbook and the snapshot (decisions re-read);
 * 3. the plan file equals the plan rebuilt from the sign-off, field for field.
 * Any mismatch is an InputError naming the file and the first thing that differs (exit 2).
 */
export async function bindPlan(
  inputs: ApplyInputs,
  now: Date,
): Promise<{ plan: RevocationPlan; signoff: Signoff }> {
  const { plan: p, signoff: s } = inputs;
  const given = planFields(p);
  const signoffRaw = parseJsonText(s.text, s.file);
  const signoff = parseWithSchema(signoffSchema, signoffRaw, s.file);
  if (signoff.campaign) {
    checkBindings(inputs, given, signoff, null);
    await checkSignoffIsTheCampaigns(inputs, signoffRaw, signoff, now);
  } else {
    if (!('bytes' in inputs.workbook))
      throw new InputError(
        inputs.workbook.file,
        '$',
        'is a folder; this sign-off was made by review import from one workbook',
      );
    checkBindings(inputs, given, signoff, sha256Hex(inputs.workbook.bytes));
    await checkSignoffIsTheWorkbooks(inputs, signoffRaw, signoff, now);
  }
  return { plan: rebuiltPlan(inputs, given, signoff), signoff };
}

/** The plan file's top-level fields, refused unless its schema is the one this version applies. */
function planFields(p: ApplyInputs['plan']): Record<string, unknown> {
  const raw = parseJsonText(p.text, p.file);
  const given = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (given.planSchemaVersion !== PLAN_SCHEMA_VERSION)
    throw new InputError(
      p.file,
      '$.planSchemaVersion',
      `plan schema ${JSON.stringify(given.planSchemaVersion ?? null)}; this version applies plan schema ${PLAN_SCHEMA_VERSION}`,
      { hint: 'run review import again with this version to write a current plan' },
    );
  return given;
}

/** Step 1: which files belong together, by sha256 (exact bytes). */
function checkBindings(
  { plan: p, signoff: s, snapshot, workbook }: ApplyInputs,
  given: Record<string, unknown>,
  signoff: Signoff,
  /** null for a campaign: its workbooks are bound when they are read (checkSignoffIsTheCampaigns). */
  workbookSha: string | null,
): void {
  const signoffSha = sha256Hex(s.text);
  const names = (file: string, path: string, what: string, claimed: unknown, other: string, sha: string) =>
    new InputError(
      file,
      path,
      `written for ${what} ${JSON.stringify(claimed ?? null)}, but ${other} has sha256 ${sha}; nothing was sent`,
    );
  if (given.signoffSha256 !== signoffSha)
    throw names(p.file, '$.signoffSha256', 'sign-off', given.signoffSha256, s.file, signoffSha);
  if (signoff.snapshot.sha256 !== snapshot.sha256)
    throw names(
      s.file,
      '$.snapshot.sha256',
      'snapshot',
      signoff.snapshot.sha256,
      snapshot.file,
      snapshot.sha256,
    );
  if (given.snapshotSha256 !== snapshot.sha256)
    throw names(p.file, '$.snapshotSha256', 'snapshot', given.snapshotSha256, snapshot.file, snapshot.sha256);
  if (workbookSha !== null && signoff.workbook.sha256 !== workbookSha)
    throw names(s.file, '$.workbook.sha256', 'workbook', signoff.workbook.sha256, workbook.file, workbookSha);
}

/** Step 2: the sign-off's decisions are the workbook's (re-read and re-checked). */
async function checkSignoffIsTheWorkbooks(
  { signoff: s, snapshot, workbook }: ApplyInputs,
  signoffRaw: unknown,
  signoff: Signoff,
  now: Date,
): Promise<void> {
  if (!('bytes' in workbook)) throw new InputError(workbook.file, '$', 'expected a workbook file');
  const limits = workbookLimits(snapshotSubjectCount(snapshot.snapshot));
  const check = checkReviewWorkbook(
    await readReviewWorkbook(workbook.bytes, workbook.file, limits),
    { snapshot: snapshot.snapshot, sha256: snapshot.sha256 },
    now,
  );
  if (check.problems.length > 0)
    throw new InputError(
      workbook.file,
      '$',
      `${check.problems.length} problem(s) in the workbook (review import lists them); nothing was sent`,
    );
  const rebuiltSignoff = buildSignoff({
    snapshot: snapshot.snapshot,
    snapshotFile: signoff.snapshot.file,
    snapshotSha256: snapshot.sha256,
    // What import found when it read the snapshot: carried over, like the signals (apply checks the
    // snapshot's signature itself, with its own keys).
    snapshotSignature: signoff.snapshot.signature,
    workbookFile: signoff.workbook.file,
    workbookSha256: sha256Hex(workbook.bytes),
    decisions: check.decisions,
    signedOffAt: new Date(signoff.signedOffAt),
    tool: signoff.tool,
    // Signals come from the audit at import time (flagged rows), not from the workbook: carried over.
    signals: signoff.signals ?? [],
  });
  if (signoff.signals === undefined) delete (rebuiltSignoff as { signals?: unknown }).signals;
  const signoffDiff = firstDifference(signoffRaw, rebuiltSignoff);
  if (signoffDiff !== null)
    throw new InputError(
      s.file,
      signoffDiff,
      `differs from the sign-off review import makes of ${workbook.file} (edited after review import?); nothing was sent`,
      { hint: 'run review import again on the filled workbook' },
    );
}

/**
 * Step 2 for a campaign: the sign-off is what `review merge` makes of campaign.json and the folder's
 * workbooks (re-read and re-checked; closed the way the sign-off records), and the workbooks are the
 * ones it names (the manifest's sha256). Rubber-stamp signals come from the audit at merge time: carried over.
 */
async function checkSignoffIsTheCampaigns(
  { signoff: s, snapshot, workbook, campaign }: ApplyInputs,
  signoffRaw: unknown,
  signoff: Signoff,
  now: Date,
): Promise<void> {
  const record = signoff.campaign!;
  if (!campaign)
    throw new InputError(
      s.file,
      '$.campaign',
      'was written by review merge: pass its campaign.json with --campaign and the folder of workbooks with --workbook',
    );
  if ('bytes' in workbook)
    throw new InputError(
      workbook.file,
      '$',
      'this sign-off was merged from a campaign folder: --workbook takes the folder',
    );
  if (sha256Hex(campaign.text) !== record.sha256)
    throw new InputError(
      s.file,
      '$.campaign.sha256',
      `written for campaign.json ${record.sha256}, but ${campaign.file} has sha256 ${sha256Hex(campaign.text)}; nothing was sent`,
    );
  const parsed = parseCampaign(campaign.text, campaign.file);
  const trust = { flagged: new Set<string>(), keepNeedsJustification: false };
  const state = await readCampaignState(
    { campaign: parsed, snapshot, readFile: workbook.readFile, trust, now, reassignAnywhere: true },
    campaign.file,
  );
  const problems = stateProblems(state);
  if (problems.length > 0)
    throw new InputError(
      `${workbook.file}/${problems[0]!.file}`,
      '$',
      `${problems[0]!.problems.length} problem(s) in the workbook (review merge lists them); nothing was sent`,
    );
  const review = { ...DEFAULT_REVIEW_POLICY, undecided: record.policy.undecided };
  const rebuilt = signoffFromState(
    {
      // The signatures merge found: carried over (apply checks both files with its own keys).
      campaign: { file: record.file, text: campaign.text, campaign: parsed, signature: record.signature },
      folder: signoff.workbook.file,
      snapshot: {
        file: signoff.snapshot.file,
        snapshot: snapshot.snapshot,
        sha256: snapshot.sha256,
        signature: signoff.snapshot.signature,
      },
      review,
      trust: { ...trust, keepNeedsJustification: record.policy.keepNeedsJustification },
      close: record.closedUndecided !== null,
      now,
    },
    state,
    new Date(signoff.signedOffAt),
  );
  const carried = { ...rebuilt, tool: signoff.tool, signals: signoff.signals ?? [] };
  const diff = firstDifference(signoffRaw, carried);
  if (diff !== null)
    throw new InputError(
      s.file,
      diff,
      `differs from the sign-off review merge makes of ${workbook.file} (a workbook changed, or the sign-off was edited after review merge); nothing was sent`,
      { hint: 'run review merge again on the campaign folder' },
    );
}

/** Step 3: the plan is the one the sign-off gives, and every id fits its path parameter. */
function rebuiltPlan({ plan: p, signoff: s }: ApplyInputs, given: unknown, signoff: Signoff): RevocationPlan {
  const plan = buildRevocationPlan(signoff, sha256Hex(s.text));
  const diff = firstDifference(given, plan);
  if (diff !== null)
    throw new InputError(
      p.file,
      diff,
      `differs from the plan rebuilt from ${s.file} (edited after review import?); nothing was sent`,
      { hint: 'apply the plan exactly as review import wrote it, or run review import again' },
    );
  // Ids come from the snapshot: each must be a valid Atlas id for its path parameter.
  plan.identities.forEach((identity, i) => {
    for (const c of identity.calls) {
      const checked = writePathParams(writeOperations[c.operationId], c.path);
      if ('problem' in checked)
        throw new InputError(s.file, formatJsonPath(['actions', i]), `${checked.problem}; nothing was sent`);
    }
  });
  return plan;
}

/** Sends one call; throws AtlasApiError for an error answer (after the client's retries). */
export type CallSender = (call: PlannedCall) => Promise<{ status: number }>;

function summarize(calls: ApplyLogCall[]): ApplyLog['summary'] {
  const n = (o: CallOutcome) => calls.filter((c) => c.outcome === o).length;
  return {
    calls: calls.length,
    done: n('done'),
    alreadyDone: n('already-done'),
    failed: n('failed'),
    skipped: n('skipped'),
    pending: n('pending'),
  };
}

/** The log before the first call: every call pending, candidates already skipped. */
export function initialLog(
  plan: RevocationPlan,
  header: Omit<ApplyLog, 'applyLogSchemaVersion' | 'finishedAt' | 'summary' | 'calls' | 'workbookSha256'>,
): ApplyLog {
  let index = 0;
  const calls: ApplyLogCall[] = plan.identities.flatMap((i) =>
    i.calls.map(
      (c): ApplyLogCall => ({
        index: ++index,
        identityKey: i.key,
        identity: i.name,
        decision: i.decision,
        operationId: c.operationId,
        method: c.method,
        path: c.path,
        version: c.version,
        body: c.body,
        candidate: c.candidate,
        purpose: c.purpose,
        at: c.candidate ? header.startedAt : null,
        status: null,
        errorCode: null,
        detail: null,
        outcome: c.candidate ? 'skipped' : 'pending',
        reason: c.candidate
          ? 'candidate: the comment named no role or team; choose and carry it out by hand'
          : null,
      }),
    ),
  );
  return {
    applyLogSchemaVersion: APPLY_LOG_SCHEMA_VERSION,
    tool: header.tool,
    startedAt: header.startedAt,
    finishedAt: null,
    baseUrl: header.baseUrl,
    identity: header.identity,
    plan: header.plan,
    signoff: header.signoff,
    snapshot: header.snapshot,
    workbookSha256: plan.workbookSha256,
    summary: summarize(calls),
    calls,
  };
}

/**
 * Sends every pending call of `log` in order and records each answer. `onCall` runs after each call
 * (the CLI rewrites the log file and prints a line). Returns the finished log; never throws for an
 * Atlas answer (only for a bug).
 */
export async function applyPlan(
  plan: RevocationPlan,
  log: ApplyLog,
  send: CallSender,
  options: { now: () => Date; onCall: (entry: ApplyLogCall, log: ApplyLog) => Promise<void> },
): Promise<ApplyLog> {
  const planned = plan.identities.flatMap((i) => i.calls);
  let stopAll: string | null = null;
  const failedIdentities = new Set<string>();
  for (const [n, entry] of log.calls.entries()) {
    if (entry.outcome !== 'pending') continue;
    const call = planned[n]!;
    const skip =
      stopAll ??
      (failedIdentities.has(entry.identityKey) ? 'not sent: an earlier call for this identity failed' : null);
    if (skip) {
      Object.assign(entry, { at: options.now().toISOString(), outcome: 'skipped', reason: skip });
    } else {
      try {
        const { status } = await send(call);
        Object.assign(entry, { at: options.now().toISOString(), status, outcome: 'done' });
      } catch (error) {
        if (!(error instanceof AtlasApiError)) throw error;
        const { status, errorCode, detail } = error.details;
        Object.assign(entry, {
          at: options.now().toISOString(),
          status,
          errorCode,
          detail: detail === null ? null : redactSecrets(detail),
        });
        if (status === 404) {
          entry.outcome = 'already-done';
          entry.reason = 'not found: nothing left to remove';
        } else if (status === 409 && call.operationId === 'addOrgUserRole') {
          entry.outcome = 'already-done';
          entry.reason = 'the user already holds the role';
        } else {
          entry.outcome = 'failed';
          failedIdentities.add(entry.identityKey);
          if (status === 401) stopAll = 'not sent: the credentials were refused (401)';
        }
      }
    }
    log.summary = summarize(log.calls);
    await options.onCall(entry, log);
  }
  log.finishedAt = options.now().toISOString();
  log.summary = summarize(log.calls);
  return log;
}

/** The apply log as JSON. */
export function serializeApplyLog(log: ApplyLog): string {
  return `${JSON.stringify(log, null, 2)}\n`;
}
