import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { readInputFile, writeFileAtomic } from '../util/files.js';
import { parseJsonText, parseWithSchema } from '../util/validate.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot, snapshotSchema, withSignInsCoverage } from './schema.js';

/** A snapshot read from disk, with the sha256 of its exact bytes (the evidence fingerprint). */
export interface LoadedSnapshot {
  snapshot: Snapshot;
  file: string;
  sha256: string;
}

/** Serialises a snapshot deterministically (2-space JSON, trailing newline). */
export function serializeSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parses and validates snapshot text; errors name the file and the JSON path at fault (exit 2). */
export function parseSnapshot(text: string, file: string): Snapshot {
  const data = parseJsonText(text, file);
  if (
    data &&
    typeof data === 'object' &&
    'schemaVersion' in data &&
    data.schemaVersion !== SNAPSHOT_SCHEMA_VERSION
  ) {
    throw new InputError(
      file,
      '$.schemaVersion',
      `unsupported snapshot schemaVersion ${JSON.stringify(data.schemaVersion)} (this tool reads ${SNAPSHOT_SCHEMA_VERSION})`,
    );
  }
  return parseWithSchema(snapshotSchema, withSignInsCoverage(data), file);
}

/** Reads, validates and fingerprints a snapshot file. */
export async function readSnapshot(file: string): Promise<LoadedSnapshot> {
  const text = await readInputFile(file);
  return { snapshot: parseSnapshot(text, file), file, sha256: sha256Hex(text) };
}

/**
 * Validates then writes a snapshot atomically. Validation on write means a collector bug can never
 * produce a file that the audit would later reject. Returns the sha256 of the bytes written.
 */
export async function writeSnapshot(
  file: string,
  snapshot: Snapshot,
  opts: { force: boolean },
): Promise<string> {
  const checked = snapshotSchema.safeParse(snapshot);
  if (!checked.success) {
    // A snapshot we built ourselves failing our own schema is a bug, not bad input.
    throw new Error(
      `internal: collected snapshot fails its schema: ${JSON.stringify(checked.error.issues[0])}`,
    );
  }
  const text = serializeSnapshot(checked.data);
  await writeFileAtomic(file, text, opts);
  return sha256Hex(text);
}
