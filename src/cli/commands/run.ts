import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { defaultDeps } from '../../atlas/client.js';
import type { AuditResult } from '../../audit/types.js';
import { UsageError } from '../../errors.js';
import { assertEvidenceWritable, signaturePath } from '../../evidence/store.js';
import { summarizeEvidence } from '../../evidence/summary.js';
import { auditFromFiles, readAuditInputs } from '../../input/audit-inputs.js';
import { loadPrevious } from '../../input/previous.js';
import type { ReportModel } from '../../report/model.js';
import { type GroupBy, RENDERERS, REPORT_FORMATS, type ReportFormat } from '../../report/renderers/index.js';
import { isCampaignFileName } from '../../report/split.js';
import { assertWritable, exists, whileWriting } from '../../util/files.js';
import {
  type AtlasArgs,
  atlasOptions,
  atlasSource,
  buildClient,
  includeSelection,
  orgSelection,
  sinceDays,
} from '../atlas-options.js';
import {
  type AuditArgs,
  assertOutputsAreNotInputs,
  auditFileOptions,
  auditOptions,
} from '../audit-options.js';
import { optionsArgv } from '../command-line.js';
import type { CliContext } from '../context.js';
import {
  attachedFormats,
  deliverReport,
  type EmailArgs,
  emailOptions,
  prepareDelivery,
  reportAttachments,
} from '../email-options.js';
import { loadEvidenceKeys, type SigningKeyArgs, signedLine, signingKeyOption } from '../evidence-keys.js';
import { retryReporter } from '../progress.js';
import {
  assertSplitWritable,
  planSplit,
  prepareSplit,
  reviewPolicyForSplit,
  type SplitArgs,
  splitOptions,
  writeSplit,
} from '../split-campaign.js';
import { emitAuditFormat } from './audit.js';
import { collectToFile, defaultSnapshotName } from './collect.js';
import { type CommandFactory, defineCommand } from './define.js';
import { packEvidence, preparePack } from './evidence.js';
import {
  finishWithGate,
  type PlannedOutput,
  planOutputs,
  previousOption,
  renderAndWrite,
  reportOutputOptions,
  reviewModel,
} from './report.js';

type FormatArgs = { [F in ReportFormat]?: string | undefined };

export interface RunArgs extends AtlasArgs, AuditArgs, EmailArgs, FormatArgs, SigningKeyArgs, SplitArgs {
  snapshot?: string | undefined;
  previous?: string | undefined;
  'out-dir'?: string | undefined;
  /** How the HTML and XLSX lay out the findings (`--group-by`). */
  'group-by'?: GroupBy | undefined;
  /** Also print the audit in this format to stdout, as `audit --format` does. */
  format?: ReportFormat | undefined;
  force: boolean;
  quiet: boolean;
  /**
   * `run --evidence FILE`: the pack written once the run is done (by the command's handler); checked
   * here, with the other outputs, so a clash is refused before the first request.
   */
  evidence?: string | undefined;
}

export interface RunOutcome {
  snapshotFile: string;
  /** sha256 of the snapshot file written, and its collection time. */
  snapshotSha256: string;
  collectedAt: string;
  outputs: PlannedOutput[];
  /** The review campaign's files (`--split-by reviewer`), absolute; empty without one. */
  campaignFiles: string[];
  audit: AuditResult;
  model: ReportModel;
  /** Whether the snapshot (and sign-off) were signature-checked, as the audit formats say. */
  evidence: ReportModel['meta']['evidence'];
}

/** Default folder of a run without any output flag: one per run, so nothing is ever overwritten. */
export function defaultRunDir(now: Date): string {
  return `atlas-review-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * collect -> snapshot file -> audit (of that file: the evidence is what gets audited) -> reports ->
 * optional email. Everything that can be refused (bad options, outputs that exist, email settings) is
 * checked before the first request; a failed collection writes nothing (exit 3).
 */
export async function runPipeline(args: RunArgs, ctx: CliContext): Promise<RunOutcome> {
  const source = atlasSource(args, ctx.env, ctx.stderr);
  const orgs = orgSelection(args, source.profileOrg);
  includeSelection(args);
  sinceDays(args);
  const client = buildClient(args, source.env, { ...defaultDeps, onRetry: retryReporter(ctx, args.quiet) });
  const started = ctx.now();
  // With --split-by, --out-dir is the campaign's folder (the snapshot goes there too, beside the
  // workbooks and campaign.json); other formats are named one by one, as for `report`.
  const split = planSplit(args, ctx);
  const anyFormat = Object.keys(RENDERERS).some((f) => args[f as ReportFormat] !== undefined);
  const outDir = split
    ? undefined
    : (args['out-dir'] ?? (anyFormat || args.snapshot ? undefined : defaultRunDir(started)));
  const outputs = anyFormat || outDir ? planOutputs({ ...args, 'out-dir': outDir }, ctx.cwd) : [];
  const snapshotFile = resolve(
    ctx.cwd,
    args.snapshot ??
      (split
        ? join(split.shownDir, 'snapshot.json')
        : outDir
          ? join(outDir, 'snapshot.json')
          : defaultSnapshotName(started)),
  );
  if (outputs.some((o) => o.path === snapshotFile)) {
    throw new UsageError('the snapshot and a report would be written to the same file');
  }
  // The campaign's workbooks are named once the rows are routed, after collecting: a snapshot (or a
  // pack) that a split could write over is refused now, not after the whole collection.
  const campaignFile = (path: string) =>
    split !== null && dirname(path) === split.dir && isCampaignFileName(basename(path));
  if (campaignFile(snapshotFile))
    throw new UsageError(
      `the snapshot ${args.snapshot ?? snapshotFile} would be written over a file of the campaign in --out-dir ${split?.shownDir}`,
      { hint: 'name the snapshot otherwise (the default is <out-dir>/snapshot.json)' },
    );
  for (const o of [
    ...outputs.map((o) => ({ path: o.path, option: `--${o.format} ${o.shown}` })),
    ...(args.eml ? [{ path: resolve(ctx.cwd, args.eml), option: `--eml ${args.eml}` }] : []),
  ])
    if (campaignFile(o.path))
      throw new UsageError(
        `${o.option} would be written over a file of the campaign in --out-dir ${split?.shownDir}`,
        { hint: 'write it outside the campaign folder, or under another name' },
      );
  if (args.evidence !== undefined) {
    const pack = resolve(ctx.cwd, args.evidence);
    const written = [
      snapshotFile,
      signaturePath(snapshotFile),
      ...outputs.map((o) => o.path),
      ...(args.eml ? [resolve(ctx.cwd, args.eml)] : []),
    ];
    if (written.includes(pack) || campaignFile(pack))
      throw new UsageError(`--evidence ${args.evidence} would be written over a file this run writes`, {
        hint: 'write the pack to a file of its own',
      });
    // The pack holds each report as report/<file name> and the campaign under report/campaign/
    // (src/pack/read-inputs.ts): two reports of one name, or one named `campaign` beside a campaign,
    // could not both be packed.
    const packed = new Set<string>(split ? ['campaign'] : []);
    for (const o of outputs) {
      const name = basename(o.path);
      if (packed.has(name))
        throw new UsageError(
          `--${o.format} ${o.shown}: the pack holds every report as report/<file name>, and report/${name} is taken`,
          { hint: 'give the reports of a run with --evidence different file names' },
        );
      packed.add(name);
    }
  }
  await assertOutputsAreNotInputs(
    [
      { path: snapshotFile, option: `the snapshot ${snapshotFile}` },
      ...outputs.map((o) => ({ path: o.path, option: `--${o.format} ${o.shown}` })),
      ...(args.eml ? [{ path: resolve(ctx.cwd, args.eml), option: `--eml ${args.eml}` }] : []),
    ],
    { ...args, snapshot: undefined },
    ctx,
  );
  await assertEvidenceWritable(snapshotFile, args.force);
  for (const path of outputs.map((o) => o.path)) await assertWritable(path, args.force);
  const delivery = args['email-to']?.length ? await prepareDelivery(args, ctx) : null;
  // Keys, the sign-off and the previous snapshot are only used after collecting: read them now, so a
  // bad key or file fails before the first request. The previous snapshot is audited with the same
  // inputs, and held to the same keys.
  const keys = await loadEvidenceKeys(args, ctx);
  if (keys.verify.length > 0 && !keys.signing)
    throw new UsageError(
      'a verify key is configured but no signing key: the snapshot run writes would be unsigned, and refused when it is read back',
      {
        hint: 'give the signing key too (--signing-key or ATLAS_REVIEW_SIGNING_KEY), or collect and audit in two steps',
      },
    );
  if (split) await assertSplitWritable(split, args.force, keys);
  const auditFiles = { ...auditFileOptions(snapshotFile, args, ctx.cwd), keys };
  // Rules, policy, waivers, baseline and sign-off: checked now, not after the whole collection.
  const inputs = await readAuditInputs(auditFiles, started);
  // A campaign without a reviewer of last resort is refused before the first request (exit 2).
  if (split) reviewPolicyForSplit(inputs, args.policy);
  const previous = args.previous
    ? await loadPrevious(resolve(ctx.cwd, args.previous), auditFiles, started, args.previous)
    : undefined;

  // The snapshot records this run's options as parsed (scrubbed; credentials come from the environment).
  const command = optionsArgv(['run'], args);
  // With --split-by the snapshot is the campaign's first file. Until the campaign is written, a failure
  // (a row no route reaches, a workbook that exists: named only once the rows are routed) or Ctrl-C
  // removes it, and the folder when the run made it: no partial campaign is left, and the same command
  // can be run again. Registered before collecting, so no moment after the snapshot lands is left
  // uncovered; a snapshot file that was there before (`--force`) is never removed.
  const undo = split ? await snapshotUndo(snapshotFile, split.dir) : null;
  const settled = undo ? whileWriting(() => void undo.undo()) : () => {};
  let made: Awaited<ReturnType<typeof auditAndWrite>>;
  try {
    const { sha256 } = await collectToFile(args, client, orgs, snapshotFile, ctx, keys, command);
    // Marked in the same turn as the write resolved (promise continuations only): no signal handler
    // runs between the snapshot landing and this.
    undo?.wrote();
    ctx.stdout(`wrote ${snapshotFile} (snapshot, sha256 ${sha256})\n`);
    ctx.stdout(signedLine(snapshotFile, keys));
    made = await auditAndWrite();
  } catch (error) {
    if (undo?.undo()) ctx.stderr(`removed ${snapshotFile}: the campaign was not written\n`);
    throw error;
  } finally {
    settled();
  }
  const { loaded, audit, evidence, model, campaign, written } = made;

  async function auditAndWrite() {
    // Both audits use one clock, the collection's start: day counts are as of the evidence, and a
    // finding is new or resolved only because the estate changed. The snapshot is read back from the
    // file (and its signature checked): the evidence is what gets audited.
    const now = started;
    const { loaded, audit, evidence } = await auditFromFiles(auditFiles, now, inputs);
    const model = reviewModel(
      {
        loaded,
        audit,
        evidence,
        previous,
        // Day counts as of the collection's start (the audit's clock); the timestamp is the wall clock.
        asOf: now,
        generatedAt: ctx.now(),
        snapshotFile: relative(ctx.cwd, snapshotFile),
      },
      ctx,
      'run',
    );
    const campaign = split
      ? await prepareSplit(
          {
            plan: split,
            model,
            snapshot: loaded.snapshot,
            inputs,
            args: { ...args, snapshot: snapshotFile },
            otherOutputs: [snapshotFile, ...outputs.map((o) => o.path)],
          },
          ctx,
        )
      : null;
    // The email attaches the XLSX, the HTML and (when asked) the JSON exactly as written.
    const attached = new Set<ReportFormat>(delivery ? attachedFormats(delivery) : []);
    const written = await renderAndWrite(model, outputs, args.force, ctx, args['group-by'], attached);
    if (split && campaign)
      await writeSplit(split, campaign, { force: args.force, keys, now: ctx.now() }, ctx);
    return { loaded, audit, evidence, model, campaign, written };
  }

  if (delivery) {
    // Attach exactly the bytes written; what was not asked for as a file is rendered in memory.
    const files = await reportAttachments(delivery, model, written);
    await deliverReport(delivery, { model, files }, ctx);
  }
  return {
    snapshotFile,
    snapshotSha256: loaded.sha256,
    collectedAt: loaded.snapshot.collectedAt,
    outputs,
    campaignFiles: split && campaign ? campaign.files.map((f) => join(split.dir, f.name)) : [],
    audit,
    model,
    evidence: summarizeEvidence(evidence),
  };
}

/** The options of `run`: everything `collect`, `audit`, `report` and `email` take. */
function runOptions(yargs: Argv) {
  return emailOptions(
    auditOptions(
      splitOptions(previousOption(reportOutputOptions(signingKeyOption(atlasOptions(yargs)))))
        .option('snapshot', {
          type: 'string',
          requiresArg: true,
          describe: 'Where to write the snapshot (default <out-dir>/snapshot.json)',
        })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
        .option('format', {
          // Text formats only: stdout is the channel (a workbook is written with --xlsx).
          choices: REPORT_FORMATS.filter((f) => !RENDERERS[f].binary),
          requiresArg: true,
          describe:
            'Also print the audit to stdout in this format, as `audit --format` does (github: annotations, and a summary appended to $GITHUB_STEP_SUMMARY); the lines naming the files written then go to stderr',
        }),
    ),
    { required: false },
  );
}

export const runCommand: CommandFactory = (ctx: CliContext) =>
  defineCommand<RunArgs>({
    command: 'run',
    describe:
      'Collect, audit and report in one step (the quarterly job and the CI gate); exit 1 on violations',
    builder: (y: Argv) =>
      runOptions(y)
        .option('evidence', {
          type: 'string',
          requiresArg: true,
          describe:
            'Also pack what this run made (snapshot, reports, rules, policy, waivers) into this sealed zip, as `evidence pack` does; needs a signing key',
        })
        .example('$0 run --all-orgs --out-dir review-2026Q4', 'snapshot + every report format in one folder')
        .example(
          '$0 run --org 5f1a2b3c4d5e6f7a8b9c0d1e --policy policy.yaml --waivers waivers.yaml --fail-on high --junit junit.xml --format github',
          'a CI gate: JUnit file, workflow annotations on stdout',
        )
        .example(
          '$0 run --all-orgs --out-dir out --email-to security@example.com',
          'quarterly review by email',
        )
        .example(
          '$0 run --all-orgs --roster hr-roster.csv --policy campaign-policy.yaml --split-by reviewer --out-dir campaign/',
          'collect and open a review campaign: the snapshot, one workbook per reviewer and campaign.json',
        ),
    handler: async (args: RunArgs) => {
      // The pack is sealed: its key and its file are checked before the first request.
      if (args.evidence)
        await preparePack({ out: args.evidence, force: args.force, 'signing-key': args['signing-key'] }, ctx);
      // With --format, stdout holds that format alone (a CI step reads it): the lines saying what was
      // written go to stderr instead.
      const outcome = await runPipeline(args, args.format ? { ...ctx, stdout: ctx.stderr } : ctx);
      if (args.format) {
        await emitAuditFormat(outcome.model, args.format, ctx);
      }
      if (args.evidence) await packRun(args, outcome, args.format ? { ...ctx, stdout: ctx.stderr } : ctx);
      finishWithGate(outcome.audit, outcome.model, ctx, 'run');
    },
  });

/** `run --evidence FILE`: packs the snapshot and reports this run wrote, with the audit inputs it used. */
async function packRun(args: RunArgs, outcome: RunOutcome, ctx: CliContext) {
  const snapshot = relative(ctx.cwd, outcome.snapshotFile);
  const reportFiles = outcome.outputs.map((o) => relative(ctx.cwd, o.path));
  const packArgs = {
    out: args.evidence!,
    force: args.force,
    'signing-key': args['signing-key'],
    snapshot,
    // The previous review's snapshot the reports compared with: packed, and chained to them.
    previous: args.previous,
    rules: args.rules,
    policy: args.policy,
    waivers: args.waivers,
    // The roster the run's audit compared the people with: packed, and the pack audited with it.
    roster: args.roster,
    'fail-on': args['fail-on'],
    framework: args.framework,
    reportFiles,
    campaignFiles: outcome.campaignFiles.map((f) => relative(ctx.cwd, f)),
  };
  // The manifest records what made the pack: this run's options as parsed (they hold no secret:
  // credentials come from the environment), in a stable order.
  const command = optionsArgv(['run'], args);
  await packEvidence(packArgs, command, ctx);
}

/**
 * `run --split-by`: undoes the snapshot this run writes into a campaign that then fails. `undo` is a
 * synchronous action (it may run in a signal handler) that removes the snapshot and its signature when
 * neither was there before the run and this run wrote them (`wrote`), and the campaign folder when the
 * run made it and it is empty; true when it removed the snapshot. Until `wrote`, whatever is at the
 * snapshot's name was put there by someone else while this run collected (a run into the same folder):
 * a collection that fails, or a write refused because of it, must not delete it.
 */
async function snapshotUndo(snapshotFile: string, dir: string): Promise<{ wrote(): void; undo(): boolean }> {
  const had = (await exists(snapshotFile)) || (await exists(signaturePath(snapshotFile)));
  const hadDir = await exists(dir);
  let written = false;
  return {
    wrote() {
      written = true;
    },
    undo() {
      if (had || !written) return false;
      const removed = existsSync(snapshotFile);
      for (const f of [snapshotFile, signaturePath(snapshotFile)]) rmSync(f, { force: true });
      if (!hadDir && existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
      return removed;
    },
  };
}
