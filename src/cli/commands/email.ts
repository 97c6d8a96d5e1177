import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode } from '../../errors.js';
import {
  type AuditArgs,
  assertOutputsAreNotInputs,
  auditFileOptions,
  auditOptions,
  noteFrameworkSettings,
} from '../audit-options.js';
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
import { auditedModel, previousOption } from './report.js';

interface EmailCommandArgs extends AuditArgs, EmailArgs {
  snapshot: string;
  previous?: string | undefined;
  force: boolean;
}

/**
 * `email <snapshot>`: audits a snapshot file, renders the report in memory and mails it (summary body,
 * XLSX and HTML attached, JSON on request), or writes the exact message with `--eml`. With
 * `--previous`, the summary and the attached reports show the changes since that review, as `report`
 * does. Exit 5 when delivery fails; after a successful delivery the exit code is the audit gate's, as
 * for `audit`.
 */
export const emailCommand: CommandFactory = (ctx: CliContext) =>
  defineCommand<EmailCommandArgs>({
    command: 'email <snapshot>',
    describe: 'Audit a snapshot and email the review (summary, XLSX workbook and HTML report attached)',
    builder: (y: Argv) =>
      emailOptions(
        auditOptions(
          previousOption(
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
        ),
        { required: true },
      )
        .example(
          '$0 email snap.json --email-to sec@example.com',
          'send; SMTP_URL, SMTP_PASSWORD and SMTP_FROM from the environment',
        )
        .example(
          '$0 email snap.json --email-to sec@example.com --email-from review-bot@example.com --eml review.eml',
          'write the exact message to review.eml (sender included), do not send',
        )
        .example(
          '$0 email q4.json --previous q3.json --email-to sec@example.com --email-from review-bot@example.com --eml review.eml',
          'the same, with the changes since Q3',
        ),
    handler: async (argv: EmailCommandArgs) => {
      if (argv.eml !== undefined && argv.eml !== '')
        await assertOutputsAreNotInputs(
          [{ path: resolve(ctx.cwd, argv.eml), option: `--eml ${argv.eml}` }],
          argv,
          ctx,
        );
      // Validate the delivery (addresses, SMTP settings, CA file, --eml target) before auditing.
      const plan = await prepareDelivery(argv, ctx);
      const keys = await loadEvidenceKeys(argv, ctx);
      const now = ctx.now();
      const opts = { ...auditFileOptions(argv.snapshot, argv, ctx.cwd), keys };
      const { audit, model } = await auditedModel(opts, argv.snapshot, argv.previous, now, ctx, 'email');
      noteFrameworkSettings(audit, ctx);
      const files = await reportAttachments(plan, model);
      await deliverReport(plan, { model, files }, ctx);
      ctx.exitCode = audit.gate.failed ? ExitCode.violations : ExitCode.ok;
    },
  });
