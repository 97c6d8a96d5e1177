import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { AUDIT_FORMATS, type AuditFormat, auditReporters } from '../../audit/format/index.js';
import { renderMarkdown } from '../../audit/format/markdown.js';
import { ExitCode, OutputError } from '../../errors.js';
import { summarizeEvidence } from '../../evidence/summary.js';
import { assertWritable, writeFileAtomic } from '../../util/files.js';
import { TOOL } from '../../version.js';
import {
  type AuditArgs,
  assertOutputsAreNotInputs,
  auditFileOptions,
  auditFromFiles,
  auditOptions,
  warnCrossOrgWaivers,
} from '../audit-input.js';
import { loadEvidenceKeys } from '../evidence-keys.js';
import { type CommandFactory, defineCommand } from './define.js';

interface AuditCommandArgs extends AuditArgs {
  snapshot: string;
  format: AuditFormat;
  output?: string | undefined;
  force: boolean;
}

/**
 * `audit <snapshot>`: evaluates the rule catalogue on a snapshot file (no network) and gates CI:
 * exit 1 when unwaived (and, with --baseline, new) findings reach --fail-on.
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
          .option('force', { type: 'boolean', default: false, describe: 'Overwrite --output if it exists' }),
      ),
    handler: async (argv: AuditCommandArgs) => {
      const output = argv.output ? resolve(ctx.cwd, argv.output) : undefined;
      if (output)
        await assertOutputsAreNotInputs([{ path: output, option: `--output ${argv.output}` }], argv, ctx.cwd);
      if (output) await assertWritable(output, argv.force);
      const keys = await loadEvidenceKeys(argv, ctx);
      const opts = { ...auditFileOptions(argv.snapshot, argv, ctx.cwd), keys };
      const { loaded, audit, verify, evidence } = await auditFromFiles(opts, ctx.now());
      const meta = {
        // Show the path as the user gave it: it is what they will look for in CI logs and SARIF.
        file: argv.snapshot,
        sha256: loaded.sha256,
        collectedAt: loaded.snapshot.collectedAt,
        toolName: TOOL.name,
        toolVersion: TOOL.version,
        evidence: summarizeEvidence(evidence),
      };
      const text = auditReporters[argv.format](audit, meta);
      if (output) {
        await writeFileAtomic(output, text, { force: argv.force });
        ctx.stderr(`wrote ${argv.output}\n`);
      } else {
        ctx.stdout(text);
      }
      const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
      if (argv.format === 'github' && summaryFile) {
        try {
          await appendFile(summaryFile, renderMarkdown(audit, meta));
        } catch (error) {
          throw new OutputError(
            `cannot append to GITHUB_STEP_SUMMARY (${summaryFile}): ${(error as Error).message}`,
          );
        }
      }
      if (verify) {
        const v = verify.summary;
        ctx.stderr(
          `audit: sign-off ${argv.signoff}: ${v.revocations} revocation(s): ${v.done} done, ${v.notDone} not done, ${v.unverifiable} unverifiable\n`,
        );
      }
      warnCrossOrgWaivers(audit, ctx);
      const g = audit.gate;
      if (g.failed) {
        ctx.stderr(`audit: ${g.failing} unwaived finding(s) at or above ${g.failOn}; failing (exit 1)\n`);
      }
      ctx.exitCode = g.failed ? ExitCode.violations : ExitCode.ok;
    },
  });
