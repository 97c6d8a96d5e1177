/**
 * One attempt of one request, and nothing more: the URL, `User-Agent`, versioned `Accept` (and the
 * same media type as `Content-Type` for a body), the `Authorization` it is given, a timeout, no
 * redirects (`redirect: 'manual'`: data and credentials only to and from the configured base URL), TLS
 * verification as Node does it, and a body read within bounds. The outcome says whether another
 * attempt may help; retries, auth and pacing are the client's.
 */
import { AtlasApiError } from '../errors.js';
import { BodyTooLargeError, readBodyText, readErrorBody, redirectDetail } from './body.js';
import { networkError } from './network-error.js';
import { isRetryableStatus, parseRetryAfter, type RetryableFailure } from './retry.js';
import type { WriteOperation } from './write-operations.js';

/** A response body read as JSON, with the headers that matter to callers. */
export interface JsonResponse {
  body: unknown;
  status: number;
  /** The response headers (`Date` for clock skew, rate-limit headers). */
  headers: Headers;
}

/** One request as the client sends it. */
export interface RequestSpec {
  /** `METHOD /path/{template}`, how errors name the operation. */
  endpoint: string;
  method: 'GET' | WriteOperation['method'];
  url: URL;
  /** `Accept`; also the `Content-Type` of a body. */
  accept: string;
  /** JSON text, or null for no body. */
  body: string | null;
  /** The write operation, for its least role in a 403 hint; null for reads. */
  write: WriteOperation | null;
}

export interface RequestContext {
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  userAgent: string;
  /** Told the headers of every answer (rate-limit pacing reads them). */
  onHeaders: (headers: Headers) => void;
}

export type AttemptOutcome =
  | { kind: 'ok'; response: JsonResponse }
  | RetryableFailure
  | {
      kind: 'unauthorized';
      response: Response;
      authorization: string | null;
      error: { errorCode: string | null; detail: string | null };
    }
  | { kind: 'fatal'; error: Error };

/** Sends `spec` once with `authorization` (null: none) and reads its answer. */
export async function sendRequest(
  ctx: RequestContext,
  spec: RequestSpec,
  authorization: string | null,
): Promise<AttemptOutcome> {
  let response: Response;
  try {
    response = await ctx.fetch(spec.url, {
      method: spec.method,
      headers: requestHeaders(ctx, spec, authorization),
      ...(spec.body === null ? {} : { body: spec.body }),
      // Data and credentials only to and from the configured base URL: a redirect is refused below.
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (error) {
    return noResponse(ctx, spec, error);
  }
  const redirect = redirectDetail(response);
  if (redirect) {
    await response.body?.cancel().catch(() => {});
    return fatal(spec, response.status, redirect);
  }
  ctx.onHeaders(response.headers);
  if (response.status === 401) {
    const error = await readErrorBody(response);
    return { kind: 'unauthorized', response, authorization, error };
  }
  if (response.ok) return readJson(ctx, spec, response);
  return failed(ctx, spec, response);
}

function requestHeaders(ctx: RequestContext, spec: RequestSpec, authorization: string | null) {
  const headers: Record<string, string> = { Accept: spec.accept, 'User-Agent': ctx.userAgent };
  if (authorization) headers.Authorization = authorization;
  // A write's body is sent in the same versioned media type it accepts (spec: requestBody content).
  if (spec.body !== null) headers['Content-Type'] = spec.accept;
  return headers;
}

/** No response, or the body broke off: retryable like a 5xx, with no Retry-After. */
function noResponse(ctx: RequestContext, spec: RequestSpec, error: unknown): RetryableFailure {
  return {
    kind: 'retry',
    status: null,
    retryAfterMs: null,
    error: networkError(spec.endpoint, error, ctx.timeoutMs, spec.url),
  };
}

/** An answer that cannot be used and will not improve on a retry: no errorCode, only what happened. */
function fatal(spec: RequestSpec, status: number, detail: string): AttemptOutcome {
  return {
    kind: 'fatal',
    error: new AtlasApiError({ endpoint: spec.endpoint, status, errorCode: null, detail }),
  };
}

async function readJson(ctx: RequestContext, spec: RequestSpec, response: Response): Promise<AttemptOutcome> {
  let text: string;
  try {
    text = await readBodyText(response);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return fatal(spec, response.status, error.message);
    return noResponse(ctx, spec, error);
  }
  const { status, headers } = response;
  // 204 No Content (the writes that delete) has no body to parse.
  if (text === '' && (status === 204 || spec.method !== 'GET'))
    return { kind: 'ok', response: { body: null, status, headers } };
  try {
    return { kind: 'ok', response: { body: JSON.parse(text), status, headers } };
  } catch {
    return fatal(spec, status, 'response is not valid JSON');
  }
}

/** An error answer: retryable (429, 5xx, with its Retry-After) or not. */
async function failed(ctx: RequestContext, spec: RequestSpec, response: Response): Promise<AttemptOutcome> {
  const body = await readErrorBody(response);
  const error = new AtlasApiError(
    { endpoint: spec.endpoint, status: response.status, errorCode: body.errorCode, detail: body.detail },
    { hint: statusHint(response.status, spec.write) },
  );
  if (!isRetryableStatus(response.status)) return { kind: 'fatal', error };
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), ctx.now());
  return { kind: 'retry', status: response.status, retryAfterMs, error };
}

function statusHint(status: number, write: WriteOperation | null): string | undefined {
  if (status === 403 && write) {
    return `the credentials lack ${write.roles.join(' or ')} for this call, or the org requires an API access list that excludes this IP`;
  }
  if (status === 403) {
    return 'the credentials lack a role for this endpoint (Organization Member or Read Only is needed), or the org requires an API access list that excludes this IP';
  }
  if (write && status === 404) return undefined;
  if (status === 404) return 'check the organization id';
  if (status === 406 || status === 410) return 'this API version is not served; please report it';
  return undefined;
}
