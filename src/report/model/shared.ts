/**
 * Small pure helpers the report model's phases share: ordering, zeroed counters, dates and the lines
 * roles and access lists are shown as (ordering, keys and severities come from src/domain).
 */
import type { NotEvaluated } from '../../audit/types.js';
import { compareText } from '../../domain/compare-text.js';
import type {
  FindingCounts,
  FindingRow,
  IdentityCounts,
  NotEvaluatedGroup,
  SeverityCounts,
} from '../model.js';

const DAY_MS = 86_400_000;

export function zeroSeverities(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

export function zeroFindingCounts(): FindingCounts {
  return {
    total: 0,
    open: 0,
    waived: 0,
    bySeverity: zeroSeverities(),
    openBySeverity: zeroSeverities(),
    gating: 0,
  };
}

export function zeroIdentities(): IdentityCounts {
  return {
    users: 0,
    pendingInvitations: 0,
    staleInvitations: 0,
    apiKeys: 0,
    serviceAccounts: 0,
    nonHumanUsers: 0,
    systemManagedServiceAccounts: 0,
    projectInvitations: 0,
    databaseUsers: 0,
    accessListEntries: 0,
    total: 0,
    ownerUsers: 0,
    ownerProgrammatic: 0,
  };
}

/** Counts one finding row into `counts`. */
export function addFinding(counts: FindingCounts, row: FindingRow): void {
  counts.total++;
  counts.bySeverity[row.severity]++;
  if (row.waived) counts.waived++;
  else {
    counts.open++;
    counts.openBySeverity[row.severity]++;
  }
  if (row.gating) counts.gating++;
}

/** The latest of some ISO timestamps (ISO UTC strings sort chronologically), or null. */
export function latest(values: Array<string | null>): string | null {
  let best: string | null = null;
  for (const v of values) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

export function earliest(values: Array<string | null>): string | null {
  let best: string | null = null;
  for (const v of values) if (v !== null && (best === null || v < best)) best = v;
  return best;
}

export function daysBetween(fromIso: string | null, to: Date): number | null {
  if (fromIso === null) return null;
  return Math.max(0, Math.floor((to.getTime() - Date.parse(fromIso)) / DAY_MS));
}

/** `compute` run on the first call only; later calls return its first result. */
export function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/** Appends to the list under `key`, creating it on first use. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Access-list entries as CIDR blocks or addresses, sorted. */
export function accessListLines(
  entries: ReadonlyArray<{ cidrBlock: string | null; ipAddress: string | null }>,
): string[] {
  return entries
    .map((a) => a.cidrBlock ?? a.ipAddress ?? '')
    .filter((x) => x !== '')
    .sort(compareText);
}

/** `Project name: ROLE_A, ROLE_B` per grant, sorted. */
export function projectRoleLines(
  grants: Array<{ projectId: string; roles: string[] }>,
  projectNames: Map<string, string>,
): string[] {
  return grants
    .map(
      (g) => `${projectNames.get(g.projectId) ?? g.projectId}: ${[...g.roles].sort(compareText).join(', ')}`,
    )
    .sort(compareText);
}

/** Groups not-evaluated entries by reason: [{reason, rules}] sorted by reason, rule ids sorted. */
export function groupByReason(list: readonly NotEvaluated[]): NotEvaluatedGroup[] {
  const byReason = new Map<string, string[]>();
  for (const n of list) pushTo(byReason, n.reason, n.ruleId);
  return [...byReason]
    .map(([reason, rules]) => ({ reason, rules: [...rules].sort(compareText) }))
    .sort((a, b) => compareText(a.reason, b.reason));
}
