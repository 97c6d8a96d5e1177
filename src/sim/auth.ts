/**
 * The simulator's authentication: OAuth2 client credentials (service accounts, POST /api/oauth/token,
 * Bearer tokens) and HTTP Digest (API keys; RFC 7616, MD5, qop=auth) with the challenge Atlas sends
 * (docs/atlas-api-notes.md §7). The legacy Cloud Manager path takes Digest only (§10).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseAuthParams } from '../atlas/auth/digest.js';
import type { SimulatorAccess } from './authorize.js';

/** Credentials the simulator accepts. */
export interface SimulatorCredentials {
  serviceAccounts?: { clientId: string; clientSecret: string; access?: SimulatorAccess }[];
  apiKeys?: { publicKey: string; privateKey: string; access?: SimulatorAccess }[];
}

/** Who a request authenticated as. */
export type Principal = { kind: 'service-account' | 'api-key'; id: string; access?: SimulatorAccess };

/** The principal of an authenticated request, or why it failed (`stale`: send a fresh nonce). */
type Authentication = { principal: Principal } | { detail: string; stale?: boolean };

/** The token endpoint's answer (OAuth 2.0 bodies, RFC 6749 §5.1 and §5.2, not ApiError). */
interface TokenAnswer {
  status: number;
  payload: unknown;
  headers: Record<string, string>;
}

export interface SimulatorAuth {
  authenticate(req: IncomingMessage, digestOnly: boolean): Authentication;
  /** A `WWW-Authenticate` Digest challenge with a fresh nonce. */
  digestChallenge(stale: boolean): string;
  /** Answers a token request from its `Authorization` header and form body. */
  issueToken(authorization: string, body: string): TokenAnswer;
}

const DIGEST_REALM = 'MMS Public API';
/** How long a Digest nonce stays fresh (then `stale=true`). */
const NONCE_TTL_MS = 5 * 60_000;

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export function createAuth(
  credentials: SimulatorCredentials,
  now: () => number,
  tokenTtlMs: number,
): SimulatorAuth {
  const tokens = new Map<string, { expiresAt: number; principal: Principal }>();
  const nonces = new Map<string, number>();

  const bearer = (header: string, digestOnly: boolean): Authentication => {
    if (digestOnly) return { detail: 'This API accepts HTTP Digest authentication only.' };
    const token = tokens.get(header.slice(7).trim());
    if (!token) return { detail: 'Invalid access token.' };
    if (token.expiresAt <= now()) return { detail: 'The access token has expired.' };
    return { principal: token.principal };
  };

  const digest = (req: IncomingMessage, header: string): Authentication => {
    // The client's own linear parser (a regular expression here backtracked quadratically).
    const p = Object.fromEntries(parseAuthParams(header.slice(7)));
    const key = credentials.apiKeys?.find((k) => k.publicKey === p.username);
    if (!key || p.realm !== DIGEST_REALM) return { detail: 'Invalid API key or realm.' };
    const issued = p.nonce === undefined ? undefined : nonces.get(p.nonce);
    if (issued === undefined) return { detail: 'Unknown nonce.', stale: true };
    if (now() - issued > NONCE_TTL_MS) return { detail: 'Stale nonce.', stale: true };
    if (p.qop !== 'auth' || !/^[0-9a-fA-F]{8}$/.test(p.nc ?? '') || !p.cnonce) {
      return { detail: 'Digest requires qop=auth with nc and cnonce.' };
    }
    if (p.algorithm !== undefined && p.algorithm.toUpperCase() !== 'MD5')
      return { detail: 'Unsupported algorithm.' };
    if (p.uri !== req.url) return { detail: 'Digest uri does not match the request.' };
    const ha1 = md5(`${key.publicKey}:${DIGEST_REALM}:${key.privateKey}`);
    const ha2 = md5(`${req.method ?? 'GET'}:${p.uri}`);
    const expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    if (expected !== p.response) return { detail: 'Digest response does not match.' };
    return { principal: { kind: 'api-key', id: key.publicKey, access: key.access } };
  };

  return {
    authenticate: (req, digestOnly) => {
      const header = req.headers.authorization ?? '';
      if (/^Bearer\s/i.test(header)) return bearer(header, digestOnly);
      if (/^Digest\s/i.test(header)) return digest(req, header);
      return { detail: 'Authentication required.' };
    },
    digestChallenge: (stale) => {
      const nonce = randomBytes(16).toString('base64');
      // Every unauthenticated request gets a fresh nonce; drop expired ones so long runs stay small.
      if (nonces.size > 1000) for (const [n, at] of nonces) if (now() - at > NONCE_TTL_MS) nonces.delete(n);
      nonces.set(nonce, now());
      return `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
    },
    issueToken: (authorization, body): TokenAnswer => {
      const basic = /^Basic\s+(.+)$/i.exec(authorization)?.[1];
      const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const clientId = colon >= 0 ? decodeURIComponent(decoded.slice(0, colon)) : '';
      const secret = colon >= 0 ? decodeURIComponent(decoded.slice(colon + 1)) : '';
      const account = credentials.serviceAccounts?.find(
        (a) => a.clientId === clientId && a.clientSecret === secret,
      );
      if (!account) {
        return {
          status: 401,
          payload: { error: 'invalid_client', error_description: 'Invalid client credentials.' },
          headers: { 'WWW-Authenticate': 'Basic realm="MongoDB Cloud"' },
        };
      }
      if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
        return {
          status: 400,
          payload: {
            error: 'unsupported_grant_type',
            error_description: 'Use grant_type=client_credentials.',
          },
          headers: {},
        };
      }
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, {
        expiresAt: now() + tokenTtlMs,
        principal: { kind: 'service-account', id: clientId, access: account.access },
      });
      return {
        status: 200,
        payload: { access_token: token, token_type: 'Bearer', expires_in: Math.floor(tokenTtlMs / 1000) },
        headers: {},
      };
    },
  };
}
