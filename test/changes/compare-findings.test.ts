import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/audit/types.js';
import { compareFindings } from '../../src/changes/compare-findings.js';
import { diffSnapshots } from '../../src/changes/diff.js';
import { diffTableRows } from '../../src/changes/format-diff.js';
import { org, snapshot, user } from '../builders/snapshot.js';

function finding(key: string, over: Partial<Finding> = {}): Finding {
  const [ruleId = 'r', orgId = 'o', type = 'user', id = 'i'] = key.split('|');
  return {
    ruleId,
    ruleTitle: ruleId,
    severity: 'medium',
    orgId,
    orgName: 'Org',
    subject: { type: type as Finding['subject']['type'], id, name: `name-${id}` },
    message: `m ${key}`,
    evidence: {},
    waived: false,
    waiver: null,
    key,
    isNew: true,
    ...over,
  };
}

describe('compareFindings', () => {
  it('marks new and still-open findings and lists resolved ones, most severe first', () => {
    const previous = [
      finding('a|o|user|1'),
      finding('b|o|user|2', { severity: 'low' }),
      finding('c|o|user|3', { severity: 'critical', waived: true }),
    ];
    const current = [finding('a|o|user|1'), finding('d|o|apiKey|4')];
    const cmp = compareFindings({ findings: previous }, { findings: current });
    expect([...cmp.marks]).toEqual([
      ['a|o|user|1', 'still-open'],
      ['d|o|apiKey|4', 'new'],
    ]);
    expect(cmp.resolved.map((r) => [r.key, r.severity, r.wasWaived])).toEqual([
      ['c|o|user|3', 'critical', true],
      ['b|o|user|2', 'low', false],
    ]);
    expect(cmp.counts).toEqual({ new: 1, stillOpen: 1, resolved: 2 });
  });

  it('with no previous findings everything is new', () => {
    const cmp = compareFindings({ findings: [] }, { findings: [finding('a|o|user|1')] });
    expect(cmp.counts).toEqual({ new: 1, stillOpen: 0, resolved: 0 });
  });
});

describe('diffTableRows', () => {
  it('flattens the diff for a Changes table', () => {
    const a = org({
      id: '0000000000000000000000aa',
      name: 'Acme',
      users: [user({ id: 'b00000000000000000000001', username: 'x@example.com' })],
    });
    const b = structuredClone(a);
    b.users[0]!.orgRoles = ['ORG_OWNER'];
    const rows = diffTableRows(diffSnapshots(snapshot([a]), snapshot([b])));
    expect(rows).toEqual([
      {
        orgId: '0000000000000000000000aa',
        orgName: 'Acme',
        kind: 'user-org-roles-changed',
        change: 'Org roles changed',
        subjectType: 'user',
        subjectId: 'b00000000000000000000001',
        subjectName: 'x@example.com',
        details: '+ ORG_OWNER; - ORG_MEMBER',
        escalation: 'ORG_OWNER',
      },
    ]);
  });
});
