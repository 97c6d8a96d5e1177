/** Revocation plan: which calls each decision produces, and how a Modify comment selects them. */
import { describe, expect, it } from 'vitest';
import { buildRevocationPlan, formatPlanText, PLAN_OPERATIONS } from '../../src/review/plan.js';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';

const ORG = '0000000000000000000000aa';
const U = 'b00000000000000000000001';
const P = 'd00000000000000000000001';
const T = 'c00000000000000000000001';

function action(over: Partial<SignoffAction>): SignoffAction {
  return {
    key: `${ORG}:user:${U}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'user',
    kind: 'user',
    id: U,
    name: 'alice@example.com',
    status: 'ACTIVE',
    decision: 'Modify',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-11-20',
    comment: null,
    workbookRow: 2,
    access: {
      orgRoles: ['ORG_OWNER'],
      projectRoles: [{ projectId: P, projectName: 'prod', roles: ['GROUP_OWNER', 'GROUP_READ_ONLY'] }],
      teams: [{ id: T, name: 'platform-admins' }],
    },
    ...over,
  };
}

function plan(...actions: SignoffAction[]) {
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
    counts: { identities: actions.length, keep: 0, revoke: 0, modify: 0 },
    byOrg: [],
    reviewers: [],
    reviewPeriod: null,
    actions,
  };
  return buildRevocationPlan(s);
}

const calls = (p: ReturnType<typeof plan>) =>
  p.identities.flatMap((i) => i.calls.map((c) => [c.method, c.path, c.body, c.candidate]));

describe('revocation plan', () => {
  it('Modify naming a project role and a team removes exactly those', () => {
    const p = plan(action({ comment: 'No GROUP_OWNER on prod any more; leave Platform-Admins team' }));
    expect(calls(p)).toEqual([
      ['POST', `/api/atlas/v2/groups/${P}/users/${U}:removeRole`, { groupRole: 'GROUP_OWNER' }, false],
      ['POST', `/api/atlas/v2/orgs/${ORG}/teams/${T}:removeUser`, { id: U }, false],
    ]);
    expect(p.identities[0]!.calls[1]!.acceptVersion).toBe('2025-02-19');
  });

  it('removing the last org role adds ORG_MEMBER first', () => {
    const p = plan(action({ comment: 'downgrade from ORG_OWNER' }));
    expect(calls(p)).toEqual([
      ['POST', `/api/atlas/v2/orgs/${ORG}/users/${U}:addRole`, { orgRole: 'ORG_MEMBER' }, false],
      ['POST', `/api/atlas/v2/orgs/${ORG}/users/${U}:removeRole`, { orgRole: 'ORG_OWNER' }, false],
    ]);
  });

  it('Modify whose comment names nothing held lists every removal as a candidate', () => {
    const p = plan(action({ comment: 'too much access' }));
    expect(p.identities[0]!.calls).toHaveLength(5);
    expect(p.identities[0]!.calls.every((c) => c.candidate)).toBe(true);
    expect(p.identities[0]!.notes[0]).toContain('candidate');
    expect(p.counts.candidateCalls).toBe(5);
    expect(formatPlanText(p)).toContain('[candidate] POST');
  });

  it('role names match whole words only (GROUP_OWNER does not match GROUP_OWNERSHIP)', () => {
    const p = plan(action({ comment: 'review GROUP_OWNERSHIP later' }));
    expect(p.identities[0]!.calls.every((c) => c.candidate)).toBe(true);
  });

  it('API key Modify rewrites the remaining roles; removing its only project role removes it from the project', () => {
    const key = action({
      subjectType: 'apiKey',
      kind: 'apiKey',
      id: 'e00000000000000000000001',
      name: 'abcdefgh',
      comment: 'drop ORG_OWNER and GROUP_DATA_ACCESS_ADMIN',
      access: {
        orgRoles: ['ORG_OWNER', 'ORG_READ_ONLY'],
        projectRoles: [{ projectId: P, projectName: 'prod', roles: ['GROUP_DATA_ACCESS_ADMIN'] }],
        teams: [],
      },
    });
    expect(calls(plan(key))).toEqual([
      [
        'PATCH',
        `/api/atlas/v2/orgs/${ORG}/apiKeys/e00000000000000000000001`,
        { roles: ['ORG_READ_ONLY'] },
        false,
      ],
      ['DELETE', `/api/atlas/v2/groups/${P}/apiKeys/e00000000000000000000001`, null, false],
    ]);
  });

  it('service account Modify removing its only org role keeps ORG_MEMBER, and says why', () => {
    const sa = action({
      subjectType: 'serviceAccount',
      kind: 'serviceAccount',
      id: 'mdb_sa_id_0123456789abcdef01234567',
      name: 'ci-bot',
      comment: 'no ORG_OWNER',
      access: { orgRoles: ['ORG_OWNER'], projectRoles: [], teams: [] },
    });
    const p = plan(sa);
    expect(calls(p)).toEqual([
      [
        'PATCH',
        `/api/atlas/v2/orgs/${ORG}/serviceAccounts/mdb_sa_id_0123456789abcdef01234567`,
        { roles: ['ORG_MEMBER'] },
        false,
      ],
    ]);
    expect(p.identities[0]!.calls[0]!.purpose).toBe(
      'set the org roles of service account ci-bot without ORG_OWNER (ORG_MEMBER kept: an account needs one org role)',
    );
  });

  it('Revoke of each identity kind is one deletion', () => {
    const p = plan(
      action({ decision: 'Revoke', kind: 'invitation' }),
      action({ decision: 'Revoke', subjectType: 'apiKey', kind: 'apiKey', id: 'e00000000000000000000001' }),
      action({
        decision: 'Revoke',
        subjectType: 'serviceAccount',
        kind: 'serviceAccount',
        id: 'mdb_sa_id_f00000000000000000000001',
      }),
    );
    expect(calls(p).map((c) => `${c[0]} ${c[1]}`)).toEqual([
      `DELETE /api/atlas/v2/orgs/${ORG}/users/${U}`,
      `DELETE /api/atlas/v2/orgs/${ORG}/apiKeys/e00000000000000000000001`,
      `DELETE /api/atlas/v2/orgs/${ORG}/serviceAccounts/mdb_sa_id_f00000000000000000000001`,
    ]);
    expect(p.identities[0]!.calls[0]!.purpose).toContain('withdraw the invitation');
    expect(p.counts).toMatchObject({ identities: 3, calls: 3, revoke: 3, modify: 0 });
  });

  it('every operation is a write outside the read-only spec extract, with no invented version', () => {
    for (const [name, op] of Object.entries(PLAN_OPERATIONS)) {
      expect(op.template.startsWith('/api/atlas/v2/'), name).toBe(true);
      expect(['DELETE', 'POST', 'PATCH']).toContain(op.method);
      if (op.version !== null) expect(name).toBe('removeOrgTeamUser');
    }
  });

  it('says so when there is nothing to do', () => {
    expect(formatPlanText(plan())).toContain('No Revoke or Modify decisions');
  });
});
