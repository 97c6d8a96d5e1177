import { AtlasApiError } from '../errors.js';
import type { AuthStrategy } from './auth/types.js';
import { readErrorBody } from './body.js';
import { networkError } from './network-error.js';
import { endpointName, fillPath, type Operation } from './operations.js';
import { type Bucket, RateLimiter } from './rate-limit.js';
import { type AttemptOutcome, type JsonResponse, type RequestSpec, sendRequest } from './request.js';
import {
  type AttemptResult,
  isRetryableStatus,
  parseRetryAfter,
  type RetryEvent,
  RetryPolicy,
} from './retry.js';
import { Semaphore } from './semaphore.js';
import { atlasMediaType, type WriteOperation, writePathParams } from './write-operations.js';

export type { JsonResponse } from './request.js';
export type { RetryEvent } from './retry.js';

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
  concurrency: 64,
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

/**
 * The HTTP core, composed of small pieces: one attempt (request.ts), the retry policy (retry.ts, also
 * for the token request), rate-limit pacing (rate-limit.ts), bounded concurrency, and the auth strategy
 * with its own challenge budget. Pagination is layered on top (paginate.ts). Errors name the endpoint
 * template, status, errorCode and detail.
 */
export class AtlasClient {
  private readonly slots: Semaphore;
  private readonly retry: RetryPolicy;
  private readonly limiter: RateLimiter;
  private requests = 0;

  constructor(
    readonly options: ClientOptions,
    readonly auth: AuthStrategy,
    readonly deps: ClientDeps = defaultDeps,
  ) {
    this.slots = new Semaphore(options.concurrency);
    this.retry = new RetryPolicy(options, deps);
    this.limiter = new RateLimiter(options.concurrency, deps);
  }

  /** Requests sent (every attempt, token requests included), retries waited for, 429s seen. */
  get stats(): ClientStats {
    return { requests: this.requests, retries: this.retry.retries, rateLimited: this.limiter.rateLimited };
  }

  /** The most requests one rate-limit bucket was allowed in flight at once (adaptive, capped by concurrency). */
  get widestWindow(): number {
    return this.limiter.widestWindow;
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
    const spec: RequestSpec = {
      endpoint: endpointName(operation),
      method: 'GET',
      url,
      accept: version === null ? 'application/json' : atlasMediaType(version),
      body: null,
      write: null,
    };
    return this.request(spec, this.limiter.bucketFor(operation.rateLimitSet, scopeId));
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
    const spec: RequestSpec = {
      endpoint: `${operation.method} ${operation.path}`,
      method: operation.method,
      url: new URL(path, this.options.baseUrl),
      accept: atlasMediaType(operation.version),
      body: body === null ? null : JSON.stringify(body),
      write: operation,
    };
    const scope = checked.params[operation.scopeParam] ?? null;
    return this.request(spec, this.limiter.bucketFor(operation.rateLimitSet, scope));
  }

  /** The one request path of reads and writes: the retry policy around an authorized, paced attempt. */
  private async request(spec: RequestSpec, bucket: Bucket): Promise<JsonResponse> {
    if (spec.url.origin !== this.options.baseUrl.origin) {
      // Never send credentials to another host, whatever a `next` link says.
      throw new AtlasApiError({
        endpoint: spec.endpoint,
        status: null,
        errorCode: null,
        detail: `refusing to follow a link to another origin (${spec.url.origin})`,
      });
    }
    return this.retry.run({
      endpoint: spec.endpoint,
      attempt: () => this.authorizedAttempt(spec, bucket),
      // A 429 pauses the whole bucket for what the server asked.
      onWait: (failure, delay) => {
        if (failure.status === 429 && failure.retryAfterMs !== null) this.limiter.pause(bucket, delay);
      },
    });
  }

  /**
   * One attempt, paced by its bucket, with fresh credentials as often as the auth strategy's challenge
   * budget allows (a new token, or a new Digest challenge): those do not count as retries.
   */
  private async authorizedAttempt(spec: RequestSpec, bucket: Bucket): Promise<AttemptResult<JsonResponse>> {
    for (let challenges = 0; ; challenges++) {
      if (challenges > 0) this.retry.checkDeadline(spec.endpoint);
      // The bucket's window and pace first (rate-limit.ts), then credentials, then a slot of the
      // --concurrency cap for the request itself.
      const outcome = await this.limiter.run(bucket, async () => {
        this.retry.checkDeadline(spec.endpoint);
        const authorization = await this.authorize(spec);
        return this.slots.run(() => this.send(spec, bucket, authorization));
      });
      if (outcome.kind === 'ok') return { kind: 'done', value: outcome.response };
      if (outcome.kind === 'fatal') throw outcome.error;
      if (outcome.kind === 'retry') return outcome;
      if (
        challenges < this.auth.challengeBudget &&
        (await this.auth.onUnauthorized(outcome.response, outcome.authorization))
      )
        continue;
      throw new AtlasApiError(
        {
          endpoint: spec.endpoint,
          status: 401,
          errorCode: outcome.error.errorCode,
          detail: outcome.error.detail,
        },
        { hint: this.options.credentialHint ?? credentialHint(this.auth.kind) },
      );
    }
  }

  /**
   * Credentials are obtained before taking a slot: a token request takes a slot of its own, and asking
   * for it while holding one would deadlock at concurrency 1.
   */
  private async authorize(spec: RequestSpec): Promise<string | null> {
    try {
      return await this.auth.authorize({ method: spec.method, url: spec.url });
    } catch (error) {
      if (error instanceof AtlasApiError) throw error;
      throw networkError(spec.endpoint, error, 0, null);
    }
  }

  private async send(
    spec: RequestSpec,
    bucket: Bucket,
    authorization: string | null,
  ): Promise<AttemptOutcome> {
    this.requests += 1;
    const outcome = await sendRequest(
      {
        fetch: this.deps.fetch,
        now: this.deps.now,
        timeoutMs: this.options.timeoutMs,
        userAgent: this.options.userAgent,
        onHeaders: (headers) => this.limiter.observe(bucket, headers),
      },
      spec,
      authorization,
    );
    if (outcome.kind === 'retry' && outcome.status === 429) this.limiter.rateLimited += 1;
    return outcome;
  }

  /**
   * POST for the token endpoint: the same timeout, retry policy and deadline as API calls, no auth and
   * no Accept version, and never a redirect (a redirected token request would hand over an attacker's
   * token). Any answer that is not worth a retry is returned for the auth strategy to read.
   */
  async sendTokenRequest(request: { url: URL; init: RequestInit }): Promise<Response> {
    const endpoint = 'POST /api/oauth/token';
    return this.retry.run({
      endpoint,
      attempt: () => this.slots.run(() => this.tokenAttempt(endpoint, request)),
    });
  }

  private async tokenAttempt(
    endpoint: string,
    request: { url: URL; init: RequestInit },
  ): Promise<AttemptResult<Response>> {
    this.requests += 1;
    let response: Response;
    try {
      response = await this.deps.fetch(request.url, {
        ...request.init,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const failure = networkError(endpoint, error, this.options.timeoutMs, request.url);
      return { kind: 'retry', status: null, retryAfterMs: null, error: failure };
    }
    if (!isRetryableStatus(response.status)) return { kind: 'done', value: response };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.deps.now());
    const { errorCode, detail } = await readErrorBody(response);
    const error = new AtlasApiError({ endpoint, status: response.status, errorCode, detail });
    return { kind: 'retry', status: response.status, retryAfterMs, error };
  }
}

function credentialHint(kind: AuthStrategy['kind']): string {
  return kind === 'service-account'
    ? 'check MONGODB_ATLAS_CLIENT_ID / MONGODB_ATLAS_CLIENT_SECRET and that the service account may read this organization'
    : 'check MONGODB_ATLAS_PUBLIC_API_KEY / MONGODB_ATLAS_PRIVATE_API_KEY and that the key may read this organization';
}
