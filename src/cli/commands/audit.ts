import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import {
  AUDIT_FORMATS,
  type AuditFormat,
  auditReporters,
  type SnapshotMeta,
} from '../../audit/format/index.js';
import { renderJson } from '../../audit/format/json.js';
import { renderMarkdown } from '../../audit/format/markdown.js';
import type { AuditResult } from '../../audit/types.js';
import { gateFailureText } from '../../audit/verdict.js';
import { ExitCode, OutputError, UsageError } from '../../errors.js';
import { summarizeEvidence } from '../../evidence/summary.js';
import { auditFromFiles } from '../../input/audit-inputs.js';
import { assertWritable, writeFileAtomic } from '../../util/files.js';
import { TOOL } from '../../version.js';
import {
  type AuditArgs,
  assertOutputsAreNotInputs,
  auditFileOptions,
  auditOptions,
  warnCrossOrgWaivers,
} from '../audit-options.js';
import type { CliContext } from '../context.js';
import { loadEvidenceKeys } from '../evidence-keys.js';
import { type CommandFactory, defineCommand } from './define.js';

interface AuditCommandArgs extends AuditArgs {
  snapshot: string;
  format: AuditFormat;
  output?: string | undefined;
  'write-baseline'?: string | undefined;
  force: boolean;
}

/** What the audit formats say about the audited file: the path as the user gave it, its sha256 and date. */
export function snapshotMeta(
  file: string,
  sha256: string,
  collectedAt: string,
  evidence: SnapshotMeta['evidence'],
  orgIds: string[],
): SnapshotMeta {
  return { file, sha256, collectedAt, toolName: TOOL.name, toolVersion: TOOL.version, evidence, orgIds };
}

/**
 * Prints one of the audit formats (the registry of src/audit/format) to stdout, or writes it to
 * `output`; for `github`, also appends the Markdown summary to $GITHUB_STEP_SUMMARY when that is set.
 * Shared by `audit --format` and `run --format`.
 */
export async function emitAuditFormat(
  audit: AuditResult,
  meta: SnapshotMeta,
  format: AuditFormat,
  ctx: Pick<CliContext, 'stdout' | 'stderr' | 'env'>,
  output?: { path: string; shown: string; force: boolean },
): Promise<void> {
  const text = auditReporters[format](audit, meta);
  if (output) {
    await writeFileAtomic(output.path, text, { force: output.force });
    ctx.stderr(`wrote ${output.shown}\n`);
  } else {
    ctx.stdout(text);
  }
  const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
  if (format === 'github' && summaryFile) {
    try {
      await appendFile(summaryFile, renderMarkdown(audit, meta));
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
            choices: AUDIT_FORMATS,
            default: 'text' as AuditFormat,
            describe: 'Output format',
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
      if (output && output === baselineOut)
        throw new UsageError('--output and --write-baseline name the same file');
      const outputs = [
        ...(output ? [{ path: output, option: `--output ${argv.output}` }] : []),
        ...(baselineOut ? [{ path: baselineOut, option: `--write-baseline ${argv['write-baseline']}` }] : []),
      ];
      await assertOutputsAreNotInputs(outputs, argv, ctx.cwd);
      for (const o of outputs) await assertWritable(o.path, argv.force);
      const keys = await loadEvidenceKeys(argv, ctx);
      const opts = { ...auditFileOptions(argv.snapshot, argv, ctx.cwd), keys };
      const { loaded, audit, verify, evidence } = await auditFromFiles(opts, ctx.now());
      // Show the path as the user gave it: it is what they will look for in CI logs and SARIF.
      const meta = snapshotMeta(
        argv.snapshot,
        loaded.sha256,
        loaded.snapshot.collectedAt,
        summarizeEvidence(evidence),
        loaded.snapshot.organizations.map((o) => o.id),
      );
      await emitAuditFormat(
        audit,
        meta,
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
      if (baselineOut) {
        // The same bytes as `--format json`: the document `--baseline` reads (only the finding keys).
        await writeFileAtomic(baselineOut, renderJson(audit, meta), { force: argv.force });
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
