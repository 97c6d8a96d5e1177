/**
 * Reading `--previous <snapshot>` for `report` and `run` (docs/report.md, "Changes since the last review": "findings are marked new, still open,
 * or resolved compared with the previous audit"). The previous snapshot is audited with the same rules,
 * policy, waivers and clock as the current one, so a finding only counts as new or resolved when the
 * estate changed, never because the rules or the date moved. The comparison itself is pure and happens
 * in the report model (src/report/model.ts).
 */
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import type { EvidenceCheck } from '../evidence/signature.js';
import type { PreviousReview } from '../report/model.js';
import { readInputFile } from '../util/files.js';
import { type AuditFileOptions, auditFromFiles } from './audit-inputs.js';

/**
 * A JSON report (what `--previous` took before it took a snapshot) has `reportSchemaVersion` at the top
 * level (the model's first key); a snapshot has `schemaVersion`. Only the start of the file is looked at.
 */
const REPORT_MARKER = /^\s*\{\s*"reportSchemaVersion"\s*:/;

async function isJsonReport(file: string): Promise<boolean> {
  try {
    return REPORT_MARKER.test((await readInputFile(file)).slice(0, 200));
  } catch {
    return false;
  }
}

/** The previous review, with the signature check of its snapshot (for the report's evidence line). */
export type LoadedPrevious = PreviousReview & { evidence: EvidenceCheck };

/**
 * Reads and audits the previous review's snapshot with the current run's rules, policy, waivers and
 * fail-on (other options of `audit` are ignored, see below). `shown` is the file as the user named it,
 * for the report. Errors are InputErrors naming the file and JSON path (exit 2).
 */
export async function loadPrevious(
  file: string,
  audit: Omit<AuditFileOptions, 'snapshotFile'>,
  now: Date,
  shown: string = basename(file),
): Promise<LoadedPrevious> {
  let read: Awaited<ReturnType<typeof auditFromFiles>>;
  try {
    // Picked, not spread: inputs that only judge the current snapshot stay out. A baseline decides the
    // gate, not which findings fire; a sign-off is verified against a later snapshot, and the previous
    // one is usually the very snapshot that was signed off.
    const opts: AuditFileOptions = {
      snapshotFile: file,
      rulesDir: audit.rulesDir,
      policyFile: audit.policyFile,
      waiversFile: audit.waiversFile,
      failOn: audit.failOn,
      // The same presets, so a finding is never new only because a framework moved a threshold.
      frameworks: audit.frameworks,
      // Last quarter's evidence is held to the same keys as this quarter's.
      keys: audit.keys,
    };
    read = await auditFromFiles(opts, now);
  } catch (error) {
    // Only when the file failed as a snapshot is it read again, to say what it is instead.
    if (error instanceof InputError && error.file === file && (await isJsonReport(file))) {
      throw new InputError(file, '$', 'is a JSON report, not a snapshot', {
        hint: "--previous takes the previous review's snapshot file (the report names its sha256 in meta.snapshotSha256)",
      });
    }
    throw error;
  }
  const { loaded, audit: result } = read;
  return {
    snapshot: loaded.snapshot,
    snapshotSha256: loaded.sha256,
    file: shown,
    audit: result,
    evidence: loaded.evidence,
  };
}
