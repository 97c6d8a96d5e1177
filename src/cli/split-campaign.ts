/**
 * The CLI side of `report --split-by reviewer --out-dir DIR` (and `run --split-by`): its options, the due date and campaign
 * id from the clock and the arguments, the refusals (exit 2 and 4) before anything is written, and
 * writing the campaign's files as one set, campaign.json last. The split itself is src/report/split.ts.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CAMPAIGN_FILE, type Campaign, campaignSchema, parseCampaign } from '../campaign/campaign.js';
import { DEFAULT_REVIEW_POLICY, type ReviewPolicy } from '../campaign/policy.js';
import { NoReviewerError } from '../campaign/routing.js';
import { InputError, UsageError } from '../errors.js';
import type { EvidenceKeys } from '../evidence/signature.js';
import { assertEvidenceWritable, evidenceEntries } from '../evidence/store.js';
import type { AuditInputs } from '../input/audit-inputs.js';
import type { ReportModel } from '../report/model.js';
import { defaultCampaignId, type SplitOutput, splitByReviewer } from '../report/split.js';
import { rosterIndex } from '../roster/roster.js';
import type { Snapshot } from '../snapshot/schema.js';
import { assertWritable, readInputBytes, writeFilesAtomic } from '../util/files.js';
import { terminalSafe } from '../util/terminal.js';
import { TOOL } from '../version.js';
import { type AuditArgs, assertOutputsAreNotInputs } from './audit-options.js';
import type { CliContext } from './context.js';
import { evidenceSigner, signedLine } from './evidence-keys.js';

export interface SplitArgs {
  'split-by'?: 'reviewer' | undefined;
  due?: string | undefined;
  'campaign-id'?: string | undefined;
}

/** Days from the split to the default due date. */
const DEFAULT_DUE_DAYS = 14;

/** `report`'s campaign options. */
export function splitOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('split-by', {
      choices: ['reviewer'] as const,
      describe:
        "Write one review workbook per reviewer into --out-dir (routed by the policy's review section) and campaign.json",
    })
    .option('due', {
      type: 'string',
      requiresArg: true,
      describe: `With --split-by: the date decisions are due, YYYY-MM-DD (default: ${DEFAULT_DUE_DAYS} days from today)`,
    })
    .option('campaign-id', {
      type: 'string',
      requiresArg: true,
      describe: 'With --split-by: the campaign id (default: the due date and the snapshot sha256 prefix)',
    });
}

/** The campaign's settings from the arguments, checked before any work (exit 2). */
export interface SplitPlan {
  dir: string;
  shownDir: string;
  due: string;
  campaignId: string | undefined;
}

function checkDue(due: string): string {
  const d = new Date(`${due}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(due) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== due)
    throw new UsageError(`--due ${JSON.stringify(due)} is not a date`, { hint: 'write it as YYYY-MM-DD' });
  return due;
}

/** Null without `--split-by`; otherwise the plan, after checking `--out-dir`, `--due` and `--campaign-id`. */
export function planSplit(
  args: SplitArgs & { 'out-dir'?: string | undefined },
  ctx: Pick<CliContext, 'cwd' | 'now'>,
): SplitPlan | null {
  if (args['split-by'] === undefined) {
    for (const flag of ['due', 'campaign-id'] as const)
      if (args[flag] !== undefined) throw new UsageError(`--${flag} needs --split-by reviewer`);
    return null;
  }
  const shownDir = args['out-dir'];
  if (shownDir === undefined)
    throw new UsageError('--split-by reviewer needs --out-dir <dir> for the workbooks and campaign.json');
  const today = ctx.now();
  const due =
    args.due === undefined
      ? new Date(today.getTime() + DEFAULT_DUE_DAYS * 86_400_000).toISOString().slice(0, 10)
      : checkDue(args.due);
  const id = args['campaign-id'];
  if (id !== undefined && !campaignSchema.shape.campaignId.safeParse(id).success)
    throw new UsageError(`--campaign-id ${JSON.stringify(id)} is not a valid campaign id`, {
      hint: 'use letters, digits, dot, dash or underscore (at most 100), starting with a letter or digit',
    });
  return { dir: resolve(ctx.cwd, shownDir), shownDir, due, campaignId: id };
}

/**
 * Refuses an existing campaign.json (or its signature) before any work (exit 4); the workbooks are
 * checked once named. With a verify key configured, a campaign needs a signing key (exit 2): campaign.json
 * is evidence (the reviewers, their rows and the flags the merge holds them to), and `review merge`,
 * `status` and `remind` refuse an unsigned one under that key.
 */
export async function assertSplitWritable(
  plan: SplitPlan,
  force: boolean,
  keys: EvidenceKeys,
): Promise<void> {
  if (keys.verify.length > 0 && !keys.signing)
    throw new UsageError(
      `a verify key is configured but no signing key: ${CAMPAIGN_FILE} would be unsigned, and refused by review merge under that key`,
      { hint: 'give the signing key too (--signing-key or ATLAS_REVIEW_SIGNING_KEY)' },
    );
  await assertEvidenceWritable(join(plan.dir, CAMPAIGN_FILE), force);
}

/**
 * The policy's `review` section with its fallback reviewer, or exit 2 naming the policy file and
 * `$.review.fallbackReviewer`: every campaign needs a reviewer of last resort (and `review remind`
 * escalates to them after the due date).
 */
export function reviewPolicyForSplit(
  inputs: AuditInputs,
  policyFile: string | undefined,
): ReviewPolicy & { fallbackReviewer: string } {
  const review = inputs.policy.review ?? DEFAULT_REVIEW_POLICY;
  const fallbackReviewer = review.fallbackReviewer;
  if (fallbackReviewer !== undefined) return { ...review, fallbackReviewer };
  const problem = '--split-by reviewer needs a fallback reviewer (the reviewer of last resort)';
  if (policyFile === undefined)
    throw new UsageError(problem, {
      hint: 'pass --policy with review.fallbackReviewer set to an email address',
    });
  throw new InputError(policyFile, '$.review.fallbackReviewer', `${problem}; none is set`, {
    hint: 'set review.fallbackReviewer to an email address',
  });
}

/** The split's inputs the command has read. */
export interface SplitContext {
  plan: SplitPlan;
  model: ReportModel;
  snapshot: Snapshot;
  inputs: AuditInputs;
  args: AuditArgs & { force: boolean; snapshot: string; previous?: string | undefined };
  /** Paths the other formats of the same invocation write. */
  otherOutputs: readonly string[];
}

/** A split ready to write, and what it replaces of an earlier campaign in the same folder (`--force`). */
export interface PreparedSplit extends SplitOutput {
  /** The earlier campaign's workbooks this split does not write: removed with the new set. */
  earlier: { campaignId: string; workbooks: string[] } | null;
}

/** The largest earlier campaign.json read: far above any campaign's (about 100 bytes a row). */
const MAX_EARLIER_CAMPAIGN_BYTES = 64 * 1024 * 1024;

/**
 * A name the split writes a reviewer's workbook under (src/report/split.ts reviewerFileName: lower case, plain):
 * the only names an earlier campaign.json can have removed. campaign.json and its signature, a name in
 * other case (another file on a case-sensitive disk) or anything else it lists stays.
 */
const WORKBOOK_NAME = /^review-[a-z0-9._+-]*\.xlsx$/;

/**
 * A name `review merge --reassigned-out` writes a follow-up workbook under (src/review/campaign-state.ts
 * reassignedFileName: `reassigned-` and the address's file slug, lower case). No campaign.json lists
 * them: an earlier campaign's are found by name in the folder.
 */
const FOLLOW_UP_NAME = /^reassigned-[a-z0-9._@+-]*\.xlsx$/;

/**
 * With `--force` over an earlier campaign in the same folder: the workbooks its campaign.json lists
 * that this split does not write (a reviewer who is not in the new campaign), and the follow-up
 * workbooks (`reassigned-….xlsx`) its merges wrote. Left in the folder, such a
 * workbook would still be found there, and could be sent, as if it were that reviewer's to decide. Only
 * names a split writes (`review-….xlsx`, plain file names) are ever removed, never a file another
 * format of the same command writes (`otherOutputs`); an earlier campaign.json that cannot be read
 * removes nothing, and says so.
 */
async function earlierCampaign(
  plan: SplitPlan,
  written: ReadonlySet<string>,
  otherOutputs: readonly string[],
  ctx: Pick<CliContext, 'stderr'>,
): Promise<PreparedSplit['earlier']> {
  const shown = `${plan.shownDir.replace(/\/+$/, '')}/${CAMPAIGN_FILE}`;
  const unreadable = (why: string) => {
    ctx.stderr(
      `warning: ${terminalSafe(shown)} is replaced, but it could not be read (${terminalSafe(why)}): workbooks of the earlier campaign, if any, stay in the folder\n`,
    );
    return null;
  };
  let earlier: Campaign;
  try {
    const bytes = await readInputBytes(join(plan.dir, CAMPAIGN_FILE), shown, MAX_EARLIER_CAMPAIGN_BYTES);
    earlier = parseCampaign(Buffer.from(bytes).toString('utf8'), shown);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // No earlier campaign: nothing to remove, nothing to say.
    return error.problem === 'file not found' ? null : unreadable(error.message);
  }
  // Follow-up workbooks belong to the campaign whose merge wrote them: a new split has none, so every
  // one in the folder is the earlier campaign's. Left there, `review remind` refuses to send anything
  // (they name the earlier campaign) until someone deletes them by hand.
  const followUps = (await readdir(plan.dir).catch(() => [] as string[])).filter((n) =>
    FOLLOW_UP_NAME.test(n),
  );
  const workbooks = [
    ...earlier.reviewers.map((r) => r.workbook).filter((n) => WORKBOOK_NAME.test(n)),
    ...followUps,
  ]
    .filter((name) => !written.has(name) && !otherOutputs.includes(join(plan.dir, name)))
    .sort();
  return { campaignId: earlier.campaignId, workbooks: [...new Set(workbooks)] };
}

/**
 * Routes, renders and checks the campaign's files: a row without a reviewer is exit 2 naming the
 * policy, an existing file without `--force` exit 4, a file that is an input or another output exit 2.
 * Nothing is written here.
 */
export async function prepareSplit(
  c: SplitContext,
  ctx: Pick<CliContext, 'cwd' | 'env' | 'now' | 'stderr'>,
): Promise<PreparedSplit> {
  const policy = reviewPolicyForSplit(c.inputs, c.args.policy);
  const roster = c.inputs.roster;
  let out: SplitOutput;
  try {
    out = await splitByReviewer({
      model: c.model,
      snapshot: c.snapshot,
      personOf: roster ? rosterIndex(roster) : null,
      roster: roster ? { sha256: roster.sha256, people: roster.people.length } : null,
      policy,
      // Of the bytes the policy was read from (not read again: a file changed since would be recorded).
      policySha256: c.inputs.read?.sha256 ?? null,
      campaignId: c.plan.campaignId ?? defaultCampaignId(c.plan.due, c.model.meta.snapshotSha256),
      due: c.plan.due,
      createdAt: ctx.now(),
      tool: TOOL,
    });
  } catch (error) {
    if (!(error instanceof NoReviewerError)) throw error;
    throw new InputError(
      c.args.policy ?? 'policy',
      '$.review.fallbackReviewer',
      `${error.message}: every route named the row's own subject`,
      { hint: 'set review.orgFallbackReviewers or another review.fallbackReviewer' },
    );
  }
  const paths = out.files.map((f) => ({
    path: join(c.plan.dir, f.name),
    option: `--out-dir ${c.plan.shownDir}: ${f.name}`,
  }));
  await assertOutputsAreNotInputs(paths, c.args, ctx);
  for (const p of paths) {
    if (c.otherOutputs.includes(p.path))
      throw new UsageError(`${p.option} is also written by another format`);
    await assertWritable(p.path, c.args.force);
  }
  const earlier = c.args.force
    ? await earlierCampaign(c.plan, new Set(out.files.map((f) => f.name)), c.otherOutputs, ctx)
    : null;
  return { ...out, earlier };
}

/**
 * Writes the campaign's files as one set (campaign.json last, signed when a signing key is configured)
 * and says what was written.
 */
export async function writeSplit(
  plan: SplitPlan,
  out: PreparedSplit,
  opts: { force: boolean; keys: EvidenceKeys; now: Date },
  ctx: Pick<CliContext, 'stdout'>,
): Promise<void> {
  const signer = evidenceSigner(opts.keys, opts.now);
  const stale = (out.earlier?.workbooks ?? []).map((name) => ({ path: join(plan.dir, name), data: null }));
  const entries = out.files.flatMap((f) => {
    const path = join(plan.dir, f.name);
    return f.name === CAMPAIGN_FILE
      ? evidenceEntries(path, f.bytes, 'campaign', signer)
      : [{ path, data: f.bytes }];
  });
  await writeFilesAtomic([...stale, ...entries], { force: opts.force });
  for (const name of out.earlier?.workbooks ?? [])
    ctx.stdout(
      terminalSafe(
        `removed ${plan.shownDir}/${name} (${FOLLOW_UP_NAME.test(name) ? 'a follow-up workbook' : 'a workbook'} of the earlier campaign ${out.earlier!.campaignId}, not in this one)`,
      ) + '\n',
    );
  for (const r of out.campaign.reviewers)
    ctx.stdout(
      terminalSafe(`wrote ${plan.shownDir}/${r.workbook} (${r.rows.length} rows for ${r.reviewer})`) + '\n',
    );
  ctx.stdout(
    `${terminalSafe(`wrote ${plan.shownDir}/${CAMPAIGN_FILE} (campaign ${out.campaign.campaignId}, ${out.campaign.reviewers.length} reviewers, due ${out.campaign.due})`)}\n`,
  );
  ctx.stdout(signedLine(join(plan.shownDir, CAMPAIGN_FILE), opts.keys));
}
