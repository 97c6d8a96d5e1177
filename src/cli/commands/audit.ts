import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { gateFailureText } from '../../audit/verdict.js';
import { ExitCode, OutputError, UsageError } from '../../errors.js';
import { auditFromFiles } from '../../input/audit-inputs.js';
import { buildReportModel, type ReportModel } from '../../report/model.js';
import { RENDERERS, REPORT_FORMATS, type ReportFormat } from '../../report/renderers/index.js';
import { assertWritable, writeFileAtomic } from '../../util/files.js';
import {
  type AuditArgs,
  assertOutputsAreNotInputs,
  auditFileOptions,
  auditOptions,
  noteFrameworkSettings,
  warnCrossOrgWaivers,
} from '../audit-options.js';
import type { CliContext } from '../context.js';
import { loadEvidenceKeys } from '../evidence-keys.js';
import { type CommandFactory, defineCommand } from './define.js';

interface AuditCommandArgs extends AuditArgs {
  snapshot: string;
  format: ReportFormat;
  output?: string | undefined;
  'write-baseline'?: string | undefined;
  force: boolean;
}

/**
 * Prints registry entry `format` (src/report/renderers) of the report model to stdout, or writes it
 * to `output`; for `github`, also appends the Markdown rendering to $GITHUB_STEP_SUMMARY when that is
 * set. A binary format (xlsx) is never printed: it needs `output` (exit 2 otherwise). Shared by
 * `audit --format` and `run --format`.
 */
export async function emitAuditFormat(
  model: ReportModel,
  format: ReportFormat,
  ctx: Pick<CliContext, 'stdout' | 'stderr' | 'env'>,
  output?: { path: string; shown: string; force: boolean },
): Promise<void> {
  const renderer = RENDERERS[format];
  if (renderer.binary && !output)
    throw new UsageError(`--format ${format} is binary and is not printed to stdout`, {
      hint: `add --output <file>${renderer.defaultFile.slice(renderer.defaultFile.lastIndexOf('.'))}, or use \`report --${format} <file>\``,
    });
  const bytes = await renderer.render(model);
  if (output) {
    await writeFileAtomic(output.path, bytes, { force: output.force });
    ctx.stderr(`wrote ${output.shown}\n`);
  } else {
    ctx.stdout(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  }
  const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
  if (format === 'github' && summaryFile) {
    try {
      await appendFile(summaryFile, await RENDERERS.markdown.render(model));
    } catch (error) {
      throw new OutputError(
        `cannot append to GITHUB_STEP_SUMMARY (${summaryFile}): ${(error as Error).message}`,
      );
    }
  }
}

/**
 * `audit <snapshot>`: evaluates the rule catalogue on a snapshot file (no network) and gates CI:
 * exit 1 when unwaived (and, with --baseline, new) findings reach --fail-on. With --write-baseline it
 * records today's findings as accepted instead, and exits 0.
 */
export const auditCommand: CommandFactory = (ctx) =>
  defineCommand<AuditCommandArgs>({
    command: 'audit <snapshot>',
    describe: 'Audit a snapshot file against the rules, policy and waivers; exit 1 on violations (CI gate)',
    builder: (y: Argv) =>
      auditOptions(
        y
          .positional('snapshot', {
            type: 'string',
            demandOption: true,
            describe: 'Snapshot file from `collect`',
          })
          .option('format', {
            choices: REPORT_FORMATS,
            default: 'text' as ReportFormat,
            describe: 'Output format (any report format; xlsx needs --output)',
          })
          .option('output', { type: 'string', requiresArg: true, describe: 'Write the output to this file' })
          .option('write-baseline', {
            type: 'string',
            requiresArg: true,
            describe:
              'Write every finding of this audit to this file as accepted (the `--format json` document `--baseline` reads) and exit 0 whatever they are',
          })
          .option('force', {
            type: 'boolean',
            default: false,
            describe: 'Overwrite --output or --write-baseline if it exists',
          })
          .example('$0 audit snap.json --fail-on high --format github', 'a CI gate on existing evidence')
          .example(
            '$0 audit snap.json --policy policy.yaml --waivers waivers.yaml --write-baseline accepted.json',
            'accept the findings of today (exit 0); then gate only on new ones with --baseline accepted.json',
          ),
      ),
    handler: async (argv: AuditCommandArgs) => {
      const output = argv.output ? resolve(ctx.cwd, argv.output) : undefined;
      const baselineOut = argv['write-baseline'] ? resolve(ctx.cwd, argv['write-baseline']) : undefined;
      // Refused before any work: a workbook on a terminal is noise, and a pipe wants --output anyway.
      if (RENDERERS[argv.format].binary && !output)
        throw new UsageError(`--format ${argv.format} is binary and is not printed to stdout`, {
          hint: `add --output <file>, or use \`report --${argv.format} <file>\``,
        });
      if (output && output === baselineOut)
        throw new UsageError('--output and --write-baseline name the same file');
      const outputs = [
        ...(output ? [{ path: output, option: `--output ${argv.output}` }] : []),
        ...(baselineOut ? [{ path: baselineOut, option: `--write-baseline ${argv['write-baseline']}` }] : []),
      ];
      await assertOutputsAreNotInputs(outputs, argv, ctx);
      for (const o of outputs) await assertWritable(o.path, argv.force);
      const keys = await loadEvidenceKeys(argv, ctx);
      const opts = { ...auditFileOptions(argv.snapshot, argv, ctx.cwd), keys };
      const now = ctx.now();
      const { loaded, audit, verify, evidence } = await auditFromFiles(opts, now);
      const model = buildReportModel({
        snapshot: loaded.snapshot,
        snapshotSha256: loaded.sha256,
        // Shown as the user gave it: it is what they will look for in CI logs and SARIF.
        snapshotFile: argv.snapshot,
        audit,
        generatedAt: now,
        evidence,
      });
      await emitAuditFormat(
        model,
        argv.format,
        ctx,
        output ? { path: output, shown: argv.output!, force: argv.force } : undefined,
      );
      if (verify) {
        const v = verify.summary;
        ctx.stderr(
          `audit: sign-off ${argv.signoff}: ${v.revocations} revocation(s): ${v.done} done, ${v.notDone} not done, ${v.unverifiable} unverifiable\n`,
        );
      }
      warnCrossOrgWaivers(audit, ctx);
      noteFrameworkSettings(audit, ctx);
      if (baselineOut) {
        // The same bytes as `--format json`: the document `--baseline` reads (only the finding keys).
        await writeFileAtomic(baselineOut, await RENDERERS.json.render(model), { force: argv.force });
        ctx.stderr(
          `audit: wrote ${argv['write-baseline']}: ${audit.findings.length} finding(s) accepted as the baseline; ` +
            `with --baseline ${argv['write-baseline']} only new findings fail the gate (exit 0, the gate is not applied when writing a baseline)\n`,
        );
        ctx.exitCode = ExitCode.ok;
        return;
      }
      const g = audit.gate;
      if (g.failed) {
        ctx.stderr(`audit: ${gateFailureText(audit)}; failing (exit 1)\n`);
      }
      ctx.exitCode = g.failed ? ExitCode.violations : ExitCode.ok;
    },
  });
