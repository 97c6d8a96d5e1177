/**
 * Builds an evidence pack from files already read: the manifest (hashes, provenance, completeness
 * tie-out, verdict, chain), controls.csv, index.html and the seal, zipped deterministically. Pure: the
 * same files, audit, argv and key give the same bytes.
 */
import type { AuditResult } from '../audit/types.js';
import { UsageError } from '../errors.js';
import type { SigningKey } from '../evidence/signature.js';
import type { Snapshot } from '../snapshot/schema.js';
import { sha256Hex } from '../snapshot/store.js';
import { CHAIN_FILES, checkChain } from './chain.js';
import { controlCounts, controlMatrix, renderControlsCsv } from './controls.js';
import { renderPackIndex } from './index-html.js';
import {
  CONTROLS_NAME,
  INDEX_NAME,
  MANIFEST_NAME,
  type Manifest,
  PACK_SCHEMA_VERSION,
  type PackFile,
  type PackRole,
  SEAL_NAME,
  serializeManifest,
} from './manifest.js';
import { sealManifest } from './seal.js';
import { entryNameProblem, fileFolderClash, writeZip } from './zip.js';

/** One file to pack: its entry name, what it is, where it came from, its bytes. */
export interface PackSource {
  name: string;
  role: Exclude<PackRole, 'controls' | 'index'>;
  source: string;
  bytes: Uint8Array;
}

export interface PackInput {
  files: readonly PackSource[];
  /** The packed snapshot (`snapshot.json`), parsed. */
  snapshot: Snapshot;
  /** The audit of that snapshot with the packed rules, policy and waivers. */
  audit: AuditResult;
  /** The pack command's argv as given. */
  command: readonly string[];
  tool: { name: string; version: string };
  key: SigningKey;
}

function json(bytes: Uint8Array | undefined): Record<string, unknown> | null {
  if (!bytes) return null;
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function collection(s: Snapshot): Manifest['collection'] {
  return {
    collectedAt: s.collectedAt,
    tool: { name: s.tool.name, version: s.tool.version },
    baseUrl: s.source.baseUrl,
    api: s.source.api,
    apiVersion: s.source.apiVersion,
    auth: s.source.auth,
    requests: s.stats.requests,
    command: s.collector?.command ?? null,
    identity: s.collector?.identity ?? null,
    organizations: s.organizations.map((o) => ({
      id: o.id,
      name: o.name,
      coverage: o.coverage,
      listings: o.completeness.map((c) => ({
        endpoint: c.endpoint,
        itemsRead: c.itemsRead,
        totalCount: c.totalCount,
        pages: c.pages,
        tiesOut: c.totalCount === null ? null : c.itemsRead === c.totalCount,
      })),
      notes: [...o.notes],
    })),
  };
}

/** The inputs as zip entries and manifest rows; a name that is unsafe or taken is a UsageError. */
function packFiles(sources: readonly PackSource[]): { entries: Map<string, Uint8Array>; files: PackFile[] } {
  const entries = new Map<string, Uint8Array>();
  const files: PackFile[] = [];
  for (const f of sources) {
    const problem = entryNameProblem(f.name);
    if (problem) throw new UsageError(`cannot pack ${f.source} as ${JSON.stringify(f.name)}: ${problem}`);
    if (entries.has(f.name) || [MANIFEST_NAME, SEAL_NAME, INDEX_NAME, CONTROLS_NAME].includes(f.name))
      throw new UsageError(`two files would be packed as ${f.name} (${f.source})`);
    entries.set(f.name, f.bytes);
    files.push(fileRow(f.name, f.role, f.source, f.bytes));
  }
  // A name that is also a folder of another could not be extracted as both.
  const clash = fileFolderClash(entries.keys());
  if (clash)
    throw new UsageError(`${clash.folder} would be packed both as a file and as the folder of ${clash.name}`);
  return { entries, files };
}

function fileRow(name: string, role: PackRole, source: string | null, bytes: Uint8Array): PackFile {
  return { name, role, source, sha256: sha256Hex(bytes), size: bytes.byteLength };
}

const byName = (x: PackFile, y: PackFile) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);

/** The review's times as its files record them. */
function reviewTimes(entries: ReadonlyMap<string, Uint8Array>, audit: AuditResult): Manifest['review'] {
  return {
    signedOffAt: str(json(entries.get(CHAIN_FILES.signoff))?.signedOffAt),
    applyFinishedAt: str(json(entries.get(CHAIN_FILES.applyLog))?.finishedAt),
    verifiedAt: str(json(entries.get(CHAIN_FILES.verify))?.checkedAt),
    auditedAt: audit.evaluatedAt,
  };
}

function verdict(a: AuditResult, controls: Record<string, number>): Manifest['verdict'] {
  return {
    failOn: a.gate.failOn,
    gateFailed: a.gate.failed,
    failing: a.gate.failing,
    findings: a.summary.total,
    open: a.summary.open,
    waived: a.summary.waived,
    notEvaluated: a.notEvaluated.length,
    controls,
  };
}

/** The zip bytes and the manifest in it. Refuses (UsageError, exit 2) files that are not one cycle. */
export function buildPack(input: PackInput): { zip: Uint8Array; manifest: Manifest } {
  const { entries, files } = packFiles(input.files);
  const chain = checkChain(entries);
  const broken = chain.filter((c) => c.status === 'mismatch');
  if (broken.length > 0)
    throw new UsageError(
      `these files are not one review cycle: ${broken.map((c) => `${c.from} ${c.field}: ${c.note}`).join('; ')}`,
      {
        hint: 'pack the snapshot, sign-off, plan, apply log and verify result that were made from each other',
      },
    );
  const review = reviewTimes(entries, input.audit);
  // The pack's date is the latest the evidence records, not the packing clock: packing again gives the same bytes.
  const times = [input.snapshot.collectedAt, review.signedOffAt, review.applyFinishedAt, review.verifiedAt]
    .filter((t): t is string => t !== null)
    .sort();
  const evidenceFiles = files.filter((f) => f.role === 'snapshot' || f.role === 'report').map((f) => f.name);
  const controls = controlMatrix(input.audit, evidenceFiles);
  const counts = controlCounts(controls);
  const manifest: Manifest = {
    packSchemaVersion: PACK_SCHEMA_VERSION,
    tool: { name: input.tool.name, version: input.tool.version },
    command: [...input.command],
    sealedAt: times[times.length - 1]!,
    collection: collection(input.snapshot),
    review,
    verdict: verdict(input.audit, counts),
    chain,
    files,
  };
  const csv = Buffer.from(renderControlsCsv(controls), 'utf8');
  entries.set(CONTROLS_NAME, csv);
  files.push(fileRow(CONTROLS_NAME, 'controls', null, csv));
  files.sort(byName);
  // The index lists every other file with its hash; it is then hashed into the manifest itself.
  const html = Buffer.from(renderPackIndex(manifest, controls, counts, input.key.fingerprint), 'utf8');
  entries.set(INDEX_NAME, html);
  files.push(fileRow(INDEX_NAME, 'index', null, html));
  files.sort(byName);
  const manifestBytes = serializeManifest(manifest);
  entries.set(MANIFEST_NAME, manifestBytes);
  const seal = sealManifest(manifestBytes, input.key);
  entries.set(SEAL_NAME, Buffer.from(`${JSON.stringify(seal, null, 2)}\n`, 'utf8'));
  return { zip: writeZip(entries), manifest };
}
