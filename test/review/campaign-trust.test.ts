/**
 * Decisions an auditor trusts (src/review/trust.ts): which Keeps need a justification, and the
 * rubber-stamp signals, as case tables.
 */
import { describe, expect, it } from 'vitest';
import { snapshotIdentities } from '../../src/review/import.js';
import { keepJustificationRule, rubberStampSignals } from '../../src/review/trust.js';
import { dbUser } from '../builders/database-access.js';
import { org, project, projectRole, snapshot, user } from '../builders/snapshot.js';

type Row = { reviewer: string; decision: 'Keep' | 'Revoke' | 'Modify'; comment: string | null; key: string };
const rows = (n: number, over: Partial<Row> = {}): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    reviewer: 'r@example.com',
    decision: 'Keep',
    comment: null,
    key: `k${i}`,
    ...over,
  }));

describe('rubber-stamp signals', () => {
  it.each([
    ['kept everything, one flagged', rows(3), ['k1'], 100, ['kept-everything']],
    ['kept everything, nothing flagged', rows(3), [], 100, []],
    [
      'one Revoke among flagged Keeps',
      [...rows(2), { ...rows(1)[0]!, key: 'k9', decision: 'Revoke' as const }],
      ['k0'],
      100,
      [],
    ],
    [
      '100 rows with one comment (any case, spaces)',
      [
        ...rows(60, { comment: 'OK', decision: 'Revoke' }),
        ...rows(40, { comment: ' ok ', decision: 'Revoke' }),
      ],
      [],
      100,
      ['identical-comment'],
    ],
    ['99 rows with one comment', rows(99, { comment: 'ok', decision: 'Revoke' }), [], 100, []],
    [
      'the policy lowers the threshold',
      rows(5, { comment: 'fine', decision: 'Revoke' }),
      [],
      5,
      ['identical-comment'],
    ],
    ['blank comments are no comment', rows(150, { decision: 'Revoke' }), [], 100, []],
    [
      'comments varied by punctuation, spacing, case or zero-width characters are one comment',
      [
        ...rows(20, { comment: 'OK', decision: 'Revoke' }),
        ...rows(20, { comment: 'ok.', decision: 'Revoke' }),
        ...rows(20, { comment: 'o k!', decision: 'Revoke' }),
        ...rows(20, { comment: 'ok\u200b', decision: 'Revoke' }),
        ...rows(20, { comment: 'ＯＫ', decision: 'Revoke' }),
      ],
      [],
      100,
      ['identical-comment'],
    ],
    [
      'ticket numbers are different comments',
      Array.from({ length: 120 }, (_, i) => ({
        ...rows(1)[0]!,
        key: `k${i}`,
        decision: 'Revoke' as const,
        comment: `CHG-${1000 + i}`,
      })),
      [],
      100,
      [],
    ],
    ['punctuation alone is no comment', rows(150, { comment: '...', decision: 'Revoke' }), [], 100, []],
  ] as const)('%s', (_name, decided, flagged, threshold, want) => {
    expect(rubberStampSignals(decided, new Set(flagged), threshold).map((s) => s.signal)).toEqual(want);
  });

  it('counts per reviewer, case-insensitively', () => {
    const a = rows(2, { reviewer: 'A@example.com' });
    const b = rows(2, { reviewer: 'a@example.com', decision: 'Revoke' });
    expect(rubberStampSignals([...a, ...b], new Set(['k0']))).toEqual([]);
  });
});

describe('a Keep needs a justification', () => {
  const PROD = 'd000000000000000000000f1';
  const o = org({
    users: [
      user({ id: 'b000000000000000000000f1', username: 'owner@example.com', orgRoles: ['ORG_OWNER'] }),
      user({
        id: 'b000000000000000000000f2',
        username: 'po@example.com',
        projectRoles: [projectRole(PROD, 'GROUP_OWNER')],
      }),
      user({ id: 'b000000000000000000000f3', username: 'member@example.com' }),
    ],
    projects: [
      project({
        id: PROD,
        name: 'prod',
        databaseUsers: [
          dbUser({
            username: 'app-admin',
            roles: [{ roleName: 'atlasAdmin', databaseName: 'admin', collectionName: null }],
          }),
          dbUser({
            username: 'app-reader',
            roles: [{ roleName: 'read', databaseName: 'sales', collectionName: null }],
          }),
        ],
      }),
    ],
  });
  const snap = snapshot([o]);
  const ids = snapshotIdentities(snap);
  const byName = (n: string) => [...ids.values()].find((i) => i.name === n)!;
  const rule = keepJustificationRule(snap, new Set([byName('member@example.com').key]));
  it.each([
    ['owner@example.com', 'Org Owner'],
    ['po@example.com', 'Project Owner'],
    ['member@example.com', 'open findings'],
    ['app-admin', 'privileged database role atlasAdmin'],
  ])('%s: %s', (name, why) => {
    expect(rule(byName(name))).toBe(why);
  });
  it('none for an unflagged, unprivileged identity', () => {
    expect(keepJustificationRule(snap, new Set())(byName('member@example.com'))).toBeNull();
    expect(rule(byName('app-reader'))).toBeNull();
  });
});
