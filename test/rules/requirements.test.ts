import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolveRules } from '../../src/audit/policy.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import type { EffectiveRule } from '../../src/rules/effective-rule.js';
import { FACTS } from '../../src/rules/facts.js';
import { parseRule } from '../../src/rules/load.js';
import { missingCoverage, notEvaluatedReason, ruleRequirements } from '../../src/rules/requirements.js';
import { coverage, LEGACY_COVERAGE } from '../builders/snapshot.js';

let catalogue: Map<string, EffectiveRule>;
beforeAll(async () => {
  const set = await readRulesDir(DEFAULT_RULES_DIR);
  catalogue = new Map(resolveRules(set, DEFAULT_POLICY, null).map((r) => [r.id, r]));
});

describe('what a rule needs', () => {
  it('joins the subject listing, the needs of the facts in its conditions, and its own requires', () => {
    expect(catalogue.get('stale-last-auth')!.requires).toEqual(['users', 'signIns']);
    expect(catalogue.get('idle-privileged-user')!.requires).toEqual([
      'users',
      'teams',
      'projects',
      'signIns',
    ]);
    expect(catalogue.get('mfa-not-required')!.requires).toEqual(['settings']);
    expect(catalogue.get('api-key-org-owner')!.requires).toEqual(['apiKeys']);
    // expired-invitation reads only `status`; its rule file declares the need.
    expect(catalogue.get('expired-invitation')!.requires).toEqual(['users', 'invitations']);
    expect(catalogue.get('too-few-org-owners')!.requires).toEqual(['users']);
  });

  it('every fact that reads lastAuth or createdAt declares signIns', () => {
    for (const name of ['daysSinceLastAuth', 'neverSignedIn', 'daysSinceCreated', 'daysIdle'])
      expect(FACTS.user[name]!.requires, name).toContain('signIns');
  });

  it('a custom rule on a sign-in fact is not evaluated without sign-ins, whatever its author forgot', () => {
    const rule = parseRule({
      file: 'rules/dormant.json',
      text: JSON.stringify({
        id: 'dormant',
        title: 'Dormant',
        severity: 'low',
        subject: 'user',
        description: 'd',
        rationale: 'r',
        remediation: 'x',
        references: ['SOC 2 CC6.2'],
        conditions: { any: [{ fact: 'daysIdle', operator: 'greaterThan', value: 10 }] },
        message: '{{username}}',
      }),
    });
    const needs = ruleRequirements(rule.subject, rule.conditions, rule.requires);
    expect(missingCoverage(needs, LEGACY_COVERAGE)).toEqual(['signIns']);
    expect(missingCoverage(needs, coverage())).toEqual([]);
  });

  it('says in words what is missing, in coverage order', () => {
    expect(notEvaluatedReason(['signIns'])).toBe('no sign-in data');
    expect(notEvaluatedReason(missingCoverage(['signIns', 'teams', 'users'], LEGACY_COVERAGE))).toBe(
      'no team data, no sign-in data',
    );
  });

  it('rejects an unknown coverage part in a rule file', () => {
    expect(() =>
      parseRule({
        file: 'rules/x.json',
        text: JSON.stringify({
          id: 'x',
          title: 'X',
          severity: 'low',
          subject: 'org',
          description: 'd',
          rationale: 'r',
          remediation: 'x',
          references: ['r'],
          conditions: { all: [{ fact: 'userCount', operator: 'greaterThan', value: 1 }] },
          message: 'm',
          requires: ['lastLogins'],
        }),
      }),
    ).toThrow(/rules\/x\.json: \$\.requires\[0\]/);
  });
});
