/**
 * Email delivery options and the delivery step shared by `email` and `run --email-to`.
 *
 * Two phases, so a long audit never ends in a usage error: {@link prepareDelivery} validates the
 * addresses, the subject, the SMTP settings (and reads `--smtp-ca`) or checks that `--eml` may be
 * written, before any work; {@link deliverReport} then builds the message from the report model and
 * the already rendered files, and sends it or writes the .eml. The CLI layer owns env and file reads.
 */
import { basename, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { emailHtmlProblems } from '../email/html-safety.js';
import {
  buildMessage,
  CONTENT_TYPES,
  defaultSubject,
  type EmailAttachment,
  writeEml,
} from '../email/message.js';
import { type DeliveryReceipt, type SmtpConnectionSettings, sendMessage } from '../email/send.js';
import {
  assertHeaderSafe,
  formatAddress,
  type MailAddress,
  parseAddress,
  parseAddressList,
  resolveSmtpSettings,
  STARTTLS_MODES,
  type StartTlsMode,
} from '../email/settings.js';
import { InputError, UsageError } from '../errors.js';
import type { ReportModel } from '../report/model.js';
import { renderEmailSummary } from '../report/renderers/email-summary.js';
import { RENDERERS } from '../report/renderers/index.js';
import { assertWritable, readInputFile } from '../util/files.js';
import type { CliContext } from './context.js';

/** Email and SMTP options as yargs parses them (see {@link emailOptions}). */
export interface EmailArgs {
  'email-to'?: string[];
  'email-cc'?: string[];
  'email-from'?: string;
  'email-subject'?: string;
  'attach-json'?: boolean;
  eml?: string;
  'smtp-host'?: string;
  'smtp-port'?: number;
  'smtp-secure'?: boolean;
  'smtp-starttls'?: StartTlsMode;
  'smtp-user'?: string;
  'smtp-ca'?: string;
}

/**
 * Adds the email and SMTP options. `required: true` (the `email` command) demands `--email-to`;
 * `run` passes false and emails only when `--email-to` is given.
 */
export function emailOptions<T>(yargs: Argv<T>, opts: { required: boolean } = { required: true }) {
  const withEmail = yargs
    .option('email-to', {
      type: 'string',
      array: true,
      demandOption: opts.required ? 'name at least one recipient with --email-to' : false,
      describe: 'Recipient address ("Name <a@x.org>" or a@x.org); repeat or comma-separate for several',
      group: 'Email:',
    })
    .option('email-cc', {
      type: 'string',
      array: true,
      describe: 'Cc address; repeat for several',
      group: 'Email:',
    })
    .option('email-from', {
      type: 'string',
      describe: 'Sender address [env SMTP_FROM] (default: the SMTP user when it is an address)',
      group: 'Email:',
    })
    .option('email-subject', {
      type: 'string',
      describe: 'Subject (default: "[Atlas access review] <org>, <date>: <verdict>")',
      group: 'Email:',
    })
    .option('attach-json', { type: 'boolean', describe: 'Also attach the JSON report', group: 'Email:' })
    .option('eml', {
      type: 'string',
      describe: 'Write the exact MIME message to this .eml file instead of sending it (dry run)',
      group: 'Email:',
    });
  return smtpOptions(withEmail);
}

/** The SMTP connection options (shared by `email`, `run --email-to` and `review remind`). */
export function smtpOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('smtp-host', {
      type: 'string',
      describe: 'SMTP server [env SMTP_URL=smtp://user@host:587 or smtps://user@host:465]',
      group: 'SMTP:',
    })
    .option('smtp-port', {
      type: 'number',
      describe: 'SMTP port (default 587, or 465 with --smtp-secure)',
      group: 'SMTP:',
    })
    .option('smtp-secure', {
      type: 'boolean',
      describe: 'Implicit TLS from the first byte (smtps, port 465)',
      group: 'SMTP:',
    })
    .option('smtp-starttls', {
      choices: STARTTLS_MODES,
      describe: 'STARTTLS policy (default: required when a password is sent, else opportunistic)',
      group: 'SMTP:',
    })
    .option('smtp-user', {
      type: 'string',
      describe: 'SMTP AUTH user; the password only from env SMTP_PASSWORD (or SMTP_URL)',
      group: 'SMTP:',
    })
    .option('smtp-ca', {
      type: 'string',
      describe: 'PEM file of CA certificates to trust for the SMTP server (verification stays on)',
      group: 'SMTP:',
    });
}

/** Everything validated before the audit runs. */
export interface DeliveryPlan {
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  /** Explicit `--email-subject`, or null for the default subject built from the model. */
  subject: string | null;
  attachJson: boolean;
  /** Either write the message to a file or send it over SMTP. */
  target: { kind: 'eml'; path: string; force: boolean } | { kind: 'smtp'; settings: SmtpConnectionSettings };
}

/**
 * Validates the delivery options up front: addresses, subject, SMTP settings (reading `--smtp-ca`) or
 * the `--eml` target (refused when it exists without `--force`). Throws UsageError/InputError (exit 2)
 * or OutputError (exit 4).
 */
export async function prepareDelivery(
  args: EmailArgs & { force?: boolean },
  ctx: Pick<CliContext, 'env' | 'cwd'>,
): Promise<DeliveryPlan> {
  const to = parseAddressList(args['email-to'] ?? [], '--email-to');
  if (to.length === 0) throw new UsageError('no recipient', { hint: 'pass --email-to security@example.com' });
  const cc = parseAddressList(args['email-cc'] ?? [], '--email-cc');
  const subject = args['email-subject'] ?? null;
  if (subject !== null) {
    assertHeaderSafe(subject, '--email-subject');
    if (subject.trim() === '') throw new UsageError('--email-subject is empty');
  }
  const force = args.force ?? false;
  let target: DeliveryPlan['target'];
  let smtpUser: string | null = null;
  if (args.eml !== undefined) {
    if (args.eml === '') throw new UsageError('--eml needs a file name');
    const path = resolveFrom(ctx.cwd, args.eml);
    await assertWritable(path, force);
    target = { kind: 'eml', path, force };
  } else {
    const settings = await smtpConnection(args, ctx);
    target = { kind: 'smtp', settings };
    smtpUser = settings.user;
  }
  const from = senderAddress(args, ctx, smtpUser, target.kind === 'eml');
  return { from, to, cc, subject, attachJson: args['attach-json'] ?? false, target };
}

/** The SMTP settings from the options and env (SMTP_URL, SMTP_PASSWORD), with `--smtp-ca` read. */
export async function smtpConnection(
  args: EmailArgs,
  ctx: Pick<CliContext, 'env' | 'cwd'>,
): Promise<SmtpConnectionSettings> {
  const settings = resolveSmtpSettings(
    {
      smtpHost: args['smtp-host'],
      smtpPort: args['smtp-port'],
      smtpSecure: args['smtp-secure'],
      smtpStarttls: args['smtp-starttls'],
      smtpUser: args['smtp-user'],
      smtpCa: args['smtp-ca'],
    },
    { SMTP_URL: ctx.env.SMTP_URL, SMTP_PASSWORD: ctx.env.SMTP_PASSWORD },
  );
  let ca: string | null = null;
  if (settings.caFile !== null) {
    const file = resolveFrom(ctx.cwd, settings.caFile);
    ca = await readInputFile(file);
    if (!/-----BEGIN CERTIFICATE-----/.test(ca)) {
      throw new InputError(file, '$', 'not a PEM certificate file (no BEGIN CERTIFICATE block)');
    }
  }
  return { ...settings, ca };
}

/** The From address: `--email-from`, else SMTP_FROM, else the SMTP user when it is an address. */
export function senderAddress(
  args: EmailArgs,
  ctx: Pick<CliContext, 'env'>,
  smtpUser: string | null,
  eml: boolean,
): MailAddress {
  const fromValue =
    args['email-from'] ?? ctx.env.SMTP_FROM ?? (smtpUser?.includes('@') ? smtpUser : undefined);
  if (fromValue === undefined) {
    // A dry run needs a sender too: --eml promises the exact message a send would deliver, and a
    // made-up From would make the file a message nobody could send as it is.
    throw new UsageError(
      eml
        ? 'no sender address: --eml writes the exact message that would be sent, From included'
        : 'no sender address',
      { hint: 'pass --email-from review-bot@example.com or set SMTP_FROM' },
    );
  }
  return parseAddress(fromValue, args['email-from'] !== undefined ? '--email-from' : 'SMTP_FROM');
}

function resolveFrom(cwd: string, path: string): string {
  return resolve(cwd, path);
}

/** A rendered report file to attach, by kind (the content type follows from the kind). */
export interface ReportFile {
  kind: 'xlsx' | 'html' | 'json';
  /** File name shown to the recipient; a path is reduced to its base name. */
  filename: string;
  /** The exact bytes written to disk (or that would be). */
  content: Buffer;
}

/** Attachment base name, e.g. `atlas-access-review-2026-11-23` (the audit date, UTC). */
function attachmentBaseName(evaluatedAt: string): string {
  return `atlas-access-review-${evaluatedAt.slice(0, 10)}`;
}

/** The formats a review email attaches: the XLSX workbook and the HTML report, and JSON when asked. */
export function attachedFormats(plan: Pick<DeliveryPlan, 'attachJson'>): Array<'xlsx' | 'html' | 'json'> {
  return plan.attachJson ? ['xlsx', 'html', 'json'] : ['xlsx', 'html'];
}

/**
 * The files to attach for a plan (attachedFormats).
 * Formats already rendered and written (by `run`) are attached as those exact bytes under their file
 * name; the others are rendered in memory under the default name.
 */
export async function reportAttachments(
  plan: Pick<DeliveryPlan, 'attachJson'>,
  model: ReportModel,
  written: ReadonlyMap<string, { path: string; bytes: string | Uint8Array }> = new Map(),
): Promise<ReportFile[]> {
  const files: ReportFile[] = [];
  for (const kind of attachedFormats(plan)) {
    const done = written.get(kind);
    files.push({
      kind,
      filename: done?.path ?? `${attachmentBaseName(model.meta.evaluatedAt)}.${kind}`,
      content: Buffer.from(done?.bytes ?? (await RENDERERS[kind].render(model))),
    });
  }
  return files;
}

/** What happened: sent (with the server's receipt) or written to an .eml file. */
export type DeliveryOutcome =
  | { kind: 'smtp'; receipt: DeliveryReceipt; subject: string; bytesAttached: number }
  | { kind: 'eml'; path: string; bytes: number; subject: string; bytesAttached: number };

/**
 * Builds the review email from the model (summary body, default subject) and the rendered files
 * (XLSX and HTML always; JSON only when the plan says so), then sends it or writes the .eml.
 * Failures to send are DeliveryError (exit 5); files already written by the caller stay on disk.
 * Prints one line with the outcome to stdout.
 */
export async function deliverReport(
  plan: DeliveryPlan,
  report: { model: ReportModel; files: readonly ReportFile[] },
  ctx: Pick<CliContext, 'stdout' | 'stderr' | 'now'>,
): Promise<DeliveryOutcome> {
  const { model } = report;
  const summary = renderEmailSummary(model);
  // The summary renderer is ours; a problem here is a bug worth hearing about, not a reason to withhold the review.
  for (const problem of emailHtmlProblems(summary.html))
    ctx.stderr(`warning: the email summary HTML ${problem}\n`);

  const attachments: EmailAttachment[] = [];
  for (const kind of attachedFormats(plan)) {
    const file = report.files.find((f) => f.kind === kind);
    if (!file) {
      if (kind === 'json') throw new UsageError('--attach-json was given but no JSON report was rendered');
      throw new Error(`deliverReport: the ${kind} report was not rendered`);
    }
    attachments.push({
      filename: basename(file.filename),
      content: file.content,
      contentType: CONTENT_TYPES[kind],
    });
  }
  const subject =
    plan.subject ??
    defaultSubject({
      orgNames: model.organizations.map((org) => org.name),
      date: model.meta.evaluatedAt,
      openBySeverity: model.summary.findings.openBySeverity,
      notEvaluatedRules: model.summary.notEvaluated.rules,
    });
  const message = buildMessage({
    from: plan.from,
    to: plan.to,
    cc: plan.cc,
    subject,
    html: summary.html,
    text: summary.text,
    attachments,
    date: ctx.now(),
  });
  const bytesAttached = attachments.reduce((sum, a) => sum + a.content.length, 0);
  const recipients = [...plan.to, ...plan.cc].map(formatAddress).join(', ');
  if (plan.target.kind === 'eml') {
    const bytes = await writeEml(plan.target.path, message, { force: plan.target.force });
    ctx.stdout(`wrote ${plan.target.path} (${bytes} bytes; to ${recipients}; not sent)\n`);
    return { kind: 'eml', path: plan.target.path, bytes, subject, bytesAttached };
  }
  const receipt = await sendMessage(plan.target.settings, message);
  ctx.stdout(
    `sent "${subject}" to ${recipients} via ${plan.target.settings.host}:${plan.target.settings.port} (${receipt.response})\n`,
  );
  return { kind: 'smtp', receipt, subject, bytesAttached };
}
