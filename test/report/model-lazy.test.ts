/**
 * The report model's two paths (docs/report.md, "The report model"): the counts every format shows are
 * taken from the snapshot without rows (src/report/model/counts.ts), and the rows are built on first
 * read. Here the counts are recounted from the rows, so the two paths cannot drift apart, and the text
 * format is shown to build no row section at all.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { zeroDatabaseCounts } from '../../src/report/model/sections/database-access.js';
import {
  buildReportModel,
  type DatabaseAccessCounts,
  type IdentityCounts,
  type ReportModel,
} from '../../src/report/model.js';
import { RENDERERS } from '../../src/report/renderers/index.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { auditedEstate } from '../helpers/estate-audit.js';
import { PREVIOUS_SHA, previousReview } from './previous-fixture.js';

const sections = vi.hoisted(() => ({ builds: 0 }));
vi.mock('../../src/report/model/sections/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/report/model/sections/index.js')>();
  return {
    ...actual,
    buildSections: (...args: Parameters<typeof actual.buildSections>) => {
      sections.builds++;
      return actual.buildSections(...args);
    },
  };
});

/** Identity counts of one org's rows, as the roster and the project invitations show them. */
function countRows(m: ReportModel, orgId: string): IdentityCounts {
  const rows = m.roster.filter((r) => r.orgId === orgId);
  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  const owner = (r: { orgRoles: string[] }) => r.orgRoles.includes('ORG_OWNER');
  return {
    users: of('user').length,
    pendingInvitations: of('invitation').filter((r) => r.status === 'PENDING').length,
    staleInvitations: of('invitation').filter((r) => r.status !== 'PENDING').length,
    apiKeys: of('apiKey').length,
    serviceAccounts: of('serviceAccount').length,
    nonHumanUsers: rows.filter((r) => r.identityType === 'non-human').length,
    systemManagedServiceAccounts: of('serviceAccount').filter((r) => r.managedBy === 'Atlas').length,
    projectInvitations: m.projectInvitations.filter((p) => p.orgId === orgId).length,
    databaseUsers: of('databaseUser').length,
    accessListEntries: of('networkAccessEntry').length,
    total: rows.length,
    ownerUsers: of('user').filter(owner).length,
    ownerProgrammatic: [...of('apiKey'), ...of('serviceAccount')].filter(owner).length,
  };
}

function sumDatabaseRows(m: ReportModel): DatabaseAccessCounts {
  const sum = zeroDatabaseCounts();
  for (const p of m.databaseAccess.projects) {
    sum.users += p.users.length;
    sum.privileged += p.users.filter((u) => u.privilegedRoles.length > 0).length;
    sum.unused += p.users.filter((u) => u.use === 'unused').length;
    sum.useUnknown += p.users.filter((u) => u.use === 'unknown').length;
    sum.customRoles += p.customRoles.length;
    sum.networkEntries += p.networkAccess.length;
    sum.worldOpen += p.networkAccess.filter((n) => n.exposure === 'world').length;
    sum.wide += p.networkAccess.filter((n) => n.exposure === 'wide').length;
  }
  return sum;
}

/** Every count the model took without rows equals the same count taken from its rows. */
function expectCountsMatchRows(m: ReportModel): void {
  const estate = m.organizations.map((o) => o.id);
  for (const o of m.organizations) expect(o.identities, o.name).toEqual(countRows(m, o.id));
  const total = m.organizations.reduce((n, o) => n + o.identities.total, 0);
  expect(m.summary.identities.total).toBe(total);
  expect(total).toBe(m.roster.length);
  expect(m.summary.teams).toBe(m.teams.length);
  expect(m.summary.databaseAccess).toEqual(sumDatabaseRows(m));
  expect(m.databaseAccess.counts).toEqual(sumDatabaseRows(m));
  for (const p of m.databaseAccess.projects) expect(estate).toContain(p.orgId);
}

/** The demo estate, audited with the catalogue; one org without database access, one without history. */
async function generated(): Promise<{ snapshot: Snapshot; audit: AuditResult }> {
  const now = new Date('2026-05-01T00:00:00.000Z');
  const estate = generateEstate({ seed: 42, now, ...PRESETS.large, orgs: 3, usersPerOrg: 100 });
  const [first, second] = estate.organizations;
  for (const part of ['databaseUsers', 'customRoles', 'networkAccess', 'clusters'] as const)
    first!.coverage[part] = false;
  second!.coverage.accessHistory = false;
  return auditedEstate(estate, now);
}

describe('report model counts without rows', () => {
  let demo: { snapshot: Snapshot; audit: AuditResult };
  beforeAll(async () => {
    demo = await generated();
  });

  it('every count equals the same count taken from the rows: fixtures, hostile, previous, generated', () => {
    const models: ReportModel[] = [];
    for (const hostile of [false, true]) {
      const snapshot = fixtureSnapshot({ hostile });
      for (const previous of [undefined, { ...previousReview(), snapshotSha256: PREVIOUS_SHA }])
        models.push(
          buildReportModel({
            snapshot,
            snapshotSha256: FIXED_SHA,
            audit: fixtureAudit(snapshot),
            generatedAt: FIXED_NOW,
            previous: hostile ? undefined : previous,
          }),
        );
    }
    models.push(buildReportModel({ ...demo, snapshotSha256: FIXED_SHA, generatedAt: FIXED_NOW }));
    for (const m of models) expectCountsMatchRows(m);
    // Every distinction the counts make occurs in some input, so the equalities are not vacuous.
    const some = (f: (m: ReportModel) => number) => models.some((m) => f(m) > 0);
    const idKinds = [
      'pendingInvitations',
      'staleInvitations',
      'nonHumanUsers',
      'systemManagedServiceAccounts',
      'accessListEntries',
    ] as const;
    for (const k of [...idKinds, 'projectInvitations', 'ownerUsers', 'ownerProgrammatic'] as const)
      expect(
        some((m) => m.summary.identities[k]),
        k,
      ).toBe(true);
    for (const k of ['privileged', 'unused', 'useUnknown', 'worldOpen', 'wide'] as const)
      expect(
        some((m) => m.summary.databaseAccess[k]),
        k,
      ).toBe(true);
    expect(some((m) => m.roster.filter((r) => r.kind === 'networkAccessEntry').length)).toBe(true);
    expect(models.at(-1)!.databaseAccess.collected.databaseUsers).toBe(false);
    expect(models.at(-1)!.databaseAccess.collected.accessHistory).toBe(false);
  });

  it('text builds no row section; JSON builds them once', async () => {
    const m = buildReportModel({ ...demo, snapshotSha256: FIXED_SHA, generatedAt: FIXED_NOW });
    const before = sections.builds;
    const text = await RENDERERS.text.render(m);
    expect(text).toContain('Database access: ');
    expect(sections.builds).toBe(before);
    const json = await RENDERERS.json.render(m);
    expect(sections.builds).toBe(before + 1);
    expect(await RENDERERS.json.render(m)).toBe(json);
    expect(sections.builds).toBe(before + 1);
  });
});
