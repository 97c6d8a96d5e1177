import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { type EvidenceCheck, type EvidenceKeys, type EvidenceKind, NO_KEYS } from '../evidence/signature.js';
import { type EvidenceSigner, readEvidence, writeEvidence } from '../evidence/store.js';
import { parseJsonText, parseWithSchema } from '../util/validate.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot, snapshotSchema } from './schema.js';
import {
  snapshotV1Schema,
  snapshotV2Schema,
  snapshotV3Schema,
  upgradeSnapshotV1,
  upgradeSnapshotV2,
  upgradeSnapshotV3,
} from './upgrade.js';

/** A snapshot read from disk, with the sha256 of its exact bytes (the evidence fingerprint). */
export interface LoadedSnapshot {
  snapshot: Snapshot;
  file: string;
  sha256: string;
  /** What the signature check found (signature null: no verify key was configured). */
  evidence: EvidenceCheck;
}

/** Serialises a snapshot deterministically (2-space JSON, trailing newline). */
export function serializeSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Parses and validates snapshot text; errors name the file and the JSON path at fault (exit 2). A
 * snapshot of an earlier schema version is validated as that version and upgraded (src/snapshot/upgrade.ts).
 */
export function parseSnapshot(text: string, file: string): Snapshot {
  // No checkDocument walk (its `__proto__` and depth checks guard schemas with records or unknown
  // values): every object of the snapshot schemas is strict, so zod refuses a `__proto__` key as
  // unknown, and nothing in them is open-ended, so zod never descends deeper than the schema does. A
  // test walks the schemas to keep it so. The walk was 3% of a 50,000-user audit and its garbage.
  const data = parseJsonText(text, file, false);
  // zod's compiled validators pay off from a few megabytes on (src/util/validate.ts).
  const jit = { jit: text.length > JIT_FROM_CHARS };
  const version =
    data && typeof data === 'object' && 'schemaVersion' in data ? data.schemaVersion : undefined;
  if (version === 1) {
    // Validated as strictly as schema 1 was, then upgraded; the current schema's checks run on the result.
    const old = parseWithSchema(snapshotV1Schema, data, file, jit);
    return parseWithSchema(snapshotSchema, upgradeSnapshotV1(old), file, jit);
  }
  if (version === 2) {
    const old = parseWithSchema(snapshotV2Schema, data, file, jit);
    return parseWithSchema(snapshotSchema, upgradeSnapshotV2(old), file, jit);
  }
  if (version === 3) {
    const old = parseWithSchema(snapshotV3Schema, data, file, jit);
    return parseWithSchema(snapshotSchema, upgradeSnapshotV3(old), file, jit);
  }
  if (typeof version === 'number' && Number.isInteger(version) && version > SNAPSHOT_SCHEMA_VERSION) {
    throw new InputError(
      file,
      '$.schemaVersion',
      `snapshot schemaVersion ${version} was written by a newer version of atlas-access-review (this one reads 1 to ${SNAPSHOT_SCHEMA_VERSION}); upgrade the tool to read it`,
    );
  }
  if (version !== undefined && version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new InputError(
      file,
      '$.schemaVersion',
      `unsupported snapshot schemaVersion ${JSON.stringify(version)} (this tool reads 1 to ${SNAPSHOT_SCHEMA_VERSION})`,
    );
  }
  return parseWithSchema(snapshotSchema, data, file, jit);
}

/** Snapshot text from which zod's compiled validators are used: about 60 organizations' worth of users. */
const JIT_FROM_CHARS = 16 * 1024 * 1024;

/**
 * Reads, validates and fingerprints a snapshot file. With a verify key in `keys`, its signature
 * (`<file>.sig`) is checked on the bytes read, before they are parsed (exit 2 when it fails).
 */
export async function readSnapshot(file: string, keys: EvidenceKeys = NO_KEYS): Promise<LoadedSnapshot> {
  const { text, sha256, check } = await readFingerprinted(file, 'snapshot', keys);
  return { snapshot: parseSnapshot(text, file), file, sha256, evidence: check };
}

/**
 * An evidence file as its text, the sha256 of its exact bytes and what its signature check found. The
 * bytes are hashed as soon as they are read and not kept: a snapshot's buffer held until after its
 * text was parsed and validated was 70 MiB of a 50,000-user audit's peak (516 -> 444 MiB).
 */
export async function readFingerprinted(
  file: string,
  kind: EvidenceKind,
  keys: EvidenceKeys,
  shown: string = file,
): Promise<{ text: string; sha256: string; check: EvidenceCheck }> {
  const read = await readEvidence(file, kind, keys, shown);
  return { text: read.text, sha256: sha256Hex(read.bytes), check: read.check };
}

/**
 * Validates then writes a snapshot atomically, with its signature when `opts.signer` is given (the two
 * land together). Validation on write means a collector bug can never produce a file that the audit
 * would later reject. Returns the sha256 of the bytes written.
 */
export async function writeSnapshot(
  file: string,
  snapshot: Snapshot,
  opts: { force: boolean; signer?: EvidenceSigner | null },
): Promise<string> {
  const checked = snapshotSchema.safeParse(snapshot);
  if (!checked.success) {
    // A snapshot we built ourselves failing our own schema is a bug, not bad input.
    throw new Error(
      `internal: collected snapshot fails its schema: ${JSON.stringify(checked.error.issues[0])}`,
    );
  }
  const text = serializeSnapshot(checked.data);
  await writeEvidence(file, text, 'snapshot', opts.signer ?? null, { force: opts.force });
  return sha256Hex(text);
}
