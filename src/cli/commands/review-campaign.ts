/**
 * `review merge` and `review status`: a review campaign's folder of returned workbooks
 * (docs/review.md, "Campaigns"). The sign-off set is written as `review import` writes it.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { parseCampaign } from '../../campaign/campaign.js';
import { DEFAULT_REVIEW_POLICY, type ReviewPolicy } from '../../campaign/policy.js';
import { buildMessage, CONTENT_TYPES, composeMime } from '../../email/message.js';
import { sendMessage } from '../../email/send.js';
import { parseAddress } from '../../email/settings.js';
import { ExitCode, InputError } from '../../errors.js';
import type { EvidenceKeys } from '../../evidence/signature.js';
import { assertEvidenceWritable, evidenceEntries, readEvidence } from '../../evidence/store.js';
import {
  type AuditFileOptions,
  auditFromFiles,
  identicalCommentRows,
  readAuditInputs,
} from '../../input/audit-inputs.js';
import { type CampaignState, campaignRows } from '../../review/campaign-state.js';
import { formatProblemLines, type ReviewProblem } from '../../review/import.js';
import type { ReviewTrust } from '../../review/import-review.js';
import { mergeCampaign } from '../../review/merge.js';
import type { RevocationPlan } from '../../review/plan.js';
import { missingReassignedWorkbooks } from '../../review/reassigned-workbook.js';
import { campaignReminders } from '../../review/remind.js';
import type { Signoff } from '../../review/signoff.js';
import { campaignStatus, formatStatusText, misplacedWorkbooks } from '../../review/status.js';
import { flaggedKeys, formatSignal } from '../../review/trust.js';
import { WORKBOOK_LIMITS } from '../../review/xlsx-package.js';
import { type Roster, rosterIndex } from '../../roster/roster.js';
import type { LoadedSnapshot } from '../../snapshot/store.js';
import { addressFileSlug } from '../../util/address.js';
import { assertWritable, readInputBytes, writeFilesAtomic } from '../../util/files.js';
import { terminalSafe } from '../../util/terminal.js';
import type { CliContext } from '../context.js';
import { type EmailArgs, senderAddress, smtpConnection, smtpOptions } from '../email-options.js';
import {
  evidenceSigner,
  loadEvidenceKeys,
  type SigningKeyArgs,
  signedLine,
  signingKeyOption,
  type VerifyKeyArgs,
  verifyKeyOption,
} from '../evidence-keys.js';
import { defineCommand } from './define.js';

/** Files `review import` and `review merge` write into --out-dir. */
export const IMPORT_OUTPUTS = {
  signoffJson: 'signoff.json',
  signoffHtml: 'signoff.html',
  planJson: 'revocation-plan.json',
  planText: 'revocation-plan.txt',
} as const;

type OutputTexts = Record<keyof typeof IMPORT_OUTPUTS, string>;

/** The output files of `review import` (and merge) in `outDir`. */
export function importOutputPaths(outDir: string): OutputTexts {
  const path = (k: keyof typeof IMPORT_OUTPUTS) => resolve(outDir, IMPORT_OUTPUTS[k]);
  return {
    signoffJson: path('signoffJson'),
    signoffHtml: path('signoffHtml'),
    planJson: path('planJson'),
    planText: path('planText'),
  };
}

/** Refuses (exit 4) before any work when an output exists without --force: never a partial set. */
export async function assertOutputsWritable(out: OutputTexts, force: boolean): Promise<void> {
  for (const path of [out.signoffHtml, out.planText]) await assertWritable(path, force);
  for (const path of [out.planJson, out.signoffJson]) await assertEvidenceWritable(path, force);
}

/**
 * Writes the sign-off set all or nothing, signoff.json last (src/util/files.ts), the two JSON records
 * each with its signature; prints what was written and the rubber-stamp warnings.
 */
export async function writeSignoffSet(
  ctx: CliContext,
  out: OutputTexts,
  texts: OutputTexts,
  signoff: Signoff,
  keys: EvidenceKeys,
  force: boolean,
): Promise<void> {
  const signer = evidenceSigner(keys, ctx.now());
  await writeFilesAtomic(
    [
      { path: out.signoffHtml, data: texts.signoffHtml },
      ...evidenceEntries(out.planJson, texts.planJson, 'plan', signer),
      { path: out.planText, data: texts.planText },
      ...evidenceEntries(out.signoffJson, texts.signoffJson, 'signoff', signer),
    ],
    { force },
  );
  for (const k of ['signoffHtml', 'planJson', 'planText', 'signoffJson'] as const)
    ctx.stdout(`wrote ${out[k]} (${Buffer.byteLength(texts[k])} bytes)\n`);
  ctx.stdout(signedLine(out.planJson, keys) + signedLine(out.signoffJson, keys));
  for (const s of signoff.signals ?? [])
    ctx.stderr(`warning: rubber-stamp signal: ${terminalSafe(formatSignal(s))}\n`);
}

/** The one-line summary of a sign-off and its plan. */
export function signoffSummary(command: string, signoff: Signoff, plan: RevocationPlan): string {
  const c = signoff.counts;
  return `${command}: ${c.identities} decisions (${c.keep} keep, ${c.revoke} revoke, ${c.modify} modify) by ${signoff.reviewers.length} reviewer(s); plan: ${plan.counts.calls} API call(s), not executed (see review apply)\n`;
}

/** The audit options `review import` and `review merge` read to know which rows are flagged. */
export interface TrustArgs extends SigningKeyArgs {
  snapshot: string;
  rules?: string | undefined;
  policy?: string | undefined;
  waivers?: string | undefined;
  roster?: string | undefined;
}

/** The `<dir>` and `--campaign` every campaign command takes. */
function campaignFolder<T>(y: Argv<T>, dirDescription: string) {
  return y
    .positional('dir', { type: 'string', demandOption: true, describe: dirDescription })
    .option('campaign', {
      type: 'string',
      demandOption: true,
      requiresArg: true,
      describe: 'campaign.json of `report --split-by reviewer`',
    });
}

/** Declares --rules, --policy, --waivers and --roster (the audit that flags rows) and the key options. */
export function trustOptions<T>(y: Argv<T>): Argv<T & TrustArgs> {
  return flagOptions(signingKeyOption(y)) as unknown as Argv<T & TrustArgs>;
}

/** --rules, --policy, --waivers, --roster and --verify-key: the audit that flags rows, for a command that signs nothing. */
function flagOptions<T>(y: Argv<T>) {
  return verifyKeyOption(y)
    .option('rules', {
      type: 'string',
      requiresArg: true,
      describe: 'Rules folder of the audit that flags rows (default: built-in)',
    })
    .option('policy', {
      type: 'string',
      requiresArg: true,
      describe: 'Policy file: the audit, and its `review` section (keepNeedsJustification, undecided)',
    })
    .option('waivers', {
      type: 'string',
      requiresArg: true,
      describe: 'Waivers file (waived findings flag no row)',
    })
    .option('roster', {
      type: 'string',
      requiresArg: true,
      describe: 'HR roster: leavers and contractors flag their rows',
    });
}

/**
 * Audits the snapshot with the given rules, policy, waivers and roster: rows with an open finding are
 * flagged (a Keep of one needs a justification; a reviewer who kept every row including one is a
 * rubber-stamp signal). Returns the snapshot as read, the trust settings and the policy's `review` section.
 */
export async function readTrust(
  ctx: CliContext,
  argv: TrustArgs,
  keys: EvidenceKeys,
): Promise<{ loaded: LoadedSnapshot; trust: ReviewTrust; review: ReviewPolicy }> {
  const at = (p: string | undefined) => (p === undefined ? undefined : resolve(ctx.cwd, p));
  const { loaded, audit, policy, roster } = await auditWithPolicy(
    {
      snapshotFile: at(argv.snapshot)!,
      rulesDir: at(argv.rules),
      policyFile: at(argv.policy),
      waiversFile: at(argv.waivers),
      rosterFile: at(argv.roster),
      keys,
    },
    ctx.now(),
  );
  const review = policy.review ?? DEFAULT_REVIEW_POLICY;
  return {
    loaded: { ...loaded, file: argv.snapshot },
    trust: {
      flagged: flaggedKeys(audit.findings),
      keepNeedsJustification: review.keepNeedsJustification,
      identicalCommentRows: identicalCommentRows(policy),
      ...(roster ? { aliasesOf: rosterAliases(roster) } : {}),
    },
    review,
  };
}

/** The audit, and the policy it read. */
async function auditWithPolicy(opts: AuditFileOptions, now: Date) {
  const inputs = await readAuditInputs(opts, now);
  const { loaded, audit } = await auditFromFiles(opts, now, inputs);
  return { loaded, audit, policy: inputs.policy, roster: inputs.roster };
}

/** A subject's addresses the roster knows (its email and aliases), for the self-review checks. */
function rosterAliases(roster: Roster): (name: string) => readonly string[] {
  const personOf = rosterIndex(roster);
  return (name) => {
    const p = personOf(name);
    return p ? [p.email, ...p.aliases] : [];
  };
}

/** A file of the campaign folder, or null when it is not there (size-capped like `review import`). */
export function folderReader(dir: string, shownDir: string) {
  return async (name: string): Promise<Uint8Array | null> => {
    const path = resolve(dir, name);
    try {
      await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    }
    return readInputBytes(path, `${shownDir.replace(/\/+$/, '')}/${name}`, WORKBOOK_LIMITS.maxFileBytes);
  };
}

/** The largest campaign.json read: far above any campaign's (about 100 bytes a row). */
const MAX_CAMPAIGN_BYTES = 64 * 1024 * 1024;

/**
 * campaign.json as read: its text (the sign-off records its sha256) and the record. With a verify key
 * configured, its signature (campaign.json.sig, written by the split) is checked on the bytes read, and
 * an unsigned or altered campaign.json is refused (exit 2): it says who reviews which rows, whom
 * reminders go to, and which rows the merge holds to a justification.
 */
export async function readCampaignFile(ctx: CliContext, file: string, keys: EvidenceKeys) {
  const { text, check } = await readEvidence(
    resolve(ctx.cwd, file),
    'campaign',
    keys,
    file,
    MAX_CAMPAIGN_BYTES,
  );
  return { file, text, campaign: parseCampaign(text, file), evidence: check };
}

interface MergeArgs extends TrustArgs {
  dir: string;
  campaign: string;
  'out-dir': string;
  close: boolean;
  force: boolean;
  'reassigned-out': boolean;
}

export function mergeCommand(ctx: CliContext) {
  return defineCommand<MergeArgs>({
    command: 'merge <dir>',
    describe:
      "Merge a campaign's returned reviewer workbooks into one sign-off and one revocation plan (exit 1 while rows are open)",
    builder: (y: Argv) =>
      campaignFolder(trustOptions(y), 'Folder of the returned workbooks')
        .option('snapshot', {
          type: 'string',
          demandOption: true,
          requiresArg: true,
          describe: 'The snapshot the campaign was split from (checked by sha256)',
        })
        .option('out-dir', {
          type: 'string',
          default: '.',
          requiresArg: true,
          describe: `Folder for ${Object.values(IMPORT_OUTPUTS).join(', ')}`,
        })
        .option('close', {
          type: 'boolean',
          default: false,
          describe:
            "Close the campaign: decide the open rows by the policy's review.undecided (revoke, keep or fail) and record it",
        })
        .option('reassigned-out', {
          type: 'boolean',
          default: false,
          describe:
            'Write reassigned-<reviewer>.xlsx into <dir> for every reviewer rows were reassigned to (their rows, to decide)',
        })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite output files that exist' })
        .example(
          '$0 review merge campaign/ --campaign campaign/campaign.json --snapshot snap.json --out-dir evidence/',
          'merge the returned workbooks; exit 1 lists the open rows',
        )
        .example(
          '$0 review merge campaign/ --campaign campaign/campaign.json --snapshot snap.json --out-dir evidence/ --close --policy close-policy.yaml',
          "close it: the open rows get the policy's review.undecided",
        ),
    handler: async (argv: MergeArgs) => {
      const out = importOutputPaths(resolve(ctx.cwd, argv['out-dir']));
      await assertOutputsWritable(out, argv.force);
      const keys = await loadEvidenceKeys(argv, ctx);
      const campaign = await readCampaignFile(ctx, argv.campaign, keys);
      const { loaded, trust, review } = await readTrust(ctx, argv, keys);
      const result = await mergeCampaign({
        campaign: { ...campaign, signature: campaign.evidence.signature },
        folder: argv.dir,
        snapshot: {
          file: argv.snapshot,
          snapshot: loaded.snapshot,
          sha256: loaded.sha256,
          signature: loaded.evidence.signature,
        },
        readFile: folderReader(resolve(ctx.cwd, argv.dir), argv.dir),
        review,
        trust,
        close: argv.close,
        now: ctx.now(),
      });
      if (!result.ok && result.reason === 'problems') throwProblems(ctx, argv.dir, result.problems);
      if (!result.ok) {
        // Rows are handed on only while the campaign is open: once every row is decided (or --close
        // decided the rest by policy), a follow-up workbook would ask for a decision already made.
        if (argv['reassigned-out']) await writeReassigned(ctx, argv, result.state);
        reportOpen(ctx, result, argv.close);
        return;
      }
      await writeSignoffSet(ctx, out, result.texts, result.signoff, keys, argv.force);
      const closed = result.signoff.campaign?.closedUndecided;
      if (closed)
        ctx.stderr(
          `review merge: closed ${closed.rows.length} undecided row(s) by policy review.undecided: ${closed.policy}\n`,
        );
      ctx.stderr(signoffSummary('review merge', result.signoff, result.plan));
      ctx.exitCode = ExitCode.ok;
    },
  });
}

/** Every problem of every workbook, then exit 2: nothing is written. */
function throwProblems(
  ctx: CliContext,
  dir: string,
  problems: Array<{ file: string; problems: ReviewProblem[] }>,
): never {
  let n = 0;
  for (const w of problems) {
    n += w.problems.length;
    for (const line of formatProblemLines(w.problems, terminalSafe(`${dir.replace(/\/+$/, '')}/${w.file}`)))
      ctx.stderr(`${line}\n`);
  }
  throw new InputError(
    dir,
    '$',
    `${n} problem${n === 1 ? '' : 's'} in ${problems.length} workbook(s) (listed above); nothing written`,
    { hint: 'have each reviewer fix the cells named above and return the workbook, then merge again' },
  );
}

/** The missing workbooks and open rows, then exit 1: nothing is written. */
function reportOpen(
  ctx: CliContext,
  result: { open: Array<{ reviewer: string; name: string; key: string; why: string }>; missing: string[] },
  close: boolean,
): void {
  for (const f of result.missing) ctx.stderr(`missing workbook: ${terminalSafe(f)}\n`);
  for (const o of result.open)
    ctx.stderr(
      `open: ${terminalSafe(o.reviewer)}: ${terminalSafe(o.name)} (${terminalSafe(o.key)})${o.why === 'missing-workbook' ? ', workbook not returned' : ''}\n`,
    );
  ctx.stderr(
    `review merge: ${result.open.length} row(s) open, ${result.missing.length} workbook(s) missing; nothing written (${close ? 'policy review.undecided is fail' : 'close the campaign with --close to apply the policy review.undecided'}) (exit 1)\n`,
  );
  ctx.exitCode = ExitCode.violations;
}

/**
 * `--reassigned-out`: the follow-up workbooks the folder lacks, written into it as one set (never over
 * a file): one that cannot be written leaves none of the others, so the folder is as before (exit 4).
 */
async function writeReassigned(ctx: CliContext, argv: MergeArgs, state: CampaignState): Promise<void> {
  const dir = resolve(ctx.cwd, argv.dir);
  const missing = await missingReassignedWorkbooks(state, folderReader(dir, argv.dir));
  await writeFilesAtomic(
    missing.map((w) => ({ path: resolve(dir, w.file), data: w.bytes })),
    { force: false },
  );
  for (const w of missing)
    ctx.stdout(
      `wrote ${resolve(dir, w.file)} (${w.rows} reassigned row(s) for ${terminalSafe(w.reviewer)})\n`,
    );
}

interface StatusArgs extends Omit<TrustArgs, 'snapshot'> {
  dir: string;
  campaign: string;
  json: boolean;
  snapshot?: string | undefined;
}

export function statusCommand(ctx: CliContext) {
  return defineCommand<StatusArgs>({
    command: 'status <dir>',
    describe:
      'Per reviewer: rows decided of their total, reassigned, overdue; exit 1 when the campaign is past due and incomplete',
    builder: (y: Argv) =>
      campaignFolder(flagOptions(y), 'Folder of the returned workbooks')
        .option('snapshot', {
          type: 'string',
          requiresArg: true,
          describe:
            'The snapshot the campaign was split from: check, as review merge does, that it is that snapshot and that campaign.json gives every one of its rows a reviewer (exit 2 otherwise)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of the table' })
        .example(
          '$0 review status campaign/ --campaign campaign/campaign.json',
          'who has decided what; exit 1 after the due date while rows are open',
        )
        .example(
          '$0 review status campaign/ --campaign campaign/campaign.json --snapshot snap.json',
          'and whether campaign.json still covers every row of the snapshot',
        ),
    handler: async (argv: StatusArgs) => {
      const keys = await loadEvidenceKeys(argv, ctx);
      const { campaign } = await readCampaignFile(ctx, argv.campaign, keys);
      // Without the snapshot, a campaign.json edited to drop rows would read as complete.
      if (argv.snapshot !== undefined) {
        const { loaded, trust } = await readTrust(ctx, { ...argv, snapshot: argv.snapshot }, keys);
        campaignRows(campaign, loaded, trust.flagged, argv.campaign);
      }
      const status = await campaignStatus(
        campaign,
        folderReader(resolve(ctx.cwd, argv.dir), argv.dir),
        ctx.now(),
      );
      ctx.stdout(argv.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatusText(status));
      ctx.exitCode = status.pastDue && !status.complete ? ExitCode.violations : ExitCode.ok;
    },
  });
}

interface RemindArgs extends EmailArgs, VerifyKeyArgs {
  dir: string;
  campaign: string;
  force: boolean;
}

export function remindCommand(ctx: CliContext) {
  return defineCommand<RemindArgs>({
    command: 'remind <dir>',
    describe:
      'Email every reviewer with open rows their workbook; after the due date the fallback reviewer is copied',
    builder: (y: Argv) =>
      campaignFolder(verifyKeyOption(smtpOptions(y)), 'Folder of the campaign workbooks')
        .option('email-from', {
          type: 'string',
          describe: 'Sender address [env SMTP_FROM] (default: the SMTP user when it is an address)',
          group: 'Email:',
        })
        .option('eml', {
          type: 'string',
          requiresArg: true,
          describe: 'Write each message as remind-<reviewer>.eml into this folder instead of sending it',
          group: 'Email:',
        })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite .eml files that exist' })
        .example(
          '$0 review remind campaign/ --campaign campaign/campaign.json --email-from review-bot@example.com --eml reminders/',
          'one .eml per reviewer with open rows, their workbook attached',
        ),
    handler: async (argv: RemindArgs) => {
      // A campaign.json edited to name another reviewer would mail them that reviewer's workbook.
      const { campaign } = await readCampaignFile(ctx, argv.campaign, await loadEvidenceKeys(argv, ctx));
      const dir = resolve(ctx.cwd, argv.dir);
      const emlDir = argv.eml === undefined ? null : resolve(ctx.cwd, argv.eml);
      const smtp = emlDir === null ? await smtpConnection(argv, ctx) : null;
      const from = senderAddress(argv, ctx, smtp?.user ?? null, emlDir !== null);
      const read = folderReader(dir, argv.dir);
      const status = await campaignStatus(campaign, read, ctx.now());
      // A reviewer is mailed the file in their workbook's place: never one that holds another's rows.
      const misplaced = misplacedWorkbooks(status);
      if (misplaced.length > 0) {
        for (const m of misplaced) ctx.stderr(`${terminalSafe(m)}\n`);
        throw new InputError(
          argv.dir,
          '$',
          `${misplaced.length} workbook(s) in the folder are not the reviewer's the campaign names (listed above); nothing sent`,
          { hint: "put each reviewer's own workbook back in its place (review status lists them)" },
        );
      }
      const reminders = campaignReminders(campaign, status);
      const messages = [];
      for (const r of reminders) {
        const attachments = [];
        for (const file of r.attach)
          attachments.push({
            filename: file,
            content: Buffer.from((await read(file))!),
            contentType: CONTENT_TYPES.xlsx,
          });
        messages.push({
          r,
          message: buildMessage({
            from,
            to: [parseAddress(r.reviewer, 'campaign.json reviewer')],
            cc: r.cc.map((c) => parseAddress(c, 'campaign.json fallbackReviewer')),
            subject: r.subject,
            text: r.text,
            html: r.html,
            attachments,
            date: ctx.now(),
          }),
        });
      }
      if (emlDir !== null) {
        const paths = messages.map(({ r }) => resolve(emlDir, `remind-${addressFileSlug(r.reviewer)}.eml`));
        for (const p of paths) await assertWritable(p, argv.force);
        // One set: a message that cannot be written (a full disk) leaves none of the others.
        const files = [];
        for (const [i, { message }] of messages.entries())
          files.push({ path: paths[i]!, data: await composeMime(message) });
        await writeFilesAtomic(files, { force: argv.force });
        for (const [i, { r }] of messages.entries())
          ctx.stdout(
            `wrote ${paths[i]} (${files[i]!.data.length} bytes) for ${terminalSafe(r.reviewer)}${r.cc.length ? `, cc ${terminalSafe(r.cc.join(', '))}` : ''}\n`,
          );
      } else
        for (const { r, message } of messages) {
          const receipt = await sendMessage(smtp!, message);
          ctx.stdout(`sent to ${terminalSafe(receipt.accepted.join(', '))} (${terminalSafe(r.subject)})\n`);
        }
      ctx.stderr(
        `review remind: ${reminders.length} reminder(s) for ${status.totals.open} open row(s)${status.pastDue ? ', past due: fallback reviewer copied' : ''}\n`,
      );
      ctx.exitCode = ExitCode.ok;
    },
  });
}
