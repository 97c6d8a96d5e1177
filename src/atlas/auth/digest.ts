import { createHash, randomBytes } from 'node:crypto';
import { AtlasApiError } from '../../errors.js';
import type { AuthStrategy } from './types.js';

/**
 * HTTP Digest access authentication (RFC 7616) for Atlas programmatic API keys: the public key is the
 * username, the private key the password. Atlas challenges with `realm="MMS Public API"`, MD5 and
 * `qop="auth"`. The last challenge is reused with an increasing nonce count (RFC 7616 §3.4), so only
 * the first request (and any after a `stale=true` or a new challenge) costs an extra round trip.
 */
export class DigestAuth implements AuthStrategy {
  readonly kind = 'api-key' as const;
  /**
   * Two fresh challenges per request: the first request of all is sent without credentials to obtain
   * the first challenge, and a stale or replaced nonce costs one more (RFC 7616 §3.3, `stale=true`).
   */
  readonly challengeBudget = 2;
  private challenge: DigestChallenge | null = null;
  private nonceCount = 0;

  constructor(
    private readonly publicKey: string,
    private readonly privateKey: string,
    private readonly cnonce: () => string = () => randomBytes(16).toString('hex'),
  ) {}

  get principal(): string {
    return this.publicKey;
  }

  async authorize(request: { method: string; url: URL }): Promise<string | null> {
    const challenge = this.challenge;
    if (!challenge) return null;
    this.nonceCount += 1;
    return digestHeader({
      challenge,
      username: this.publicKey,
      password: this.privateKey,
      method: request.method,
      uri: `${request.url.pathname}${request.url.search}`,
      nc: this.nonceCount,
      cnonce: this.cnonce(),
    });
  }

  async onUnauthorized(response: Response, authorization: string | null): Promise<boolean> {
    const header = response.headers.get('www-authenticate');
    const challenge = header ? parseDigestChallenge(header) : null;
    if (!challenge) return false;
    if (challenge.qop === null) {
      // RFC 2069 digest (no qop) has no client nonce or count: a captured response replays for as long
      // as the server keeps the nonce. Atlas always offers qop=auth, so a challenge without it is not
      // Atlas (or is tampered with): fail rather than weaken the scheme.
      const path = response.url ? new URL(response.url).pathname : '(request)';
      throw new AtlasApiError(
        {
          endpoint: `GET ${path}`,
          status: response.status,
          errorCode: null,
          detail:
            'the Digest challenge does not offer qop="auth" (RFC 7616); refusing the RFC 2069 form without a client nonce',
        },
        { hint: 'check MONGODB_ATLAS_BASE_URL: Atlas and Ops Manager always offer qop="auth"' },
      );
    }
    const previous = this.challenge;
    // Credentials sent for the current nonce, refused, and challenged again with the very same nonce
    // (not marked stale) means the key itself is wrong: asking again cannot help. Any other case
    // (first challenge, new or stale nonce) is worth a retry; the caller bounds how many.
    const sentForCurrent =
      authorization !== null && previous !== null && authorization.includes(`nonce="${previous.nonce}"`);
    if (sentForCurrent && !challenge.stale && challenge.nonce === previous?.nonce) return false;
    this.challenge = challenge;
    this.nonceCount = 0;
    return true;
  }
}

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop: string | null;
  algorithm: string;
  opaque: string | null;
  stale: boolean;
}

/** Parses `WWW-Authenticate: Digest realm="...", nonce="...", ...`; null when it is not a Digest challenge. */
export function parseDigestChallenge(header: string): DigestChallenge | null {
  const match = /^\s*Digest\s+(.*)$/i.exec(header);
  if (!match) return null;
  const params = parseAuthParams(match[1] ?? '');
  const nonce = params.get('nonce');
  const realm = params.get('realm');
  if (nonce === undefined || realm === undefined) return null;
  const qopOptions = (params.get('qop') ?? '').split(',').map((q) => q.trim());
  return {
    realm,
    nonce,
    qop: qopOptions.includes('auth') ? 'auth' : null,
    algorithm: params.get('algorithm') ?? 'MD5',
    opaque: params.get('opaque') ?? null,
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t';
const isToken = (c: string | undefined) =>
  c !== undefined &&
  ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '-');

/**
 * `name=value, name="quoted \"value\""` pairs of an auth header (RFC 7235 auth-param), names in lower
 * case. A single left-to-right pass: a regular expression over this server-sent text backtracked
 * quadratically on a long token without `=`.
 */
export function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ',' || isSpace(text[i]))) i++;
    const start = i;
    while (isToken(text[i])) i++;
    const name = text.slice(start, i);
    while (isSpace(text[i])) i++;
    if (name === '' || text[i] !== '=') {
      if (i === start) i++;
      continue;
    }
    i++;
    while (isSpace(text[i])) i++;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++;
    } else {
      const from = i;
      while (i < text.length && text[i] !== ',' && !isSpace(text[i])) i++;
      value = text.slice(from, i);
    }
    params.set(name.toLowerCase(), value);
  }
  return params;
}

function hashFor(algorithm: string): (data: string) => string {
  const base = algorithm.toUpperCase().replace(/-SESS$/, '');
  const name = base === 'SHA-256' ? 'sha256' : base === 'SHA-512-256' ? 'sha512-256' : 'md5';
  return (data) => createHash(name).update(data).digest('hex');
}

/** Computes the `Authorization: Digest ...` header value (RFC 7616 §3.4). */
export function digestHeader(input: {
  challenge: DigestChallenge;
  username: string;
  password: string;
  method: string;
  uri: string;
  nc: number;
  cnonce: string;
}): string {
  const { challenge, username, password, method, uri, cnonce } = input;
  const h = hashFor(challenge.algorithm);
  const nc = input.nc.toString(16).padStart(8, '0');
  let ha1 = h(`${username}:${challenge.realm}:${password}`);
  if (/-sess$/i.test(challenge.algorithm)) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  // Only qop=auth: onUnauthorized refuses a challenge without it (no RFC 2069 fallback).
  if (challenge.qop !== 'auth') throw new Error('internal: Digest challenge without qop=auth');
  const response = h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${challenge.qop}:${ha2}`);
  const parts = [
    `username="${username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${uri}"`,
    `algorithm=${challenge.algorithm}`,
    `response="${response}"`,
  ];
  parts.push(`qop=${challenge.qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (challenge.opaque !== null) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
