/**
 * The signature module on its own: a signature checks out only for the exact bytes, the kind and a
 * trusted key; every field of the signature file is covered; keys that cannot be used are refused
 * without their text ever appearing in a message.
 */
import { constants } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError, redactSecrets, UsageError } from '../../src/errors.js';
import {
  checkEvidenceSignature,
  type EvidenceKind,
  generateEvidenceKeyPair,
  keyFingerprint,
  NO_KEYS,
  parseSigningKey,
  parseVerifyKey,
  type SignatureFile,
  serializeSignature,
  signEvidence,
  type VerifyKey,
} from '../../src/evidence/signature.js';
import { readEvidence } from '../../src/evidence/store.js';
import { summarizeEvidence } from '../../src/evidence/summary.js';

const TOOL = { name: 'atlas-access-review', version: '0.1.0' };
const AT = new Date('2026-11-25T12:00:00Z');
const BYTES = '{"schemaVersion":2,"organizations":[{"settings":{"multiFactorAuthRequired":false}}]}\n';

function keyPair() {
  const pair = generateEvidenceKeyPair();
  const signing = parseSigningKey(pair.privatePem, 'test');
  const verify = parseVerifyKey(pair.publicPem, 'test');
  return { pair, signing, verify };
}

const mine = keyPair();
const theirs = keyPair();

function signed(kind: EvidenceKind = 'snapshot', bytes: string = BYTES): SignatureFile {
  return signEvidence({ bytes, kind, key: mine.signing, signedAt: AT, tool: TOOL });
}

function check(
  sig: SignatureFile | string,
  opts: { bytes?: string; kind?: EvidenceKind; trusted?: VerifyKey[] } = {},
) {
  return checkEvidenceSignature({
    bytes: opts.bytes ?? BYTES,
    kind: opts.kind ?? 'snapshot',
    file: 'q4.json',
    sigText: typeof sig === 'string' ? sig : serializeSignature(sig),
    sigFile: 'q4.json.sig',
    trusted: opts.trusted ?? [mine.verify],
  });
}

function refusal(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('not refused');
}

describe('signEvidence / checkEvidenceSignature', () => {
  it('round-trips, and records the algorithm, the sha256, the public key, the time and the tool', () => {
    const sig = signed();
    expect(sig).toMatchObject({
      signatureSchemaVersion: 1,
      algorithm: 'ed25519',
      kind: 'snapshot',
      signedAt: '2026-11-25T12:00:00.000Z',
      tool: TOOL,
      keyFingerprint: mine.signing.fingerprint,
    });
    expect(sig.sha256).toMatch(/^[a-f0-9]{64}$/);
    expect(Buffer.from(sig.publicKey, 'base64')).toHaveLength(32);
    expect(check(sig)).toEqual({ fingerprint: mine.verify.fingerprint, signedAt: sig.signedAt });
  });

  it('fingerprints keys as SHA256:<base64> of the SPKI DER', () => {
    expect(mine.verify.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(mine.verify.fingerprint).toBe(keyFingerprint(mine.signing.publicKey));
    expect(mine.verify.fingerprint).toBe(mine.pair.fingerprint);
    expect(theirs.verify.fingerprint).not.toBe(mine.verify.fingerprint);
  });

  it('refuses edited bytes: multiFactorAuthRequired false -> true', () => {
    const e = refusal(() => check(signed(), { bytes: BYTES.replace('false', 'true') }));
    expect(e.file).toBe('q4.json');
    expect(e.message).toContain('changed since it was signed');
  });

  it('refuses a signature file whose sha256 was edited to match (the signature covers it)', () => {
    const edited = BYTES.replace('false', 'true');
    const honest = signEvidence({
      bytes: edited,
      kind: 'snapshot',
      key: mine.signing,
      signedAt: AT,
      tool: TOOL,
    });
    const e = refusal(() => check({ ...signed(), sha256: honest.sha256 }, { bytes: edited }));
    expect(e.message).toBe(
      `q4.json.sig: $.signature: the signature of q4.json does not verify with ${mine.verify.fingerprint} (forged or altered signature file); refused`,
    );
  });

  it('covers signedAt, tool and kind: changing any one breaks the signature', () => {
    for (const sig of [
      { ...signed(), signedAt: '2026-12-01T00:00:00.000Z' },
      { ...signed(), tool: { name: 'atlas-access-review', version: '9.9.9' } },
    ])
      expect(refusal(() => check(sig)).jsonPath).toBe('$.signature');
    // A sign-off's signature relabelled as a snapshot's.
    const relabelled = { ...signed('signoff'), kind: 'snapshot' as const };
    expect(refusal(() => check(relabelled)).jsonPath).toBe('$.signature');
  });

  it('refuses a file signed as another kind of evidence', () => {
    const e = refusal(() => check(signed('plan')));
    expect(e.message).toContain('signs q4.json as a revocation plan, not a snapshot');
  });

  it('refuses a re-signature with a key that is not configured, naming both keys', () => {
    const forged = signEvidence({
      bytes: BYTES,
      kind: 'snapshot',
      key: theirs.signing,
      signedAt: AT,
      tool: TOOL,
    });
    const e = refusal(() => check(forged));
    expect(e.jsonPath).toBe('$.publicKey');
    expect(e.message).toContain(
      `signed by ${theirs.verify.fingerprint}, which is not a configured verify key`,
    );
    expect(e.message).toContain(mine.verify.fingerprint);
    // Trusted once configured.
    expect(check(forged, { trusted: [mine.verify, theirs.verify] }).fingerprint).toBe(
      theirs.verify.fingerprint,
    );
  });

  it('refuses a signature file that is not one (schema, unknown fields, not JSON)', () => {
    expect(refusal(() => check('nope')).message).toContain('q4.json.sig: not valid JSON');
    expect(refusal(() => check(JSON.stringify({ ...signed(), extra: 1 }))).file).toBe('q4.json.sig');
    expect(refusal(() => check(JSON.stringify({ ...signed(), algorithm: 'rsa' }))).jsonPath).toBe(
      '$.algorithm',
    );
    expect(refusal(() => check(JSON.stringify({ ...signed(), signature: 'AAAA' }))).jsonPath).toBe(
      '$.signature',
    );
  });
});

describe('keys', () => {
  it('a private key is registered as a secret as soon as it is parsed: no message can show it', () => {
    const { privatePem } = generateEvidenceKeyPair();
    const body = privatePem.split('\n')[1]!;
    parseSigningKey(privatePem, 'ATLAS_REVIEW_SIGNING_KEY');
    expect(redactSecrets(`oops ${privatePem}`)).not.toContain(body);
    expect(redactSecrets(`oops ${body}`)).toBe('oops [REDACTED]');
  });

  it('refuses keys that are not Ed25519, or not keys, without showing them', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const rsaLine = rsa.split('\n')[1]!;
    for (const [text, message] of [
      [rsa, 'is an rsa key; evidence is signed with Ed25519'],
      ['not a key at all', 'it is not a PEM private key'],
    ] as const) {
      try {
        parseSigningKey(text, 'key.pem');
        throw new Error('accepted');
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        expect((error as Error).message).toContain(message);
        expect((error as Error).message).not.toContain(rsaLine);
      }
    }
  });

  it('a verify key is the public key: PEM or the raw base64 of a signature file; a private key is refused', () => {
    const raw = signed().publicKey;
    expect(parseVerifyKey(raw, 'env').fingerprint).toBe(mine.verify.fingerprint);
    expect(parseVerifyKey(mine.pair.publicPem, 'file').fingerprint).toBe(mine.verify.fingerprint);
    expect(() => parseVerifyKey(mine.pair.privatePem, 'verify.pem')).toThrow(
      'verify.pem holds a private key; a verify key is the public key',
    );
    expect(() => parseVerifyKey('verify-key.pem', 'env')).toThrow(UsageError);
  });
});

describe('summarizeEvidence', () => {
  it('says unsigned, naming what was read, when nothing was checked', () => {
    expect(summarizeEvidence([]).statement).toBe(
      'Evidence unsigned: no verify key was configured, so nothing shows the snapshot was not edited after it was collected.',
    );
    const s = summarizeEvidence([
      { kind: 'signoff', file: '/x/signoff.json', signature: null },
      { kind: 'snapshot', file: '/x/q3.json', signature: null },
    ]);
    expect(s.status).toBe('unsigned');
    expect(s.statement).toContain(
      'nothing shows the sign-off and snapshot were not edited after they were written',
    );
  });

  it('names the signer and the files when every one was verified', () => {
    const signature = { fingerprint: mine.verify.fingerprint, signedAt: AT.toISOString() };
    const s = summarizeEvidence([
      { kind: 'snapshot', file: '/x/q4.json', signature },
      { kind: 'snapshot', file: '/x/q3.json', signature },
    ]);
    expect(s).toMatchObject({ status: 'verified', signers: [mine.verify.fingerprint] });
    expect(s.statement).toBe(
      `Evidence signed by ${mine.verify.fingerprint}, verified (snapshot q4.json, snapshot q3.json).`,
    );
  });
});

describe('readEvidence', () => {
  it('refuses a file that never ends (a snapshot linked to /dev/zero) at the largest text it could parse', async () => {
    const read = readEvidence('/dev/zero', 'snapshot', NO_KEYS, 'snap.json');
    await expect(read).rejects.toBeInstanceOf(InputError);
    await expect(read).rejects.toThrow(
      `snap.json: holds more than the limit of ${constants.MAX_STRING_LENGTH.toLocaleString('en-US')} bytes (a device or pipe?); not read`,
    );
  }, 60_000);
});
