import { describe, expect, it } from 'vitest';
import { INITIAL_WINDOW, RateLimiter } from '../../src/atlas/rate-limit.js';

const headers = (limit: number, remaining: number) =>
  new Headers({ 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': String(remaining) });

function limiter(cap: number) {
  const sleeps: number[] = [];
  let now = 0;
  const deps = {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { limiter: new RateLimiter(cap, deps), sleeps };
}

describe('adaptive bucket window', () => {
  it('starts small, grows one per answer while more than twice the window remains, up to the cap', () => {
    const { limiter: l } = limiter(10);
    const b = l.bucketFor('users', 'org1');
    expect(b.window).toBe(INITIAL_WINDOW);
    l.observe(b, headers(500, 499));
    expect(b.window).toBe(INITIAL_WINDOW + 1);
    for (let i = 0; i < 20; i++) l.observe(b, headers(500, 480 - i));
    expect(b.window).toBe(10);
    expect(l.widestWindow).toBe(10);
  });

  it('does not grow when the remainder is under twice the window, and shrinks to a falling remainder', () => {
    const { limiter: l } = limiter(64);
    const b = l.bucketFor('teams', 'org1');
    l.observe(b, headers(20, 8));
    expect(b.window).toBe(INITIAL_WINDOW);
    l.observe(b, headers(20, 2));
    expect(b.window).toBe(2);
    l.observe(b, headers(20, 0));
    expect(b.window).toBe(1);
  });

  it('grows on an answer without rate-limit headers (Atlas does not promise them)', () => {
    const { limiter: l } = limiter(64);
    const b = l.bucketFor('projects', 'p1');
    l.observe(b, new Headers());
    expect(b.window).toBe(INITIAL_WINDOW + 1);
  });

  it('halves the window on a 429 and holds every request of the bucket for the Retry-After', async () => {
    const { limiter: l, sleeps } = limiter(64);
    const b = l.bucketFor('users', 'org1');
    for (let i = 0; i < 12; i++) l.observe(b, headers(500, 400));
    expect(b.window).toBe(16);
    l.pause(b, 30_000);
    expect(b.window).toBe(8);
    await l.run(b, async () => {});
    expect(sleeps).toEqual([30_000]);
  });

  it('keeps each bucket to its window and buckets independent', async () => {
    const { limiter: l } = limiter(64);
    const a = l.bucketFor('users', 'org1');
    const other = l.bucketFor('users', 'org2');
    let inA = 0;
    let maxA = 0;
    const release: Array<() => void> = [];
    const tasks = Array.from({ length: 10 }, () =>
      l.run(a, async () => {
        inA += 1;
        maxA = Math.max(maxA, inA);
        await new Promise<void>((r) => release.push(r));
        inA -= 1;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(inA).toBe(INITIAL_WINDOW);
    // Another org's bucket is not held up by this one.
    await l.run(other, async () => {});
    while (release.length > 0 || inA > 0) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(tasks);
    expect(maxA).toBe(INITIAL_WINDOW);
  });

  it('spaces requests at the documented refill, scaled to the reported capacity, once the bucket is low', async () => {
    const { limiter: l, sleeps } = limiter(64);
    const b = l.bucketFor('organization-settings', 'org1');
    l.observe(b, headers(10, 1));
    await l.run(b, async () => {});
    await l.run(b, async () => {});
    // 5 tokens per 60 s for a capacity of 10: one request every 12 s.
    expect(sleeps).toEqual([12_000]);
  });
});
