import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { AuditResult } from '../../audit/types.js';
import { gateFailureText } from '../../audit/verdict.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { EvidenceCheck } from '../../evidence/signature.js';
import {
  type AuditFileOptions,
  type AuditInputs,
  auditFromFiles,
  readAuditInputs,
} from '../../input/audit-inputs.js';
import { type LoadedPrevious, loadPrevious } from '../../input/previous.js';
import { buildReportModel, type ReportModel } from '../../report/model.js';
import {
  GROUP_BY,
  type GroupBy,
  OUT_DIR_FORMATS,
  RENDERERS,
  REPORT_FORMATS,
  type ReportFormat,
} from '../../report/renderers/index.js';
import type { LoadedSnapshot } from '../../snapshot/store.js';
import { assertWritable, type StagedFile, stageFile } from '../../util/files.js';
import {
  type AuditArgs,
  assertOutputsAreNotInputs,
  auditFileOptions,
  auditOptions,
  noteFrameworkSettings,
  warnCrossOrgWaivers,
} from '../audit-options.js';
import type { CliContext } from '../context.js';
import { loadEvidenceKeys, type SigningKeyArgs, signingKeyOption } from '../evidence-keys.js';
import {
  assertSplitWritable,
  planSplit,
  prepareSplit,
  reviewPolicyForSplit,
  type SplitArgs,
  splitOptions,
  writeSplit,
} from '../split-campaign.js';
import { type CommandFactory, defineCommand } from './define.js';

type FormatArgs = { [F in ReportFormat]?: string | undefined };

interface ReportCommandArgs extends AuditArgs, FormatArgs, SplitArgs, SigningKeyArgs {
  snapshot: string;
  'group-by': GroupBy;
  'out-dir'?: string | undefined;
  previous?: string | undefined;
  force: boolean;
}

/** One planned output: format and absolute path (plus the path as the user will recognise it). */
export interface PlannedOutput {
  format: ReportFormat;
  path: string;
  shown: string;
}

/** The report output options shared by `report` and `run`: one flag per format, --out-dir and --force. */
export function reportOutputOptions<T>(yargs: Argv<T>) {
  let b = yargs
    .option('out-dir', {
      type: 'string',
      requiresArg: true,
      describe: `Write these formats into this folder with default names (${OUT_DIR_FORMATS.map((f) => RENDERERS[f].defaultFile).join(', ')})`,
    })
    .option('force', { type: 'boolean', default: false, describe: 'Overwrite output files that exist' })
    .option('group-by', {
      choices: GROUP_BY,
      default: 'rule' as GroupBy,
      describe:
        'How the HTML and XLSX lay out the findings: by severity and rule, or by control (HTML grouped per control, XLSX with a Controls sheet)',
    });
  for (const format of REPORT_FORMATS) {
    b = b.option(format, {
      type: 'string',
      requiresArg: true,
      describe: `Write the ${RENDERERS[format].description} to this file`,
    });
  }
  return b;
}

/** `dir` without trailing slashes (a loop: `/\/+$/` backtracks quadratically on many slashes). */
function trimSlashes(dir: string): string {
  let end = dir.length;
  while (end > 0 && dir[end - 1] === '/') end--;
  return dir.slice(0, end);
}

/**
 * Resolves the output files: `--out-dir` gives every `outDir` format of the registry its default name, an explicit `--<format>`
 * path wins for that format. Two formats aimed at one file is a usage error.
 */
export function planOutputs(
  args: FormatArgs & { 'out-dir'?: string | undefined },
  cwd: string,
  /** True when another output (the campaign of `--split-by`) is requested, so no format is needed. */
  otherOutput = false,
): PlannedOutput[] {
  const planned: PlannedOutput[] = [];
  for (const format of REPORT_FORMATS) {
    const explicit = args[format];
    const outDir = args['out-dir'];
    const shown =
      explicit ??
      (outDir === undefined || !RENDERERS[format].outDir
        ? undefined
        : `${trimSlashes(outDir)}/${RENDERERS[format].defaultFile}`);
    if (shown === undefined) continue;
    planned.push({ format, path: resolve(cwd, shown), shown });
  }
  if (planned.length === 0 && !otherOutput) {
    throw new UsageError('no output requested', {
      hint: `name at least one of ${REPORT_FORMATS.map((f) => `--${f} <file>`).join(', ')}, or --out-dir <dir>`,
    });
  }
  const seen = new Map<string, ReportFormat>();
  for (const p of planned) {
    const other = seen.get(p.path);
    if (other) throw new UsageError(`--${other} and --${p.format} both write ${p.shown}`);
    seen.set(p.path, p.format);
  }
  return planned;
}

/**
 * Renders the planned outputs one at a time, each staged beside its target as soon as it is rendered
 * (so memory holds one output, not all: a 50,000-user report's outputs add up to 550 MB), then puts
 * them all in place. A renderer that fails writes nothing. Returns each format's path and size, and
 * the bytes of the formats in `keep` (the email step attaches them as written).
 */
export async function renderAndWrite(
  model: ReportModel,
  outputs: readonly PlannedOutput[],
  force: boolean,
  ctx: Pick<CliContext, 'stdout'>,
  groupBy: GroupBy = 'rule',
  keep: ReadonlySet<ReportFormat> = new Set(),
): Promise<Map<ReportFormat, { path: string; bytes: string | Uint8Array }>> {
  const kept = new Map<ReportFormat, { path: string; bytes: string | Uint8Array }>();
  const staged: Array<{ output: PlannedOutput; file: StagedFile }> = [];
  try {
    for (const output of outputs) {
      const renderer = RENDERERS[output.format];
      if (renderer.chunks && !keep.has(output.format)) {
        // Written piece by piece as it is made: never held whole (the JSON of 50,000 users is 290 MB).
        staged.push({
          output,
          file: await stageFile(output.path, renderer.chunks(model, { groupBy }), { force }),
        });
        continue;
      }
      const bytes = await renderer.render(model, { groupBy });
      staged.push({ output, file: await stageFile(output.path, bytes, { force }) });
      if (keep.has(output.format)) kept.set(output.format, { path: output.path, bytes });
    }
    // A target that appeared while later outputs rendered stops the set before any is put in place.
    for (const { file } of staged) file.check();
  } catch (error) {
    // Last staged first: a folder made for the first output is empty only once the later ones are gone.
    for (const s of staged.reverse()) s.file.discard();
    throw error;
  }
  for (const [i, { output, file }] of staged.entries()) {
    try {
      file.commit();
    } catch (error) {
      for (const s of staged.slice(i + 1).reverse()) s.file.discard();
      throw error;
    }
    ctx.stdout(`wrote ${output.shown} (${output.format}, ${file.size} bytes)\n`);
  }
  return kept;
}

/** Prints the verdict and sets the exit code from the audit gate (0, or 1 for violations). */
export function finishWithGate(
  audit: AuditResult,
  model: ReportModel,
  ctx: Pick<CliContext, 'stderr' | 'exitCode'>,
  command: string,
): void {
  warnCrossOrgWaivers(audit, ctx);
  noteFrameworkSettings(audit, ctx);
  const g = audit.gate;
  ctx.stderr(`${command}: ${model.verdict.headline}\n`);
  if (g.failed) ctx.stderr(`${command}: ${gateFailureText(audit)}; failing (exit 1)\n`);
  ctx.exitCode = g.failed ? ExitCode.violations : ExitCode.ok;
}

/** The `--previous` option shared by `report` and `run`. */
export function previousOption<T>(yargs: Argv<T>) {
  return yargs.option('previous', {
    type: 'string',
    requiresArg: true,
    describe:
      'Snapshot of the previous review: add "Changes since the last review" (joiners, leavers, role changes, escalations) and mark findings new, still open or resolved',
  });
}

/** Warns when `--previous` was collected after the snapshot under review (arguments swapped?). */
export function warnIfPreviousIsNewer(
  previousCollectedAt: string,
  currentCollectedAt: string,
  ctx: Pick<CliContext, 'stderr'>,
  command: string,
): void {
  if (previousCollectedAt > currentCollectedAt)
    ctx.stderr(`${command}: warning: --previous was collected after the snapshot under review; swapped?\n`);
}

/**
 * The audit of a snapshot file and its report model, with the changes since `--previous` when one is
 * named (audited with the same rules, policy, waivers and clock: src/input/previous.ts). `report` and
 * `email` build their model so; `inputs` are the audit inputs when the command read them already.
 */
export async function auditedModel(
  opts: AuditFileOptions,
  /** The snapshot as the user named it, for the report's `meta.snapshotFile` (as `audit` gives it). */
  snapshotShown: string,
  previousFile: string | undefined,
  now: Date,
  ctx: Pick<CliContext, 'cwd' | 'stderr'>,
  command: string,
  inputs?: AuditInputs,
): Promise<{ loaded: LoadedSnapshot; audit: AuditResult; model: ReportModel }> {
  const { loaded, audit, evidence } = await auditFromFiles(opts, now, inputs);
  const previous = previousFile
    ? await loadPrevious(resolve(ctx.cwd, previousFile), opts, now, previousFile)
    : undefined;
  const model = reviewModel(
    { loaded, audit, evidence, previous, generatedAt: now, snapshotFile: snapshotShown },
    ctx,
    command,
  );
  return { loaded, audit, model };
}

/**
 * The report model of an audited snapshot file, with the changes since the previous review when there
 * is one: its snapshot's signature check joins the evidence line, and a previous snapshot collected
 * after this one is warned about. `report`, `email` and `run` build their model so.
 */
export function reviewModel(
  r: {
    loaded: LoadedSnapshot;
    audit: AuditResult;
    evidence: readonly EvidenceCheck[];
    previous: LoadedPrevious | undefined;
    generatedAt: Date;
    asOf?: Date;
    snapshotFile?: string;
  },
  ctx: Pick<CliContext, 'stderr'>,
  command: string,
): ReportModel {
  const { loaded, previous } = r;
  if (previous)
    warnIfPreviousIsNewer(previous.snapshot.collectedAt, loaded.snapshot.collectedAt, ctx, command);
  return buildReportModel({
    snapshot: loaded.snapshot,
    snapshotSha256: loaded.sha256,
    snapshotFile: r.snapshotFile,
    audit: r.audit,
    generatedAt: r.generatedAt,
    asOf: r.asOf,
    previous,
    evidence: [...r.evidence, ...(previous ? [previous.evidence] : [])],
  });
}

/**
 * `report <snapshot>`: audits a snapshot (same inputs and gate as `audit`) and writes the report in
 * any of the registered formats. Every output is checked before anything is computed or written, so a
 * refusal (exit 4) leaves no partial set of files.
 */
export const reportCommand: CommandFactory = (ctx) =>
  defineCommand<ReportCommandArgs>({
    command: 'report <snapshot>',
    describe:
      'Audit a snapshot and write the reports (HTML, XLSX, JSON, CSV, JUnit, Markdown, text, GitHub, SARIF, email body); exit 1 on violations',
    builder: (y: Argv) => {
      const b = y.positional('snapshot', {
        type: 'string',
        demandOption: true,
        describe: 'Snapshot file from `collect`',
      });
      return auditOptions(
        splitOptions(previousOption(reportOutputOptions(signingKeyOption(b))))
          .example('$0 report snap.json --out-dir out/', 'all formats with default names')
          .example('$0 report q4.json --previous q3.json --out-dir out/', 'with changes since Q3')
          .example(
            '$0 report snap.json --html r.html --xlsx review.xlsx --waivers waivers.yaml',
            'two formats',
          )
          .example(
            '$0 report snap.json --roster hr-roster.csv --policy campaign-policy.yaml --split-by reviewer --out-dir campaign/',
            'one workbook per reviewer and campaign.json',
          )
          .example(
            '$0 report snap.json --framework pci-dss-4 --group-by control --html r.html --xlsx review.xlsx',
            'held to PCI DSS v4.0: its thresholds, its control ids, findings grouped by control',
          ),
      );
    },
    handler: async (argv: ReportCommandArgs) => {
      const split = planSplit(argv, ctx);
      if (!split && argv['signing-key'] !== undefined)
        throw new UsageError('--signing-key signs campaign.json; it needs --split-by reviewer', {
          hint: 'report writes no other evidence: leave --signing-key out, or sign snapshots with collect or run',
        });
      // With --split-by, --out-dir is the campaign's folder: other formats are named one by one.
      const outputs = planOutputs(split ? { ...argv, 'out-dir': undefined } : argv, ctx.cwd, split !== null);
      await assertOutputsAreNotInputs(
        outputs.map((o) => ({ path: o.path, option: `--${o.format} ${o.shown}` })),
        argv,
        ctx,
      );
      // Refuse before any work, for every output (exit 4): never a partial set of reports.
      for (const o of outputs) await assertWritable(o.path, argv.force);
      const keys = await loadEvidenceKeys(argv, ctx);
      if (split) await assertSplitWritable(split, argv.force, keys);
      const now = ctx.now();
      const opts = { ...auditFileOptions(argv.snapshot, argv, ctx.cwd), keys };
      const inputs = await readAuditInputs(opts, now);
      // A campaign without a reviewer of last resort is refused before the audit runs (exit 2).
      if (split) reviewPolicyForSplit(inputs, argv.policy);
      const { loaded, audit, model } = await auditedModel(
        opts,
        argv.snapshot,
        argv.previous,
        now,
        ctx,
        'report',
        inputs,
      );
      const campaign = split
        ? await prepareSplit(
            {
              plan: split,
              model,
              snapshot: loaded.snapshot,
              inputs,
              args: argv,
              otherOutputs: outputs.map((o) => o.path),
            },
            ctx,
          )
        : null;
      await renderAndWrite(model, outputs, argv.force, ctx, argv['group-by']);
      if (split && campaign) await writeSplit(split, campaign, { force: argv.force, keys, now }, ctx);
      finishWithGate(audit, model, ctx, 'report');
    },
  });
