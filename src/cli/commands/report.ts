import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode, UsageError } from '../../errors.js';
import { buildReportModel, type PreviousReport, previousReportSchema } from '../../report/model.js';
import { RENDERERS, REPORT_FORMATS, type ReportFormat } from '../../report/renderers/index.js';
import { assertWritable, readInputFile, writeFileAtomic } from '../../util/files.js';
import { parseJsonText, parseWithSchema } from '../../util/validate.js';
import { type AuditArgs, auditFileOptions, auditFromFiles, auditOptions } from '../audit-input.js';
import { type CommandFactory, defineCommand } from './define.js';

type FormatArgs = { [F in ReportFormat]?: string | undefined };

interface ReportCommandArgs extends AuditArgs, FormatArgs {
  snapshot: string;
  'out-dir'?: string | undefined;
  previous?: string | undefined;
  force: boolean;
}

/** One planned output: format and absolute path (plus the path as the user will recognise it). */
interface PlannedOutput {
  format: ReportFormat;
  path: string;
  shown: string;
}

/**
 * Resolves the output files: `--out-dir` gives every format its default name, an explicit `--<format>`
 * path wins for that format. Two formats aimed at one file is a usage error.
 */
export function planOutputs(
  args: FormatArgs & { 'out-dir'?: string | undefined },
  cwd: string,
): PlannedOutput[] {
  const planned: PlannedOutput[] = [];
  for (const format of REPORT_FORMATS) {
    const explicit = args[format];
    const outDir = args['out-dir'];
    const shown =
      explicit ??
      (outDir === undefined ? undefined : `${outDir.replace(/\/+$/, '')}/${RENDERERS[format].defaultFile}`);
    if (shown === undefined) continue;
    planned.push({ format, path: resolve(cwd, shown), shown });
  }
  if (planned.length === 0) {
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

async function readPrevious(file: string): Promise<PreviousReport> {
  return parseWithSchema(previousReportSchema, parseJsonText(await readInputFile(file), file), file);
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
      'Audit a snapshot and write the HTML, XLSX, JSON, CSV, JUnit and Markdown reports; exit 1 on violations',
    builder: (y: Argv) => {
      let b = y.positional('snapshot', {
        type: 'string',
        demandOption: true,
        describe: 'Snapshot file from `collect`',
      });
      for (const format of REPORT_FORMATS) {
        b = b.option(format, {
          type: 'string',
          requiresArg: true,
          describe: `Write the ${RENDERERS[format].description} to this file`,
        });
      }
      return auditOptions(
        b
          .option('out-dir', {
            type: 'string',
            requiresArg: true,
            describe: `Write every format into this folder with default names (${REPORT_FORMATS.map((f) => RENDERERS[f].defaultFile).join(', ')})`,
          })
          .option('previous', {
            type: 'string',
            requiresArg: true,
            describe: 'An earlier JSON report: show new and resolved findings since then',
          })
          .option('force', { type: 'boolean', default: false, describe: 'Overwrite output files that exist' })
          .example('$0 report snap.json --out-dir out/', 'all formats with default names')
          .example(
            '$0 report snap.json --html r.html --xlsx review.xlsx --waivers waivers.yaml',
            'two formats',
          ),
      );
    },
    handler: async (argv: ReportCommandArgs) => {
      const outputs = planOutputs(argv, ctx.cwd);
      // Refuse before any work, for every output (exit 4): never a partial set of reports.
      for (const o of outputs) await assertWritable(o.path, argv.force);
      const abs = (p: string | undefined): string | undefined =>
        p === undefined ? undefined : resolve(ctx.cwd, p);
      const now = ctx.now();
      const previous = argv.previous ? await readPrevious(abs(argv.previous)!) : undefined;
      const opts = auditFileOptions(abs(argv.snapshot)!, {
        ...argv,
        rules: abs(argv.rules),
        policy: abs(argv.policy),
        waivers: abs(argv.waivers),
        baseline: abs(argv.baseline),
      });
      const { loaded, audit } = await auditFromFiles(opts, now);
      const model = buildReportModel({
        snapshot: loaded.snapshot,
        snapshotSha256: loaded.sha256,
        audit,
        generatedAt: now,
        previous,
      });
      // Render everything first: a renderer failure then writes nothing.
      const rendered: Array<{ output: PlannedOutput; bytes: string | Uint8Array }> = [];
      for (const output of outputs)
        rendered.push({ output, bytes: await RENDERERS[output.format].render(model) });
      for (const { output, bytes } of rendered) {
        await writeFileAtomic(output.path, bytes, { force: argv.force });
        const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
        ctx.stdout(`wrote ${output.shown} (${output.format}, ${size} bytes)\n`);
      }
      const g = audit.gate;
      ctx.stderr(`report: ${model.verdict.headline}\n`);
      if (g.failed)
        ctx.stderr(`report: ${g.failing} unwaived finding(s) at or above ${g.failOn}; failing (exit 1)\n`);
      ctx.exitCode = g.failed ? ExitCode.violations : ExitCode.ok;
    },
  });
