/**
 * Reading `--previous <snapshot>` for `report` and `run` (issue 6: "findings are marked new, still open,
 * or resolved compared with the previous audit"). The previous snapshot is audited with the same rules,
 * policy, waivers and clock as the current one, so a finding only counts as new or resolved when the
 * estate changed, never because the rules or the date moved. The comparison itself is pure and happens
 * in the report model (src/report/model.ts).
 */
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import type { PreviousReview } from '../report/model.js';
import { readInputFile } from '../util/files.js';
import { type AuditFileOptions, auditFromFiles } from './audit-input.js';

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

/**
 * Reads and audits the previous review's snapshot. `audit` are the current run's audit options (rules,
 * policy, waivers, fail-on); the baseline is dropped because it only decides the gate, not which
 * findings fire. `shown` is the file as the user named it, for the report.
 */
export async function loadPrevious(
  file: string,
  audit: Omit<AuditFileOptions, 'snapshotFile'>,
  now: Date,
  shown: string = basename(file),
): Promise<PreviousReview> {
  let read: Awaited<ReturnType<typeof auditFromFiles>>;
  try {
    read = await auditFromFiles({ ...audit, baselineFile: undefined, snapshotFile: file }, now);
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
  return { snapshot: loaded.snapshot, snapshotSha256: loaded.sha256, file: shown, audit: result };
}
