/**
 * Severities, their order and the CI gate predicate: the one definition every layer uses (rules
 * declare a severity, the audit gates on it, reports sort and count by it).
 */

/** Every severity, least severe first. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Every severity, most severe first: the order reports list them in. */
export const SEVERITY_ORDER: readonly Severity[] = [...SEVERITIES].reverse();

/** `--fail-on`: the least severity that fails the gate, or `never`. */
export type FailOn = Severity | 'never';

const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Severity order, for sorting (higher = more severe). */
export function severityRank(s: Severity): number {
  return RANK[s];
}

/** The gate predicate: true when a finding of severity `s` counts against the gate `failOn`. */
export function meetsFailOn(s: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[s] >= RANK[failOn];
}
