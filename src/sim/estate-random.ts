/**
 * The generator's deterministic randomness and the values it derives from it: a seeded PRNG, per-org
 * streams, ObjectId-like ids and Atlas-style timestamps. No Math.random, no wall clock.
 */

import { compareText as cmp } from '../domain/compare-text.js';

export const DAY = 86_400_000;

/** mulberry32: tiny, fast, good enough for test data; returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a new 32-bit seed (so each org has its own stream). */
export function mixSeed(a: number, b: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(b + 0x27d4eb2f, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

/** The instant the ids' timestamps count from: ids do not depend on the clock the estate is generated at. */
const ID_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * ObjectId-like ids: 8 hex of a timestamp, 10 hex fixed per estate (from the seed), 6 hex of a
 * counter. The counter makes every id of an estate unique. The timestamp is the creation time's
 * distance before `now`, counted back from a fixed epoch, so the same seed gives the same ids whenever
 * it runs (a trial can collect today and compare with yesterday's ids), and ids still sort by creation.
 */
export class IdMaker {
  private counter: number;
  private readonly machine: string;
  constructor(
    rng: Rng,
    private readonly nowMs: number,
  ) {
    this.machine = hex(rng.int(0, 0xfffff), 5) + hex(rng.int(0, 0xfffff), 5);
    this.counter = rng.int(0, 0xfffff);
  }
  next(atMs: number): string {
    this.counter = (this.counter + 1) % 0x1000000;
    return (
      hex(Math.floor((ID_EPOCH_MS - (this.nowMs - atMs)) / 1000), 8) + this.machine + hex(this.counter, 6)
    );
  }
}

function hex(value: number, width: number): string {
  return (value >>> 0).toString(16).padStart(width, '0').slice(-width);
}

/** UTC ISO-8601 with whole seconds, as Atlas prints it. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => cmp(key(a), key(b));
}
