import { AtlasApiError } from '../errors.js';
import { readErrorBody } from './auth/service-account.js';
import type { AuthStrategy } from './auth/types.js';
import { BodyTooLargeError, readBodyText, redirectDetail } from './body.js';
import { describeNetworkFailure } from './network-error.js';
import { endpointName, fillPath, type Operation } from './operations.js';
import { Semaphore } from './semaphore.js';
import { atlasMediaType, type WriteOperation, writePathParams } from './write-operations.js';

/** Everything the client needs from the outside world, injectable so tests never sleep or touch the network. */
export interface ClientDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds, monotonic enough for backoff and token expiry. */
  now: () => number;
  /** In [0, 1); used for backoff jitter. */
  random: () => number;
  /**
   * Told before each wait to retry, so a terminal can show it ("retry 2/5 in 1.3 s: connection
   * refused"); the client itself prints nothing.
   */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** A retry about to be waited for. */
export interface RetryEvent {
  /** `METHOD /path/{template}` being retried. */
  endpoint: string;
  /** 1 for the first retry. */
  retry: number;
  maxRetries: number;
  delayMs: number;
  /** Why, in words: "HTTP 503", "HTTP 429 (rate limited)", or the connection failure. */
  reason: string;
}

export interface ClientOptions {
  baseUrl: URL;
  /** Requests in flight at once, across all organizations. */
  concurrency: number;
  /** Per-request timeout (each attempt). */
  timeoutMs: number;
  /** Retries after the first attempt for 429, 5xx, timeouts and connection failures. */
  maxRetries: number;
  /** Backoff: base * 2^attempt, capped, with full jitter. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A `Retry-After` longer than this is not waited for: the request fails instead. */
  maxRetryAfterMs: number;
  /**
   * Overall deadline of everything this client does, from its creation (a whole collection): past it, no
   * request is started and no wait begins, so a server that answers ever more slowly ends in exit 3
   * with a message, not a run that never ends. Null: none.
   */
  deadlineMs?: number | null;
  userAgent: string;
  /** Hint after a refused credential; default names the collector's MONGODB_ATLAS_* variables. */
  credentialHint?: string;
}

export const DEFAULT_CLIENT_OPTIONS: Omit<ClientOptions, 'baseUrl' | 'userAgent'> = {
  concurrency: 16,
  timeoutMs: 30_000,
  maxRetries: 5,
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  maxRetryAfterMs: 120_000,
  deadlineMs: 2 * 60 * 60 * 1000,
};

export const defaultDeps: ClientDeps = {
  fetch: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => performance.timeOrigin + performance.now(),
  random: Math.random,
};

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
}

/** A response body read as JSON, with the headers that matter to callers. */
export interface JsonResponse {
  body: unknown;
  status: number;
  /** The response headers (`Date` for clock skew, rate-limit headers). */
  headers: Headers;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

/**
 * The HTTP core: one request with auth, versioned `Accept`, timeout, retries (honouring `Retry-After`,
 * capped exponential backoff with full jitter), bounded concurrency and rate-limit pacing. Pagination
 * is layered on top (paginate.ts). Errors name the endpoint template, status, errorCode and detail.
 */
export class AtlasClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0 };
  private readonly slots: Semaphore;
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    readonly options: ClientOptions,
    readonly auth: AuthStrategy,
    readonly deps: ClientDeps = defaultDeps,
  ) {
    this.slots = new Semaphore(options.concurrency);
    this.deadlineAt = options.deadlineMs ? deps.now() + options.deadlineMs : null;
  }

  private readonly deadlineAt: number | null;

  /** Throws when waiting `waitMs` more would pass the overall deadline. */
  private checkDeadline(endpoint: string, waitMs = 0): void {
    if (this.deadlineAt === null || this.deps.now() + waitMs < this.deadlineAt) return;
    const minutes = Math.round((this.options.deadlineMs ?? 0) / 60_000);
    throw new AtlasApiError(
      {
        endpoint,
        status: null,
        errorCode: null,
        detail: `the overall deadline of ${minutes} min${waitMs > 0 ? ' would pass while waiting to retry' : ' has passed'}; nothing more is requested`,
      },
      { hint: 'raise --deadline-minutes, or find out why Atlas answers so slowly (doctor)' },
    );
  }

  /** Absolute URL of an operation with its path parameters filled in. */
  urlFor(operation: Operation, pathParams: Record<string, string>, query?: URLSearchParams): URL {
    const url = new URL(fillPath(operation.path, pathParams), this.options.baseUrl);
    if (query) url.search = query.toString();
    return url;
  }

  /**
   * GETs `url` for `operation` and returns the parsed JSON body. `version` is the Accept version
   * (must be one the operation lists; null for the unversioned legacy API).
   */
  async getJson(
    operation: Operation,
    url: URL,
    version: string | null,
    scopeId: string | null,
  ): Promise<JsonResponse> {
    if (version !== null && !operation.versions?.includes(version)) {
      throw new Error(`internal: ${endpointName(operation)} has no version ${version}`);
    }
    return this.request({
      endpoint: endpointName(operation),
      method: 'GET',
      url,
      accept: version === null ? 'application/json' : atlasMediaType(version),
      body: null,
      bucket: this.bucketFor(operation.rateLimitSet, scopeId),
      write: null,
    });
  }

  /**
   * Sends one write operation (review apply) with its one version as `Accept` and, with a body, as
   * `Content-Type`. Same auth, retries, pacing and error mapping as reads. Retried, like reads, on 429,
   * 5xx, timeouts and connection failures, also for POST: every write a plan sends is safe to repeat in
   * effect (a DELETE or `:removeRole`/`:removeUser` that already happened answers 404, an `:addRole`
   * of a held role 409, a PATCH sets the same role list again), and `review apply` reads those
   * answers as "already done". `path` is the operation's template with its ids filled in (as a plan
   * holds it). Returns the status and the parsed body (null for 204).
   */
  async sendWrite(
    operation: WriteOperation,
    path: string,
    body: Record<string, unknown> | null,
  ): Promise<JsonResponse> {
    if ((body === null) !== (operation.requestSchema === null)) {
      throw new Error(`internal: ${operation.operationId} ${body === null ? 'needs' : 'takes no'} body`);
    }
    const checked = writePathParams(operation, path);
    if ('problem' in checked) throw new Error(`internal: ${checked.problem}`);
    return this.request({
      endpoint: `${operation.method} ${operation.path}`,
      method: operation.method,
      url: new URL(path, this.options.baseUrl),
      accept: atlasMediaType(operation.version),
      body: body === null ? null : JSON.stringify(body),
      bucket: this.bucketFor(operation.rateLimitSet, checked.params[operation.scopeParam] ?? null),
      write: operation,
    });
  }

  /** The one request loop of reads and writes: auth, pacing, the attempt, 401 handling, retries. */
  private async request(spec: RequestSpec): Promise<JsonResponse> {
    const { url, endpoint, bucket } = spec;
    if (url.origin !== this.options.baseUrl.origin) {
      // Never send credentials to another host, whatever a `next` link says.
      throw new AtlasApiError({
        endpoint,
        status: null,
        errorCode: null,
        detail: `refusing to follow a link to another origin (${url.origin})`,
      });
    }
    let authRetries = 0;
    for (let attempt = 0; ; attempt++) {
      this.checkDeadline(endpoint);
      await this.waitForBucket(bucket);
      this.checkDeadline(endpoint);
      // Credentials are obtained before taking a slot: a token request takes a slot of its own, and
      // asking for it while holding one would deadlock at concurrency 1.
      let authorization: string | null;
      try {
        authorization = await this.auth.authorize({ method: spec.method, url });
      } catch (error) {
        throw asKnown(error, endpoint);
      }
      const outcome = await this.slots.run(() => this.attempt(spec, authorization));
      if (outcome.kind === 'ok')
        return { body: outcome.body, status: outcome.status, headers: outcome.headers };
      if (outcome.kind === 'unauthorized') {
        // One fresh credential per request: a new token, or a new Digest challenge (Digest also needs
        // the first challenge itself, so it may answer twice).
        const maxAuthRetries = this.auth.kind === 'api-key' ? 2 : 1;
        if (
          authRetries < maxAuthRetries &&
          (await this.auth.onUnauthorized(outcome.response, outcome.authorization))
        ) {
          authRetries += 1;
          attempt -= 1;
          continue;
        }
        throw new AtlasApiError(
          { endpoint, status: 401, errorCode: outcome.error.errorCode, detail: outcome.error.detail },
          { hint: this.options.credentialHint ?? credentialHint(this.auth.kind) },
        );
      }
      if (outcome.kind === 'fatal') throw outcome.error;
      // Retryable: 429, 5xx, timeout, connection failure.
      if (attempt >= this.options.maxRetries) throw outcome.error;
      let delay = this.backoff(attempt);
      if (outcome.retryAfterMs !== null) {
        if (outcome.retryAfterMs > this.options.maxRetryAfterMs) {
          throw new AtlasApiError(
            {
              ...outcome.error.details,
              detail: `${outcome.error.details.detail ?? 'retry later'} (Retry-After ${Math.ceil(outcome.retryAfterMs / 1000)} s exceeds the ${this.options.maxRetryAfterMs / 1000} s the client waits)`,
            },
            { hint: outcome.error.hint },
          );
        }
        // Wait at least what the server asked, plus a little jitter so waiting requests do not stampede.
        delay = outcome.retryAfterMs + Math.floor(this.deps.random() * 250);
        if (outcome.status === 429)
          bucket.pausedUntil = Math.max(bucket.pausedUntil, this.deps.now() + delay);
      }
      this.checkDeadline(endpoint, delay);
      this.stats.retries += 1;
      this.deps.onRetry?.({
        endpoint,
        retry: attempt + 1,
        maxRetries: this.options.maxRetries,
        delayMs: delay,
        reason:
          outcome.status === null
            ? (outcome.error.details.detail ?? 'no response')
            : `HTTP ${outcome.status}${outcome.status === 429 ? ' (rate limited)' : ''}`,
      });
      await this.deps.sleep(delay);
    }
  }

  /** POST for the token endpoint: same timeout and retry policy, no auth and no Accept version. */
  async sendTokenRequest(request: { url: URL; init: RequestInit }): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      this.checkDeadline('POST /api/oauth/token');
      this.stats.requests += 1;
      let response: Response;
      try {
        response = await this.slots.run(() =>
          this.deps.fetch(request.url, {
            ...request.init,
            // A redirect of the token request would hand over an attacker's token: never follow one.
            redirect: 'manual',
            signal: AbortSignal.timeout(this.options.timeoutMs),
          }),
        );
      } catch (error) {
        if (attempt >= this.options.maxRetries) {
          throw networkError('POST /api/oauth/token', error, this.options.timeoutMs, request.url);
        }
        this.stats.retries += 1;
        const delay = this.backoff(attempt);
        this.deps.onRetry?.({
          endpoint: 'POST /api/oauth/token',
          retry: attempt + 1,
          maxRetries: this.options.maxRetries,
          delayMs: delay,
          reason: describeNetworkFailure(error, request.url, this.options.timeoutMs),
        });
        await this.deps.sleep(delay);
        continue;
      }
      if (
        (response.status === 429 || RETRYABLE_STATUS.has(response.status)) &&
        attempt < this.options.maxRetries
      ) {
        await response.body?.cancel();
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.deps.now());
        // Same cap as for API calls: a Retry-After of hours is a failure to report, not a wait.
        if (retryAfter !== null && retryAfter > this.options.maxRetryAfterMs) return response;
        this.stats.retries += 1;
        const delay = retryAfter ?? this.backoff(attempt);
        this.deps.onRetry?.({
          endpoint: 'POST /api/oauth/token',
          retry: attempt + 1,
          maxRetries: this.options.maxRetries,
          delayMs: delay,
          reason: `HTTP ${response.status}${response.status === 429 ? ' (rate limited)' : ''}`,
        });
        await this.deps.sleep(delay);
        continue;
      }
      return response;
    }
  }

  private async attempt(spec: RequestSpec, authorization: string | null): Promise<AttemptOutcome> {
    const { endpoint: operationEndpoint, url, bucket } = spec;
    // No response, or the body broke off: retryable like a 5xx, with no Retry-After.
    const networkRetry = (error: unknown): AttemptOutcome => ({
      kind: 'retry',
      status: null,
      retryAfterMs: null,
      error: networkError(operationEndpoint, error, this.options.timeoutMs, url),
    });
    const headers: Record<string, string> = { Accept: spec.accept, 'User-Agent': this.options.userAgent };
    if (authorization) headers.Authorization = authorization;
    // A write's body is sent in the same versioned media type it accepts (spec: requestBody content).
    if (spec.body !== null) headers['Content-Type'] = spec.accept;
    this.stats.requests += 1;
    let response: Response;
    try {
      response = await this.deps.fetch(url, {
        method: spec.method,
        headers,
        ...(spec.body === null ? {} : { body: spec.body }),
        // Data and credentials only to and from the configured base URL: a redirect is refused below.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      return networkRetry(error);
    }
    // An answer that cannot be used and will not improve on a retry: no errorCode, only what happened.
    const fatal = (detail: string): AttemptOutcome => ({
      kind: 'fatal',
      error: new AtlasApiError({
        endpoint: operationEndpoint,
        status: response.status,
        errorCode: null,
        detail,
      }),
    });
    const redirect = redirectDetail(response);
    if (redirect) {
      await response.body?.cancel().catch(() => {});
      return fatal(redirect);
    }
    this.observeRateLimit(bucket, response.headers);
    if (response.status === 401) {
      const error = await readErrorBody(response);
      return { kind: 'unauthorized', response, authorization, error };
    }
    if (response.ok) {
      let text: string;
      try {
        text = await readBodyText(response);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return fatal(error.message);
        return networkRetry(error);
      }
      // 204 No Content (the writes that delete) has no body to parse.
      if (text === '' && (response.status === 204 || spec.method !== 'GET'))
        return { kind: 'ok', status: response.status, body: null, headers: response.headers };
      try {
        return { kind: 'ok', status: response.status, body: JSON.parse(text), headers: response.headers };
      } catch {
        return fatal('response is not valid JSON');
      }
    }
    const body = await readErrorBody(response);
    const error = new AtlasApiError(
      {
        endpoint: operationEndpoint,
        status: response.status,
        errorCode: body.errorCode,
        detail: body.detail,
      },
      { hint: statusHint(response.status, spec.write) },
    );
    if (response.status === 429 || RETRYABLE_STATUS.has(response.status)) {
      if (response.status === 429) this.stats.rateLimited += 1;
      return {
        kind: 'retry',
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.deps.now()),
        error,
      };
    }
    return { kind: 'fatal', error };
  }

  /** Full-jitter exponential backoff (AWS architecture blog): uniform in [0, min(cap, base * 2^n)]. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.options.backoffCapMs, this.options.backoffBaseMs * 2 ** attempt);
    return Math.floor(this.deps.random() * ceiling);
  }

  private bucketFor(rateLimitSet: string, scopeId: string | null): BucketState {
    const key = `${rateLimitSet}:${scopeId ?? 'user'}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { pausedUntil: 0, remaining: null, limit: null, nextSlotAt: 0 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /**
   * Rate-limit pacing. Atlas answers every request with `RateLimit-Limit` (bucket capacity) and
   * `RateLimit-Remaining`. While the bucket has room, requests go out freely (bounded by `concurrency`);
   * once fewer tokens remain than could be in flight, requests to that bucket are spaced at the
   * documented refill rate (about capacity / 2 per minute, docs/atlas-api-notes.md §6.3), so a large org drains the
   * bucket slowly instead of hitting 429. A 429 pauses the whole bucket for its `Retry-After`.
   */
  private observeRateLimit(bucket: BucketState, headers: Headers): void {
    const limit = Number.parseInt(headers.get('ratelimit-limit') ?? '', 10);
    const remaining = Number.parseInt(headers.get('ratelimit-remaining') ?? '', 10);
    if (Number.isFinite(limit) && limit > 0) bucket.limit = limit;
    if (Number.isFinite(remaining)) bucket.remaining = remaining;
  }

  private async waitForBucket(bucket: BucketState): Promise<void> {
    for (;;) {
      const now = this.deps.now();
      if (bucket.pausedUntil > now) {
        await this.deps.sleep(bucket.pausedUntil - now);
        continue;
      }
      const low =
        bucket.remaining !== null && bucket.limit !== null && bucket.remaining <= this.options.concurrency;
      if (!low) return;
      const interval = Math.ceil(60_000 / Math.max(1, (bucket.limit ?? 1) / 2));
      if (bucket.nextSlotAt > now) {
        await this.deps.sleep(bucket.nextSlotAt - now);
        continue;
      }
      bucket.nextSlotAt = now + interval;
      return;
    }
  }
}

/** One request as the request loop sends it. */
interface RequestSpec {
  /** `METHOD /path/{template}`, how errors name the operation. */
  endpoint: string;
  method: 'GET' | WriteOperation['method'];
  url: URL;
  /** `Accept`; also the `Content-Type` of a body. */
  accept: string;
  /** JSON text, or null for no body. */
  body: string | null;
  bucket: BucketState;
  /** The write operation, for its least role in a 403 hint; null for reads. */
  write: WriteOperation | null;
}

interface BucketState {
  pausedUntil: number;
  remaining: number | null;
  limit: number | null;
  nextSlotAt: number;
}

type AttemptOutcome =
  | { kind: 'ok'; status: number; body: unknown; headers: Headers }
  | { kind: 'retry'; status: number | null; retryAfterMs: number | null; error: AtlasApiError }
  | {
      kind: 'unauthorized';
      response: Response;
      authorization: string | null;
      error: { errorCode: string | null; detail: string | null };
    }
  | { kind: 'fatal'; error: Error };

/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function networkError(endpoint: string, error: unknown, timeoutMs: number, url: URL | null): AtlasApiError {
  const detail = describeNetworkFailure(error, url, timeoutMs);
  return new AtlasApiError({ endpoint, status: null, errorCode: null, detail }, { cause: error });
}

function asKnown(error: unknown, endpoint: string): Error {
  if (error instanceof AtlasApiError) return error;
  return networkError(endpoint, error, 0, null);
}

function credentialHint(kind: AuthStrategy['kind']): string {
  return kind === 'service-account'
    ? 'check MONGODB_ATLAS_CLIENT_ID / MONGODB_ATLAS_CLIENT_SECRET and that the service account may read this organization'
    : 'check MONGODB_ATLAS_PUBLIC_API_KEY / MONGODB_ATLAS_PRIVATE_API_KEY and that the key may read this organization';
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
