/**
 * Sends one message over SMTP with nodemailer. TLS certificates are always verified (a custom CA
 * may be added, verification is never switched off); a failed STARTTLS upgrade is an error, never a
 * silent fall-back to plain text. Any failure becomes a DeliveryError (exit 5) that carries the
 * server's reply (code and text) and the SMTP step, and never the credentials.
 */
import nodemailer, {
  type NodemailerError,
  type SendMailOptions,
  type SMTPSentMessageInfo,
  type SMTPTransportOptions,
} from 'nodemailer';
import { DeliveryError, registerSecret } from '../errors.js';
import type { SmtpSettings } from './settings.js';

/** Settings plus the loaded CA certificates (PEM text of `--smtp-ca`), if any. */
export interface SmtpConnectionSettings extends SmtpSettings {
  ca: string | null;
}

/** What the server said when it accepted the message. */
export interface DeliveryReceipt {
  messageId: string;
  /** Recipients the server accepted. */
  accepted: string[];
  /** The server's final reply, e.g. `250 OK: queued as 123`. */
  response: string;
}

/** nodemailer transport options for the settings: exported so tests can check the TLS policy. */
export function transportOptions(settings: SmtpConnectionSettings): SMTPTransportOptions {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    // `required`: refuse a server that does not offer STARTTLS (defeats STARTTLS stripping).
    requireTLS: !settings.secure && settings.starttls === 'required',
    ignoreTLS: !settings.secure && settings.starttls === 'off',
    // Once offered, the upgrade must succeed: never continue in plain text after a failed handshake.
    opportunisticTLS: false,
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(settings.ca === null ? {} : { ca: settings.ca }),
    },
    ...(settings.user !== null && settings.password !== null
      ? { auth: { user: settings.user, pass: settings.password } }
      : {}),
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.connectionTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
    logger: false,
    debug: false,
  };
}

/**
 * Sends `message` and resolves with the server's receipt. Throws DeliveryError when the connection,
 * TLS, authentication or any recipient fails (a partially delivered message is still a failure: the
 * security team must get the review, so the operator has to look).
 */
export async function sendMessage(
  settings: SmtpConnectionSettings,
  message: SendMailOptions,
): Promise<DeliveryReceipt> {
  registerSecret(settings.password);
  if (settings.user !== null && settings.password !== null) {
    // The AUTH PLAIN / LOGIN payloads are base64; a server that echoes them must not reveal them.
    registerSecret(Buffer.from(`\u0000${settings.user}\u0000${settings.password}`).toString('base64'));
    registerSecret(Buffer.from(settings.password).toString('base64'));
  }
  const transport = nodemailer.createTransport(transportOptions(settings));
  const where = `${settings.host}:${settings.port}`;
  try {
    let info: SMTPSentMessageInfo;
    try {
      info = await transport.sendMail(message);
    } catch (error) {
      throw deliveryError(error, where);
    }
    const rejected = info.rejected.map(String);
    if (rejected.length > 0) {
      throw new DeliveryError(
        `SMTP server ${where} rejected ${rejected.join(', ')} (accepted: ${info.accepted.map(String).join(', ') || 'none'})`,
        { hint: 'check the recipient addresses; the reports already written stay on disk' },
      );
    }
    return { messageId: info.messageId, accepted: info.accepted.map(String), response: info.response };
  } finally {
    transport.close();
  }
}

/** SMTP verbs that are safe to name in an error (never the arguments of AUTH). */
const SAFE_COMMAND = /^(?:EHLO|HELO|LHLO|STARTTLS|MAIL FROM|RCPT TO|DATA|RSET|QUIT|AUTH [A-Z0-9-]+)\b/i;

/** Where in the session it failed; nodemailer's pseudo-commands CONN and API are not SMTP steps. */
function describeCommand(command: string | undefined): string | null {
  if (!command) return null;
  if (command === 'CONN') return 'connection';
  const match = SAFE_COMMAND.exec(command.trim());
  return match ? match[0].toUpperCase() : null;
}

/** Turns a nodemailer error into a one-line DeliveryError: step, reply code and text, and a hint. */
export function deliveryError(error: unknown, where: string): DeliveryError {
  const err = (error ?? {}) as NodemailerError;
  const code = typeof err.code === 'string' ? err.code : null;
  const command = describeCommand(err.command);
  const reply = typeof err.response === 'string' ? err.response.replace(/\s+/g, ' ').trim() : null;
  const parts = [`SMTP delivery via ${where} failed`];
  if (command) parts.push(`at ${command}`);
  let message = parts.join(' ');
  if (reply) {
    message += `: server replied ${reply}`;
  } else {
    // No SMTP reply (network, TLS, timeout): nodemailer's message says what happened.
    const text = error instanceof Error ? error.message : String(error);
    message += `: ${text}`;
  }
  if (code) message += ` [${code}]`;
  return new DeliveryError(message, { hint: hintFor(code, err), cause: error });
}

function hintFor(code: string | null, err: NodemailerError): string {
  const tail = 'the reports already written stay on disk';
  switch (code) {
    case 'EAUTH':
      return `check the SMTP user and SMTP_PASSWORD; ${tail}`;
    case 'ENOAUTH':
      return `set SMTP_PASSWORD; ${tail}`;
    case 'ETLS':
    case 'ESOCKET':
      if (/certificate|self[- ]signed|CERT_|unable to verify/i.test(err.message)) {
        return `the server certificate is not trusted; pass its CA with --smtp-ca <pem>; ${tail}`;
      }
      if (/STARTTLS/i.test(err.message)) {
        return `the server does not offer STARTTLS; use --smtp-secure for implicit TLS or --smtp-starttls opportunistic|off if the network is trusted; ${tail}`;
      }
      return `check the SMTP host, port and network (and --smtp-secure for port 465); ${tail}`;
    case 'ECONNECTION':
    case 'ETIMEDOUT':
    case 'EDNS':
      return `check the SMTP host, port and network; ${tail}`;
    case 'EENVELOPE':
      return `check --email-from and the recipients; ${tail}`;
    default:
      return tail;
  }
}
