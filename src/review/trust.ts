/**
 * Decisions an auditor trusts (docs/review.md, "Campaigns"): which Keeps need a written justification,
 * and the rubber-stamp signals of a sign-off. Both `review import` and `review merge` use them; both
 * are pure (the caller runs the audit that says which rows are flagged).
 */
import type { Finding } from '../audit/types.js';
import { compareText } from '../domain/compare-text.js';
import { privilegedGrants } from '../domain/database-access.js';
import { identityKey } from '../domain/keys.js';
import { GROUP_OWNER, ORG_OWNER } from '../domain/roles.js';
import type { Snapshot } from '../snapshot/schema.js';
import { visibleText } from '../util/address.js';
import type { ReviewDecision, SnapshotIdentity } from './import.js';

/** Identity keys of the rows with an open (unwaived) finding, as the Review sheet keys them. */
export function flaggedKeys(findings: readonly Finding[]): Set<string> {
  const out = new Set<string>();
  for (const f of findings)
    if (!f.waived) out.add(identityKey(f.orgId, f.subject.type as 'user', f.subject.id));
  return out;
}

/**
 * Why a Keep of an identity needs a justification: Org Owner, Project Owner, or a privileged database
 * role (src/domain/database-roles.ts, custom roles resolved through their project), or open findings.
 * Null when none applies.
 */
export function keepJustificationRule(
  snapshot: Snapshot,
  flagged: ReadonlySet<string>,
): (identity: SnapshotIdentity) => string | null {
  const customRoles = new Map(
    snapshot.organizations.flatMap((o) => o.projects.map((p) => [p.id, p.customRoles] as const)),
  );
  return (identity) => {
    const reasons: string[] = [];
    if (identity.access.orgRoles.includes(ORG_OWNER)) reasons.push('Org Owner');
    if (identity.access.projectRoles.some((p) => p.roles.includes(GROUP_OWNER)))
      reasons.push('Project Owner');
    const d = identity.databaseUser;
    if (d) {
      const privileged = d.roles.flatMap((r) => privilegedGrants(r, customRoles.get(d.projectId) ?? []));
      if (privileged.length > 0)
        reasons.push(`privileged database role ${[...new Set(privileged)].join(', ')}`);
    }
    if (flagged.has(identity.key)) reasons.push('open findings');
    return reasons.length > 0 ? reasons.join(', ') : null;
  };
}

/** Rubber-stamp thresholds: a reviewer deciding at least `identicalCommentRows` rows with one comment. */
const RUBBER_STAMP_DEFAULTS = { identicalCommentRows: 100 } as const;

/** One rubber-stamp signal, as the sign-off records it. */
export interface RubberStampSignal {
  reviewer: string;
  signal: 'kept-everything' | 'identical-comment';
  /** Rows the reviewer decided. */
  rows: number;
  /** kept-everything: flagged rows among them; identical-comment: rows with that one comment. */
  count: number;
  /** identical-comment: the comment. */
  comment: string | null;
}

/**
 * Rubber-stamp signals: a reviewer who kept every row they decided including at least one flagged
 * row, and a reviewer who decided at least `identicalCommentRows` rows all with one identical comment.
 * Sorted by reviewer, then signal.
 */
export function rubberStampSignals(
  decisions: readonly Pick<ReviewDecision, 'reviewer' | 'decision' | 'comment' | 'key'>[],
  flagged: ReadonlySet<string>,
  identicalCommentRows: number = RUBBER_STAMP_DEFAULTS.identicalCommentRows,
): RubberStampSignal[] {
  const byReviewer = new Map<string, Array<(typeof decisions)[number]>>();
  for (const d of decisions) {
    const k = d.reviewer.toLowerCase();
    const list = byReviewer.get(k) ?? [];
    list.push(d);
    byReviewer.set(k, list);
  }
  const out: RubberStampSignal[] = [];
  for (const [reviewer, rows] of [...byReviewer].sort((a, b) => compareText(a[0], b[0]))) {
    const flaggedKept = rows.filter((d) => flagged.has(d.key)).length;
    if (rows.every((d) => d.decision === 'Keep') && flaggedKept > 0)
      out.push({ reviewer, signal: 'kept-everything', rows: rows.length, count: flaggedKept, comment: null });
    const top = mostCommonComment(rows);
    if (top && top.count >= identicalCommentRows)
      out.push({
        reviewer,
        signal: 'identical-comment',
        rows: rows.length,
        count: top.count,
        comment: top.comment,
      });
  }
  return out;
}

/**
 * What makes two comments one for the rubber-stamp count: the letters and digits a reader sees, in
 * lower case (NFKC, invisible characters, spaces and punctuation dropped), so `OK`, `ok.`, ` o k ` and
 * `ok\u200b` are one comment. Digits stay: `CHG-1041` and `CHG-1042` are two tickets, two comments (so
 * `ok 1`, `ok 2` still count apart: a heuristic, docs/review.md).
 */
function commentKey(comment: string): string {
  return visibleText(comment)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The comment written on most rows (compared by {@link commentKey}), with its count. */
function mostCommonComment(
  rows: readonly { comment: string | null }[],
): { comment: string; count: number } | null {
  const counts = new Map<string, { comment: string; count: number }>();
  for (const d of rows) {
    const c = (d.comment ?? '').trim();
    const k = commentKey(c);
    if (k === '') continue;
    const e = counts.get(k) ?? { comment: c, count: 0 };
    e.count++;
    counts.set(k, e);
  }
  let top: { comment: string; count: number } | null = null;
  for (const e of [...counts.values()].sort((a, b) => compareText(a.comment, b.comment)))
    if (top === null || e.count > top.count) top = e;
  return top;
}

/** A signal as one line of prose (warnings and the review rule's finding message). */
export function formatSignal(s: RubberStampSignal): string {
  return s.signal === 'kept-everything'
    ? `${s.reviewer} kept all ${s.rows} rows they decided, ${s.count} of them flagged`
    : `${s.reviewer} wrote one identical comment ${JSON.stringify(s.comment)} on ${s.count} of the ${s.rows} rows they decided`;
}
