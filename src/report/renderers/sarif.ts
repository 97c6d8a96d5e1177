/**
 * SARIF 2.1.0 renderer for code-scanning dashboards. Findings point at a fixed logical artifact per
 * organization (sarifArtifactUri; the snapshot file is named in the run's properties) with a logical
 * location org/subject; waived findings carry an accepted suppression; the finding key is the partial
 * fingerprint so dashboards track a finding across runs. A rule not evaluated in an organization is no
 * result (SARIF results are things found): it is a tool execution notification (§3.20.21) of level
 * note, naming the rule (`associatedRule`, §3.58.7) and the org. JSON escaping is lossless
 * (terminalJson), so every Atlas value reads back exactly.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../../domain/severity.js';
import { terminalJson, terminalJsonChunks } from '../../util/terminal.js';
import type { FindingRow, ReportModel, RuleRow } from '../model.js';
import { controlLabel } from './shared.js';

/** The notification descriptor of a rule not evaluated in an organization (driver.notifications[0]). */
const NOT_EVALUATED = {
  id: 'not-evaluated',
  name: 'RuleNotEvaluated',
  shortDescription: {
    text: 'A rule was not evaluated for an organization: the snapshot lacks data the rule needs. Neither a result nor a pass.',
  },
  defaultConfiguration: { level: 'note' },
} as const;

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
/** GitHub code scanning reads `security-severity` (0-10) to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

/**
 * Where a result in `orgId` is located, as a repository-relative URI. Code scanning matches an alert
 * across runs by rule, fingerprint and location path; the snapshot's file name changes every run
 * (`q3.json`, `atlas-review-20261130T…/snapshot.json`), so using it would close every alert and open
 * it again. The org id never changes, so the location is a fixed logical path per organization.
 */
export function sarifArtifactUri(orgId: string): string {
  return `atlas-access-review/orgs/${orgId}`;
}

/**
 * `runs[0].automationDetails.id` (SARIF §3.17.4): `<category>/<run>`. Code scanning keeps one set of
 * alerts per category, so the category names the organization set audited (a run over other orgs
 * must not close these alerts) and the run part is the collection time. Up to three org ids are
 * listed; more are summarised by count and a sha256 of the sorted ids, to keep the id short.
 */
export function sarifAutomationId(orgIds: readonly string[], collectedAt: string): string {
  const ids = [...new Set(orgIds)].sort();
  const set =
    ids.length === 0
      ? 'no-orgs'
      : ids.length <= 3
        ? ids.join('+')
        : `${ids.length}-orgs-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)}`;
  return `atlas-access-review/${set}/${collectedAt}`;
}

function sarifRule(r: RuleRow) {
  return {
    id: r.id,
    name: r.title,
    shortDescription: { text: r.title },
    fullDescription: { text: r.description },
    help: { text: `${r.rationale}\n\nRemediation: ${r.remediation}` },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: {
      tags: ['security', 'access-review', ...r.references],
      'security-severity': SECURITY_SEVERITY[r.severity],
      controls: r.controls.map((c) => ({ framework: c.framework, control: c.control, title: c.title })),
    },
  };
}

function sarifResult(f: FindingRow, index: Map<string, number>) {
  const w = f.waived ? f.waiver : null;
  return {
    ruleId: f.ruleId,
    ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
    level: LEVEL[f.severity],
    message: { text: `[${f.orgName}] ${f.message}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: sarifArtifactUri(f.orgId) } },
        logicalLocations: [
          {
            name: f.subjectName,
            fullyQualifiedName: `${f.orgName}/${f.subjectType}/${f.subjectName}`,
            kind: f.subjectType,
          },
        ],
      },
    ],
    partialFingerprints: { findingKey: f.key },
    properties: {
      // Code scanning filters results by tag: one per control, "pci-dss-4 8.2.6".
      tags: f.controls.map(controlLabel),
      evidence: Object.fromEntries(f.evidence.map((e) => [e.name, e.value])),
      orgId: f.orgId,
      subjectId: f.subjectId,
      isNew: f.isNew,
      failsGate: f.gating,
    },
    ...(w
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: `${w.reason} (approved by ${w.approver}, expires ${w.expiresOn}${w.ticket ? `, ${w.ticket}` : ''})`,
            },
          ],
        }
      : {}),
  };
}

/** The SARIF 2.1.0 document of a report model. */
function sarifDocument(m: ReportModel) {
  const rules = m.rules.filter((r) => r.enabled);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const run = {
    automationDetails: {
      id: sarifAutomationId(
        m.organizations.map((o) => o.id),
        m.meta.collectedAt,
      ),
    },
    properties: {
      snapshot: { file: m.meta.snapshotFile?.replace(/\\/g, '/') ?? null, sha256: m.meta.snapshotSha256 },
      ...(m.meta.inputs.roster ? { roster: { ...m.meta.inputs.roster } } : {}),
    },
    tool: {
      driver: {
        name: m.meta.tool.name,
        version: m.meta.tool.version,
        notifications: [NOT_EVALUATED],
        rules: rules.map(sarifRule),
      },
    },
    invocations: [
      {
        executionSuccessful: true,
        endTimeUtc: m.meta.evaluatedAt,
        toolExecutionNotifications: m.notEvaluated.map((n) => ({
          descriptor: { id: NOT_EVALUATED.id, index: 0 },
          associatedRule: { id: n.ruleId, ...(index.has(n.ruleId) ? { index: index.get(n.ruleId) } : {}) },
          level: 'note',
          message: { text: `[${n.orgName}] ${n.ruleId} not evaluated: ${n.reason}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: sarifArtifactUri(n.orgId) } },
              logicalLocations: [{ name: n.orgName, fullyQualifiedName: n.orgName, kind: 'org' }],
            },
          ],
          properties: { orgId: n.orgId, missing: n.missing, reason: n.reason },
        })),
      },
    ],
    results: m.findings.flatMap((g) => g.rules.flatMap((r) => r.findings.map((f) => sarifResult(f, index)))),
  };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

export function renderSarif(m: ReportModel): string {
  return `${terminalJson(sarifDocument(m))}\n`;
}

/** renderSarif in pieces (the same bytes): runs[0].results, three levels down, a few hundred results at a time. */
export function* renderSarifChunks(m: ReportModel): Generator<string> {
  yield* terminalJsonChunks(sarifDocument(m), 4);
  yield '\n';
}
