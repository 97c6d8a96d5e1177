/**
 * A clock (ms) that reads `at` when it is made and runs on in real time from there: for a simulator
 * serving an estate generated for `at`. Its expiries (X.509 certificates, tokens) are judged at the
 * estate's time, and its rate-limit buckets still refill, which a clock stopped at `at` would not do.
 */
export function clockFrom(at: Date): () => number {
  const start = Date.now();
  return () => at.getTime() + (Date.now() - start);
}
