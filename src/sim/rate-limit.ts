/**
 * Token-bucket rate limits per endpoint set x scope, as Atlas applies them (docs/atlas-api-notes.md §6.3):
 * 429 with `Retry-After` when a bucket is empty, `RateLimit-*` headers otherwise.
 */
import type { ApiErrorSpec } from './http.js';

/** The rate-limited endpoint sets of docs/atlas-api-notes.md §6.3 (set x scope). */
export type EndpointSet =
  | 'users-org'
  | 'users-group'
  | 'teams-org'
  | 'teams-group'
  | 'organizations-org'
  | 'organizations-user'
  | 'org-settings'
  | 'api-keys'
  | 'service-accounts'
  | 'projects-group';

/** One token bucket definition: `capacity` tokens, `refill` tokens added every `intervalSeconds`. */
export interface BucketSpec {
  capacity: number;
  refill: number;
  intervalSeconds: number;
}
/** Overrides of the Atlas defaults, per endpoint set (unlisted sets keep the Atlas numbers). */
export type RateLimitTable = Partial<Record<EndpointSet, BucketSpec>>;

/** Atlas defaults (docs include dated 2026-04-10, docs/atlas-api-notes.md §6.3). */
export const ATLAS_RATE_LIMITS: Readonly<Record<EndpointSet, BucketSpec>> = {
  'users-org': { capacity: 500, refill: 250, intervalSeconds: 60 },
  'users-group': { capacity: 1200, refill: 500, intervalSeconds: 60 },
  'teams-org': { capacity: 1200, refill: 500, intervalSeconds: 60 },
  'teams-group': { capacity: 1200, refill: 500, intervalSeconds: 60 },
  'organizations-org': { capacity: 500, refill: 250, intervalSeconds: 60 },
  'organizations-user': { capacity: 300, refill: 100, intervalSeconds: 60 },
  'org-settings': { capacity: 10, refill: 5, intervalSeconds: 60 },
  'api-keys': { capacity: 500, refill: 250, intervalSeconds: 60 },
  'service-accounts': { capacity: 500, refill: 250, intervalSeconds: 60 },
  // The table lists the Projects set for GET /groups (USER scope) only; project sub-resources without a
  // row of their own (GET /groups/{groupId}/invites) are assumed to use its numbers per project.
  'projects-group': { capacity: 1200, refill: 500, intervalSeconds: 60 },
};

/** What taking a token gives: the headers of a served request, or how long to wait; null = limits off. */
type TokenTaken = { headers: Record<string, number> } | { retryAfter: number; spec: BucketSpec } | null;

/** Takes a token from the bucket of `set` x `scope`. */
export type TakeToken = (set: EndpointSet, scope: string) => TokenTaken;

/** The bucket keeper for the simulator's `rateLimits` option ('atlas' by default, 'off', or overrides). */
export function createRateLimiter(
  option: 'atlas' | 'off' | RateLimitTable | undefined,
  now: () => number,
): TakeToken {
  const limits: Record<EndpointSet, BucketSpec> | null =
    option === 'off'
      ? null
      : option === undefined || option === 'atlas'
        ? { ...ATLAS_RATE_LIMITS }
        : { ...ATLAS_RATE_LIMITS, ...option };
  const buckets = new Map<string, { tokens: number; last: number }>();
  return (set, scope) => {
    if (!limits) return null;
    const spec = limits[set];
    const key = `${set}|${scope}`;
    const t = now();
    const intervalMs = spec.intervalSeconds * 1000;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: spec.capacity, last: t };
      buckets.set(key, bucket);
    }
    // Discrete refill: `refill` tokens every interval, capped at capacity (docs/atlas-api-notes.md §6.3).
    const periods = Math.floor((t - bucket.last) / intervalMs);
    if (periods > 0) {
      bucket.tokens = Math.min(spec.capacity, bucket.tokens + periods * spec.refill);
      bucket.last += periods * intervalMs;
    }
    if (bucket.tokens < 1) {
      return { retryAfter: Math.max(1, Math.ceil((bucket.last + intervalMs - t) / 1000)), spec };
    }
    bucket.tokens--;
    return { headers: { 'RateLimit-Limit': spec.capacity, 'RateLimit-Remaining': bucket.tokens } };
  };
}

/** The 429 for an empty bucket, with its headers; `parameters` are the ApiError's (reads and writes differ). */
export function rateLimited(
  set: EndpointSet,
  taken: { retryAfter: number; spec: BucketSpec },
  parameters: unknown[],
): { error: Omit<ApiErrorSpec, 'kind'>; headers: Record<string, number> } {
  return {
    error: {
      status: 429,
      errorCode: 'RATE_LIMITED',
      detail: `Rate limit exceeded for ${set}; retry in ${taken.retryAfter} seconds.`,
      parameters,
    },
    headers: {
      'Retry-After': taken.retryAfter,
      'RateLimit-Limit': taken.spec.capacity,
      'RateLimit-Remaining': 0,
    },
  };
}
