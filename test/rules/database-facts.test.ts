import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolveRules } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import { customRolePrivileges } from '../../src/domain/database-roles.js';
import { addressBlock } from '../../src/domain/network-access.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import { deriveSubjects } from '../../src/rules/facts.js';
import { snapshotSchema } from '../../src/snapshot/schema.js';
import {
  action,
  cluster,
  customRole,
  dbOrg,
  dbUser,
  history,
  summary,
  tenantCluster,
} from '../builders/database-access.js';
import { BUILDER_NOW, snapshot } from '../builders/snapshot.js';

describe('database access facts', () => {
  it('resolves custom role privilege transitively and terminates on cycles', () => {
    const p = customRolePrivileges([
      customRole({ roleName: 'a', actions: [], inheritedRoles: [{ db: 'admin', role: 'b' }] }),
      customRole({
        roleName: 'b',
        actions: [],
        inheritedRoles: [
          { db: 'admin', role: 'a' },
          { db: 'admin', role: 'c' },
        ],
      }),
      customRole({
        roleName: 'c',
        actions: [action('dropRole')],
        inheritedRoles: [{ db: 'x', role: 'userAdmin' }],
      }),
      customRole({ roleName: 'd', actions: [], inheritedRoles: [{ db: 'admin', role: 'userAdmin' }] }),
      customRole({ roleName: 'e', actions: [], inheritedRoles: [{ db: 'app', role: 'nope' }] }),
      customRole({ roleName: 'f', actions: [action('find')], inheritedRoles: [{ db: 'app', role: 'read' }] }),
    ]);
    expect(p.get('a')).toEqual({
      dangerousActions: ['dropRole'],
      privilegedInherited: [],
      unknownInherited: [],
      privileged: true,
    });
    expect(p.get('d')?.privilegedInherited).toEqual(['userAdmin@admin']);
    expect(p.get('e')?.unknownInherited).toEqual(['nope']);
    expect(p.get('f')?.privileged).toBe(false);
  });

  it('parses access list blocks; single addresses are full-length prefixes', () => {
    expect(addressBlock('0.0.0.0/0')).toEqual({ version: 4, prefixLength: 0 });
    expect(addressBlock('198.51.100.7')).toEqual({ version: 4, prefixLength: 32 });
    expect(addressBlock('2001:db8::/48')).toEqual({ version: 6, prefixLength: 48 });
    expect(addressBlock('::1')).toEqual({ version: 6, prefixLength: 128 });
    expect(addressBlock('300.1.1.1/8')).toBeNull();
    expect(addressBlock('10.0.0.0/33')).toBeNull();
    expect(addressBlock('sg-123')).toBeNull();
  });

  it('marks last use unknown, with the clusters, only for users reaching a cluster without history', () => {
    const o = dbOrg({
      clusters: [cluster('c0', history([summary('a', 2)])), tenantCluster('free')],
      databaseUsers: [
        dbUser({ username: 'a', scopes: [{ name: 'c0', type: 'CLUSTER' }] }),
        dbUser({ username: 'b' }),
      ],
    });
    const subjects = deriveSubjects(snapshotSchema.parse(snapshot([o])), {
      now: BUILDER_NOW,
      allowedEmailDomains: [],
      extraKnownRoles: [],
    }).databaseUser;
    const [a, b] = subjects;
    expect(a?.unknown).toBeUndefined();
    expect(a?.facts).toMatchObject({ usedInWindow: true, daysSinceLastUse: 2 });
    expect(b?.unknown?.daysSinceLastUse).toBe('database user b: no access history from free (unsupported)');
  });

  it('names the first three users not evaluated in an org and counts the rest', async () => {
    const o = dbOrg({
      clusters: [tenantCluster('free')],
      databaseUsers: ['u1', 'u2', 'u3', 'u4', 'u5'].map((username) => dbUser({ username })),
    });
    const rules = await readRulesDir(DEFAULT_RULES_DIR);
    const result = await auditSnapshot({
      snapshot: snapshotSchema.parse(snapshot([o])),
      rules,
      policy: DEFAULT_POLICY,
      waivers: [],
      now: BUILDER_NOW,
      inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
    });
    const row = result.notEvaluated.find((n) => n.ruleId === 'db-user-never-used');
    expect(row?.missing).toEqual([]);
    expect(row?.reason).toBe(
      'database user u1: no access history from free (unsupported); database user u2: no access history from free (unsupported); database user u3: no access history from free (unsupported); and 2 more',
    );
    expect(result.rules.find((r) => r.id === 'db-user-never-used')?.subjectsChecked).toBe(0);
    expect(result.findings.filter((f) => f.ruleId === 'db-user-never-used')).toEqual([]);
  });

  it("takes the database rules' params from the policy, typed", async () => {
    const rules = await readRulesDir(DEFAULT_RULES_DIR);
    const policy = (over: Record<string, unknown>) => ({
      ...DEFAULT_POLICY,
      rules: { 'db-user-no-expiry': { params: over } },
    });
    const rule = resolveRules(rules, policy({ requireExpiry: true }), 'policy.yaml').find(
      (r) => r.id === 'db-user-no-expiry',
    );
    expect(rule?.params).toEqual({ requireExpiry: true });
    expect(() => resolveRules(rules, policy({ requireExpiry: 'yes' }), 'policy.yaml')).toThrow(
      /policy\.yaml: \$\.rules\["db-user-no-expiry"\]\.params\.requireExpiry/,
    );
    const wide = resolveRules(rules, DEFAULT_POLICY, null).find((r) => r.id === 'network-access-wide-cidr');
    expect(wide?.params).toEqual({ minPrefixLength: 16, minPrefixLengthIpv6: 48 });
  });
});
