/**
 * Rate-limit pacing. Atlas answers every request with `RateLimit-Limit` (bucket capacity) and
 * `RateLimit-Remaining`; buckets are per endpoint set x scope id (docs/atlas-api-notes.md §6.3). While
 * a bucket has room, requests go out freely (bounded by the client's concurrency); once fewer tokens
 * remain than could be in flight, requests to that bucket are spaced at the documented refill rate
 * (about capacity / 2 per minute), so a large org drains the bucket slowly instead of hitting 429. A
 * 429 pauses the whole bucket for its `Retry-After`.
 */

export interface Bucket {
  pausedUntil: number;
  remaining: number | null;
  limit: number | null;
  nextSlotAt: number;
}

export class RateLimiter {
  /** 429 answers seen. */
  rateLimited = 0;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    /** Requests that may be in flight at once: below this many tokens left, requests are spaced. */
    private readonly concurrency: number,
    private readonly deps: { sleep: (ms: number) => Promise<void>; now: () => number },
  ) {}

  bucketFor(rateLimitSet: string, scopeId: string | null): Bucket {
    const key = `${rateLimitSet}:${scopeId ?? 'user'}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { pausedUntil: 0, remaining: null, limit: null, nextSlotAt: 0 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Reads the bucket's capacity and what remains of it from an answer's headers. */
  observe(bucket: Bucket, headers: Headers): void {
    const limit = Number.parseInt(headers.get('ratelimit-limit') ?? '', 10);
    const remaining = Number.parseInt(headers.get('ratelimit-remaining') ?? '', 10);
    if (Number.isFinite(limit) && limit > 0) bucket.limit = limit;
    if (Number.isFinite(remaining)) bucket.remaining = remaining;
  }

  /** Pauses every request to the bucket for `delayMs` (after a 429). */
  pause(bucket: Bucket, delayMs: number): void {
    bucket.pausedUntil = Math.max(bucket.pausedUntil, this.deps.now() + delayMs);
  }

  /** Waits until the bucket lets one more request go. */
  async wait(bucket: Bucket): Promise<void> {
    for (;;) {
      const now = this.deps.now();
      if (bucket.pausedUntil > now) {
        await this.deps.sleep(bucket.pausedUntil - now);
        continue;
      }
      const low = bucket.remaining !== null && bucket.limit !== null && bucket.remaining <= this.concurrency;
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
