/**
 * Findings phase of the report model: the audit's findings as rows every format shows, and an index of
 * them by subject and by organization, counted once here.
 */
import type { AuditResult, Finding } from '../../audit/types.js';
import { type FindingComparison, findingIdentity } from '../../changes/compare-findings.js';
import { compareText } from '../../domain/compare-text.js';
import { identityKey } from '../../domain/keys.js';
import type { Severity } from '../../domain/severity.js';
import { meetsFailOn, severityRank } from '../../domain/severity.js';
import type { FindingCounts, FindingRow } from '../model.js';
import { addFinding, once, pushTo, zeroFindingCounts } from './shared.js';

function evidenceValue(value: Finding['evidence'][string]): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/**
 * An object's keys in code-unit order, sorted once per distinct key list: a rule's findings carry the
 * same evidence names in the same order, so 71,000 findings of 46 rules sort a few dozen lists (a
 * sort per finding was 3% of a 50,000-user `audit`). A list is reused only when it is the same names
 * in the same order as the one it was sorted from.
 */
export function sortedNamesCache(): (record: object) => readonly string[] {
  const byList = new Map<string, string[]>();
  let lastKeys: readonly string[] = [];
  let lastSorted: string[] = [];
  return (record) => {
    const keys = Object.keys(record);
    if (keys.length !== lastKeys.length || keys.some((k, i) => k !== lastKeys[i])) {
      // JSON text tells lists of names apart exactly.
      const list = JSON.stringify(keys);
      let sorted = byList.get(list);
      if (!sorted) {
        sorted = [...keys].sort(compareText);
        byList.set(list, sorted);
      }
      lastKeys = keys;
      lastSorted = sorted;
    }
    return lastSorted;
  };
}

/**
 * Finding rows in the audit's order (severity desc, rule, org, subject), re-sorted defensively.
 * `comparison` (with `--previous`) marks each one new or still open.
 */
export function buildFindingRows(audit: AuditResult, comparison: FindingComparison | null): FindingRow[] {
  const failOn = audit.gate.failOn;
  const controls = new Map(audit.rules.map((r) => [r.id, r.controls ?? []]));
  const evidenceNames = sortedNamesCache();
  // Object.assign onto the identity object, not `{ ...findingIdentity(f), evidence, ... }`: on V8
  // (Node 20) that spread-then-extend literal cost 9 µs a row, five times the rest of the row.
  const rows: FindingRow[] = audit.findings.map((f) =>
    Object.assign(findingIdentity(f), {
      evidence: evidenceNames(f.evidence).map((name) => ({
        name,
        value: evidenceValue(f.evidence[name] ?? null),
      })),
      waived: f.waived,
      waiver: f.waiver,
      isNew: f.isNew,
      gating: !f.waived && f.isNew && meetsFailOn(f.severity, failOn),
      controls: controls.get(f.ruleId) ?? [],
      sinceLastReview: comparison ? (comparison.marks.get(f.key) ?? 'new') : null,
    }),
  );
  return rows.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.subjectName, b.subjectName) ||
      compareText(a.subjectId, b.subjectId) ||
      compareText(a.key, b.key),
  );
}

/** What the findings on one subject add up to, as the roster shows it. */
export interface SubjectStats {
  count: number;
  open: number;
  /** Most severe open finding, or null. */
  max: Severity | null;
  /** Rule ids, sorted. */
  rules: string[];
}

/**
 * Finding rows counted per organization and overall, and indexed by subject (identity key). The
 * counts are taken at once; the by-subject index is built on first read, by the row sections only
 * (`audit --format text` never reads it).
 */
export interface FindingIndex {
  readonly bySubject: ReadonlyMap<string, FindingRow[]>;
  byOrg: Map<string, FindingCounts>;
  overall: FindingCounts;
  /** Identity keys of the IP access list entries with a finding (each is a Review row). */
  flaggedNetworkEntries: Set<string>;
}

export function indexFindings(rows: readonly FindingRow[]): FindingIndex {
  const byOrg = new Map<string, FindingCounts>();
  const overall = zeroFindingCounts();
  const flaggedNetworkEntries = new Set<string>();
  for (const row of rows) {
    let oc = byOrg.get(row.orgId);
    if (!oc) {
      oc = zeroFindingCounts();
      byOrg.set(row.orgId, oc);
    }
    addFinding(oc, row);
    addFinding(overall, row);
    if (row.subjectType === 'networkAccessEntry')
      flaggedNetworkEntries.add(identityKey(row.orgId, row.subjectType, row.subjectId));
  }
  const bySubject = once(() => {
    const map = new Map<string, FindingRow[]>();
    for (const row of rows) pushTo(map, identityKey(row.orgId, row.subjectType, row.subjectId), row);
    return map;
  });
  return {
    get bySubject() {
      return bySubject();
    },
    byOrg,
    overall,
    flaggedNetworkEntries,
  };
}

export function subjectStats(index: FindingIndex, key: string): SubjectStats {
  const list = index.bySubject.get(key);
  // Most identities have no finding: no Set, spread and sort for them (one roster row each).
  if (list === undefined) return { count: 0, open: 0, max: null, rules: [] };
  let open = 0;
  let max: Severity | null = null;
  const rules: string[] = [];
  for (const r of list) {
    // A subject has a few findings: a linear `includes` is cheaper than a Set per roster row.
    if (!rules.includes(r.ruleId)) rules.push(r.ruleId);
    if (r.waived) continue;
    open++;
    if (max === null || severityRank(r.severity) > severityRank(max)) max = r.severity;
  }
  return { count: list.length, open, max, rules: rules.sort(compareText) };
}
