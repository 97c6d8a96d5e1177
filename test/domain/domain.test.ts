import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/domain/compare-text.js';
import { findingKey, identityKey } from '../../src/domain/keys.js';
import { meetsFailOn, SEVERITIES, SEVERITY_ORDER, severityRank } from '../../src/domain/severity.js';
import { teamsOfUsers } from '../../src/domain/team-membership.js';

describe('severity', () => {
  it('ranks every severity strictly above the one before it', () => {
    for (let i = 1; i < SEVERITIES.length; i++)
      expect(severityRank(SEVERITIES[i]!)).toBeGreaterThan(severityRank(SEVERITIES[i - 1]!));
    expect(SEVERITY_ORDER).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it.each([
    ['high', 'high', true],
    ['critical', 'high', true],
    ['medium', 'high', false],
    ['low', 'low', true],
    ['critical', 'never', false],
  ] as const)('a %s finding against --fail-on %s fails the gate: %s', (s, failOn, fails) => {
    expect(meetsFailOn(s, failOn)).toBe(fails);
  });
});

describe('compareText', () => {
  it('orders by code unit, not locale (uppercase before lowercase, no accent folding)', () => {
    expect(['b', 'B', 'a', 'é', 'e'].sort(compareText)).toEqual(['B', 'a', 'b', 'e', 'é']);
    expect(compareText('x', 'x')).toBe(0);
  });
});

describe('keys', () => {
  it('keeps the stored shapes of finding and identity keys', () => {
    expect(findingKey('r', 'o', 'user', 'u')).toBe('r|o|user|u');
    expect(identityKey('o', 'apiKey', 'k')).toBe('o:apiKey:k');
  });
});

describe('teamsOfUsers', () => {
  it('is the union of the users endpoint teamIds and the team member lists', () => {
    const m = teamsOfUsers({
      users: [
        { id: 'u1', teamIds: ['t1'] },
        { id: 'u2', teamIds: [] },
      ],
      teams: [
        { id: 't1', memberIds: [] },
        { id: 't2', memberIds: ['u1', 'u2', 'ghost'] },
      ],
    });
    expect([...(m.get('u1') ?? [])].sort()).toEqual(['t1', 't2']);
    expect([...(m.get('u2') ?? [])]).toEqual(['t2']);
    expect([...(m.get('ghost') ?? [])]).toEqual(['t2']);
  });

  it('gives a user in no team an empty set', () => {
    expect(teamsOfUsers({ users: [{ id: 'u', teamIds: [] }], teams: [] }).get('u')?.size).toBe(0);
  });
});

describe('custom role privilege', () => {
  it('recognises a dangerous action in the Admin API enum spelling and in the manual spelling', async () => {
    const { customRolePrivileges } = await import('../../src/domain/database-roles.js');
    const roles = customRolePrivileges([
      { roleName: 'wire', actions: [{ action: 'DROP_DATABASE' }], inheritedRoles: [] },
      { roleName: 'manual', actions: [{ action: 'dropDatabase' }], inheritedRoles: [] },
      { roleName: 'harmless', actions: [{ action: 'FIND' }], inheritedRoles: [] },
    ]);
    expect(roles.get('wire')).toMatchObject({ privileged: true, dangerousActions: ['DROP_DATABASE'] });
    expect(roles.get('manual')).toMatchObject({ privileged: true, dangerousActions: ['dropDatabase'] });
    expect(roles.get('harmless')?.privileged).toBe(false);
  });
});
