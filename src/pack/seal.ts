/**
 * The seal of a pack: an Ed25519 signature of `manifest.json`'s exact bytes, made with the same keys as
 * the evidence signatures (`evidence keygen`, --signing-key). What is signed is a statement with its own
 * prefix, so a pack seal cannot be passed off as a file signature or the other way round.
 *
 * Pure: bytes and key objects in, seal or findings out.
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import * as z from 'zod';
import { keyFingerprint, type SigningKey, type VerifyKey, verifiesAnything } from '../evidence/signature.js';
import { sha256Hex } from '../snapshot/store.js';

const STATEMENT_PREFIX = 'atlas-access-review evidence pack manifest\n';
/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4); the raw key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** `manifest.sig.json` in the pack. */
export const sealSchema = z.strictObject({
  sealSchemaVersion: z.literal(1),
  algorithm: z.literal('ed25519'),
  /** sha256 (hex) of manifest.json's exact bytes. */
  manifestSha256: z.string().regex(/^[a-f0-9]{64}$/, 'expected a sha256 hex digest'),
  /** The signer's raw 32-byte public key, base64 (also recorded so a reader can see who claims to have signed). */
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected a 32-byte Ed25519 public key in base64'),
  /** `SHA256:` fingerprint of the public key, as `evidence keygen` prints it. */
  keyFingerprint: z.string().max(100),
  /** Ed25519 signature of the statement, base64. */
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected a 64-byte Ed25519 signature in base64'),
});
export type Seal = z.infer<typeof sealSchema>;

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

const statement = (manifestSha256: string) => Buffer.from(STATEMENT_PREFIX + manifestSha256, 'utf8');

/** Seals the manifest's bytes (Ed25519 is deterministic: the same bytes and key give the same seal). */
export function sealManifest(manifestBytes: Uint8Array, key: SigningKey): Seal {
  const manifestSha256 = sha256Hex(manifestBytes);
  return {
    sealSchemaVersion: 1,
    algorithm: 'ed25519',
    manifestSha256,
    publicKey: rawPublicKey(key.publicKey).toString('base64'),
    keyFingerprint: key.fingerprint,
    signature: sign(null, statement(manifestSha256), key.privateKey).toString('base64'),
  };
}

/** What checking a seal found: problems (empty when it holds) and the key it verified with. */
export interface SealCheck {
  problems: string[];
  /** Fingerprint of the key the signature verified with; null when it did not verify. */
  signedBy: string | null;
  /** True when the key came from the caller (--verify-key), false when only the pack's own key was used. */
  trustedKey: boolean;
}

/**
 * Checks a seal against the manifest's bytes: with `trusted` keys, the signer must be one of them;
 * without, the signature is checked with the key the pack records (integrity only, not who signed it).
 */
export function checkSeal(seal: Seal, manifestBytes: Uint8Array, trusted: readonly VerifyKey[]): SealCheck {
  const problems: string[] = [];
  const actual = sha256Hex(manifestBytes);
  if (seal.manifestSha256 !== actual)
    problems.push(
      `manifest.json: sha256 is ${actual}, the seal signs ${seal.manifestSha256} (the manifest was changed)`,
    );
  const raw = Buffer.from(seal.publicKey, 'base64');
  let packKey: KeyObject;
  try {
    packKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return {
      problems: [...problems, 'manifest.sig.json: publicKey is not an Ed25519 key'],
      signedBy: null,
      trustedKey: false,
    };
  }
  if (keyFingerprint(packKey) !== seal.keyFingerprint)
    problems.push(
      `manifest.sig.json: keyFingerprint ${seal.keyFingerprint} is not the fingerprint of its publicKey`,
    );
  let key: KeyObject = packKey;
  if (trusted.length > 0) {
    const match = trusted.find((k) => rawPublicKey(k.publicKey).equals(raw));
    if (!match) {
      problems.push(
        `manifest.sig.json: sealed by ${keyFingerprint(packKey)}, which is not a given verify key (${trusted.map((k) => k.fingerprint).join(', ')})`,
      );
      return { problems, signedBy: null, trustedKey: true };
    }
    key = match.publicKey;
  }
  const signature = Buffer.from(seal.signature, 'base64');
  let ok = verify(null, statement(seal.manifestSha256), key, signature);
  if (!ok) problems.push('manifest.sig.json: the signature does not verify (forged or altered seal)');
  else if (verifiesAnything(statement(seal.manifestSha256), key, signature)) {
    ok = false;
    problems.push('manifest.sig.json: sealed with a degenerate key whose signature verifies any manifest');
  }
  return { problems, signedBy: ok ? keyFingerprint(key) : null, trustedKey: trusted.length > 0 };
}
