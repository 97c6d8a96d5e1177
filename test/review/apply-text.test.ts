import { describe, expect, it } from 'vitest';
import { initialLog } from '../../src/review/apply.js';
import { checkApplyTarget, formatDryRun, formatFailures } from '../../src/review/apply-text.js';
import { buildRevocationPlan } from '../../src/review/plan.js';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';
import { snapshot } from '../builders/snapshot.js';

const ORG = '0000000000000000000000aa';
const U = 'b00000000000000000000001';
const P = 'd00000000000000000000001';

function plan(over: Partial<SignoffAction>) {
  const action: SignoffAction = {
    key: `${ORG}:user:${U}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'user',
    kind: 'user',
    id: U,
    name: 'alice\u001b[2J@example.com',
    status: 'ACTIVE',
    decision: 'Revoke',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-11-20',
    comment: null,
    workbookRow: 2,
    access: {
      orgRoles: ['ORG_MEMBER'],
      projectRoles: [{ projectId: P, projectName: 'prod', roles: ['GROUP_READ_ONLY'] }],
      teams: [],
    },
    ...over,
  };
  const s: Signoff = {
    signoffSchemaVersion: 1,
    tool: { name: 't', version: '0' },
    signedOffAt: '2026-11-25T12:00:00.000Z',
    snapshot: {
      file: 's.json',
      sha256: 'a'.repeat(64),
      collectedAt: '2026-11-01T00:00:00.000Z',
      organizations: [],
    },
    workbook: { file: 'w.xlsx', sha256: 'b'.repeat(64) },
    counts: { identities: 1, keep: 0, revoke: 1, modify: 0 },
    byOrg: [],
    reviewers: [],
    reviewPeriod: null,
    actions: [action],
  };
  return buildRevocationPlan(s, 'c'.repeat(64));
}

describe('review apply text', () => {
  it('the dry run numbers every call, marks candidates, and escapes names from Atlas', () => {
    const text = formatDryRun(plan({}), 'plan.json', 'https://cloud.mongodb.com');
    expect(text).toMatch(/^review apply: dry run of plan\.json against https:\/\/cloud\.mongodb\.com/);
    expect(text).toMatch(/\n {3}1\. DELETE /);
    expect(text).not.toContain('\u001b');
    const candidates = formatDryRun(
      plan({ decision: 'Modify', comment: 'nothing named' }),
      'plan.json',
      'https://cloud.mongodb.com',
    );
    expect(candidates).toContain('(skipped: a human chooses)');
    expect(candidates).toMatch(/^0 call\(s\) to send, \d+ candidate\(s\) never sent/m);
  });

  it('refuses another Atlas than the snapshot was collected from, and APIs other than v2', () => {
    const source = snapshot([]).source;
    const origin = new URL(source.baseUrl).origin;
    expect(() => checkApplyTarget(source, origin, 's.json')).not.toThrow();
    expect(() => checkApplyTarget(source, 'https://elsewhere.example', 's.json')).toThrow(
      /is not the Atlas s\.json was collected from/,
    );
    expect(() => checkApplyTarget({ ...source, api: 'cloud-manager' }, origin, 's.json')).toThrow(
      /Admin API v2 only/,
    );
  });

  it('names each failed call with its operation and answer', () => {
    const p = plan({});
    const log = initialLog(p, {
      tool: { name: 't', version: '0' },
      startedAt: '2026-11-26T00:00:00.000Z',
      baseUrl: 'https://cloud.mongodb.com',
      identity: null,
      plan: { file: 'plan.json', sha256: 'd'.repeat(64) },
      signoff: { file: 'signoff.json', sha256: 'c'.repeat(64) },
      snapshot: { file: 's.json', sha256: 'a'.repeat(64) },
    });
    expect(formatFailures(log)).toEqual([]);
    const first = log.calls[0]!;
    Object.assign(first, { outcome: 'failed', status: 403, errorCode: 'NOT_IN_GROUP', detail: 'no\u0007' });
    const [line] = formatFailures(log);
    expect(line).toMatch(
      new RegExp(`^failed: ${first.method} \\S+ \\(\\w+ /api/\\S+\\): HTTP 403 NOT_IN_GROUP: no`),
    );
    expect(line).not.toContain('\u0007');
  });
});
