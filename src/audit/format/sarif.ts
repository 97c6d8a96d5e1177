import { createHash } from 'node:crypto';
import type { Severity } from '../../domain/severity.js';
import { terminalJson } from '../../util/terminal.js';
import type { AuditResult } from '../types.js';
import type { SnapshotMeta } from './index.js';
import { notEvaluatedText } from './not-evaluated.js';

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

/**
 * `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. Findings point at a fixed logical
 * artifact per organization (sarifArtifactUri; the snapshot file is named in the run's properties)
 * with a logical location org/subject; waived findings carry an accepted suppression;
 * the finding key is the partial fingerprint so dashboards track a finding across runs. A rule not
 * evaluated in an organization is no result (SARIF results are things found): it is a tool execution
 * notification (§3.20.21) of level note, naming the rule (`associatedRule`, §3.58.7) and the org.
 */
export function renderSarif(result: AuditResult, snapshot: SnapshotMeta): string {
  const rules = result.rules.filter((r) => r.enabled);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        automationDetails: {
          id: sarifAutomationId(
            snapshot.orgIds ?? [...result.findings, ...result.notEvaluated].map((x) => x.orgId),
            snapshot.collectedAt,
          ),
        },
        properties: { snapshot: { file: snapshot.file.replace(/\\/g, '/'), sha256: snapshot.sha256 } },
        tool: {
          driver: {
            name: snapshot.toolName,
            version: snapshot.toolVersion,
            notifications: [NOT_EVALUATED],
            rules: rules.map((r) => ({
              id: r.id,
              name: r.title,
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: { text: `${r.rationale}\n\nRemediation: ${r.remediation}` },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: ['security', 'access-review', ...r.references],
                'security-severity': SECURITY_SEVERITY[r.severity],
              },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: result.evaluatedAt,
            toolExecutionNotifications: result.notEvaluated.map((n) => ({
              descriptor: { id: NOT_EVALUATED.id, index: 0 },
              associatedRule: {
                id: n.ruleId,
                ...(index.has(n.ruleId) ? { index: index.get(n.ruleId) } : {}),
              },
              level: 'note',
              message: { text: `[${n.orgName}] ${n.ruleId} ${notEvaluatedText(n)}` },
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
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: LEVEL[f.severity],
          message: { text: `[${f.orgName}] ${f.message}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: sarifArtifactUri(f.orgId) } },
              logicalLocations: [
                {
                  name: f.subject.name,
                  fullyQualifiedName: `${f.orgName}/${f.subject.type}/${f.subject.name}`,
                  kind: f.subject.type,
                },
              ],
            },
          ],
          partialFingerprints: { findingKey: f.key },
          properties: { evidence: f.evidence, orgId: f.orgId, subjectId: f.subject.id, isNew: f.isNew },
          ...(f.waived && f.waiver
            ? {
                suppressions: [
                  {
                    kind: 'external',
                    status: 'accepted',
                    justification: `${f.waiver.reason} (approved by ${f.waiver.approver}, expires ${f.waiver.expiresOn}${f.waiver.ticket ? `, ${f.waiver.ticket}` : ''})`,
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
  return `${terminalJson(doc)}\n`;
}
