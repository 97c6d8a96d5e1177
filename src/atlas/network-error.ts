/**
 * A failed connection in words (README, "Exit codes": 3). Node's fetch rejects with `TypeError: fetch failed` and puts
 * the reason in `cause`: a system error code (ECONNREFUSED, ENOTFOUND), an OpenSSL verification code
 * (SELF_SIGNED_CERT_IN_CHAIN), or a bare message ("bad port": the Fetch standard's blocked ports,
 * https://fetch.spec.whatwg.org/#port-blocking). A person reading the final message should not have
 * to know any of those.
 */

import { AtlasApiError, redactSecrets } from '../errors.js';

/** OpenSSL verification failures: the certificate chain is not one Node trusts. */
const UNTRUSTED_CERT = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
}

/** The innermost error with a code or a message (fetch wraps the reason in `cause`, sometimes twice). */
function innermost(error: unknown): ErrorLike {
  let e = (error ?? {}) as ErrorLike;
  for (let i = 0; i < 5 && e.cause && typeof e.cause === 'object'; i++) e = e.cause as ErrorLike;
  return e;
}

/**
 * Why a request to `url` got no HTTP response, as a sentence: "nothing is listening at
 * https://host:port (connection refused)", "cannot resolve host example.com", "the TLS certificate of
 * example.com is not trusted (SELF_SIGNED_CERT_IN_CHAIN)", ...
 */
export function describeNetworkFailure(error: unknown, url: URL | null, timeoutMs: number): string {
  const outer = (error ?? {}) as ErrorLike;
  if (outer.name === 'TimeoutError' || outer.name === 'AbortError')
    return `no response within ${timeoutMs} ms`;
  const e = innermost(error);
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  const origin = url?.origin ?? 'the server';
  const host = url?.hostname ?? 'the server';
  const port = url ? url.port || (url.protocol === 'https:' ? '443' : '80') : '';
  if (code === 'ECONNREFUSED') return `nothing is listening at ${originWithPort(url)} (connection refused)`;
  if (code === 'ENOTFOUND') return `cannot resolve host ${host} (no such name in DNS)`;
  if (code === 'EAI_AGAIN') return `cannot resolve host ${host} (DNS did not answer; try again)`;
  if (code === 'ECONNRESET') return `the connection to ${origin} was reset before a response`;
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return `cannot connect to ${originWithPort(url)} (connection timed out)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return `cannot reach ${host} (no route to the host from this machine)`;
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED')
    return `${origin} closed the connection before a response`;
  if (code === 'CERT_HAS_EXPIRED') return `the TLS certificate of ${host} has expired`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the TLS certificate of ${host} is not issued for ${host} (${code})`;
  if (UNTRUSTED_CERT.has(code))
    return `the TLS certificate of ${host} is not trusted (${code}); if a proxy or private CA signs it, add that CA with NODE_EXTRA_CA_CERTS`;
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message))
    return `TLS with ${originWithPort(url)} failed: the server does not speak TLS on port ${port} (http, not https?)`;
  if (/^bad port$/i.test(message))
    return `Node's fetch never connects to port ${port} of ${host} (a port reserved for other protocols, blocked by the Fetch standard); use the port the server listens on`;
  return redactSecrets(code ? `${code}: ${message}` : message);
}

/** "https://host:443": the origin with its port spelt out, which is what "nothing is listening" is about. */
function originWithPort(url: URL | null): string {
  if (!url) return 'the server';
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname}:${port}`;
}

/** No response (or a body that broke off) from `endpoint`, as the client reports it: exit 3. */
export function networkError(
  endpoint: string,
  error: unknown,
  timeoutMs: number,
  url: URL | null,
): AtlasApiError {
  const detail = describeNetworkFailure(error, url, timeoutMs);
  return new AtlasApiError({ endpoint, status: null, errorCode: null, detail }, { cause: error });
}
