import type { Argv } from 'yargs';
import { ExitCode } from '../../errors.js';
import { buildReportModel } from '../../report/model.js';
import { type AuditArgs, auditFileOptions, auditFromFiles, auditOptions } from '../audit-input.js';
import type { CliContext } from '../context.js';
import {
  deliverReport,
  type EmailArgs,
  emailOptions,
  prepareDelivery,
  reportAttachments,
} from '../email-options.js';
import { loadEvidenceKeys } from '../evidence-keys.js';
import { type CommandFactory, defineCommand } from './define.js';

interface EmailCommandArgs extends AuditArgs, EmailArgs {
  snapshot: string;
  force: boolean;
}

/**
 * `email <snapshot>`: audits a snapshot file, renders the report in memory and mails it (summary body,
 * XLSX and HTML attached, JSON on request), or writes the exact message with `--eml`. Exit 5 when
 * delivery fails; after a successful delivery the exit code is the audit gate's, as for `audit`.
 */
export const emailCommand: CommandFactory = (ctx: CliContext) =>
  defineCommand<EmailCommandArgs>({
    command: 'email <snapshot>',
    describe: 'Audit a snapshot and email the review (summary, XLSX workbook and HTML report attached)',
    builder: (y: Argv) =>
      emailOptions(
        auditOptions(
          y
            .positional('snapshot', {
              type: 'string',
              demandOption: true,
              describe: 'Snapshot file from `collect`',
            })
            .option('force', {
              type: 'boolean',
              default: false,
              describe: 'Overwrite the --eml file if it exists',
            }),
        ),
        { required: true },
      )
        .example(
          '$0 email snap.json --email-to sec@example.com',
          'send; SMTP_URL, SMTP_PASSWORD and SMTP_FROM from the environment',
        )
        .example(
          '$0 email snap.json --email-to sec@example.com --eml review.eml',
          'write the message, do not send',
        ),
    handler: async (argv: EmailCommandArgs) => {
      // Validate the delivery (addresses, SMTP settings, CA file, --eml target) before auditing.
      const plan = await prepareDelivery(argv, ctx);
      const keys = await loadEvidenceKeys(argv, ctx);
      const now = ctx.now();
      const { loaded, audit, evidence } = await auditFromFiles(
        { ...auditFileOptions(argv.snapshot, argv, ctx.cwd), keys },
        now,
      );
      const model = buildReportModel({
        snapshot: loaded.snapshot,
        snapshotSha256: loaded.sha256,
        audit,
        generatedAt: now,
        evidence,
      });
      const files = await reportAttachments(plan, model);
      await deliverReport(plan, { model, files }, ctx);
      ctx.exitCode = audit.gate.failed ? ExitCode.violations : ExitCode.ok;
    },
  });
