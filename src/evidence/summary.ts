/**
 * What the reports say about the evidence they were made from: signed and verified (by which key, which
 * files), or unsigned. One line, shown in the verdict or summary area of every format, so a reader of a
 * report learns whether anything vouches for the snapshot behind it. Pure.
 */
import { basename } from 'node:path';
import { EVIDENCE_KIND_TEXT, type EvidenceCheck, type EvidenceKind } from './signature.js';

/** The evidence behind a report, for the report model and the audit formats. */
export interface EvidenceSummary {
  /** verified: every file read was checked against a configured key; unsigned: nothing was checked. */
  status: 'verified' | 'unsigned';
  /** Fingerprints of the keys that signed the files (verified only). */
  signers: string[];
  /** The files read (base names) with their kind and signing time (null when not checked). */
  files: Array<{ kind: EvidenceKind; file: string; signedAt: string | null }>;
  /** The one line every format shows. */
  statement: string;
}

/** The line for unsigned evidence, naming what was read (the snapshot when nothing is named). */
function unsignedStatement(kinds: readonly EvidenceKind[]): string {
  const names = [...new Set(kinds.length === 0 ? ['snapshot'] : kinds.map((k) => EVIDENCE_KIND_TEXT[k]))];
  const what = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const many = names.length > 1;
  const since = what === 'snapshot' ? 'it was collected' : many ? 'they were written' : 'it was written';
  return `Evidence unsigned: no verify key was configured, so nothing shows the ${what} ${many ? 'were' : 'was'} not edited after ${since}.`;
}

/** Sums up the checks of the files a report was made from (the snapshot first). */
export function summarizeEvidence(checks: readonly EvidenceCheck[]): EvidenceSummary {
  const files = checks.map((c) => ({
    kind: c.kind,
    file: basename(c.file),
    signedAt: c.signature?.signedAt ?? null,
  }));
  if (checks.length === 0 || checks.some((c) => c.signature === null))
    return {
      status: 'unsigned',
      signers: [],
      files,
      statement: unsignedStatement(checks.map((c) => c.kind)),
    };
  const signers = [...new Set(checks.map((c) => c.signature!.fingerprint))];
  const what = files.map((f) => `${EVIDENCE_KIND_TEXT[f.kind]} ${f.file}`).join(', ');
  return {
    status: 'verified',
    signers,
    files,
    statement: `Evidence signed by ${signers.join(' and ')}, verified (${what}).`,
  };
}
