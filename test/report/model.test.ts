import { describe, expect, it } from 'vitest';
import { buildReportModel, identityKey, REPORT_SCHEMA_VERSION } from '../../src/report/model.js';
import { snapshotSchema } from '../../src/snapshot/schema.js';
import {
  FIXED_NOW,
  FIXED_SHA,
  fixtureAudit,
  fixtureSnapshot,
  ORG_A,
  ORG_B,
} from '../fixtures/report/estate.js';

function build(failOn: 'high' | 'never' = 'high') {
  const snapshot = fixtureSnapshot();
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot, failOn),
    generatedAt: FIXED_NOW,
  });
}

describe('buildReportModel', () => {
  it('uses valid fixtures', () => {
    expect(() => snapshotSchema.parse(fixtureSnapshot())).not.toThrow();
    expect(() => snapshotSchema.parse(fixtureSnapshot({ hostile: true }))).not.toThrow();
  });

  it('is deterministic and versioned', () => {
    const a = build();
    expect(a.reportSchemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(JSON.stringify(build())).toBe(JSON.stringify(a));
    expect(a.meta.generatedAt).toBe(FIXED_NOW.toISOString());
    expect(a.meta.snapshotSha256).toBe(FIXED_SHA);
  });

  it('counts identities by kind and owners per org and overall', () => {
    const m = build();
    const acme = m.organizations.find((o) => o.id === ORG_A)!;
    expect(acme.identities).toEqual({
      users: 3,
      pendingInvitations: 1,
      staleInvitations: 1,
      apiKeys: 2,
      serviceAccounts: 1,
      total: 8,
      ownerUsers: 2,
      ownerProgrammatic: 1,
    });
    expect(m.summary.identities.total).toBe(10);
    expect(m.summary.identities.ownerUsers).toBe(3);
    expect(m.roster).toHaveLength(10);
    // Orgs sorted by name; Beta Labs is incomplete (2 of totalCount 3) and partial coverage.
    expect(m.organizations.map((o) => o.name)).toEqual(['Acme Production', 'Beta Labs']);
    const beta = m.organizations.find((o) => o.id === ORG_B)!;
    expect(beta.complete).toBe(false);
    expect(beta.missingCoverage).toEqual(['teams', 'projects', 'apiKeys', 'serviceAccounts', 'settings']);
    expect(m.summary.incompleteOrgs).toBe(1);
  });

  it('counts findings once: overall equals the sum of orgs and of severity groups', () => {
    const m = build();
    const f = m.summary.findings;
    expect(f).toMatchObject({ total: 8, open: 7, waived: 1 });
    expect(f.openBySeverity).toEqual({ critical: 1, high: 2, medium: 1, low: 3 });
    expect(f.gating).toBe(3);
    const sumOrgs = m.organizations.reduce((n, o) => n + o.findings.total, 0);
    expect(sumOrgs).toBe(f.total);
    const sumGroups = m.findings.reduce((n, g) => n + g.count, 0);
    expect(sumGroups).toBe(f.total);
    expect(m.findings.map((g) => g.severity)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(m.verdict.status).toBe('fail');
    expect(m.verdict.failing).toBe(3);
  });

  it('attaches findings to roster rows by identity key', () => {
    const m = build();
    const carol = m.roster.find((r) => r.name === 'carol@contractor.example')!;
    expect(carol.key).toBe(identityKey(ORG_A, 'user', carol.id));
    expect(carol.findingRules).toEqual(['owner-never-signed-in']);
    expect(carol.maxSeverity).toBe('high');
    const bob = m.roster.find((r) => r.name === 'bob@acme.example')!;
    // Waived findings are listed but do not count as open.
    expect(bob).toMatchObject({ findingCount: 1, openFindingCount: 0, maxSeverity: null });
    expect(bob.teams).toEqual(['Platform']);
    expect(bob.projectRoles).toEqual(['analytics: GROUP_DATA_ACCESS_ADMIN, GROUP_READ_ONLY']);
    expect(bob.daysSinceActivity).toBe(207);
    const key = m.roster.find((r) => r.kind === 'apiKey' && r.name === 'abcdefgh')!;
    expect(key.maxSeverity).toBe('critical');
    const invite = m.roster.find((r) => r.status === 'PENDING')!;
    expect(invite.kind).toBe('invitation');
  });

  it('reports pass/attention verdicts below the gate', () => {
    const m = build('never');
    expect(m.verdict.status).toBe('attention');
    expect(m.summary.findings.gating).toBe(0);
  });

  it('computes changes against a previous model', () => {
    const prev = build();
    const snapshot = fixtureSnapshot();
    const audit = fixtureAudit(snapshot);
    audit.findings = audit.findings.filter((f) => f.ruleId !== 'org-mfa-not-required');
    const m = buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit,
      generatedAt: FIXED_NOW,
      previous: prev,
    });
    expect(m.changes).toMatchObject({ newOpen: 0, openDelta: { high: -1, total: -1 }, identitiesDelta: 0 });
    expect(m.changes!.resolved.map((r) => r.ruleId)).toEqual(['org-mfa-not-required']);
  });
});
