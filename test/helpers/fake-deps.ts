import type { ClientDeps } from '../../src/atlas/client.js';

/** Client dependencies for tests: real fetch (nock intercepts it), a clock that only sleeps move, no jitter. */
export interface FakeDeps extends ClientDeps {
  /** Every sleep the client asked for, in order. */
  sleeps: number[];
  /** Moves the clock without a sleep. */
  advance(ms: number): void;
}

export function fakeDeps(): FakeDeps {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    fetch: (input, init) => fetch(input, init),
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => now,
    random: () => 0.5,
    advance(ms) {
      now += ms;
    },
  };
}
