/**
 * Detached Ed25519 signatures of evidence files (snapshots, sign-offs, revocation plans, apply logs,
 * review campaigns' campaign.json).
 *
 * A signature file sits beside the file it signs (`snapshot.json.sig`). What is signed is a short
 * statement, not the file itself: a fixed prefix (so a signature made here cannot be passed off as
 * one made for anything else) followed by JSON of the signature schema version, the algorithm, the kind
 * of evidence, the sha256 of the file's exact bytes, the signing time and the tool. The statement is
 * rebuilt from the signature file when checking, so none of those fields can be changed either.
 *
 * What a verified signature proves: the file's bytes are the ones a holder of the private key signed,
 * as that kind of evidence. It does not prove that what the holder collected or decided was complete or
 * honest (README "Security").
 *
 * Pure: bytes and key objects in, signature files and typed errors out; no file, env or clock.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import * as z from 'zod';
import { InputError, registerSecret, UsageError } from '../errors.js';
import { parseJsonText, parseWithSchema } from '../util/validate.js';

const SIGNATURE_SCHEMA_VERSION = 1 as const;

/** A signature file is the evidence file's name plus this. */
export const SIGNATURE_SUFFIX = '.sig';

/** What a signature says the file is; a file is accepted only as the kind the reader expects. */
export const EVIDENCE_KINDS = ['snapshot', 'signoff', 'plan', 'apply-log', 'campaign'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** The kinds in words, for messages and reports. */
export const EVIDENCE_KIND_TEXT: Record<EvidenceKind, string> = {
  snapshot: 'snapshot',
  signoff: 'sign-off',
  plan: 'revocation plan',
  'apply-log': 'apply log',
  campaign: 'campaign record',
};

/** Domain separation: the first bytes of every signed statement. */
const STATEMENT_PREFIX = 'atlas-access-review evidence signature\n';

const RAW_KEY_BYTES = 32;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4); the raw key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The signature file (`<file>.sig`), validated on every read; z.lazy builds it on the first, once (an
 * unsigned audit reads none).
 */
const signatureFileSchema = z.lazy(() =>
  z.strictObject({
    signatureSchemaVersion: z.literal(SIGNATURE_SCHEMA_VERSION),
    algorithm: z.literal('ed25519'),
    /** What the signer wrote the file as. */
    kind: z.enum(EVIDENCE_KINDS),
    /** sha256 (hex) of the signed file's exact bytes. */
    sha256: z.string().regex(/^[a-f0-9]{64}$/, 'expected a sha256 hex digest'),
    /** When it was signed (the writing command's clock). */
    signedAt: z.iso.datetime({ offset: true }),
    /** The tool that signed it. */
    tool: z.strictObject({ name: z.string().max(200), version: z.string().max(200) }),
    /** The signer's public key: the raw 32-byte Ed25519 key, base64. Informational: checks use the configured key. */
    publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected a 32-byte Ed25519 public key in base64'),
    /** {@link keyFingerprint} of `publicKey`. */
    keyFingerprint: z.string().max(100),
    /** Ed25519 signature of the statement (see the module comment), base64. */
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected a 64-byte Ed25519 signature in base64'),
  }),
);
export type SignatureFile = z.infer<typeof signatureFileSchema>;

/** A private key to sign with, and its public half. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

/** A public key that signatures are checked against. */
export interface VerifyKey {
  publicKey: KeyObject;
  fingerprint: string;
}

/**
 * The keys a command was given. `verify` lists every trusted public key (the configured ones and the
 * signing key's own); empty means none is configured and nothing is checked.
 */
export interface EvidenceKeys {
  signing: SigningKey | null;
  verify: VerifyKey[];
}

export const NO_KEYS: EvidenceKeys = { signing: null, verify: [] };

/** What a check of one file found: who signed it and when, or that it was not checked (no key). */
export interface EvidenceCheck {
  kind: EvidenceKind;
  /** The file as the user named it. */
  file: string;
  /** null when no verify key is configured (the file was not checked). */
  signature: { fingerprint: string; signedAt: string } | null;
}

function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The raw 32-byte Ed25519 public key. */
function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - RAW_KEY_BYTES);
}

/**
 * `SHA256:<base64 without padding>` of the key's DER SubjectPublicKeyInfo: the same figure as
 * `openssl pkey -pubin -in verify-key.pem -outform DER | openssl dgst -sha256 -binary | base64`.
 */
export function keyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

/** The bytes an Ed25519 signature covers. */
function statement(s: Omit<SignatureFile, 'publicKey' | 'keyFingerprint' | 'signature'>): Buffer {
  const body = JSON.stringify({
    signatureSchemaVersion: s.signatureSchemaVersion,
    algorithm: s.algorithm,
    kind: s.kind,
    sha256: s.sha256,
    signedAt: s.signedAt,
    tool: { name: s.tool.name, version: s.tool.version },
  });
  return Buffer.from(STATEMENT_PREFIX + body, 'utf8');
}

/** Signs `bytes` as evidence of `kind`; returns the signature file's content. */
export function signEvidence(input: {
  bytes: Uint8Array | string;
  kind: EvidenceKind;
  key: SigningKey;
  signedAt: Date;
  tool: { name: string; version: string };
}): SignatureFile {
  const fields = {
    signatureSchemaVersion: SIGNATURE_SCHEMA_VERSION,
    algorithm: 'ed25519' as const,
    kind: input.kind,
    sha256: sha256Hex(input.bytes),
    signedAt: input.signedAt.toISOString(),
    tool: { name: input.tool.name, version: input.tool.version },
  };
  return {
    ...fields,
    publicKey: rawPublicKey(input.key.publicKey).toString('base64'),
    keyFingerprint: input.key.fingerprint,
    signature: sign(null, statement(fields), input.key.privateKey).toString('base64'),
  };
}

/** The signature file as JSON (2-space, trailing newline). */
export function serializeSignature(s: SignatureFile): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/** A file's bytes and its signature file's text, each as named in messages; the keys trusted. */
interface SignatureInput {
  bytes: Uint8Array | string;
  kind: EvidenceKind;
  file: string;
  sigText: string;
  sigFile: string;
  trusted: readonly VerifyKey[];
}

/** The signature file, once it is known to sign these bytes as this kind (InputError otherwise). */
function signatureOfTheseBytes(input: SignatureInput): SignatureFile {
  const { file, sigFile } = input;
  const sig = parseWithSchema(signatureFileSchema, parseJsonText(input.sigText, sigFile), sigFile);
  if (sig.kind !== input.kind)
    throw new InputError(
      sigFile,
      '$.kind',
      `signs ${file} as a ${EVIDENCE_KIND_TEXT[sig.kind]}, not a ${EVIDENCE_KIND_TEXT[input.kind]}; refused`,
    );
  const actual = sha256Hex(input.bytes);
  if (actual !== sig.sha256)
    throw new InputError(
      file,
      '$',
      `changed since it was signed: its sha256 is ${short(actual)}, the signature ${sigFile} is for ${short(sig.sha256)}; refused`,
      { hint: 'use the file as it was written, or find out who changed it' },
    );
  return sig;
}

/**
 * True when `signature`, valid for `message`, also verifies another message: a degenerate key (a point
 * of small order) with a degenerate signature verifies every message under OpenSSL, so such a signature
 * binds nothing, whoever's key it records. Checked where the recorded key is all there is.
 */
export function verifiesAnything(message: Buffer, key: KeyObject, signature: Buffer): boolean {
  return verify(null, Buffer.concat([message, Buffer.from('\n')]), key, signature);
}

/**
 * Checks a signature with the key it records, whoever that is: these bytes, this kind, a signature
 * that verifies. Says whether the key is one of `trusted`; an evidence pack's verifier reports the
 * signer of each file it holds this way, as it reports its sealer (InputError when any check fails).
 */
export function inspectEvidenceSignature(input: SignatureInput): {
  fingerprint: string;
  signedAt: string;
  trustedKey: boolean;
} {
  const { file, sigFile } = input;
  const sig = signatureOfTheseBytes(input);
  const raw = Buffer.from(sig.publicKey, 'base64');
  let key: KeyObject;
  try {
    key = publicKeyFromRaw(raw);
  } catch {
    throw new InputError(sigFile, '$.publicKey', 'is not a valid Ed25519 public key; refused');
  }
  const fingerprint = keyFingerprint(key);
  const signature = Buffer.from(sig.signature, 'base64');
  if (!verify(null, statement(sig), key, signature))
    throw new InputError(
      sigFile,
      '$.signature',
      `the signature of ${file} does not verify with ${fingerprint}, the key it records (forged or altered signature file); refused`,
    );
  if (verifiesAnything(statement(sig), key, signature))
    throw new InputError(
      sigFile,
      '$.publicKey',
      `records a degenerate key (${fingerprint}) whose signature verifies any content; refused`,
    );
  const trustedKey = input.trusted.some((k) => rawPublicKey(k.publicKey).equals(raw));
  return { fingerprint, signedAt: sig.signedAt, trustedKey };
}

/**
 * Checks `bytes` (the file named `file`) against its signature file's text (named `sigFile`): it must
 * be a signature of this kind of evidence, of exactly these bytes, by one of the trusted keys. Returns
 * who signed it and when; any failure is an InputError naming the file at fault and what failed (exit 2).
 */
export function checkEvidenceSignature(input: SignatureInput): { fingerprint: string; signedAt: string } {
  const { file, sigFile } = input;
  const sig = signatureOfTheseBytes(input);
  const raw = Buffer.from(sig.publicKey, 'base64');
  const key = input.trusted.find((k) => rawPublicKey(k.publicKey).equals(raw));
  if (!key) {
    let signer = 'a key that is not a valid Ed25519 key';
    try {
      signer = keyFingerprint(publicKeyFromRaw(raw));
    } catch {
      // Only the message needs it; the file is refused either way.
    }
    throw new InputError(
      sigFile,
      '$.publicKey',
      `signed by ${signer}, which is not a configured verify key (${input.trusted.map((k) => k.fingerprint).join(', ')}); refused`,
      { hint: "give the signer's public key with --verify-key if you trust it" },
    );
  }
  const ok = verify(null, statement(sig), key.publicKey, Buffer.from(sig.signature, 'base64'));
  if (!ok)
    throw new InputError(
      sigFile,
      '$.signature',
      `the signature of ${file} does not verify with ${key.fingerprint} (forged or altered signature file); refused`,
    );
  return { fingerprint: key.fingerprint, signedAt: sig.signedAt };
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/**
 * Every form of a private key's text that could leak: the text, each line of its body, and the raw
 * seed in base64, base64url and hex. Registered with {@link registerSecret} so no error or log shows them.
 */
function registerPrivateKeyText(text: string, key: KeyObject | null): void {
  registerSecret(text);
  registerSecret(text.trim());
  for (const line of text.split(/\r?\n/)) if (!line.startsWith('-----')) registerSecret(line.trim());
  if (key) {
    const d = key.export({ format: 'jwk' }).d;
    if (d) {
      const seed = Buffer.from(d, 'base64url');
      registerSecret(d);
      registerSecret(seed.toString('base64'));
      registerSecret(seed.toString('hex'));
    }
  }
}

/**
 * Parses an Ed25519 private key (PKCS#8 PEM, as `evidence keygen` writes it) and registers its text as
 * a secret before anything else can print it. `source` names where it came from (a file or a variable),
 * never the key. Throws a UsageError (exit 2).
 */
export function parseSigningKey(text: string, source: string): SigningKey {
  registerPrivateKeyText(text, null);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    const why = /passphrase/i.test((error as Error).message)
      ? 'it is encrypted with a passphrase, which is not supported'
      : 'it is not a PEM private key';
    throw new UsageError(`cannot use the signing key from ${source}: ${why}`, {
      hint: 'make one with `atlas-access-review evidence keygen --out-dir <dir>`',
    });
  }
  registerPrivateKeyText(text, privateKey.asymmetricKeyType === 'ed25519' ? privateKey : null);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new UsageError(
      `the signing key from ${source} is an ${privateKey.asymmetricKeyType ?? 'unknown'} key; evidence is signed with Ed25519`,
      { hint: 'make one with `atlas-access-review evidence keygen --out-dir <dir>`' },
    );
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: keyFingerprint(publicKey) };
}

/**
 * Parses an Ed25519 public key: SPKI PEM (`verify-key.pem`), or the raw 32-byte key in base64 as a
 * signature file records it. A private key is refused (and registered as a secret): the verify key is
 * the public half. Throws a UsageError (exit 2).
 */
export function parseVerifyKey(text: string, source: string): VerifyKey {
  const trimmed = text.trim();
  if (/PRIVATE KEY-----/.test(trimmed)) {
    registerPrivateKeyText(text, null);
    throw new UsageError(`${source} holds a private key; a verify key is the public key`, {
      hint: 'give the public key (verify-key.pem from `evidence keygen`), and keep the private key secret',
    });
  }
  let publicKey: KeyObject;
  try {
    if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) publicKey = publicKeyFromRaw(Buffer.from(trimmed, 'base64'));
    else publicKey = createPublicKey({ key: trimmed, format: 'pem' });
  } catch {
    throw new UsageError(
      `cannot use the verify key from ${source}: it is neither a PEM public key nor a base64 Ed25519 key`,
    );
  }
  if (publicKey.asymmetricKeyType !== 'ed25519')
    throw new UsageError(
      `the verify key from ${source} is an ${publicKey.asymmetricKeyType ?? 'unknown'} key; evidence is signed with Ed25519`,
    );
  return { publicKey, fingerprint: keyFingerprint(publicKey) };
}

/** A new Ed25519 key pair as PEM text (PKCS#8 private, SPKI public) and its fingerprint. */
export function generateEvidenceKeyPair(): { privatePem: string; publicPem: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  registerPrivateKeyText(privatePem, privateKey);
  return {
    privatePem,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: keyFingerprint(publicKey),
  };
}

/** The trusted keys without duplicates (the same key given twice, or as the signing key too). */
export function uniqueKeys(keys: readonly VerifyKey[]): VerifyKey[] {
  const byFingerprint = new Map<string, VerifyKey>();
  for (const k of keys) if (!byFingerprint.has(k.fingerprint)) byFingerprint.set(k.fingerprint, k);
  return [...byFingerprint.values()];
}
