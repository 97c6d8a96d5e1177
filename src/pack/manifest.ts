/**
 * `manifest.json` of an evidence pack: what is in it (sha256 and size of every file), what made it, what
 * the collection read against what Atlas said it held, and the verdict. The schema is the reader's
 * check too: `evidence verify` refuses a pack whose manifest does not parse (exit 2).
 */
import * as z from 'zod';
import { collectorSchema, coverageSchema } from '../snapshot/schema.js';

export const PACK_SCHEMA_VERSION = 1 as const;

/** Fixed entry names of the pack itself. */
export const MANIFEST_NAME = 'manifest.json';
export const SEAL_NAME = 'manifest.sig.json';
export const INDEX_NAME = 'index.html';
export const CONTROLS_NAME = 'controls.csv';

/** What each packed file is. */
const PACK_ROLES = [
  'snapshot',
  'previous-snapshot',
  'next-snapshot',
  'report',
  'signoff',
  'workbook',
  'campaign',
  'plan',
  'apply-log',
  'verify',
  'roster',
  'policy',
  'waivers',
  'rules',
  'signature',
  'controls',
  'index',
] as const;
export type PackRole = (typeof PACK_ROLES)[number];

const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'expected a sha256 hex digest');
const text = z.string().max(10_000);

const packFileSchema = z.strictObject({
  /** Entry name in the zip. */
  name: z.string().max(400),
  role: z.enum(PACK_ROLES),
  /** The path the file was packed from, as given on the command line; null for files the pack made. */
  source: text.nullable(),
  sha256,
  size: z.number().int().nonnegative(),
});
export type PackFile = z.infer<typeof packFileSchema>;

/** One listing of the collection: items read against Atlas's `totalCount` (the completeness tie-out). */
const tieOutSchema = z.strictObject({
  endpoint: text,
  itemsRead: z.number().int().nonnegative(),
  totalCount: z.number().int().nonnegative().nullable(),
  pages: z.number().int().nonnegative(),
  /** itemsRead === totalCount; null when the endpoint reports no totalCount. */
  tiesOut: z.boolean().nullable(),
});

const chainLinkSchema = z.strictObject({
  /** The file that names another, and where (`signoff.json $.snapshot.sha256`). */
  from: text,
  field: text,
  /** The file it should name. */
  to: text,
  claimed: text.nullable(),
  actual: text.nullable(),
  /** ok: they match; mismatch: they do not; unchecked: one side is not in the pack (why in `note`). */
  status: z.enum(['ok', 'mismatch', 'unchecked']),
  note: text.nullable(),
});
export type ChainLink = z.infer<typeof chainLinkSchema>;

export const manifestSchema = z.strictObject({
  packSchemaVersion: z.literal(PACK_SCHEMA_VERSION),
  tool: z.strictObject({ name: text, version: text }),
  /** The command that made the pack: its argv as given (paths and flags; it takes no secret). */
  command: z.array(text).max(500),
  /** The latest time any packed evidence records (collection, sign-off, apply, verify): the pack's date. */
  sealedAt: text,
  collection: z.strictObject({
    collectedAt: text,
    tool: z.strictObject({ name: text, version: text }),
    baseUrl: text,
    api: text,
    /** Users endpoint version for atlas-v2; null for cloud-manager. */
    apiVersion: text.nullable(),
    auth: text,
    requests: z.number().int().nonnegative(),
    /**
     * The command line that collected the snapshot (argv rebuilt from its options, secrets scrubbed), as
     * the snapshot records it (`collector.command`); null when it does not (schema 1 to 3, or a library
     * caller that gave none).
     */
    command: collectorSchema.shape.command,
    /**
     * The identity that collected (kind, client id or public key, never a secret) and, per collected
     * organization, the roles the snapshot shows it holding (`found`), or that it is not in the org's
     * listing (`not-found`) or the listing was not collected; null when the snapshot does not record it.
     */
    identity: collectorSchema.shape.identity.nullable(),
    organizations: z.array(
      z.strictObject({
        id: text,
        name: text,
        coverage: coverageSchema,
        listings: z.array(tieOutSchema),
        notes: z.array(text),
      }),
    ),
  }),
  review: z.strictObject({
    signedOffAt: text.nullable(),
    applyFinishedAt: text.nullable(),
    verifiedAt: text.nullable(),
    auditedAt: text,
  }),
  verdict: z.strictObject({
    failOn: text,
    gateFailed: z.boolean(),
    failing: z.number().int().nonnegative(),
    findings: z.number().int().nonnegative(),
    open: z.number().int().nonnegative(),
    waived: z.number().int().nonnegative(),
    notEvaluated: z.number().int().nonnegative(),
    controls: z.record(z.string(), z.number().int().nonnegative()),
  }),
  chain: z.array(chainLinkSchema),
  files: z.array(packFileSchema).max(2000),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** The manifest as bytes: 2-space JSON with a trailing newline (key order is the builder's, fixed). */
export function serializeManifest(m: Manifest): Uint8Array {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8');
}
