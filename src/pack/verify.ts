/**
 * `evidence verify PACK.zip`: reads the zip in memory (zip.ts refuses malformed ones, exit 2),
 * recomputes every file's sha256 and size against the manifest, checks the seal and the evidence
 * chain, and names each mismatch (exit 1). Pure: bytes and keys in, findings out.
 */
import { InputError } from '../errors.js';
import {
  type EvidenceKind,
  inspectEvidenceSignature,
  SIGNATURE_SUFFIX,
  type VerifyKey,
} from '../evidence/signature.js';
import { MAX_SIGNATURE_BYTES } from '../evidence/store.js';
import { sha256Hex } from '../snapshot/store.js';
import { parseJsonText, parseWithSchema } from '../util/validate.js';
import { CHAIN_FILES, checkChain, signerLinks } from './chain.js';
import { MANIFEST_NAME, type Manifest, manifestSchema, SEAL_NAME } from './manifest.js';
import { checkSeal, type SealCheck, sealSchema } from './seal.js';
import { PACK_LIMITS, readZip } from './zip.js';

export interface PackVerifyResult {
  manifest: Manifest;
  seal: SealCheck;
  /** One line per mismatch, in a stable order (seal, files, chain); empty when the pack holds. */
  problems: string[];
  /** Files whose hash and size were recomputed and matched. */
  filesChecked: number;
  /** Chain links checked (ok), and those that could not be (one side absent). */
  chain: { ok: number; unchecked: string[] };
  /** The evidence signatures (`X.sig` beside `X`) that verified on the packed bytes: whose, and when. */
  signatures: PackSignature[];
  /**
   * The evidence files packed with no signature beside them. Not a mismatch (evidence collected before
   * a key was configured is packed unsigned), but said: a signature taken out of a re-sealed pack
   * would otherwise only be a line missing from the list of signers.
   */
  unsigned: { file: string; kind: EvidenceKind }[];
}

/** An evidence signature of the pack that verified with the key it records. */
interface PackSignature {
  /** The signed file's entry name. */
  file: string;
  kind: EvidenceKind;
  fingerprint: string;
  signedAt: string;
  /** The key is one of the given verify keys (with none given: false). */
  trustedKey: boolean;
}

/** Verifies the pack `bytes` (named `shown`); a zip or manifest that cannot be read is an InputError. */
export function verifyPack(
  bytes: Uint8Array,
  shown: string,
  trusted: readonly VerifyKey[],
): PackVerifyResult {
  const entries = readZip(bytes, shown);
  const manifestBytes = entries.get(MANIFEST_NAME);
  if (!manifestBytes) throw new InputError(shown, '$', `not an evidence pack: no ${MANIFEST_NAME}`);
  if (manifestBytes.byteLength > PACK_LIMITS.manifestBytes)
    throw new InputError(
      shown,
      '$',
      `${MANIFEST_NAME} is over the size limit of ${PACK_LIMITS.manifestBytes} bytes`,
    );
  const at = `${shown}!${MANIFEST_NAME}`;
  const manifest = parseWithSchema(
    manifestSchema,
    parseJsonText(Buffer.from(manifestBytes).toString('utf8'), at),
    at,
  );
  const problems: string[] = [];
  const sealBytes = entries.get(SEAL_NAME);
  let seal: SealCheck = {
    problems: [`${SEAL_NAME} is missing: the pack is not sealed`],
    signedBy: null,
    trustedKey: false,
  };
  if (sealBytes) {
    const sealAt = `${shown}!${SEAL_NAME}`;
    if (sealBytes.byteLength > 64 * 1024) throw new InputError(sealAt, '$', 'over the size limit of a seal');
    seal = checkSeal(
      parseWithSchema(sealSchema, parseJsonText(Buffer.from(sealBytes).toString('utf8'), sealAt), sealAt),
      manifestBytes,
      trusted,
    );
  }
  problems.push(...seal.problems);
  const filesChecked = checkFiles(manifest, entries, problems);
  const signatures = checkSignatures(manifest, entries, trusted, problems);
  const chain = [...checkChain(entries), ...signerLinks(entries, signatures)];
  for (const c of chain) if (c.status === 'mismatch') problems.push(`chain: ${c.from} ${c.field}: ${c.note}`);
  return {
    manifest,
    seal,
    problems,
    filesChecked,
    signatures,
    unsigned: unsignedEvidence(manifest, entries),
    chain: {
      ok: chain.filter((c) => c.status === 'ok').length,
      unchecked: chain.filter((c) => c.status === 'unchecked').map((c) => `${c.from} ${c.field}: ${c.note}`),
    },
  };
}

/** Every listed file present with its sha256 and size, every entry listed; returns how many matched. */
function checkFiles(
  manifest: Manifest,
  entries: ReadonlyMap<string, Uint8Array>,
  problems: string[],
): number {
  const listed = new Set<string>();
  let matched = 0;
  for (const f of manifest.files) {
    if (listed.has(f.name)) {
      problems.push(`${f.name}: listed twice in the manifest`);
      continue;
    }
    listed.add(f.name);
    const data = entries.get(f.name);
    if (!data) {
      problems.push(`${f.name}: removed (the manifest lists it, the pack does not hold it)`);
      continue;
    }
    const sha = sha256Hex(data);
    if (sha !== f.sha256 || data.byteLength !== f.size)
      problems.push(
        `${f.name}: changed (sha256 ${sha}, ${data.byteLength} bytes; the manifest records ${f.sha256}, ${f.size} bytes)`,
      );
    else matched += 1;
  }
  for (const name of entries.keys())
    if (name !== MANIFEST_NAME && name !== SEAL_NAME && !listed.has(name))
      problems.push(`${name}: added (in the pack, not in the manifest)`);
  return matched;
}

/**
 * The kind of evidence each signed entry is, by its entry name (build.ts gives each its fixed name, and
 * the chain reads them by name); the campaign a report folder holds is one too. Not by the manifest's
 * role: a role is a label whoever wrote the manifest chose, and one that named a signed file or its
 * signature anything else would take it out of the check.
 */
const SIGNED_AS: Record<string, EvidenceKind> = {
  [CHAIN_FILES.snapshot]: 'snapshot',
  [CHAIN_FILES.previous]: 'snapshot',
  [CHAIN_FILES.nextSnapshot]: 'snapshot',
  [CHAIN_FILES.signoff]: 'signoff',
  [CHAIN_FILES.campaign]: 'campaign',
  [CHAIN_FILES.plan]: 'plan',
  [CHAIN_FILES.applyLog]: 'apply-log',
};
const signedAs = (name: string): EvidenceKind | null =>
  Object.hasOwn(SIGNED_AS, name)
    ? SIGNED_AS[name]!
    : name.startsWith('report/') && name.endsWith('/campaign.json')
      ? 'campaign'
      : null;

/**
 * Every evidence signature the pack holds, checked on the packed bytes of the file it signs: that kind
 * of evidence, those bytes, a signature that verifies with the key it records; and, with verify keys
 * given, a key among them (as the seal's). The seal proves the pack was not changed after it was made;
 * these say who signed each piece of evidence before it was packed (the collector, the reviewer's
 * merge), which the pack alone cannot. A missing or changed entry is checkFiles' to report.
 */
function checkSignatures(
  manifest: Manifest,
  entries: ReadonlyMap<string, Uint8Array>,
  trusted: readonly VerifyKey[],
  problems: string[],
): PackSignature[] {
  const listed = new Map(manifest.files.map((f) => [f.name, f]));
  const out: PackSignature[] = [];
  for (const f of manifest.files) {
    const signed = f.name.endsWith(SIGNATURE_SUFFIX)
      ? listed.get(f.name.slice(0, -SIGNATURE_SUFFIX.length))
      : undefined;
    const kind = signed ? signedAs(signed.name) : null;
    // `X.sig` beside an evidence file X is its signature whatever its role: `evidence pack --report-dir`
    // of a split run's folder packs campaign.json.sig as a report file.
    if (f.role !== 'signature' && kind === null) continue;
    const sigBytes = entries.get(f.name);
    if (!sigBytes) continue;
    const bytes = signed && entries.get(signed.name);
    if (!signed || !bytes || kind === null) {
      problems.push(`${f.name}: a signature of no evidence file the pack holds`);
      continue;
    }
    if (sigBytes.byteLength > MAX_SIGNATURE_BYTES) {
      problems.push(`${f.name}: over the size limit of a signature (${MAX_SIGNATURE_BYTES} bytes)`);
      continue;
    }
    try {
      const s = inspectEvidenceSignature({
        bytes,
        kind,
        file: signed.name,
        sigText: Buffer.from(sigBytes).toString('utf8'),
        sigFile: f.name,
        trusted,
      });
      if (trusted.length > 0 && !s.trustedKey)
        problems.push(
          `${f.name}: ${signed.name} signed by ${s.fingerprint}, which is not a given verify key (${trusted.map((k) => k.fingerprint).join(', ')}); give the evidence signer's public key with another --verify-key if you trust it`,
        );
      out.push({ file: signed.name, kind, ...s });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error.message);
    }
  }
  return out;
}

/** The evidence files the pack holds (listed and present) with no `.sig` listed beside them. */
function unsignedEvidence(
  manifest: Manifest,
  entries: ReadonlyMap<string, Uint8Array>,
): { file: string; kind: EvidenceKind }[] {
  const listed = new Set(manifest.files.map((f) => f.name));
  const out: { file: string; kind: EvidenceKind }[] = [];
  for (const name of listed) {
    const kind = signedAs(name);
    if (kind !== null && entries.has(name) && !listed.has(`${name}${SIGNATURE_SUFFIX}`))
      out.push({ file: name, kind });
  }
  return out;
}
