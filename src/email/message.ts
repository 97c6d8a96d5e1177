/**
 * The review email as data: the default subject, the nodemailer message options, and the exact MIME
 * bytes for `--eml`. Content is always in memory (Buffers and strings); file and URL access in
 * nodemailer is switched off so no attachment can ever be pulled from a path or a URL.
 */
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';
import { assertHeaderSafe, type MailAddress } from './settings.js';

/** One file attached to the review email. */
export interface EmailAttachment {
  /** File name shown to the recipient, e.g. `access-review.xlsx`. */
  filename: string;
  /** The exact bytes (compared by sha256 in the tests). */
  content: Buffer;
  /** MIME type, e.g. `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`. */
  contentType: string;
}

/** Everything the review email is made of. Addresses are already validated (see settings.ts). */
export interface EmailMessageInput {
  from: MailAddress;
  to: readonly MailAddress[];
  cc?: readonly MailAddress[] | undefined;
  subject: string;
  /** Email-safe HTML summary. */
  html: string;
  /** Plain-text alternative of the same summary. */
  text: string;
  attachments?: readonly EmailAttachment[] | undefined;
  /** Date header; the CLI passes its clock so the stage stays deterministic. */
  date: Date;
}

/** MIME types of the attachments the tool produces. */
export const CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
} as const;

const contentTypePattern =
  /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(; *[a-z-]+=[a-z0-9_.-]+)*$/i;

/**
 * Builds nodemailer message options from validated parts. Every value that becomes a header is
 * checked for CR/LF (UsageError, exit 2) even though nodemailer encodes headers, because a refused
 * message is a clearer outcome than a silently rewritten one.
 */
export function buildMessage(input: EmailMessageInput): SendMailOptions {
  if (input.to.length === 0) throw new UsageError('the email has no recipient', { hint: 'pass --email-to' });
  assertHeaderSafe(input.subject, 'the subject');
  if (input.subject.trim() === '') throw new UsageError('the email subject is empty');
  const mailboxes = [input.from, ...input.to, ...(input.cc ?? [])];
  for (const mailbox of mailboxes) {
    assertHeaderSafe(mailbox.name, `the name of ${mailbox.address}`);
    assertHeaderSafe(mailbox.address, 'an email address');
  }
  const names = new Set<string>();
  for (const attachment of input.attachments ?? []) {
    assertHeaderSafe(attachment.filename, 'an attachment file name');
    if (!/^[^/\\]+$/.test(attachment.filename)) {
      throw new UsageError(`attachment name ${JSON.stringify(attachment.filename)} must be a bare file name`);
    }
    if (names.has(attachment.filename)) {
      throw new UsageError(`two attachments are named ${attachment.filename}`);
    }
    names.add(attachment.filename);
    if (!contentTypePattern.test(attachment.contentType)) {
      throw new UsageError(`attachment ${attachment.filename} has an invalid content type`);
    }
  }
  return {
    from: { name: input.from.name, address: input.from.address },
    to: input.to.map((m) => ({ name: m.name, address: m.address })),
    ...(input.cc && input.cc.length > 0
      ? { cc: input.cc.map((m) => ({ name: m.name, address: m.address })) }
      : {}),
    subject: input.subject,
    date: input.date,
    text: input.text,
    html: input.html,
    attachments: (input.attachments ?? []).map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
      contentDisposition: 'attachment' as const,
    })),
    // Everything is in memory; never let a string be read as a path or fetched as a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The exact RFC 5322 bytes of the message (CRLF line ends), as an SMTP server would receive them. */
export async function composeMime(message: SendMailOptions): Promise<Buffer> {
  return new MailComposer({ ...message, newline: 'win' }).compile().build();
}

/**
 * Writes the exact MIME message to `path` (for `--eml`: dry runs, or pipelines that send mail their
 * own way). Atomic; refuses to overwrite without `force` (OutputError, exit 4). Returns the byte count.
 */
export async function writeEml(
  path: string,
  message: SendMailOptions,
  opts: { force: boolean },
): Promise<number> {
  const bytes = await composeMime(message);
  await writeFileAtomic(path, bytes, opts);
  return bytes.length;
}

/** What the default subject is made of. Counts are of open (unwaived) findings. */
export interface SubjectFacts {
  /** Names of the audited organizations. */
  orgNames: readonly string[];
  /** The audit time; shown as a UTC date. */
  date: Date | string;
  /** Open findings per severity (missing severities count as 0). */
  openBySeverity: Partial<Record<'low' | 'medium' | 'high' | 'critical', number>>;
  /** Rules not evaluated in some org for lack of data (default 0): "no violations" alone would overstate. */
  notEvaluatedRules?: number;
}

/**
 * The default subject: the orgs, the date and the verdict, e.g.
 * `[Atlas access review] Acme Prod, 2026-11-23: 12 violations (1 critical, 3 high)` or
 * `[Atlas access review] 3 organizations, 2026-11-23: no violations`. Only critical and high
 * counts are spelled out, so the subject stays short and shows what needs attention first. Rules not
 * evaluated are appended (`no violations; 19 rules not evaluated`).
 */
export function defaultSubject(facts: SubjectFacts): string {
  const names = [...new Set(facts.orgNames.map((n) => n.trim()).filter((n) => n !== ''))];
  const orgs =
    names.length === 0
      ? 'no organizations'
      : names.length === 1
        ? names[0]!
        : `${names.length} organizations`;
  const date = (typeof facts.date === 'string' ? new Date(facts.date) : facts.date)
    .toISOString()
    .slice(0, 10);
  const count = (severity: 'low' | 'medium' | 'high' | 'critical') => facts.openBySeverity[severity] ?? 0;
  const total = count('low') + count('medium') + count('high') + count('critical');
  let verdict: string;
  if (total === 0) {
    verdict = 'no violations';
  } else {
    verdict = `${total} violation${total === 1 ? '' : 's'}`;
    const serious = (['critical', 'high'] as const)
      .filter((s) => count(s) > 0)
      .map((s) => `${count(s)} ${s}`);
    if (serious.length > 0) verdict += ` (${serious.join(', ')})`;
  }
  const skipped = facts.notEvaluatedRules ?? 0;
  if (skipped > 0) verdict += `; ${skipped} rule${skipped === 1 ? '' : 's'} not evaluated`;
  // Org names come from Atlas; flatten any control character so the subject stays one header line.
  return `[Atlas access review] ${orgs}, ${date}: ${verdict}`.replace(
    /[\u0000-\u001f\u007f\u2028\u2029]+/g,
    ' ',
  );
}
