/**
 * The one retry policy of every HTTP call the client makes (API reads, writes and the service-account
 * token request): retry 429, 5xx, timeouts and connection failures up to `maxRetries` times; wait what
 * `Retry-After` asks (plus a little jitter, so waiting requests do not stampede), or else a capped
 * exponential backoff with full jitter; never wait past `maxRetryAfterMs` or the overall deadline.
 * Sleep, clock and randomness come from the caller, so tests never sleep.
 */
import { AtlasApiError } from '../errors.js';

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

export interface RetryOptions {
  /** Retries after the first attempt for 429, 5xx, timeouts and connection failures. */
  maxRetries: number;
  /** Backoff: base * 2^attempt, capped, with full jitter. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A `Retry-After` longer than this is not waited for: the request fails instead. */
  maxRetryAfterMs: number;
  /** Overall deadline from the policy's creation; null: none. */
  deadlineMs?: number | null;
}

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** In [0, 1); used for jitter. */
  random: () => number;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** HTTP statuses worth another try (besides 429): the server or a proxy failed, not the request. */
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return status === 429 || RETRYABLE_STATUS.has(status);
}

/** An attempt that failed in a way another attempt may not: a 429, a 5xx, a timeout, no connection. */
export interface RetryableFailure {
  kind: 'retry';
  /** Null when there was no response. */
  status: number | null;
  retryAfterMs: number | null;
  /** Thrown when no retry is left. */
  error: AtlasApiError;
}

export type AttemptResult<T> = { kind: 'done'; value: T } | RetryableFailure;

/** One retried call: its name, the attempt, and what to do before each attempt and before each wait. */
export interface RetryLoop<T> {
  endpoint: string;
  attempt: () => Promise<AttemptResult<T>>;
  /** Told the wait chosen for a failure (rate-limit pacing pauses its bucket on a 429). */
  onWait?: (failure: RetryableFailure, delayMs: number) => void;
}

export class RetryPolicy {
  /** Retries waited for, across every call. */
  retries = 0;
  private readonly deadlineAt: number | null;

  constructor(
    readonly options: RetryOptions,
    private readonly deps: RetryDeps,
  ) {
    this.deadlineAt = options.deadlineMs ? deps.now() + options.deadlineMs : null;
  }

  /** Runs `loop.attempt` until it is done or no retry is left (then throws its error). */
  async run<T>(loop: RetryLoop<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.checkDeadline(loop.endpoint);
      const result = await loop.attempt();
      if (result.kind === 'done') return result.value;
      if (attempt >= this.options.maxRetries) throw result.error;
      const delay = this.delayFor(result, attempt);
      loop.onWait?.(result, delay);
      this.checkDeadline(loop.endpoint, delay);
      this.retries += 1;
      this.deps.onRetry?.({
        endpoint: loop.endpoint,
        retry: attempt + 1,
        maxRetries: this.options.maxRetries,
        delayMs: delay,
        reason:
          result.status === null
            ? (result.error.details.detail ?? 'no response')
            : `HTTP ${result.status}${result.status === 429 ? ' (rate limited)' : ''}`,
      });
      await this.deps.sleep(delay);
    }
  }

  /**
   * Throws when waiting `waitMs` more would pass the overall deadline: past it, no request is started
   * and no wait begins, so a server that answers ever more slowly ends in exit 3, not a run that never ends.
   */
  checkDeadline(endpoint: string, waitMs = 0): void {
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

  /** The wait before retry `attempt + 1`: what `Retry-After` asks plus jitter, or the backoff. */
  private delayFor(failure: RetryableFailure, attempt: number): number {
    if (failure.retryAfterMs === null) return this.backoff(attempt);
    if (failure.retryAfterMs > this.options.maxRetryAfterMs) {
      // A Retry-After of hours is a failure to report, not a wait.
      const { details, hint } = failure.error;
      throw new AtlasApiError(
        {
          ...details,
          detail: `${details.detail ?? 'retry later'} (Retry-After ${Math.ceil(failure.retryAfterMs / 1000)} s exceeds the ${this.options.maxRetryAfterMs / 1000} s the client waits)`,
        },
        { hint },
      );
    }
    return failure.retryAfterMs + Math.floor(this.deps.random() * 250);
  }

  /** Full-jitter exponential backoff (AWS architecture blog): uniform in [0, min(cap, base * 2^n)]. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.options.backoffCapMs, this.options.backoffBaseMs * 2 ** attempt);
    return Math.floor(this.deps.random() * ceiling);
  }
}

/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}
