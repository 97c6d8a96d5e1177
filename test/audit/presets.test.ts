import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy, policySchema, presetSettings } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import { readFrameworkCatalogues } from '../../src/input/rules-dir.js';
import { type FrameworkCatalogue, selectFrameworks } from '../../src/rules/frameworks.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import { BUILDER_NOW, daysAgo, org, snapshot, user } from '../builders/snapshot.js';

let rules: LoadedRuleSet;
let catalogues: FrameworkCatalogue[];
beforeAll(async () => {
  rules = await readRulesDir(DEFAULT_RULES_DIR);
  catalogues = await readFrameworkCatalogues();
});

const policyOf = (rulesPart: Record<string, unknown>): Policy => policySchema.parse({ rules: rulesPart });

/** `rule.param=value by framework control` for each setting: the table the cases compare with. */
function settingsOf(ids: string[], policy: Policy = DEFAULT_POLICY): string[] {
  return presetSettings(selectFrameworks(ids, catalogues), rules, policy).map(
    (s) =>
      `${s.ruleId}.${s.param}=${s.value} ${s.source}` +
      (s.setBy.length ? ` by ${s.setBy.map((b) => `${b.framework} ${b.control}`).join(', ')}` : '') +
      (s.overridden.length ? ` over ${s.overridden.map((b) => `${b.framework}:${b.value}`).join(', ')}` : ''),
  );
}

describe('framework presets', () => {
  it.each([
    {
      name: 'PCI DSS alone: 8.2.6 sets 90 days on the user and database-user inactivity rules',
      ids: ['pci-dss-4'],
      policy: DEFAULT_POLICY,
      want: [
        'db-user-inactive.inactiveDays=90 framework by pci-dss-4 8.2.6',
        'stale-last-auth.maxDays=90 framework by pci-dss-4 8.2.6',
      ],
    },
    {
      name: 'CIS alone: 5.3 sets 45 days, service account secrets included',
      ids: ['cis-v8'],
      policy: DEFAULT_POLICY,
      want: [
        'db-user-inactive.inactiveDays=45 framework by cis-v8 5.3',
        'service-account-secret-unused.maxDays=45 framework by cis-v8 5.3',
        'stale-last-auth.maxDays=45 framework by cis-v8 5.3',
      ],
    },
    {
      name: 'PCI DSS and CIS: the strictest (lowest) value wins, the looser one is recorded',
      ids: ['pci-dss-4', 'cis-v8'],
      policy: DEFAULT_POLICY,
      want: [
        'db-user-inactive.inactiveDays=45 framework by cis-v8 5.3 over pci-dss-4:90',
        'service-account-secret-unused.maxDays=45 framework by cis-v8 5.3',
        'stale-last-auth.maxDays=45 framework by cis-v8 5.3 over pci-dss-4:90',
      ],
    },
    {
      name: 'the policy file wins over every preset, even a looser value',
      ids: ['pci-dss-4', 'cis-v8'],
      policy: policyOf({ 'stale-last-auth': { params: { maxDays: 120 } } }),
      want: [
        'db-user-inactive.inactiveDays=45 framework by cis-v8 5.3 over pci-dss-4:90',
        'service-account-secret-unused.maxDays=45 framework by cis-v8 5.3',
        'stale-last-auth.maxDays=120 policy over cis-v8:45, pci-dss-4:90',
      ],
    },
    {
      name: 'SOC 2 and ISO 27001 state no figures: nothing is set',
      ids: ['soc2', 'iso27001'],
      policy: DEFAULT_POLICY,
      want: [],
    },
    {
      name: 'a repeated id counts once',
      ids: ['cis-v8', 'cis-v8'],
      policy: DEFAULT_POLICY,
      want: [
        'db-user-inactive.inactiveDays=45 framework by cis-v8 5.3',
        'service-account-secret-unused.maxDays=45 framework by cis-v8 5.3',
        'stale-last-auth.maxDays=45 framework by cis-v8 5.3',
      ],
    },
  ])('$name', ({ ids, policy, want }) => {
    expect(settingsOf(ids, policy)).toEqual(want);
  });

  it('never loosen a rule whose default is already stricter', () => {
    const stricter: LoadedRuleSet = {
      ...rules,
      rules: rules.rules.map((r) =>
        r.id === 'stale-last-auth' ? { ...r, params: { maxDays: { ...r.params.maxDays!, default: 60 } } } : r,
      ),
    };
    const s = presetSettings(selectFrameworks(['pci-dss-4'], catalogues), stricter, DEFAULT_POLICY).find(
      (x) => x.ruleId === 'stale-last-auth',
    );
    expect(s).toMatchObject({ value: 60, source: 'default', setBy: [] });
  });

  it('refuse an unknown id, and one that is not a profile, listing the selectable ids', () => {
    for (const id of ['pci', 'nist-800-63b']) {
      expect(() => selectFrameworks([id], catalogues)).toThrow(UsageError);
      expect(() => selectFrameworks([id], catalogues)).toThrow(
        `unknown framework "${id}" (choose from: cis-v8, iso27001, pci-dss-4, soc2)`,
      );
    }
  });

  it('name only rules and params the bundled catalogue has, with a control of their framework that the rule cites', () => {
    for (const c of catalogues)
      for (const p of [...c.preset.params, ...c.preset.leftAlone]) {
        const rule = rules.rules.find((r) => r.id === p.rule);
        expect(rule?.params[p.param], `${c.id}: ${p.rule}.${p.param}`).toBeDefined();
        if ('control' in p) {
          expect(c.controls.map((x) => x.id)).toContain(p.control);
          expect(rule?.references).toContain(`${c.referencePrefix} ${p.control}`);
        }
      }
  });

  it('PCI DSS flips a user inactive for 100 days from pass to fail on a snapshot; CIS catches 50 days', async () => {
    const o = org({ name: 'acme' });
    o.users.push(
      user({ username: 'hundred@example.com', lastAuth: daysAgo(100) }),
      user({ username: 'fifty@example.com', lastAuth: daysAgo(50) }),
    );
    const snap = snapshot([o]);
    // A rules folder whose stale-last-auth allows 180 days (the bundled default, 90, already meets 8.2.6).
    const lax: LoadedRuleSet = {
      ...rules,
      rules: rules.rules.map((r) =>
        r.id === 'stale-last-auth'
          ? { ...r, params: { maxDays: { ...r.params.maxDays!, default: 180 } } }
          : r,
      ),
    };
    const stale = async (ids: string[], policy: Policy = DEFAULT_POLICY) => {
      const audit = await auditSnapshot({
        snapshot: snap,
        rules: lax,
        policy,
        waivers: [],
        now: BUILDER_NOW,
        frameworks: { catalogues, selected: selectFrameworks(ids, catalogues) },
        inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
      });
      const rule = audit.rules.find((r) => r.id === 'stale-last-auth')!;
      const names = audit.findings.filter((f) => f.ruleId === rule.id).map((f) => f.subject.name);
      return { maxDays: rule.params.maxDays, names: names.sort() };
    };
    expect(await stale([])).toEqual({ maxDays: 180, names: [] });
    expect(await stale(['pci-dss-4'])).toEqual({ maxDays: 90, names: ['hundred@example.com'] });
    expect(await stale(['cis-v8', 'pci-dss-4'])).toEqual({
      maxDays: 45,
      names: ['fifty@example.com', 'hundred@example.com'],
    });
    // The policy file wins over every preset.
    const policy = policyOf({ 'stale-last-auth': { params: { maxDays: 120 } } });
    expect(await stale(['pci-dss-4', 'cis-v8'], policy)).toEqual({ maxDays: 120, names: [] });
  });
});
