/**
 * The chain of one review cycle, checked on the packed bytes: the sign-off names the snapshot by
 * sha256, the plan names the sign-off (and the snapshot), the apply log names the plan (and the
 * sign-off and snapshot), the verify result names the snapshot that was signed off and the next
 * snapshot it checked. What each file records is the one in src/review (signoff.ts, plan.ts,
 * apply.ts, verify.ts); a verify result records the sign-off only by its time and snapshot, not by
 * its sha256.
 */
import { sha256Hex } from '../snapshot/store.js';
import type { ChainLink } from './manifest.js';

/** Fixed entry names of the chained files in a pack. */
export const CHAIN_FILES = {
  snapshot: 'snapshot.json',
  nextSnapshot: 'next-snapshot.json',
  signoff: 'signoff.json',
  plan: 'revocation-plan.json',
  applyLog: 'apply-log.json',
  verify: 'verify.json',
} as const;

function field(doc: unknown, path: readonly string[]): string | null {
  let v: unknown = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    v = (v as Record<string, unknown>)[p];
  }
  return typeof v === 'string' ? v : null;
}

function parse(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * Every link whose naming file is in `entries` (entry name -> bytes): ok, mismatch, or unchecked when
 * the named file is not there.
 */
export function checkChain(entries: ReadonlyMap<string, Uint8Array>): ChainLink[] {
  const F = CHAIN_FILES;
  const docs = new Map<string, unknown>();
  for (const name of Object.values(F)) docs.set(name, parse(entries.get(name)));
  const sha = (name: string) => {
    const b = entries.get(name);
    return b ? sha256Hex(b) : null;
  };
  const links: ChainLink[] = [];
  const link = (from: string, path: string[], to: string, actual: string | null, kind = 'sha256') => {
    const doc = docs.get(from);
    if (doc === undefined) return;
    const claimed = field(doc, path);
    const base = { from, field: `$.${path.join('.')}`, to, claimed, actual };
    if (actual === null) links.push({ ...base, status: 'unchecked', note: `${to} is not in the pack` });
    else if (claimed === actual) links.push({ ...base, status: 'ok', note: null });
    else
      links.push({
        ...base,
        status: 'mismatch',
        note: `${from} names ${kind} ${claimed ?? '(none)'} but ${to} has ${actual}`,
      });
  };
  link(F.signoff, ['snapshot', 'sha256'], F.snapshot, sha(F.snapshot));
  link(F.plan, ['signoffSha256'], F.signoff, sha(F.signoff));
  link(F.plan, ['snapshotSha256'], F.snapshot, sha(F.snapshot));
  link(F.applyLog, ['plan', 'sha256'], F.plan, sha(F.plan));
  link(F.applyLog, ['signoff', 'sha256'], F.signoff, sha(F.signoff));
  link(F.applyLog, ['snapshot', 'sha256'], F.snapshot, sha(F.snapshot));
  link(F.verify, ['signoff', 'snapshotSha256'], F.snapshot, sha(F.snapshot));
  const signoff = docs.get(F.signoff);
  link(
    F.verify,
    ['signoff', 'signedOffAt'],
    F.signoff,
    signoff ? field(signoff, ['signedOffAt']) : null,
    'sign-off time',
  );
  link(F.verify, ['snapshot', 'sha256'], F.nextSnapshot, sha(F.nextSnapshot));
  return links;
}
