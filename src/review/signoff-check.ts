/**
 * Consistency checks of a sign-off read back (docs/review.md, `review verify`: "emptying `actions` in signoff.json makes
 * `review verify` exit 0"). Two levels, both pure:
 * - {@link signoffCountProblem}: the record must add up by itself: its counts (in total, per org, per
 *   reviewer) equal the Revoke and Modify actions it lists, and no action is listed twice;
 * - {@link signoffSnapshotProblem}: against the snapshot that was signed off (the one whose sha256 the
 *   sign-off records): one decision per identity of that snapshot, and every action names an identity
 *   of it, with the kind, name, status and access the snapshot gives.
 *
 * Neither can tell a Keep that was a Revoke when the counts were edited to match: only the workbook
 * (`review apply` reads it again) or a signature (src/evidence) shows that.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Snapshot } from '../snapshot/schema.js';
import { snapshotIdentities, snapshotNetworkAccessRows } from './import.js';
import type { Signoff } from './signoff.js';

/** The first problem found: a JSON path in the sign-off and what is wrong there. */
export interface SignoffProblem {
  path: string;
  problem: string;
}

type Counts = { identities: number; keep: number; revoke: number; modify: number };
const COUNT_FIELDS = ['identities', 'keep', 'revoke', 'modify'] as const;

function actionCounts(actions: Signoff['actions']): { revoke: number; modify: number } {
  return {
    revoke: actions.filter((a) => a.decision === 'Revoke').length,
    modify: actions.filter((a) => a.decision === 'Modify').length,
  };
}

/** The first of `counts` that disagrees with its own parts or with the actions it covers. */
function countsProblem(
  counts: Counts,
  actions: Signoff['actions'],
  path: string,
  what: string,
): SignoffProblem | null {
  if (counts.identities !== counts.keep + counts.revoke + counts.modify)
    return {
      path: `${path}.identities`,
      problem: `${what}: ${counts.identities} decisions, but keep ${counts.keep} + revoke ${counts.revoke} + modify ${counts.modify} is ${counts.keep + counts.revoke + counts.modify}`,
    };
  const listed = actionCounts(actions);
  for (const d of ['revoke', 'modify'] as const)
    if (counts[d] !== listed[d])
      return {
        path: `${path}.${d}`,
        problem: `${what}: counts ${counts[d]} ${d === 'revoke' ? 'Revoke' : 'Modify'} decisions, but $.actions lists ${listed[d]}`,
      };
  return null;
}

function sum(rows: readonly Counts[]): Counts {
  const total: Counts = { identities: 0, keep: 0, revoke: 0, modify: 0 };
  for (const r of rows) for (const f of COUNT_FIELDS) total[f] += r[f];
  return total;
}

/** Checks that the sign-off adds up by itself; null when it does. */
export function signoffCountProblem(s: Signoff): SignoffProblem | null {
  const seen = new Map<string, number>();
  for (const [i, a] of s.actions.entries()) {
    const first = seen.get(a.key);
    if (first !== undefined)
      return { path: `$.actions[${i}].key`, problem: `${a.key} is listed twice ($.actions[${first}])` };
    seen.set(a.key, i);
  }
  const total = countsProblem(s.counts, s.actions, '$.counts', 'the sign-off');
  if (total) return total;

  const orgIds = new Set<string>();
  for (const [i, o] of s.byOrg.entries()) {
    if (orgIds.has(o.orgId))
      return { path: `$.byOrg[${i}].orgId`, problem: `organization ${o.orgId} is counted twice` };
    orgIds.add(o.orgId);
    const p = countsProblem(
      o,
      s.actions.filter((a) => a.orgId === o.orgId),
      `$.byOrg[${i}]`,
      `organization ${o.orgId}`,
    );
    if (p) return p;
  }
  for (const [i, a] of s.actions.entries())
    if (!orgIds.has(a.orgId))
      return { path: `$.actions[${i}].orgId`, problem: `organization ${a.orgId} is not counted in $.byOrg` };
  const byOrg = sum(s.byOrg);
  for (const f of COUNT_FIELDS)
    if (byOrg[f] !== s.counts[f])
      return {
        path: `$.counts.${f}`,
        problem: `${s.counts[f]}, but the organizations in $.byOrg add up to ${byOrg[f]}`,
      };

  const reviewers = new Set<string>();
  for (const [i, r] of s.reviewers.entries()) {
    const key = r.reviewer.toLowerCase();
    if (reviewers.has(key))
      return { path: `$.reviewers[${i}].reviewer`, problem: `reviewer ${r.reviewer} is counted twice` };
    reviewers.add(key);
    const p = countsProblem(
      r,
      s.actions.filter((a) => a.reviewer.toLowerCase() === key),
      `$.reviewers[${i}]`,
      `reviewer ${r.reviewer}`,
    );
    if (p) return p;
  }
  for (const [i, a] of s.actions.entries())
    if (!reviewers.has(a.reviewer.toLowerCase()))
      return {
        path: `$.actions[${i}].reviewer`,
        problem: `reviewer ${a.reviewer} is not counted in $.reviewers`,
      };
  const byReviewer = sum(s.reviewers);
  for (const f of COUNT_FIELDS)
    if (byReviewer[f] !== s.counts[f])
      return {
        path: `$.counts.${f}`,
        problem: `${s.counts[f]}, but the reviewers in $.reviewers add up to ${byReviewer[f]}`,
      };
  return s.byKind ? kindCountProblem(s, s.byKind) : null;
}

/** The per-kind counts (database users among them) add up like the per-org ones. */
function kindCountProblem(s: Signoff, byKind: NonNullable<Signoff['byKind']>): SignoffProblem | null {
  const kinds = new Set<string>();
  for (const [i, k] of byKind.entries()) {
    if (kinds.has(k.kind)) return { path: `$.byKind[${i}].kind`, problem: `kind ${k.kind} is counted twice` };
    kinds.add(k.kind);
    const p = countsProblem(
      k,
      s.actions.filter((a) => a.kind === k.kind),
      `$.byKind[${i}]`,
      `kind ${k.kind}`,
    );
    if (p) return p;
  }
  for (const [i, a] of s.actions.entries())
    if (!kinds.has(a.kind))
      return { path: `$.actions[${i}].kind`, problem: `kind ${a.kind} is not counted in $.byKind` };
  const total = sum(byKind);
  for (const f of COUNT_FIELDS)
    if (total[f] !== s.counts[f])
      return {
        path: `$.counts.${f}`,
        problem: `${s.counts[f]}, but the kinds in $.byKind add up to ${total[f]}`,
      };
  return null;
}

/**
 * Checks the sign-off against the snapshot it was made from (the caller has matched its sha256): one
 * decision per identity, per org and in total, and every action an identity of that snapshot as it was.
 */
export function signoffSnapshotProblem(s: Signoff, reviewed: Snapshot): SignoffProblem | null {
  if (s.snapshot.collectedAt !== reviewed.collectedAt)
    return {
      path: '$.snapshot.collectedAt',
      problem: `${s.snapshot.collectedAt}, but the signed-off snapshot was collected ${reviewed.collectedAt}`,
    };
  const identities = snapshotIdentities(reviewed);
  // Rows for flagged access list entries are optional: their decisions come on top, up to one per entry.
  const entries = snapshotNetworkAccessRows(reviewed);
  const entryDecisions = s.byKind?.find((k) => k.kind === 'networkAccessEntry')?.identities ?? 0;
  if (entryDecisions > entries.size)
    return {
      path: '$.byKind',
      problem: `${entryDecisions} network access entry decisions, but the signed-off snapshot has ${entries.size} entries`,
    };
  if (s.counts.identities !== identities.size + entryDecisions)
    return {
      path: '$.counts.identities',
      problem: `${s.counts.identities} decisions, but the signed-off snapshot has ${identities.size} identities (one decision each)${entryDecisions > 0 ? ` and ${entryDecisions} network access entries were decided` : ''}`,
    };
  for (const [i, o] of s.byOrg.entries()) {
    const held = [...identities.values()].filter((x) => x.orgId === o.orgId).length;
    const optional = [...entries.values()].filter((x) => x.orgId === o.orgId).length;
    if (o.identities < held || o.identities > held + optional)
      return {
        path: `$.byOrg[${i}].identities`,
        problem: `${o.identities} decisions in organization ${o.orgId}, but the signed-off snapshot has ${held} identities there${optional > 0 ? ` (and ${optional} network access entries that may be decided)` : ''}`,
      };
  }
  for (const [i, a] of s.actions.entries()) {
    const x = identities.get(a.key) ?? entries.get(a.key);
    const at = `$.actions[${i}]`;
    if (!x || x.id !== a.id || x.orgId !== a.orgId || x.subjectType !== a.subjectType)
      return {
        path: `${at}.id`,
        problem: `${a.subjectType} ${a.id} (${a.key}) is not an identity of the signed-off snapshot`,
      };
    for (const field of ['orgName', 'kind', 'name', 'status'] as const)
      if (x[field] !== a[field])
        return {
          path: `${at}.${field}`,
          problem: `${JSON.stringify(a[field])}, but in the signed-off snapshot ${a.key} is ${JSON.stringify(x[field])}`,
        };
    if (!isDeepStrictEqual(x.access, a.access))
      return {
        path: `${at}.access`,
        problem: `differs from the access ${a.key} held in the signed-off snapshot`,
      };
    // A database user's address and roles drive the plan's paths and bodies: they must be the snapshot's.
    if (!isDeepStrictEqual(x.networkAccess, a.networkAccess))
      return {
        path: `${at}.networkAccess`,
        problem: `differs from network access entry ${a.key} in the signed-off snapshot`,
      };
    if (!isDeepStrictEqual(x.databaseUser, a.databaseUser))
      return {
        path: `${at}.databaseUser`,
        problem: `differs from database user ${a.key} in the signed-off snapshot`,
      };
  }
  return null;
}
