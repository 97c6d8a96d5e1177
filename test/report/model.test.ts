import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/domain/compare-text.js';
import { identityKey } from '../../src/domain/keys.js';
import { sortedNamesCache } from '../../src/report/model/finding-rows.js';
import { buildReportModel, identityTypeText, REPORT_SCHEMA_VERSION } from '../../src/report/model.js';
import { snapshotSchema } from '../../src/snapshot/schema.js';
import {
  FIXED_NOW,
  FIXED_SHA,
  fixtureAudit,
  fixtureSnapshot,
  ORG_A,
  ORG_B,
} from '../fixtures/report/estate.js';
import { PREVIOUS_SHA, previousReview } from './previous-fixture.js';

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
      users: 4,
      pendingInvitations: 1,
      staleInvitations: 1,
      apiKeys: 2,
      serviceAccounts: 2,
      nonHumanUsers: 1,
      systemManagedServiceAccounts: 1,
      projectInvitations: 1,
      // prod-core's five database users are Review rows too.
      databaseUsers: 5,
      accessListEntries: 0,
      total: 15,
      ownerUsers: 2,
      ownerProgrammatic: 1,
    });
    expect(m.summary.identities.total).toBe(17);
    expect(m.summary.identities.ownerUsers).toBe(3);
    expect(m.roster).toHaveLength(17);
    // Orgs sorted by name; Beta Labs is incomplete (2 of totalCount 3) and partial coverage.
    expect(m.organizations.map((o) => o.name)).toEqual(['Acme Production', 'Beta Labs']);
    const beta = m.organizations.find((o) => o.id === ORG_B)!;
    expect(beta.complete).toBe(false);
    expect(beta.missingCoverage).toEqual([
      'invitations',
      'teams',
      'apiKeys',
      'serviceAccounts',
      'settings',
      'signIns',
      'databaseUsers',
      'customRoles',
      'networkAccess',
      'clusters',
    ]);
    // An optional dataset not collected is said, not counted as a gap.
    expect(beta.optionalNotCollected).toEqual(['projectInvitations', 'accessHistory']);
    expect(acme.missingCoverage).toEqual([]);
    expect(acme.optionalNotCollected).toEqual([]);
    expect(m.summary.incompleteOrgs).toBe(1);
  });

  it('carries the rules not evaluated per org, per rule and per roster row, and says so in the verdict', () => {
    const m = build();
    expect(m.summary.notEvaluated).toEqual({ checks: 2, rules: 2, organizations: 1 });
    expect(m.notEvaluated.map((n) => `${n.orgName} ${n.ruleId}: ${n.reason}`)).toEqual([
      'Beta Labs user-inactive: no sign-in data',
      'Beta Labs team-no-members: no team data',
    ]);
    const beta = m.organizations.find((o) => o.id === ORG_B)!;
    expect(beta.notEvaluated).toEqual([
      { reason: 'no sign-in data', rules: ['user-inactive'] },
      { reason: 'no team data', rules: ['team-no-members'] },
    ]);
    expect(m.organizations.find((o) => o.id === ORG_A)!.notEvaluated).toEqual([]);
    const inactive = m.rules.find((r) => r.id === 'user-inactive')!;
    expect(inactive.notEvaluated).toEqual([
      { orgId: ORG_B, orgName: 'Beta Labs', reason: 'no sign-in data' },
    ]);
    // Only the user rules concern Beta Labs' users; Acme's rows have nothing not evaluated, but for the
    // database users whose last use no collected history can tell (tests/report/database-access.test.ts).
    for (const row of m.roster.filter((r) => r.kind !== 'databaseUser'))
      expect(row.notEvaluated).toEqual(row.orgId === ORG_B ? ['no sign-in data: user-inactive'] : []);
    expect(m.verdict.headline).toBe(
      'FAIL: 3 open findings at or above high; 2 rules not evaluated in 1 organization (no data for them)',
    );
  });

  it('marks non-human and Atlas-managed identities, still on the roster; service accounts show their project roles and access list', () => {
    const m = build();
    const charts = m.roster.find((r) => r.name.startsWith('charts+'))!;
    expect(charts).toMatchObject({ kind: 'user', identityType: 'non-human', managedBy: 'Atlas Charts' });
    expect(charts.projectRoles).toEqual(['analytics: GROUP_DATA_ACCESS_READ_ONLY']);
    const alice = m.roster.find((r) => r.name === 'alice@acme.example')!;
    expect(alice).toMatchObject({ identityType: 'person', managedBy: null });
    const mcp = m.roster.find((r) => r.name === 'mcp-ingress')!;
    expect(mcp).toMatchObject({ kind: 'serviceAccount', identityType: 'programmatic', managedBy: 'Atlas' });
    expect(identityTypeText(mcp)).toBe('programmatic, managed by Atlas');
    expect(identityTypeText(charts)).toBe('non-human, managed by Atlas Charts');
    const ci = m.roster.find((r) => r.name === 'ci-deployer')!;
    expect(ci.projectRoles).toEqual(['prod-core: GROUP_CLUSTER_MANAGER, GROUP_OWNER']);
    const ciRow = m.programmatic.find((p) => p.name === 'ci-deployer')!;
    expect(ciRow).toMatchObject({ accessList: ['192.0.2.0/24'], accessListCollected: true, managedBy: null });
    expect(m.programmatic.find((p) => p.name === 'mcp-ingress')).toMatchObject({
      accessList: [],
      managedBy: 'Atlas',
    });
  });

  it('lists project invitations for review beside the roster, with the project name and whether they expired', () => {
    const m = build();
    expect(m.projectInvitations).toEqual([
      {
        orgId: ORG_A,
        orgName: 'Acme Production',
        id: '000000000000000000007001',
        projectId: '000000000000000000002002',
        projectName: 'analytics',
        username: 'henry@partner.example',
        roles: ['GROUP_DATA_ACCESS_READ_WRITE'],
        createdAt: '2026-11-10T10:00:00Z',
        expiresAt: '2026-12-10T10:00:00Z',
        inviterUsername: 'alice@acme.example',
        daysPending: 14,
        expired: false,
      },
    ]);
    expect(m.roster.some((r) => r.name === 'henry@partner.example')).toBe(false);
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

  it('has no changes and no finding marks without a previous review', () => {
    const m = build();
    expect(m.changes).toBeNull();
    const rows = m.findings.flatMap((g) => g.rules.flatMap((r) => r.findings));
    expect(rows.every((f) => f.sinceLastReview === null)).toBe(true);
  });

  it('compares with the previous snapshot and its audit: changes, marks, resolved', () => {
    const snapshot = fixtureSnapshot();
    const m = buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(snapshot),
      generatedAt: FIXED_NOW,
      previous: previousReview(),
    });
    const c = m.changes!;
    expect(c.previous).toEqual({
      file: 'q3-snapshot.json',
      collectedAt: '2026-08-25T03:00:00Z',
      snapshotSha256: PREVIOUS_SHA,
      identities: 17,
      findings: 8,
    });
    expect(c.summary).toMatchObject({ total: 4, escalations: 1, joiners: 1, leavers: 1 });
    expect(c.summary.byKind).toEqual([
      { kind: 'user-joined', change: 'Joiner', count: 1 },
      { kind: 'user-left', change: 'Leaver', count: 1 },
      { kind: 'user-org-roles-changed', change: 'Org roles changed', count: 1 },
      { kind: 'user-teams-changed', change: 'Team membership changed', count: 1 },
    ]);
    // The escalation leads; the rest keep the diff order (org name, change kind, subject).
    expect(c.rows.map((r) => [r.orgName, r.kind, r.subjectName, r.escalation])).toEqual([
      ['Acme Production', 'user-org-roles-changed', 'carol@contractor.example', 'ORG_OWNER'],
      ['Acme Production', 'user-left', 'oscar@acme.example', ''],
      ['Acme Production', 'user-teams-changed', 'bob@acme.example', ''],
      ['Beta Labs', 'user-joined', 'grace@beta.example', ''],
    ]);
    expect(c.rows[3]!.details).toBe('status ACTIVE; + ORG_MEMBER');
    expect(c.findings).toEqual({ new: 1, stillOpen: 7, resolved: 1, newOpen: 1 });
    expect(c.resolved.map((r) => [r.ruleId, r.subjectName, r.wasWaived])).toEqual([
      ['user-inactive', 'oscar@acme.example', false],
    ]);
    // Open then: 7 (8 minus bob's waived one); open now: 7. High +1 (carol), medium -1 (oscar).
    expect(c.openDelta).toEqual({ critical: 0, high: 1, medium: -1, low: 0, total: 0 });
    expect(c.identitiesDelta).toBe(0);
    const rows = m.findings.flatMap((g) => g.rules.flatMap((r) => r.findings));
    expect(rows.filter((f) => f.sinceLastReview === 'new').map((f) => f.ruleId)).toEqual([
      'owner-never-signed-in',
    ]);
    expect(rows.filter((f) => f.sinceLastReview === 'still-open')).toHaveLength(7);
  });

  it('a previous review identical to the current one shows no changes', () => {
    const snapshot = fixtureSnapshot();
    const audit = fixtureAudit(snapshot);
    const m = buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit,
      generatedAt: FIXED_NOW,
      previous: { snapshot: fixtureSnapshot(), snapshotSha256: FIXED_SHA, file: null, audit },
    });
    expect(m.changes).toMatchObject({
      summary: { total: 0, escalations: 0, byKind: [] },
      rows: [],
      resolved: [],
      findings: { new: 0, stillOpen: 8, resolved: 0, newOpen: 0 },
      openDelta: { total: 0 },
    });
  });
});

describe('sortedNamesCache', () => {
  it('gives each record its own keys sorted, reusing a sorted list only for the same names in the same order', () => {
    const names = sortedNamesCache();
    const records: object[] = [
      { b: 1, a: 2 },
      { b: 3, a: 4 },
      { a: 1, b: 2 }, // same names, another order
      { b: 1, a: 2, c: 3 }, // one more
      { b: 1 }, // one fewer
      { 'b,a': 1 }, // names that join like another list
      {},
      { b: 1, a: 2 },
      { z: 1, 'a\u0000b': 2, Z: 3 },
    ];
    for (const r of records) expect(names(r)).toEqual(Object.keys(r).sort(compareText));
    // Reused, not rebuilt, for a record with the names of an earlier one in the same order.
    expect(names({ b: 9, a: 9 })).toBe(names({ b: 0, a: 0 }));
    expect(names({ a: 9, b: 9 })).not.toBe(names({ b: 0, a: 0 }));
  });
});
