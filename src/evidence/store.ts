/**
 * Evidence files on disk with their signatures: read a file and check its `.sig` on the very bytes that
 * are then parsed (no second read an attacker could swap), and write a file and its `.sig` as one set
 * (src/util/files.ts `writeFilesAtomic`), so they land together or not at all.
 *
 * Fail closed: with a verify key configured, a file without a signature, or with one that does not
 * check out, is refused (InputError, exit 2). Without one nothing is checked, and the caller reports the
 * evidence as unsigned.
 */
import { constants } from 'node:buffer';
import { InputError } from '../errors.js';
import { assertWritable, readInputBytes, writeFilesAtomic } from '../util/files.js';
import {
  checkEvidenceSignature,
  EVIDENCE_KIND_TEXT,
  type EvidenceCheck,
  type EvidenceKeys,
  type EvidenceKind,
  SIGNATURE_SUFFIX,
  type SigningKey,
  serializeSignature,
  signEvidence,
} from './signature.js';

/** A signature file is small; anything larger is not one. */
export const MAX_SIGNATURE_BYTES = 64 * 1024;

/** Where the signature of `path` is. */
export function signaturePath(path: string): string {
  return `${path}${SIGNATURE_SUFFIX}`;
}

/** An evidence file as read: its exact bytes, its text, and what the signature check found. */
export interface ReadEvidence {
  bytes: Buffer;
  text: string;
  check: EvidenceCheck;
}

/**
 * Reads `path` (named `shown` in messages) and, when `keys` has a verify key, checks its signature
 * (`<path>.sig`) as evidence of `kind`. Missing or unreadable files, and files over `maxBytes` when
 * given, are InputErrors (exit 2).
 */
export async function readEvidence(
  path: string,
  kind: EvidenceKind,
  keys: EvidenceKeys,
  shown: string = path,
  maxBytes?: number,
): Promise<ReadEvidence> {
  let bytes: Buffer;
  try {
    // Bounded even without a limit of the caller's: the text must fit in one string, and a file that
    // never ends (a link to /dev/zero) is refused at that size rather than read until memory runs out.
    const read = await readInputBytes(path, shown, maxBytes ?? constants.MAX_STRING_LENGTH);
    bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      shown,
      '$',
      code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`,
    );
  }
  const text = bytes.toString('utf8');
  if (keys.verify.length === 0) return { bytes, text, check: { kind, file: shown, signature: null } };
  const sigShown = signaturePath(shown);
  let sigBytes: Uint8Array;
  try {
    sigBytes = await readInputBytes(signaturePath(path), sigShown, MAX_SIGNATURE_BYTES);
  } catch (error) {
    if (error instanceof InputError && error.problem === 'file not found')
      throw new InputError(
        shown,
        '$',
        `is not signed (no ${sigShown}), and a verify key is configured: unsigned ${EVIDENCE_KIND_TEXT[kind]}s are refused`,
        {
          hint: 'use the signed file, or sign evidence when writing it (--signing-key or ATLAS_REVIEW_SIGNING_KEY)',
        },
      );
    throw error;
  }
  const signature = checkEvidenceSignature({
    bytes,
    kind,
    file: shown,
    sigText: Buffer.from(sigBytes).toString('utf8'),
    sigFile: sigShown,
    trusted: keys.verify,
  });
  return { bytes, text, check: { kind, file: shown, signature } };
}

/** Who signs what a command writes, and when (null: the command writes unsigned evidence). */
export interface EvidenceSigner {
  key: SigningKey;
  signedAt: Date;
  tool: { name: string; version: string };
}

/** Refuses (exit 4) before any work when `path` or its signature exists and `force` is not given. */
export async function assertEvidenceWritable(path: string, force: boolean): Promise<void> {
  await assertWritable(path, force);
  await assertWritable(signaturePath(path), force);
}

/**
 * The entries that write `data` to `path` as evidence of `kind`: its signature (made by `signer`)
 * first, then the file. Unsigned (no signer), the signature entry removes a `.sig` left from an
 * earlier write, which would no longer match. For `writeFilesAtomic`, alone or within a larger set.
 */
export function evidenceEntries(
  path: string,
  data: string | Uint8Array,
  kind: EvidenceKind,
  signer: EvidenceSigner | null,
): Array<{ path: string; data: string | Uint8Array | null }> {
  const sig = signer
    ? serializeSignature(
        signEvidence({ bytes: data, kind, key: signer.key, signedAt: signer.signedAt, tool: signer.tool }),
      )
    : null;
  return [
    { path: signaturePath(path), data: sig },
    { path, data },
  ];
}

/** Writes one evidence file and its signature (or removes a stale one) all or nothing. */
export async function writeEvidence(
  path: string,
  data: string,
  kind: EvidenceKind,
  signer: EvidenceSigner | null,
  opts: { force: boolean },
): Promise<void> {
  await writeFilesAtomic(evidenceEntries(path, data, kind, signer), opts);
}
