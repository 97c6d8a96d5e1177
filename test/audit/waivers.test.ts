/**
 * Waivers by identity, not by name (src/audit/waivers.ts). The attack: a waiver of api-key-org-owner for
 * the key described `ci-deploy` also waived a new ORG_OWNER key described `CI-Deploy` in the same org,
 * silently. Keys, service accounts, teams, projects and orgs now match by id; users by username compared
 * as an address; a name matching several subjects, a name without an approval date, and a subject
 * created after the approval are not applied, are reported in every output, and fail the gate.
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import type { AuditResult, Waiver } from '../../src/audit/types.js';
import { parseWaivers } from '../../src/audit/waivers.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { RENDERERS } from '../../src/report/renderers/index.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import {
  accessListEntry,
  apiKey,
  BUILDER_NOW,
  daysAgo,
  org,
  serviceAccount,
  snapshot,
  user,
} from '../builders/snapshot.js';

let rules: LoadedRuleSet;
beforeAll(async () => {
  rules = await readRulesDir(DEFAULT_RULES_DIR);
});

const audit = (snap: Snapshot, waivers: Waiver[]) =>
  auditSnapshot({
    snapshot: snap,
    rules,
    policy: DEFAULT_POLICY,
    waivers,
    failOn: 'high',
    now: BUILDER_NOW,
    inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: 'waivers.yaml', baselineFile: null },
  });

const waiver = (over: Partial<Waiver>): Waiver => ({
  ruleId: 'api-key-org-owner',
  subjectId: null,
  approvedOn: null,
  orgId: null,
  subject: 'ci-deploy',
  reason: 'deploys need it until the migration',
  approver: 'ciso@example.com',
  ticket: 'SEC-7',
  expiresOn: '2026-09-30',
  ...over,
});

/** One org with the waived CI key, and (optionally) a newer ORG_OWNER key described CI-Deploy. */
function keys(withNewKey: boolean) {
  const o = org({ name: 'acme' });
  const list = [accessListEntry()];
  const old = apiKey({ description: 'ci-deploy', orgRoles: ['ORG_OWNER'], accessList: list });
  const fresh = apiKey({ description: 'CI-Deploy', orgRoles: ['ORG_OWNER'], accessList: list });
  o.apiKeys.push(old, ...(withNewKey ? [fresh] : []));
  return { snap: snapshot([o]), old, fresh };
}

const ownerFindings = (r: AuditResult) =>
  r.findings.filter((f) => f.ruleId === 'api-key-org-owner').map((f) => [f.subject.id, f.waived]);

describe('the CI-Deploy attack', () => {
  it('a name-only waiver of an API key waives neither key, is reported, and the gate fails', async () => {
    const { snap, old, fresh } = keys(true);
    const r = await audit(snap, [waiver({})]);
    expect(Object.fromEntries(ownerFindings(r))).toEqual({ [old.id]: false, [fresh.id]: false });
    expect(r.waivers.applied).toEqual([]);
    expect(r.waivers.unused).toEqual([]);
    const [na] = r.waivers.notApplied!;
    expect(na).toMatchObject({ problem: 'name-not-id', findingKeys: expect.any(Array) });
    expect(na!.findingKeys).toHaveLength(2);
    expect(na!.detail).toBe(
      `"ci-deploy" is the name of 2 subjects; waivers of an API key match by id: set subjectId (${[old.id, fresh.id].sort().join(', ')}) and approvedOn`,
    );
    expect(r.gate).toMatchObject({ failed: true, failing: 2 });
  });

  it('a waiver by subjectId waives the approved key only; the new CI-Deploy key still fails the gate', async () => {
    const { snap, old, fresh } = keys(true);
    const r = await audit(snap, [waiver({ subjectId: old.id, approvedOn: '2026-05-01' })]);
    expect(Object.fromEntries(ownerFindings(r))).toEqual({ [old.id]: true, [fresh.id]: false });
    expect(r.waivers.notApplied).toEqual([]);
    expect(r.gate).toMatchObject({ failed: true, failing: 1 });
  });

  it('an old waivers file that names the key by its id still applies, without approvedOn', async () => {
    const { snap, old } = keys(true);
    const r = await audit(snap, [waiver({ subject: old.id })]);
    expect(r.waivers.applied.map((w) => w.findingKeys.length)).toEqual([1]);
    expect(r.waivers.notApplied).toEqual([]);
  });
});

describe('users are matched by username, compared as an address', () => {
  const stale = (over: Parameters<typeof user>[0] = {}) =>
    user({ username: 'stale@example.com', lastAuth: daysAgo(200), ...over });

  it('applies with another case, a display name or a zero-width space, given approvedOn', async () => {
    const snap = snapshot([org({ users: [stale()] })]);
    for (const subject of [
      'STALE@example.com',
      'Stale User <stale@EXAMPLE.com>',
      'stale\u200b@example.com',
    ]) {
      const r = await audit(snap, [waiver({ ruleId: 'stale-last-auth', subject, approvedOn: '2026-05-01' })]);
      expect(r.findings.find((f) => f.ruleId === 'stale-last-auth')!.waived).toBe(true);
    }
  });

  it('a username without approvedOn is not applied (no-approval-date) and its finding stays open', async () => {
    const snap = snapshot([org({ users: [stale()] })]);
    const r = await audit(snap, [waiver({ ruleId: 'stale-last-auth', subject: 'stale@example.com' })]);
    expect(r.findings.find((f) => f.ruleId === 'stale-last-auth')!.waived).toBe(false);
    expect(r.waivers.notApplied!.map((w) => w.problem)).toEqual(['no-approval-date']);
  });

  it('a username held by two different accounts (ids) is ambiguous and not applied', async () => {
    const a = org({ users: [stale()] });
    const b = org({ users: [stale({ username: 'Stale@Example.com' })] });
    const r = await audit(snapshot([a, b]), [
      waiver({ ruleId: 'stale-last-auth', subject: 'stale@example.com', approvedOn: '2026-05-01' }),
    ]);
    expect(r.findings.filter((f) => f.waived)).toEqual([]);
    const [na] = r.waivers.notApplied!;
    expect(na!.problem).toBe('ambiguous');
    expect(na!.detail).toContain('matches 2 different users');
    expect(na!.findingKeys).toHaveLength(2);
    // Scoped to one org, the same waiver is no longer ambiguous.
    const scoped = await audit(snapshot([a, b]), [
      waiver({
        ruleId: 'stale-last-auth',
        subject: 'stale@example.com',
        orgId: a.id,
        approvedOn: '2026-05-01',
      }),
    ]);
    expect(scoped.findings.filter((f) => f.waived).map((f) => f.orgId)).toEqual([a.id]);
  });

  it('an account created after the approval (a reused address) is not covered', async () => {
    const snap = snapshot([org({ users: [stale({ createdAt: '2026-05-20T00:00:00.000Z' })] })]);
    const r = await audit(snap, [
      waiver({ ruleId: 'stale-last-auth', subject: 'stale@example.com', approvedOn: '2026-05-01' }),
    ]);
    expect(r.findings.find((f) => f.ruleId === 'stale-last-auth')!.waived).toBe(false);
    const [na] = r.waivers.notApplied!;
    expect(na!.problem).toBe('created-after-approval');
    expect(na!.detail).toMatch(
      /user stale@example.com \(\w+\) was created on 2026-05-20, after the waiver was approved on 2026-05-01/,
    );
  });
});

describe('other subjects', () => {
  it('a service account waived by subjectId but created after the approval is not covered', async () => {
    const o = org();
    const sa = serviceAccount({ createdAt: '2026-05-15T00:00:00.000Z', secrets: [] });
    sa.secrets = [
      { id: 'aa0000000000000000000001', createdAt: null, expiresAt: daysAgo(1), lastUsedAt: null },
    ];
    o.serviceAccounts.push(sa);
    const r = await audit(snapshot([o]), [
      waiver({
        ruleId: 'service-account-secret-expired',
        subject: sa.name,
        subjectId: sa.clientId,
        approvedOn: '2026-05-01',
      }),
    ]);
    expect(r.findings.find((f) => f.ruleId === 'service-account-secret-expired')!.waived).toBe(false);
    expect(r.waivers.notApplied!.map((w) => w.problem)).toEqual(['created-after-approval']);
  });

  it('an org rule: scoped with orgId it applies; by org name alone it is not applied', async () => {
    const o = org({ name: 'acme' });
    o.settings!.multiFactorAuthRequired = false;
    const snap = snapshot([o]);
    const byOrgId = await audit(snap, [waiver({ ruleId: 'mfa-not-required', subject: 'acme', orgId: o.id })]);
    expect(byOrgId.findings.find((f) => f.ruleId === 'mfa-not-required')!.waived).toBe(true);
    const byName = await audit(snap, [waiver({ ruleId: 'mfa-not-required', subject: 'ACME' })]);
    expect(byName.findings.find((f) => f.ruleId === 'mfa-not-required')!.waived).toBe(false);
    expect(byName.waivers.notApplied!.map((w) => w.problem)).toEqual(['name-not-id']);
  });
});

describe('a waiver not applied is visible in every output', () => {
  let r: AuditResult;
  let snap: Snapshot;
  beforeAll(async () => {
    snap = keys(true).snap;
    r = await audit(snap, [waiver({})]);
  });
  it('audit formats: text, github, json', async () => {
    const model = buildReportModel({
      snapshot: snap,
      snapshotSha256: 'a'.repeat(64),
      audit: r,
      generatedAt: BUILDER_NOW,
    });
    const text = String(await RENDERERS.text.render(model));
    expect(text).toMatch(
      /warning: waiver not applied: api-key-org-owner \/ ci-deploy.*: name-not-id: "ci-deploy" is the name of 2 subjects/,
    );
    expect(String(await RENDERERS.github.render(model))).toMatch(
      /::error title=waiver notApplied::waiver not applied: api-key-org-owner \/ ci-deploy/,
    );
    const json = JSON.parse(String(await RENDERERS.json.render(model)));
    expect(json.waivers[0].status).toBe('notApplied');
    expect(json.waivers[0].problem).toMatch(/^name-not-id: /);
  });

  it('report formats: HTML, XLSX, Markdown and the email summary', async () => {
    const model = buildReportModel({
      snapshot: snap,
      snapshotSha256: 'a'.repeat(64),
      audit: r,
      generatedAt: BUILDER_NOW,
    });
    expect(model.waivers[0]).toMatchObject({ status: 'notApplied', findingCount: 2 });
    expect(String(await RENDERERS.html.render(model))).toContain(
      'name-not-id: &quot;ci-deploy&quot; is the name of 2 subjects',
    );
    expect(String(RENDERERS.markdown.render(model))).toContain('| not applied: name-not-id:');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await RENDERERS.xlsx.render(model)) as never);
    expect(String(wb.getWorksheet('Waivers')!.getCell('A2').value)).toMatch(/^not applied: name-not-id: /);
    expect(renderEmailSummary(model).text).toContain('1 waiver was not applied');
  });
});

describe('parseWaivers: the new fields', () => {
  const doc = (w: Partial<Waiver>) => ({ waivers: [{ ...waiver({}), ticket: 'SEC-7', ...w }] });
  const ids = new Set(['api-key-org-owner']);
  it.each([
    [{ subjectId: 'e00000000000000000000001' }, 'w.yaml: $.waivers[0].approvedOn: required with subjectId'],
    [
      { approvedOn: '2026-06-02' },
      '$.waivers[0].approvedOn: approval date 2026-06-02 is in the future (today is 2026-06-01)',
    ],
    [
      { approvedOn: '2026-05-01', expiresOn: '2026-04-30' },
      'approval date 2026-05-01 is after the expiry 2026-04-30',
    ],
    [{ approvedOn: '05/01/2026' }, '$.waivers[0].approvedOn'],
  ])('rejects %j', (w, expected) => {
    expect(() => parseWaivers(doc(w), 'w.yaml', BUILDER_NOW, ids)).toThrow(expected);
  });
  it('defaults both to null for old files', () => {
    expect(parseWaivers(doc({}), 'w.yaml', BUILDER_NOW, ids)[0]).toMatchObject({
      subjectId: null,
      approvedOn: null,
    });
  });
});
