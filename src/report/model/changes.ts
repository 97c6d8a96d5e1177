/**
 * Changes phase of the report model (docs/report.md, "Changes since the last review"): the previous snapshot
 * diffed against this one, and the previous audit's findings compared with this audit's.
 */
import type { FindingComparison } from '../../changes/compare-findings.js';
import { CHANGE_KINDS, diffSnapshots } from '../../changes/diff.js';
import { CHANGE_KIND_TITLES, diffTableRows } from '../../changes/format-diff.js';
import type { Snapshot } from '../../snapshot/schema.js';
import type { ChangeKindCount, PreviousReview, ReportChanges, ReportModel } from '../model.js';
import { databaseAccessCollected } from './sections/database-access.js';
import { zeroSeverities } from './shared.js';

/**
 * Roster size of a snapshot, counted as the roster counts it (every user row, key and account), with
 * the database users of the orgs in `withDatabase` (those collected on both sides: a previous review
 * without database data must not make every database user look like a new identity).
 */
function rosterSize(snapshot: Snapshot, withDatabase: ReadonlySet<string>): number {
  let n = 0;
  for (const o of snapshot.organizations) {
    n += o.users.length + o.apiKeys.length + o.serviceAccounts.length;
    if (withDatabase.has(o.id)) for (const p of o.projects) n += p.databaseUsers.length;
  }
  return n;
}

/** Orgs whose database users are on the roster in both snapshots. */
function comparableDatabaseOrgs(before: Snapshot, after: Snapshot): Set<string> {
  const then = new Set(before.organizations.filter(databaseAccessCollected).map((o) => o.id));
  return new Set(
    after.organizations.filter((o) => databaseAccessCollected(o) && then.has(o.id)).map((o) => o.id),
  );
}

/**
 * The model's `changes`, from the model's findings and counts (built first) and the previous review.
 */
export function computeChanges(
  model: ReportModel,
  snapshot: Snapshot,
  previous: PreviousReview,
  comparison: FindingComparison,
): ReportChanges {
  const diff = diffSnapshots(previous.snapshot, snapshot);
  // Escalations first, so a reader of a long table sees them without filtering; the sort is stable, so
  // the diff's own order (org, change kind, subject) holds within each part.
  const rows = diffTableRows(diff).sort(
    (a, b) => (a.escalation === '' ? 1 : 0) - (b.escalation === '' ? 1 : 0),
  );
  const byKind: ChangeKindCount[] = CHANGE_KINDS.filter((k) => diff.summary.byKind[k] > 0).map((kind) => ({
    kind,
    change: CHANGE_KIND_TITLES[kind],
    count: diff.summary.byKind[kind],
  }));
  let newOpen = 0;
  for (const g of model.findings)
    for (const r of g.rules)
      for (const f of r.findings) if (f.sinceLastReview === 'new' && !f.waived) newOpen++;
  const then = zeroSeverities();
  let thenOpen = 0;
  for (const f of previous.audit.findings) {
    if (f.waived) continue;
    then[f.severity]++;
    thenOpen++;
  }
  const now = model.summary.findings.openBySeverity;
  const previousIdentities = rosterSize(
    previous.snapshot,
    new Set(previous.snapshot.organizations.filter(databaseAccessCollected).map((o) => o.id)),
  );
  const comparable = comparableDatabaseOrgs(previous.snapshot, snapshot);
  return {
    previous: {
      file: previous.file,
      collectedAt: previous.snapshot.collectedAt,
      snapshotSha256: previous.snapshotSha256,
      identities: previousIdentities,
      findings: previous.audit.findings.length,
    },
    summary: {
      total: diff.summary.total,
      escalations: diff.summary.escalations,
      joiners: diff.summary.joiners,
      leavers: diff.summary.leavers,
      byKind,
    },
    rows,
    findings: {
      new: comparison.counts.new,
      stillOpen: comparison.counts.stillOpen,
      resolved: comparison.counts.resolved,
      newOpen,
    },
    resolved: comparison.resolved,
    openDelta: {
      critical: now.critical - then.critical,
      high: now.high - then.high,
      medium: now.medium - then.medium,
      low: now.low - then.low,
      total: model.summary.findings.open - thenOpen,
    },
    identitiesDelta: rosterSize(snapshot, comparable) - rosterSize(previous.snapshot, comparable),
  };
}
