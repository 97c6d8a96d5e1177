/**
 * SMTP settings and mail addresses: resolved from flags and the environment, validated with zod,
 * and checked against header injection. Pure: the caller passes the flags and the environment in.
 *
 * The password comes only from `SMTP_PASSWORD` or the password part of `SMTP_URL` (never from a
 * flag, so it never lands in shell history or `ps` output) and is registered as a secret the moment
 * it is read, so no error message built later can show it.
 */
import addressparser from 'nodemailer/lib/addressparser';
import * as z from 'zod';
import { registerSecret, UsageError } from '../errors.js';

/** How to treat STARTTLS on a connection that does not start with TLS (`--smtp-starttls`). */
export const STARTTLS_MODES = ['required', 'opportunistic', 'off'] as const;
/**
 * - `required`: the server must offer STARTTLS and the upgrade must succeed, or nothing is sent.
 * - `opportunistic`: upgrade whenever the server offers STARTTLS (a failed upgrade is an error,
 *   never a silent fallback to plain text); send in plain text only to a server that does not offer it.
 * - `off`: never upgrade (a local relay on a trusted network).
 */
export type StartTlsMode = (typeof STARTTLS_MODES)[number];

/** Raw SMTP flags as yargs hands them over (all optional). */
export interface SmtpFlags {
  smtpHost?: string | undefined;
  smtpPort?: number | undefined;
  smtpSecure?: boolean | undefined;
  smtpStarttls?: StartTlsMode | undefined;
  smtpUser?: string | undefined;
  smtpCa?: string | undefined;
}

const noLineBreaks = (what: string) =>
  z.string().refine((value) => !/[\r\n]/.test(value), `${what} must not contain line breaks`);

/** The validated SMTP settings every send uses. The schema is the type. */
const smtpSettingsSchema = z.strictObject({
  /** Server host name or IP address. */
  host: noLineBreaks('the SMTP host').pipe(
    z.string().regex(/^[A-Za-z0-9._:[\]-]+$/, 'the SMTP host must be a host name or IP address'),
  ),
  port: z.number().int().min(1).max(65535),
  /** Implicit TLS from the first byte (smtps, usually port 465). */
  secure: z.boolean(),
  /** STARTTLS policy when `secure` is false. */
  starttls: z.enum(STARTTLS_MODES),
  /** AUTH user name; null sends without authentication. */
  user: noLineBreaks('the SMTP user').pipe(z.string().min(1)).nullable(),
  /** AUTH password (registered as a secret); present exactly when `user` is. */
  password: z.string().min(1).nullable(),
  /** PEM file of extra CA certificates to trust, e.g. a company CA. Read by the CLI. */
  caFile: z.string().min(1).nullable(),
  /** Milliseconds to wait for the TCP/TLS connection and for the greeting. */
  connectionTimeoutMs: z.number().int().positive(),
  /** Milliseconds of socket inactivity before giving up. */
  socketTimeoutMs: z.number().int().positive(),
});
/** Validated SMTP settings (see {@link smtpSettingsSchema}). */
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>;

/** Where SMTP settings may come from in the environment. */
export interface SmtpEnv {
  /** `smtp://user@host:587` or `smtps://user@host:465`; a password in the URL is accepted. */
  SMTP_URL?: string | undefined;
  /** The AUTH password; takes precedence over a password in SMTP_URL. */
  SMTP_PASSWORD?: string | undefined;
}

interface UrlParts {
  host: string;
  port: number | null;
  secure: boolean;
  user: string | null;
  password: string | null;
}

/** Parses SMTP_URL. Error messages never repeat the URL, since it may carry the password. */
function parseSmtpUrl(value: string): UrlParts {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('SMTP_URL is not a valid URL', {
      hint: 'use smtp://user@host:587 or smtps://user@host:465 (percent-encode special characters)',
    });
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new UsageError(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  const decode = (part: string): string | null => {
    if (part === '') return null;
    try {
      return decodeURIComponent(part);
    } catch {
      throw new UsageError('SMTP_URL has an invalid percent-encoding in its user or password');
    }
  };
  const password = decode(url.password);
  // Register both spellings: a later message might quote either.
  registerSecret(url.password);
  registerSecret(password);
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new UsageError('SMTP_URL must not have a path', { hint: 'use smtp://user@host:587' });
  }
  if (url.search !== '') {
    throw new UsageError('SMTP_URL query parameters are not supported', {
      hint: 'use --smtp-starttls, --smtp-secure or --smtp-ca instead',
    });
  }
  return {
    // WHATWG URL keeps the brackets of an IPv6 literal; net.connect wants the bare address.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? null : Number(url.port),
    secure: url.protocol === 'smtps:',
    user: decode(url.username),
    password,
  };
}

/**
 * Resolves SMTP settings. Flags win over the matching part of SMTP_URL; the password comes only from
 * SMTP_PASSWORD or the URL. Defaults: port 465 with implicit TLS for smtps, otherwise 587; STARTTLS
 * `required` when a password would be sent (so a stripped STARTTLS offer cannot expose it),
 * otherwise `opportunistic`. Throws UsageError (exit 2) when incomplete or invalid.
 */
export function resolveSmtpSettings(flags: SmtpFlags, env: SmtpEnv): SmtpSettings {
  const fromUrl = env.SMTP_URL ? parseSmtpUrl(env.SMTP_URL) : null;
  const envPassword = env.SMTP_PASSWORD === '' ? undefined : env.SMTP_PASSWORD;
  registerSecret(envPassword);

  const host = flags.smtpHost ?? fromUrl?.host;
  if (!host) {
    throw new UsageError('no SMTP server configured', {
      hint: 'set SMTP_URL (smtp://user@host:587) or pass --smtp-host, or write the message with --eml <file>',
    });
  }
  const secure = flags.smtpSecure ?? fromUrl?.secure ?? flags.smtpPort === 465;
  const port = flags.smtpPort ?? fromUrl?.port ?? (secure ? 465 : 587);
  const user = flags.smtpUser ?? fromUrl?.user ?? null;
  const password = envPassword ?? fromUrl?.password ?? null;
  if (user !== null && password === null) {
    throw new UsageError(`SMTP user ${user} has no password`, {
      hint: 'set SMTP_PASSWORD in the environment (from your secret store)',
    });
  }
  if (user === null && password !== null) {
    throw new UsageError('an SMTP password is set but no user', {
      hint: 'pass --smtp-user or put the user in SMTP_URL (smtp://user@host:587)',
    });
  }
  const starttls = flags.smtpStarttls ?? (password !== null ? 'required' : 'opportunistic');

  const parsed = smtpSettingsSchema.safeParse({
    host,
    port,
    secure,
    starttls,
    user,
    password,
    caFile: flags.smtpCa ?? null,
    connectionTimeoutMs: 30_000,
    socketTimeoutMs: 60_000,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? 'settings';
    // Never echo the offending value: for `password` it is the secret itself.
    throw new UsageError(`invalid SMTP setting ${field}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** A validated mailbox. */
export interface MailAddress {
  /** Display name, possibly empty. */
  name: string;
  /** The bare address, `local@domain`. */
  address: string;
}

const emailSchema = z.email();

/**
 * Throws UsageError (exit 2) when a value that will become a header contains CR, LF or another
 * control character: such a value could end the header and inject new ones (`Bcc:`, a second body).
 */
export function assertHeaderSafe(value: string, what: string): void {
  // \u2028/\u2029 are line breaks to some mail clients; NUL and other C0 controls have no place in a header.
  if (/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/.test(value)) {
    throw new UsageError(`${what} contains a line break or control character; refusing to build the header`, {
      hint: 'header values must be a single line',
    });
  }
}

/**
 * Parses address lists such as `a@x.org`, `Sec Team <sec@x.org>` or `a@x.org, b@y.org` (several values,
 * each possibly a comma-separated list) into validated mailboxes, deduplicated case-insensitively in
 * first-seen order. `what` names the flag in error messages.
 */
export function parseAddressList(values: readonly string[], what: string): MailAddress[] {
  const out: MailAddress[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    assertHeaderSafe(value, what);
    const parsed = addressparser(value);
    if (parsed.length === 0 && value.trim() !== '') {
      throw new UsageError(`${what}: cannot parse an address in ${JSON.stringify(value)}`);
    }
    for (const entry of parsed) {
      if (entry.group !== undefined) {
        throw new UsageError(`${what}: address groups are not supported (${JSON.stringify(entry.name)})`);
      }
      const address = entry.address.trim();
      if (!emailSchema.safeParse(address).success) {
        throw new UsageError(
          `${what}: ${JSON.stringify(address || entry.name)} is not a valid email address`,
          { hint: 'use name@example.com or "Name <name@example.com>"' },
        );
      }
      const key = address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name: entry.name.trim(), address });
    }
  }
  return out;
}

/** Parses exactly one address (for `--email-from`). */
export function parseAddress(value: string, what: string): MailAddress {
  const list = parseAddressList([value], what);
  if (list.length !== 1) {
    throw new UsageError(`${what} must be exactly one address, got ${list.length}`);
  }
  return list[0]!;
}

/** Formats a mailbox for display in messages to the user (never a header: nodemailer encodes those). */
export function formatAddress(mailbox: MailAddress): string {
  return mailbox.name ? `${mailbox.name} <${mailbox.address}>` : mailbox.address;
}
