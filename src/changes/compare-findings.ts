/**
 * Findings compared with the previous review's audit (docs/report.md, "Changes since the last review": "findings are marked new, still open, or
 * resolved compared with the previous audit"). Pure; matched on the audit's stable finding key
 * (ruleId|orgId|subjectType|subjectId), so a renamed user keeps their findings' history.
 *
 * For the report stage: audit the previous snapshot with the same rules, policy and waivers, then call
 * `compareFindings(previousAudit, currentAudit)`; `marks` gives each current finding's mark and
 * `resolved` the findings that are gone.
 */

import type { Finding } from '../audit/types.js';
import type { Severity } from '../domain/severity.js';
import { severityRank } from '../domain/severity.js';

/** Mark of a current finding. */
export type FindingMark = 'new' | 'still-open';

/** A previous finding that no longer fires. */
/** A finding flattened for tables: what it is, where, about whom. Shared by report rows and resolved lists. */
export interface FindingIdentity {
  key: string;
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  orgId: string;
  orgName: string;
  subjectType: Finding['subject']['type'];
  subjectId: string;
  subjectName: string;
  message: string;
}

export function findingIdentity(f: Finding): FindingIdentity {
  return {
    key: f.key,
    ruleId: f.ruleId,
    ruleTitle: f.ruleTitle,
    severity: f.severity,
    orgId: f.orgId,
    orgName: f.orgName,
    subjectType: f.subject.type,
    subjectId: f.subject.id,
    subjectName: f.subject.name,
    message: f.message,
  };
}

export interface ResolvedFinding extends FindingIdentity {
  /** True when it was waived in the previous audit (resolved rather than merely excepted now). */
  wasWaived: boolean;
}

export interface FindingComparison {
  /** Mark of every current finding, by key. */
  marks: Map<string, FindingMark>;
  /** Previous findings absent now, most severe first, then by key. */
  resolved: ResolvedFinding[];
  counts: { new: number; stillOpen: number; resolved: number };
}

/**
 * Compares two audits' findings. A current finding is `still-open` when its key was among the previous
 * findings (waived or not), otherwise `new`; a previous finding whose key is gone is resolved.
 */
export function compareFindings(
  previous: { findings: readonly Finding[] },
  current: { findings: readonly Finding[] },
): FindingComparison {
  const before = new Map(previous.findings.map((f) => [f.key, f]));
  const nowKeys = new Set(current.findings.map((f) => f.key));
  const marks = new Map<string, FindingMark>();
  let stillOpen = 0;
  for (const f of current.findings) {
    const mark: FindingMark = before.has(f.key) ? 'still-open' : 'new';
    if (mark === 'still-open') stillOpen++;
    marks.set(f.key, mark);
  }
  const resolved: ResolvedFinding[] = [...before.values()]
    .filter((f) => !nowKeys.has(f.key))
    .map((f) => ({ ...findingIdentity(f), wasWaived: f.waived }))
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  return {
    marks,
    resolved,
    counts: { new: marks.size - stillOpen, stillOpen, resolved: resolved.length },
  };
}
