/**
 * Summary and meta phase of the report model: the header (`meta`), the gate verdict in words, and the
 * estate's summary counts, from the counts phase (./counts.ts; no row is needed).
 */
import type { AuditResult } from '../../audit/types.js';
import { gateVerdict } from '../../audit/verdict.js';
import { summarizeEvidence } from '../../evidence/summary.js';
import { TOOL } from '../../version.js';
import type { BuildReportModelInput, FindingCounts, NotEvaluatedRow, ReportModel } from '../model.js';
import type { EstateCounts } from './counts.js';

type NotEvaluatedCounts = ReportModel['summary']['notEvaluated'];

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export function buildMeta(
  input: BuildReportModelInput,
  organizations: EstateCounts['organizations'],
): Omit<ReportModel['meta'], 'frameworks'> {
  const { snapshot, audit } = input;
  const orgCount = organizations.length;
  return {
    tool: { name: TOOL.name, version: TOOL.version },
    collectedBy: { name: snapshot.tool.name, version: snapshot.tool.version },
    title: `Atlas access review: ${orgCount === 1 ? organizations[0]!.name : `${orgCount} organizations`}`,
    generatedAt: input.generatedAt.toISOString(),
    collectedAt: snapshot.collectedAt,
    evaluatedAt: audit.evaluatedAt,
    snapshotSha256: input.snapshotSha256,
    snapshotFile: input.snapshotFile ?? null,
    evidence: summarizeEvidence(input.evidence ?? []),
    source: { ...snapshot.source },
    collectionStats: { ...snapshot.stats },
    inputs: { ...audit.inputs },
  };
}

/** Rule checks (rule x org) not evaluated, the distinct rules, and the orgs. */
export function notEvaluatedCounts(rows: readonly NotEvaluatedRow[]): NotEvaluatedCounts {
  return {
    checks: rows.length,
    rules: new Set(rows.map((n) => n.ruleId)).size,
    organizations: new Set(rows.map((n) => n.orgId)).size,
  };
}

export function buildVerdict(audit: AuditResult, notEvaluated: NotEvaluatedCounts): ReportModel['verdict'] {
  const gate = gateVerdict(audit);
  // A pass over part of the rules must say so where the verdict is read.
  const partial =
    notEvaluated.checks === 0
      ? ''
      : `; ${plural(notEvaluated.rules, 'rule', 'rules')} not evaluated in ${plural(notEvaluated.organizations, 'organization', 'organizations')} (no data for them)`;
  return {
    status: gate.status,
    failOn: audit.gate.failOn,
    failing: gate.failing,
    headline: gate.headline + partial,
    gate: gate.gate,
  };
}

export function buildSummary(
  audit: AuditResult,
  estate: EstateCounts,
  findings: FindingCounts,
  notEvaluated: NotEvaluatedCounts,
): ReportModel['summary'] {
  return {
    organizations: estate.organizations.length,
    teams: estate.teams,
    projects: estate.projects,
    identities: estate.identities,
    databaseAccess: estate.databaseAccess.counts,
    findings,
    waivers: {
      applied: audit.waivers.applied.length,
      expired: audit.waivers.expired.length,
      unused: audit.waivers.unused.length,
      expiringSoon: audit.waivers.expiringSoon.length,
    },
    rules: {
      total: audit.rules.length,
      enabled: audit.rules.filter((r) => r.enabled).length,
      failing: audit.rules.filter((r) => r.failed > 0).length,
    },
    notEvaluated,
    incompleteOrgs: estate.organizations.filter((o) => !o.complete || o.missingCoverage.length > 0).length,
  };
}
