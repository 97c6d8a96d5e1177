/**
 * The chain of one review cycle, checked on the packed bytes: the sign-off names the snapshot by
 * sha256, the plan names the sign-off (and the snapshot), the apply log names the plan (and the
 * sign-off and snapshot), the verify result names the sign-off (by sha256 and time), the snapshot that
 * was signed off and the next snapshot it checked. What each file records is the one in src/review
 * (signoff.ts, plan.ts, apply.ts, verify.ts). A JSON report names the snapshot it was made from and,
 * made with `--previous`, the previous snapshot; the previous snapshot itself must be an earlier
 * collection of some of the same organizations (a snapshot does not name the one before it).
 */
import { sha256Hex } from '../snapshot/store.js';
import type { ChainLink } from './manifest.js';

/** The folder of a campaign's campaign.json and returned workbooks in a pack. */
export const CAMPAIGN_DIR = 'campaign';

/** Fixed entry names of the chained files in a pack. */
export const CHAIN_FILES = {
  snapshot: 'snapshot.json',
  nextSnapshot: 'next-snapshot.json',
  previous: 'previous-snapshot.json',
  signoff: 'signoff.json',
  /** The filled workbook `review import` read (not JSON: only named by the sign-off). */
  workbook: 'workbook.xlsx',
  campaign: `${CAMPAIGN_DIR}/campaign.json`,
  plan: 'revocation-plan.json',
  applyLog: 'apply-log.json',
  verify: 'verify.json',
} as const;

function field(doc: unknown, path: readonly string[]): string | null {
  let v: unknown = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return null;
    // An array is entered only by an index segment ("0"), never by a key.
    if (Array.isArray(v) !== /^\d+$/.test(p)) return null;
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
  return [...cycleLinks(entries), ...previousLinks(entries), ...reportLinks(entries)];
}

const sha = (entries: ReadonlyMap<string, Uint8Array>, name: string): string | null => {
  const b = entries.get(name);
  return b ? sha256Hex(b) : null;
};

/** The review cycle: sign-off, plan, apply log and verify result, each naming what it was made from. */
function cycleLinks(entries: ReadonlyMap<string, Uint8Array>): ChainLink[] {
  const F = CHAIN_FILES;
  const docs = new Map<string, unknown>();
  for (const name of Object.values(F)) if (name !== F.workbook) docs.set(name, parse(entries.get(name)));
  const links: ChainLink[] = [];
  const link = (from: string, path: string[], to: string, actual: string | null, kind = 'sha256') => {
    const doc = docs.get(from);
    if (doc === undefined) return;
    const claimed = field(doc, path);
    const at = path.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
    const base = { from, field: `$${at}`, to, claimed, actual };
    if (actual === null) links.push({ ...base, status: 'unchecked', note: `${to} is not in the pack` });
    else if (claimed === actual) links.push({ ...base, status: 'ok', note: null });
    else
      links.push({
        ...base,
        status: 'mismatch',
        note: `${from} names ${kind} ${claimed ?? '(none)'} but ${to} has ${actual}`,
      });
  };
  const of = (name: string) => sha(entries, name);
  link(F.signoff, ['snapshot', 'sha256'], F.snapshot, of(F.snapshot));
  // Where the decisions came from: the one workbook `review import` read, or the campaign `review
  // merge` read (its campaign.json, and each workbook by the name it had in the campaign's folder).
  const signoff = docs.get(F.signoff);
  const campaign = signoff === undefined ? undefined : (signoff as { campaign?: unknown } | null)?.campaign;
  if (campaign === undefined || campaign === null)
    link(F.signoff, ['workbook', 'sha256'], F.workbook, of(F.workbook));
  else {
    link(F.signoff, ['campaign', 'sha256'], F.campaign, of(F.campaign));
    const read = (campaign as { workbooks?: unknown }).workbooks;
    (Array.isArray(read) ? read : []).forEach((w, i) => {
      const file = field(w, ['file']);
      const name =
        file !== null && /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/.test(file) ? `${CAMPAIGN_DIR}/${file}` : null;
      link(
        F.signoff,
        ['campaign', 'workbooks', String(i), 'sha256'],
        name ?? `${CAMPAIGN_DIR}/(no plain file name)`,
        name === null ? null : of(name),
      );
    });
  }
  link(F.campaign, ['snapshot', 'sha256'], F.snapshot, of(F.snapshot));
  link(F.plan, ['signoffSha256'], F.signoff, of(F.signoff));
  link(F.plan, ['snapshotSha256'], F.snapshot, of(F.snapshot));
  link(F.applyLog, ['plan', 'sha256'], F.plan, of(F.plan));
  link(F.applyLog, ['signoff', 'sha256'], F.signoff, of(F.signoff));
  link(F.applyLog, ['snapshot', 'sha256'], F.snapshot, of(F.snapshot));
  link(F.verify, ['signoff', 'sha256'], F.signoff, of(F.signoff));
  link(F.verify, ['signoff', 'snapshotSha256'], F.snapshot, of(F.snapshot));
  link(
    F.verify,
    ['signoff', 'signedOffAt'],
    F.signoff,
    signoff ? field(signoff, ['signedOffAt']) : null,
    'sign-off time',
  );
  link(F.verify, ['snapshot', 'sha256'], F.nextSnapshot, of(F.nextSnapshot));
  return links;
}

/** A signature in the pack that verified on the packed bytes: of which entry, by which key, when. */
export interface VerifiedSignature {
  file: string;
  fingerprint: string;
  signedAt: string;
}

/**
 * The signers the sign-off records (`$.snapshot.signature`, and `$.campaign.signature` from a merge:
 * who signed the snapshot and campaign.json when they were read) against the signatures packed beside
 * those files, as verified on the packed bytes. Only a signer the sign-off records is checked (null:
 * nothing was checked then, so nothing is claimed); a file packed without its signature is not
 * checkable. A checked pack, not a packed one: the manifest's chain is made without verifying signatures.
 */
export function signerLinks(
  entries: ReadonlyMap<string, Uint8Array>,
  signatures: readonly VerifiedSignature[],
): ChainLink[] {
  const F = CHAIN_FILES;
  const signoff = parse(entries.get(F.signoff));
  if (signoff === undefined || signoff === null) return [];
  const links: ChainLink[] = [];
  for (const [path, file] of [
    [['snapshot', 'signature'], F.snapshot],
    [['campaign', 'signature'], F.campaign],
  ] as const) {
    const fingerprint = field(signoff, [...path, 'fingerprint']);
    if (fingerprint === null) continue;
    const claimed = `${fingerprint} at ${field(signoff, [...path, 'signedAt']) ?? '(no time)'}`;
    const packed = signatures.find((s) => s.file === file);
    const actual = packed ? `${packed.fingerprint} at ${packed.signedAt}` : null;
    const base = { from: F.signoff, field: `$.${path.join('.')}`, to: `${file}.sig`, claimed, actual };
    if (actual === null)
      links.push({
        ...base,
        status: 'unchecked',
        note: `${file} is not in the pack with a signature that verifies`,
      });
    else if (actual === claimed) links.push({ ...base, status: 'ok', note: null });
    else
      links.push({
        ...base,
        status: 'mismatch',
        note: `${F.signoff} records ${file} signed by ${claimed}, but the packed signature is by ${actual}`,
      });
  }
  return links;
}

function orgIds(doc: unknown): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const orgs = (doc as { organizations?: unknown }).organizations;
  if (!Array.isArray(orgs)) return [];
  return orgs.map((o) => field(o, ['id'])).filter((id): id is string => id !== null);
}

/**
 * The previous snapshot (`--previous`) is an earlier collection of the same estate: collected before the
 * snapshot, and holding at least one of its organizations. Nothing names it but the reports made with it.
 */
function previousLinks(entries: ReadonlyMap<string, Uint8Array>): ChainLink[] {
  const F = CHAIN_FILES;
  const previous = parse(entries.get(F.previous));
  const current = parse(entries.get(F.snapshot));
  if (previous === undefined || current === undefined) return [];
  const base = { from: F.previous, to: F.snapshot };
  const was = field(previous, ['collectedAt']);
  const now = field(current, ['collectedAt']);
  const earlier = was !== null && now !== null && Date.parse(was) < Date.parse(now);
  const before: ChainLink = {
    ...base,
    field: '$.collectedAt',
    claimed: was,
    actual: now,
    status: earlier ? 'ok' : 'mismatch',
    note: earlier
      ? null
      : `${F.previous} was collected ${was ?? '(no date)'}, not before ${F.snapshot} (${now ?? '(no date)'})`,
  };
  const theirs = orgIds(previous);
  const ours = new Set(orgIds(current));
  const shared = theirs.some((id) => ours.has(id));
  const overlap: ChainLink = {
    ...base,
    field: '$.organizations[*].id',
    claimed: [...theirs].sort().join(' '),
    actual: [...ours].sort().join(' '),
    status: shared ? 'ok' : 'mismatch',
    note: shared ? null : `${F.previous} holds none of the organizations of ${F.snapshot}`,
  };
  return [before, overlap];
}

/**
 * Each JSON report (`report/….json` with `reportSchemaVersion`) names the snapshot it was made from
 * (`$.meta.snapshotSha256`) and, made with `--previous`, the previous snapshot
 * (`$.changes.previous.snapshotSha256`). A report made without `--previous` while one is packed is
 * listed as not checked: that report does not use it.
 */
function reportLinks(entries: ReadonlyMap<string, Uint8Array>): ChainLink[] {
  const F = CHAIN_FILES;
  const links: ChainLink[] = [];
  const names = [...entries.keys()].filter((n) => n.startsWith('report/') && n.endsWith('.json')).sort();
  for (const name of names) {
    const doc = parse(entries.get(name));
    if (doc === null || typeof doc !== 'object' || !('reportSchemaVersion' in doc)) continue;
    const check = (path: string[], to: string, claimed: string | null, actual: string | null): ChainLink => {
      const at = { from: name, field: `$.${path.join('.')}`, to, claimed, actual };
      if (claimed === null)
        return { ...at, status: 'unchecked', note: `${name} was made without --previous` };
      if (actual === null) return { ...at, status: 'unchecked', note: `${to} is not in the pack` };
      if (claimed === actual) return { ...at, status: 'ok', note: null };
      return { ...at, status: 'mismatch', note: `${name} names sha256 ${claimed} but ${to} has ${actual}` };
    };
    const made = field(doc, ['meta', 'snapshotSha256']);
    links.push(
      made === null
        ? {
            from: name,
            field: '$.meta.snapshotSha256',
            to: F.snapshot,
            claimed: null,
            actual: sha(entries, F.snapshot),
            status: 'mismatch',
            note: `${name} names no snapshot`,
          }
        : check(['meta', 'snapshotSha256'], F.snapshot, made, sha(entries, F.snapshot)),
    );
    const previous = field(doc, ['changes', 'previous', 'snapshotSha256']);
    const packed = sha(entries, F.previous);
    if (previous !== null || packed !== null)
      links.push(check(['changes', 'previous', 'snapshotSha256'], F.previous, previous, packed));
  }
  return links;
}
