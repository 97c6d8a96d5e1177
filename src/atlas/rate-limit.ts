/**
 * Rate-limit pacing and adaptive concurrency. Atlas answers requests with `RateLimit-Limit` (bucket
 * capacity) and `RateLimit-Remaining` (headers may be missing); buckets are per endpoint set x scope
 * id, refilled by a documented number of tokens per interval (docs/atlas-api-notes.md §6.3, the Atlas
 * "Administration API Rate Limits" page).
 *
 * Each bucket has its own window: how many of its requests may be in flight at once. It starts small,
 * grows by one with each answer while the bucket has plenty of tokens left (so it about doubles per
 * round trip), shrinks to what remains when the remainder falls below it, and halves on a 429, which
 * also pauses the bucket for its `Retry-After`. When fewer tokens remain than the window, requests to
 * the bucket are spaced at the bucket's documented refill rate instead of running into a 429. The
 * client's `--concurrency` stays the cap of every window and of all requests together.
 */
import type { RateLimitSet } from './operations.js';

/** A bucket's documented size: `capacity` tokens, refilled by `refill` tokens every `seconds`. */
interface BucketSize {
  capacity: number;
  refill: number;
  seconds: number;
}

/**
 * The documented bucket of each endpoint set the client calls (dated 2026-04-10,
 * docs/atlas-api-notes.md §6.3). Where a set's scopes differ, the one with the slower refill for its
 * capacity: pacing only starts when a bucket is low, where a slower pace costs little and a faster one
 * a 429. A bucket that reports another capacity (`RateLimit-Limit`) is refilled in the same proportion.
 * The legacy API documents none: half the reported capacity per minute, the ratio of most sets.
 */
const DOCUMENTED_BUCKETS: Readonly<Record<RateLimitSet, BucketSize | null>> = {
  // ORGANIZATION scope 500, 250 / 60 s; GROUP scope 1200, 500 / 60 s.
  users: { capacity: 1200, refill: 500, seconds: 60 },
  teams: { capacity: 1200, refill: 500, seconds: 60 },
  // ORGANIZATION scope 500, 250 / 60 s; GET /orgs is USER-scoped: 300, 100 / 60 s.
  organizations: { capacity: 300, refill: 100, seconds: 60 },
  'organization-settings': { capacity: 10, refill: 5, seconds: 60 },
  'programmatic-api-keys': { capacity: 500, refill: 250, seconds: 60 },
  'service-accounts': { capacity: 500, refill: 250, seconds: 60 },
  projects: { capacity: 1200, refill: 500, seconds: 60 },
  // Database Users, GROUP scope: 10000, 5000 / 60 s.
  'database-users': { capacity: 10000, refill: 5000, seconds: 60 },
  // The project IP access list: no documented set; paced by the headers it reports, as legacy.
  'network-access': null,
  legacy: null,
};

/** Window of a bucket not yet heard from: a few requests, to read its headers before growing. */
export const INITIAL_WINDOW = 4;

export interface Bucket {
  readonly documented: BucketSize | null;
  pausedUntil: number;
  remaining: number | null;
  limit: number | null;
  nextSlotAt: number;
  /** Requests of this bucket allowed in flight at once (1..cap). */
  window: number;
  /** Requests of this bucket in flight now. */
  inFlight: number;
  /** Requests waiting for room in the window, first come first served. */
  readonly waiting: Array<() => void>;
}

export class RateLimiter {
  /** 429 answers seen. */
  rateLimited = 0;
  /** The largest window any bucket reached (reported by the benchmark). */
  widestWindow = 0;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    /** `--concurrency`: the cap of every bucket's window. */
    private readonly cap: number,
    private readonly deps: { sleep: (ms: number) => Promise<void>; now: () => number },
  ) {}

  bucketFor(rateLimitSet: RateLimitSet, scopeId: string | null): Bucket {
    const key = `${rateLimitSet}:${scopeId ?? 'user'}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        documented: DOCUMENTED_BUCKETS[rateLimitSet] ?? null,
        pausedUntil: 0,
        remaining: null,
        limit: null,
        nextSlotAt: 0,
        window: Math.min(this.cap, INITIAL_WINDOW),
        inFlight: 0,
        waiting: [],
      };
      this.buckets.set(key, bucket);
      this.widestWindow = Math.max(this.widestWindow, bucket.window);
    }
    return bucket;
  }

  /**
   * Reads the bucket's capacity and what remains of it from an answer's headers, and adapts the
   * window: grow while more than twice the window remains, shrink to the remainder when it falls below
   * the window. An answer without the headers (Atlas does not promise them) grows the window as one with
   * room would: a 429 still halves it.
   */
  observe(bucket: Bucket, headers: Headers): void {
    const limit = Number.parseInt(headers.get('ratelimit-limit') ?? '', 10);
    const remaining = Number.parseInt(headers.get('ratelimit-remaining') ?? '', 10);
    if (Number.isFinite(limit) && limit > 0) bucket.limit = limit;
    if (Number.isFinite(remaining)) bucket.remaining = remaining;
    if (!Number.isFinite(remaining) || remaining > 2 * bucket.window) this.resize(bucket, bucket.window + 1);
    else if (remaining < bucket.window) this.resize(bucket, remaining);
  }

  /** After a 429: halves the window and pauses every request to the bucket for `delayMs`. */
  pause(bucket: Bucket, delayMs: number): void {
    this.resize(bucket, Math.floor(bucket.window / 2));
    bucket.pausedUntil = Math.max(bucket.pausedUntil, this.deps.now() + delayMs);
  }

  /** Runs `task` as one request of the bucket: waits for the bucket's pace and room in its window. */
  async run<T>(bucket: Bucket, task: () => Promise<T>): Promise<T> {
    await this.acquire(bucket);
    try {
      return await task();
    } finally {
      bucket.inFlight -= 1;
      this.wake(bucket);
    }
  }

  private resize(bucket: Bucket, window: number): void {
    bucket.window = Math.max(1, Math.min(this.cap, window));
    this.widestWindow = Math.max(this.widestWindow, bucket.window);
    this.wake(bucket);
  }

  /** Lets waiting requests re-check the bucket, as many as the window has room for. */
  private wake(bucket: Bucket): void {
    let room = bucket.window - bucket.inFlight;
    while (room > 0 && bucket.waiting.length > 0) {
      bucket.waiting.shift()?.();
      room -= 1;
    }
  }

  /** Waits until the bucket lets one more request go, then counts it in flight. */
  private async acquire(bucket: Bucket): Promise<void> {
    for (;;) {
      if (bucket.inFlight >= bucket.window) {
        await new Promise<void>((resolve) => bucket.waiting.push(resolve));
        continue;
      }
      const now = this.deps.now();
      if (bucket.pausedUntil > now) {
        await this.deps.sleep(bucket.pausedUntil - now);
        continue;
      }
      const low = bucket.remaining !== null && bucket.remaining <= bucket.window;
      if (low) {
        if (bucket.nextSlotAt > now) {
          await this.deps.sleep(bucket.nextSlotAt - now);
          continue;
        }
        bucket.nextSlotAt = now + this.refillInterval(bucket);
      }
      bucket.inFlight += 1;
      return;
    }
  }

  /** Milliseconds between two requests at the bucket's refill rate, scaled to its reported capacity. */
  private refillInterval(bucket: Bucket): number {
    const size = bucket.documented ?? { capacity: 2, refill: 1, seconds: 60 };
    const capacity = bucket.limit ?? size.capacity;
    const tokens = Math.max(1e-3, (capacity * size.refill) / size.capacity);
    return Math.ceil((size.seconds * 1000) / tokens);
  }
}
