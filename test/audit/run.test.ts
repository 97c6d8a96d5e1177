import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy, policySchema } from '../../src/audit/policy.js';
import { auditSnapshot, type Baseline, renderMessage } from '../../src/audit/run.js';
import type { Waiver } from '../../src/audit/types.js';
import { crossOrgWaivers, parseWaivers } from '../../src/audit/waivers.js';
import type { FailOn } from '../../src/domain/severity.js';
import { InputError } from '../../src/errors.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import {
  apiKey,
  BUILDER_NOW,
  daysAgo,
  legacyOrg,
  legacyUser,
  org,
  snapshot,
  team,
  user,
} from '../builders/snapshot.js';

let rules: LoadedRuleSet;
let snap: ReturnType<typeof snapshot>;
beforeAll(async () => {
  rules = await readRulesDir(DEFAULT_RULES_DIR);
  snap = estate();
});

/** One org with: a stale user (medium), an owner API key without access list (2x high). */
function estate() {
  const o = org({ name: 'acme' });
  o.users.push(user({ username: 'stale@example.com', lastAuth: daysAgo(120), teamIds: [o.teams[0]!.id] }));
  o.teams[0]!.memberIds = o.users.map((u) => u.id).sort();
  o.apiKeys.push(apiKey({ description: 'ci', orgRoles: ['ORG_OWNER'], accessList: [] }));
  return snapshot([o]);
}

const run = (
  opts: { policy?: Policy; waivers?: Waiver[]; baseline?: Baseline; failOn?: FailOn; now?: Date } = {},
) =>
  auditSnapshot({
    snapshot: snap,
    rules,
    policy: opts.policy ?? DEFAULT_POLICY,
    waivers: opts.waivers ?? [],
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
    ...(opts.failOn ? { failOn: opts.failOn } : {}),
    now: opts.now ?? BUILDER_NOW,
    inputs: { rulesDir: rules.dir, policyFile: 'policy.yaml', waiversFile: null, baselineFile: null },
  });

const waiver = (over: Partial<Waiver> = {}): Waiver => ({
  ruleId: 'stale-last-auth',
  subjectId: null,
  orgId: null,
  subject: 'STALE@example.com',
  reason: 'on leave',
  approver: 'ciso@example.com',
  ticket: 'SEC-1',
  approvedOn: '2026-05-01',
  expiresOn: '2026-09-01',
  ...over,
});

describe('auditSnapshot', () => {
  it('reports findings sorted by severity then rule, with evidence, and fails the default gate', async () => {
    const r = await run();
    expect(r.findings.map((f) => `${f.severity} ${f.ruleId} ${f.subject.name}`)).toEqual([
      'high api-key-no-access-list ci',
      'high api-key-org-owner ci',
      'medium stale-last-auth stale@example.com',
    ]);
    expect(r.findings[2]!.evidence).toEqual({
      isActive: true,
      isHuman: true,
      daysSinceLastAuth: 120,
      username: 'stale@example.com',
    });
    expect(r.summary).toEqual({
      bySeverity: { low: 0, medium: 1, high: 2, critical: 0 },
      total: 3,
      waived: 0,
      open: 3,
    });
    expect(r.gate).toEqual({ failOn: 'low', failed: true, failing: 3 });
    const stale = r.rules.find((x) => x.id === 'stale-last-auth')!;
    expect(stale).toMatchObject({ subjectsChecked: 3, failed: 1, passed: 2, params: { maxDays: 90 } });
  });

  it('gates by --fail-on, then the policy default', async () => {
    expect((await run({ failOn: 'high' })).gate).toMatchObject({ failed: true, failing: 2 });
    expect((await run({ failOn: 'critical' })).gate).toMatchObject({ failed: false, failing: 0 });
    expect((await run({ failOn: 'never' })).gate.failed).toBe(false);
    const policy = policySchema.parse({ failOn: 'critical' });
    expect((await run({ policy })).gate.failOn).toBe('critical');
    expect((await run({ policy, failOn: 'medium' })).gate.failOn).toBe('medium');
  });

  it('applies policy: disable, severity override, params', async () => {
    const policy = policySchema.parse({
      rules: {
        'api-key-org-owner': { enabled: false },
        'api-key-no-access-list': { severity: 'critical' },
        'stale-last-auth': { params: { maxDays: 200 } },
      },
    });
    const r = await run({ policy });
    expect(r.findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['critical api-key-no-access-list']);
    expect(r.rules.find((x) => x.id === 'api-key-org-owner')).toMatchObject({
      enabled: false,
      subjectsChecked: 0,
    });
  });

  it.each([
    [
      { rules: { 'no-such-rule': { enabled: false } } },
      'policy.yaml: $.rules["no-such-rule"]: unknown rule id',
    ],
    [
      { rules: { 'stale-last-auth': { params: { maxDayz: 3 } } } },
      '$.rules["stale-last-auth"].params.maxDayz: rule "stale-last-auth" has no param "maxDayz"',
    ],
    [
      { rules: { 'stale-last-auth': { params: { maxDays: 'x' } } } },
      '$.rules["stale-last-auth"].params.maxDays: expected an integer',
    ],
    [{ rules: { 'stale-last-auth': { params: { maxDays: 0 } } } }, 'must be at least 1'],
  ])('rejects a policy naming unknown rules or params: %j', async (doc, expected) => {
    await expect(run({ policy: policySchema.parse(doc) })).rejects.toThrow(expected);
    await expect(run({ policy: policySchema.parse(doc) })).rejects.toBeInstanceOf(InputError);
  });

  it('waivers: applied (case-insensitive subject), kept visible, excluded from the gate', async () => {
    const r = await run({ waivers: [waiver()], failOn: 'medium' });
    const f = r.findings.find((x) => x.ruleId === 'stale-last-auth')!;
    expect(f.waived).toBe(true);
    expect(f.waiver?.reason).toBe('on leave');
    expect(r.summary).toMatchObject({ total: 3, waived: 1, open: 2 });
    expect(r.gate.failing).toBe(2);
    expect(r.waivers.applied).toEqual([{ ...waiver(), findingKeys: [f.key] }]);
    expect(r.waivers.unused).toEqual([]);
  });

  it('waivers scoped with orgId apply only in that organization', async () => {
    const orgId = snap.organizations[0]!.id;
    const here = await run({ waivers: [waiver({ orgId })], failOn: 'medium' });
    expect(here.findings.find((x) => x.ruleId === 'stale-last-auth')!.waived).toBe(true);
    const elsewhere = waiver({ orgId: 'f'.repeat(24) });
    const there = await run({ waivers: [elsewhere], failOn: 'medium' });
    expect(there.findings.find((x) => x.ruleId === 'stale-last-auth')!.waived).toBe(false);
    expect(there.waivers.unused).toEqual([elsewhere]);
  });

  it('a waiver naming a team by name is not applied; by subjectId it applies to that team only', async () => {
    const twoOrgs = snapshot([
      org({ teams: [...org().teams, team({ name: 'sre', memberIds: [] })] }),
      org({ teams: [...org().teams, team({ name: 'sre', memberIds: [] })] }),
    ]);
    const base = {
      rules,
      policy: DEFAULT_POLICY,
      now: BUILDER_NOW,
      inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
    };
    const byName = waiver({ ruleId: 'empty-team', subject: 'sre' });
    const r = await auditSnapshot({ ...base, snapshot: twoOrgs, waivers: [byName] });
    expect(r.findings.filter((f) => f.ruleId === 'empty-team' && f.waived)).toHaveLength(0);
    expect(r.waivers.notApplied?.map((w) => [w.problem, w.findingKeys.length])).toEqual([['name-not-id', 2]]);
    const sre = twoOrgs.organizations[0]!.teams.find((t) => t.name === 'sre')!;
    const byId = waiver({ ruleId: 'empty-team', subject: 'sre', subjectId: sre.id });
    const r2 = await auditSnapshot({ ...base, snapshot: twoOrgs, waivers: [byId] });
    expect(r2.findings.filter((f) => f.ruleId === 'empty-team' && f.waived).map((f) => f.subject.id)).toEqual(
      [sre.id],
    );
    expect(crossOrgWaivers(r2.waivers)).toEqual([]);
  });

  it('waivers: expired ones do not apply and are reported; unused and expiring-soon ones are reported', async () => {
    const expired = waiver({ expiresOn: '2026-05-31' });
    const unused = waiver({ subject: 'nobody@example.com' });
    const keyId = snap.organizations[0]!.apiKeys[0]!.id;
    const soon = waiver({
      ruleId: 'api-key-org-owner',
      subject: 'ci',
      subjectId: keyId,
      expiresOn: '2026-06-10',
    });
    const r = await run({ waivers: [expired, unused, soon] });
    expect(r.findings.find((x) => x.ruleId === 'stale-last-auth')!.waived).toBe(false);
    expect(r.waivers.expired).toEqual([expired]);
    expect(r.waivers.unused).toEqual([unused]);
    expect(r.waivers.expiringSoon).toEqual([soon]);
    expect(r.findings.find((x) => x.ruleId === 'api-key-org-owner')!.waived).toBe(true);
    // The expiry day itself still counts.
    const lastDay = await run({ waivers: [waiver({ expiresOn: '2026-06-01' })] });
    expect(lastDay.waivers.applied).toHaveLength(1);
  });

  it('baseline: known findings are reported but do not fail the gate', async () => {
    const first = await run();
    const keys = new Set(first.findings.filter((f) => f.ruleId !== 'stale-last-auth').map((f) => f.key));
    const r = await run({ baseline: { file: 'b.json', keys } });
    expect(r.findings).toHaveLength(3);
    expect(r.findings.filter((f) => f.isNew).map((f) => f.ruleId)).toEqual(['stale-last-auth']);
    expect(r.gate).toMatchObject({ failed: true, failing: 1 });
    const all = await run({ baseline: { file: 'b.json', keys: new Set(first.findings.map((f) => f.key)) } });
    expect(all.gate).toMatchObject({ failed: false, failing: 0 });
  });

  it('is deterministic', async () => {
    expect(JSON.stringify(await run())).toBe(JSON.stringify(await run()));
  });

  it('a rule whose data an org lacks is not evaluated there: no finding, not checked, not passed, no gate', async () => {
    // A Cloud Manager v1.0 org beside the Atlas v2 one: an owner who would be stale, had v1.0 dates.
    const legacy = legacyOrg({
      name: 'legacy',
      users: [
        legacyUser({ username: 'own1@example.com', orgRoles: ['ORG_OWNER'] }),
        legacyUser({ username: 'own2@example.com', orgRoles: ['ORG_OWNER'], lastAuth: daysAgo(400) }),
      ],
    });
    const both = snapshot([...snap.organizations, legacy]);
    const r = await auditSnapshot({
      snapshot: both,
      rules,
      policy: DEFAULT_POLICY,
      waivers: [],
      now: BUILDER_NOW,
      inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
    });
    // Without --roster the roster rules are not evaluated anywhere (test/roster); this is about coverage.
    const coverage = r.notEvaluated.filter((n) => !n.missing.includes('roster'));
    const inLegacy = coverage.filter((n) => n.orgId === legacy.id);
    expect(coverage).toEqual(inLegacy); // the Atlas v2 org has everything
    const reasons = Object.fromEntries(inLegacy.map((n) => [n.ruleId, n.reason]));
    expect(reasons).toMatchObject({
      'stale-last-auth': 'no sign-in data',
      'never-signed-in': 'no sign-in data',
      'idle-privileged-user': 'no team data, no sign-in data',
      'user-without-team': 'no team data',
      'mfa-not-required': 'no organization settings',
      'api-key-org-owner': 'no API key data',
      'service-account-secret-expired': 'no service account data',
      'empty-team': 'no team data',
      'too-many-project-owners': 'no team data',
      'stale-invitation': 'no invitation data',
    });
    // Rules that need only what v1.0 gives are evaluated there.
    for (const id of ['too-few-org-owners', 'too-many-org-owners', 'unknown-role', 'outside-email-domain'])
      expect(reasons[id], id).toBeUndefined();
    expect(inLegacy[0]).toMatchObject({ orgName: 'legacy', missing: expect.any(Array) });
    expect(r.findings.filter((f) => f.orgId === legacy.id)).toEqual([]);
    // Counts cover the evaluated org only: the legacy org's 2 users are neither checked nor passed.
    const stale = r.rules.find((x) => x.id === 'stale-last-auth')!;
    expect(stale).toMatchObject({ subjectsChecked: 3, failed: 1, passed: 2 });
    const owners = r.rules.find((x) => x.id === 'too-few-org-owners')!;
    expect(owners).toMatchObject({ subjectsChecked: 2, failed: 0, passed: 2 });
    expect(r.gate).toEqual((await run()).gate);
    // Disabled rules are off, not "not evaluated".
    const off = await auditSnapshot({
      snapshot: both,
      rules,
      policy: policySchema.parse({ rules: { 'stale-last-auth': { enabled: false } } }),
      waivers: [],
      now: BUILDER_NOW,
      inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
    });
    expect(off.notEvaluated.some((n) => n.ruleId === 'stale-last-auth')).toBe(false);
  });
});

describe('renderMessage', () => {
  it('fills placeholders from params over facts, joins lists, and shows what is missing', () => {
    const facts = { username: 'a@x.io', maxDays: 1, roles: ['A', 'B'], none: [], gone: null };
    expect(
      renderMessage('{{username}} idle > {{ maxDays }} ({{roles}}; {{none}}; {{gone}})', facts, {
        maxDays: 90,
      }),
    ).toBe('a@x.io idle > 90 (A, B; (none); n/a)');
    expect(renderMessage('{{maxDays}}', facts)).toBe('1');
    // Only the records' own keys: a name both lack is "n/a", never an Object.prototype member.
    expect(renderMessage('{{constructor}} {{toString}}', facts, {})).toBe('n/a n/a');
  });

  it('fills templates as a replace with the placeholder pattern does, the template cut once and reused', () => {
    // The function as it was: one regular-expression replace per call.
    const byReplace = (template: string, facts: Record<string, unknown>, params: Record<string, unknown>) =>
      template.replace(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g, (_m, name: string) => {
        const v = Object.hasOwn(params, name)
          ? params[name]
          : Object.hasOwn(facts, name)
            ? facts[name]
            : undefined;
        if (Array.isArray(v)) return v.length ? v.join(', ') : '(none)';
        if (v === null || v === undefined) return 'n/a';
        return String(v);
      });
    const facts = { a: 1, b: 'x', list: ['p', 'q'], empty: [], nil: null, zero: 0, no: false, $d: 'dollar' };
    const params = { a: 'param', c: '$&$1' };
    const templates = [
      '',
      'plain text',
      '{{a}}',
      '{{a}}{{b}}',
      '{{ a }} and {{b }} and {{  c}}',
      '{{{a}}}',
      '{{a} }',
      '{{1a}} {{a-b}} {{ }} {{}}',
      '{{list}}|{{empty}}|{{nil}}|{{zero}}|{{no}}|{{missing}}',
      '$& $1 {{c}} $$',
      'x{{a}}y{{a}}z',
      '{{\na\n}}',
      '{{$d}}',
    ];
    for (let round = 0; round < 2; round++)
      for (const t of templates) expect(renderMessage(t, facts, params), t).toBe(byReplace(t, facts, params));
  });
});

describe('parseWaivers', () => {
  const doc = (w: Partial<Waiver>) => ({ waivers: [{ ...waiver(), ...w }] });
  const ids = new Set(['stale-last-auth']);
  it('accepts a valid file and defaults ticket to null', () => {
    const { ticket: _t, ...noTicket } = waiver();
    expect(parseWaivers({ waivers: [noTicket] }, 'w.yaml', BUILDER_NOW, ids)[0]!.ticket).toBeNull();
  });
  it.each([
    [
      { expiresOn: '2027-06-02' },
      'w.yaml: $.waivers[0].expiresOn: expiry 2027-06-02 is more than a year ahead',
    ],
    [{ expiresOn: '01/09/2026' }, '$.waivers[0].expiresOn'],
    [{ expiresOn: undefined }, '$.waivers[0].expiresOn'],
    [{ ruleId: 'nope' }, '$.waivers[0].ruleId: unknown rule id "nope"'],
    [{ approver: '' }, '$.waivers[0].approver'],
  ])('rejects %j', (w, expected) => {
    expect(() => parseWaivers(doc(w), 'w.yaml', BUILDER_NOW, ids)).toThrow(expected);
  });
  it('accepts an expiry exactly one year ahead, and expired waivers', () => {
    expect(parseWaivers(doc({ expiresOn: '2027-06-01' }), 'w', BUILDER_NOW, ids)).toHaveLength(1);
    expect(
      parseWaivers(doc({ expiresOn: '2020-01-01', approvedOn: '2019-12-01' }), 'w', BUILDER_NOW, ids),
    ).toHaveLength(1);
  });
});
