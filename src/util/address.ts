/**
 * Comparing login names (email addresses) the way a person reads them. Two strings that look the same
 * in a spreadsheet or a waivers file must compare equal: `Alice <ALICE@example.com>`, a `mailto:` link,
 * a full-width `ａｌｉｃｅ@example.com` and `alice\u200b@example.com` are all alice@example.com. Used by
 * the self-review check of `review import` and by waivers that name a user.
 *
 * Not covered: look-alike letters of other scripts (Cyrillic `а` for Latin `a`), which NFKC keeps
 * distinct; Atlas usernames are ASCII email addresses, so such a name is a different account.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { once } from './validate.js';

/**
 * Characters that render as nothing: zero-width space/joiners, word joiner, BOM, soft hyphen, the
 * Mongolian vowel separator and the invisible operators. Removed before comparing.
 */
const INVISIBLE = new Set([
  0x00ad, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff,
]);

/** `text` in Unicode NFKC with the invisible characters removed: what a reader sees. */
export function visibleText(text: string): string {
  let visible = '';
  for (const ch of text.normalize('NFKC')) {
    if (!INVISIBLE.has(ch.codePointAt(0)!)) visible += ch;
  }
  return visible;
}

/**
 * The comparable form of a login name: Unicode NFKC, invisible characters removed, the address taken
 * out of `Display Name <address>`, a leading `mailto:` dropped, surrounding space trimmed, lower case.
 * Linear in the length of `text` (no regular expression over it).
 */
export function normaliseAddress(text: string): string {
  let s = visibleText(text).trim();
  // `Name <addr>`: the part between the last `<` and a closing `>` at the very end.
  if (s.endsWith('>')) {
    const open = s.lastIndexOf('<');
    if (open >= 0) s = s.slice(open + 1, -1).trim();
  }
  if (s.slice(0, 7).toLowerCase() === 'mailto:') s = s.slice(7).trim();
  return s.toLowerCase();
}

/**
 * A mailbox address a review campaign may route a row to, and so send mail to: `local@domain` in the
 * plain ASCII form zod's `z.email()` accepts (the check the SMTP options apply), already normalised. No
 * comma, quote, angle bracket, space, control or bidi character: one recipient, one header line, and a
 * spreadsheet cell that cannot start a formula (`=` is not allowed in it). Built on first use: an
 * audit that checks no address does not pay for the schema.
 */
const MAILBOX = once(() => z.email());

/** True when `address` (normalised) is one plain mailbox; see {@link MAILBOX}. */
export function isMailbox(address: string): boolean {
  return MAILBOX().safeParse(address).success;
}

/** Lower-cased domain of an email-like username; "" when there is no @. */
export function emailDomainOf(username: string): string {
  const at = username.lastIndexOf('@');
  return at < 0 ? '' : username.slice(at + 1).toLowerCase();
}

/** True when `domain` equals an allowed domain or is a subdomain of one. */
export function isDomainAllowed(domain: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => domain === a || domain.endsWith(`.${a}`));
}

/**
 * A file-name part for an address: characters outside `A-Za-z0-9 . _ @ + -` become `_`, and when that
 * changed anything a 16-hex suffix of the address's sha256 keeps two addresses apart (`a'b@x.com` and
 * `a_b@x.com` must not share a follow-up workbook or a reminder file). At most 100 characters of the
 * address are kept (a file name stays far under the 255-byte limit).
 */
export function addressFileSlug(address: string): string {
  const slug = address.replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 100);
  if (slug === address && /^[A-Za-z0-9]/.test(slug)) return slug;
  return `${slug}-${createHash('sha256').update(address).digest('hex').slice(0, 16)}`;
}
