/**
 * Revocation plan: which calls each decision produces, how a Modify comment selects them, and the
 * spec's rules (last project role, last org role). Every plan built here goes through the spec check.
 */
import { describe, expect, it } from 'vitest';
import { formatPlanText, type PlannedCall } from '../../src/review/plan.js';
import type { SignoffAction } from '../../src/review/signoff.js';
import { callProblems, planCalls, planFromActions } from '../helpers/plan-spec.js';

const ORG = '0000000000000000000000aa';
const U = 'b00000000000000000000001';
const P = 'd00000000000000000000001';
const P2 = 'd00000000000000000000002';
const T = 'c00000000000000000000001';
const KEY = 'e00000000000000000000001';
const SA = 'mdb_sa_id_0123456789abcdef01234567';

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

const plan = planFromActions;
const calls = planCalls;

describe('revocation plan: users', () => {
  it('Modify naming a project role and a team removes exactly those', () => {
    const p = plan(action({ comment: 'No GROUP_OWNER on prod; leave Platform-Admins team' }));
    expect(calls(p)).toEqual([
      ['POST', `/api/atlas/v2/groups/${P}/users/${U}:removeRole`, { groupRole: 'GROUP_OWNER' }, false],
      ['POST', `/api/atlas/v2/orgs/${ORG}/teams/${T}:removeUser`, { id: U }, false],
    ]);
    const team = p.identities[0]!.calls[1]!;
    expect(team).toMatchObject({
      operationId: 'removeOrgTeamUser',
      version: '2025-02-19',
      accept: 'application/vnd.atlas.2025-02-19+json',
      contentType: 'application/vnd.atlas.2025-02-19+json',
      leastRoles: ['Organization Owner'],
    });
    expect(p.rolesNeeded).toEqual(['Organization Owner', 'Project Access Manager']);
  });

  it('removing the last project role removes the user from the project (removeGroupUser), not :removeRole', () => {
    const p = plan(action({ comment: 'drop GROUP_OWNER and GROUP_READ_ONLY' }));
    expect(calls(p)).toEqual([['DELETE', `/api/atlas/v2/groups/${P}/users/${U}`, null, false]]);
    const c = p.identities[0]!.calls[0]!;
    expect(c.operationId).toBe('removeGroupUser');
    expect(c.contentType).toBeNull();
    expect(c.purpose).toContain('the last project role goes with the membership');
  });

  it('a role held in several projects is removed only where the comment names the project', () => {
    const access = {
      orgRoles: ['ORG_MEMBER'],
      projectRoles: [
        { projectId: P, projectName: 'prod', roles: ['GROUP_OWNER', 'GROUP_READ_ONLY'] },
        { projectId: P2, projectName: 'staging', roles: ['GROUP_OWNER', 'GROUP_READ_ONLY'] },
      ],
      teams: [],
    };
    expect(calls(plan(action({ access, comment: 'no GROUP_OWNER in staging' })))).toEqual([
      ['POST', `/api/atlas/v2/groups/${P2}/users/${U}:removeRole`, { groupRole: 'GROUP_OWNER' }, false],
    ]);
    expect(calls(plan(action({ access, comment: 'no GROUP_OWNER anywhere' })))).toEqual([
      ['POST', `/api/atlas/v2/groups/${P}/users/${U}:removeRole`, { groupRole: 'GROUP_OWNER' }, false],
      ['POST', `/api/atlas/v2/groups/${P2}/users/${U}:removeRole`, { groupRole: 'GROUP_OWNER' }, false],
    ]);
  });

  it('removing the last org role adds ORG_MEMBER first', () => {
    const p = plan(action({ comment: 'downgrade from ORG_OWNER' }));
    expect(calls(p)).toEqual([
      ['POST', `/api/atlas/v2/orgs/${ORG}/users/${U}:addRole`, { orgRole: 'ORG_MEMBER' }, false],
      ['POST', `/api/atlas/v2/orgs/${ORG}/users/${U}:removeRole`, { orgRole: 'ORG_OWNER' }, false],
    ]);
  });

  it('ORG_MEMBER as the only org role is not removed: the note says to Revoke instead', () => {
    const p = plan(
      action({
        comment: 'remove ORG_MEMBER',
        access: { orgRoles: ['ORG_MEMBER'], projectRoles: [], teams: [] },
      }),
    );
    expect(calls(p)).toEqual([]);
    expect(p.identities[0]!.notes[0]).toContain('Revoke the identity');
  });

  it('a user keeping another org role loses the named one without ORG_MEMBER being added', () => {
    const p = plan(
      action({
        comment: 'drop ORG_OWNER and ORG_MEMBER',
        access: { orgRoles: ['ORG_MEMBER', 'ORG_OWNER'], projectRoles: [], teams: [] },
      }),
    );
    expect(calls(p)).toEqual([
      ['POST', `/api/atlas/v2/orgs/${ORG}/users/${U}:removeRole`, { orgRole: 'ORG_OWNER' }, false],
    ]);
    expect(p.identities[0]!.notes).toEqual(['ORG_MEMBER stays: an org user must keep one org role']);
  });

  it('Modify whose comment names nothing held lists every single removal as a candidate', () => {
    const p = plan(action({ comment: 'too much access' }));
    expect(calls(p)).toEqual([
      ['POST', `/api/atlas/v2/orgs/${ORG}/users/${U}:addRole`, { orgRole: 'ORG_MEMBER' }, true],
      ['POST', `/api/atlas/v2/orgs/${ORG}/users/${U}:removeRole`, { orgRole: 'ORG_OWNER' }, true],
      ['POST', `/api/atlas/v2/groups/${P}/users/${U}:removeRole`, { groupRole: 'GROUP_OWNER' }, true],
      ['POST', `/api/atlas/v2/groups/${P}/users/${U}:removeRole`, { groupRole: 'GROUP_READ_ONLY' }, true],
      ['POST', `/api/atlas/v2/orgs/${ORG}/teams/${T}:removeUser`, { id: U }, true],
    ]);
    expect(p.identities[0]!.notes[0]).toContain('candidate');
    expect(p.counts.candidateCalls).toBe(5);
    expect(p.rolesNeeded).toEqual([]);
    expect(formatPlanText(p)).toContain('[candidate] POST');
  });

  it('role names match whole words only (GROUP_OWNER does not match GROUP_OWNERSHIP)', () => {
    const p = plan(action({ comment: 'review GROUP_OWNERSHIP later' }));
    expect(p.identities[0]!.calls.every((c) => c.candidate)).toBe(true);
  });
});

describe('revocation plan: API keys and service accounts', () => {
  it('API key: remaining org roles as plain names; the last project role removes it from the project', () => {
    const key = action({
      subjectType: 'apiKey',
      kind: 'apiKey',
      id: KEY,
      name: 'abcdefgh',
      comment: 'drop ORG_OWNER and GROUP_DATA_ACCESS_ADMIN',
      access: {
        orgRoles: ['ORG_OWNER', 'ORG_READ_ONLY'],
        projectRoles: [{ projectId: P, projectName: 'prod', roles: ['GROUP_DATA_ACCESS_ADMIN'] }],
        teams: [],
      },
    });
    expect(calls(plan(key))).toEqual([
      ['PATCH', `/api/atlas/v2/orgs/${ORG}/apiKeys/${KEY}`, { roles: ['ORG_READ_ONLY'] }, false],
      ['DELETE', `/api/atlas/v2/groups/${P}/apiKeys/${KEY}`, null, false],
    ]);
  });

  it('API key: a project role that is not the last sets the remaining ones (plain strings)', () => {
    const key = action({
      subjectType: 'apiKey',
      kind: 'apiKey',
      id: KEY,
      name: 'abcdefgh',
      comment: 'no GROUP_OWNER',
      access: {
        orgRoles: ['ORG_MEMBER'],
        projectRoles: [{ projectId: P, projectName: 'prod', roles: ['GROUP_OWNER', 'GROUP_READ_ONLY'] }],
        teams: [],
      },
    });
    const p = plan(key);
    expect(calls(p)).toEqual([
      ['PATCH', `/api/atlas/v2/groups/${P}/apiKeys/${KEY}`, { roles: ['GROUP_READ_ONLY'] }, false],
    ]);
    expect(p.identities[0]!.calls[0]).toMatchObject({
      operationId: 'updateGroupApiKeyRoles',
      version: '2023-01-01',
    });
  });

  it('service account removing its only org role keeps ORG_MEMBER, and says why', () => {
    const sa = action({
      subjectType: 'serviceAccount',
      kind: 'serviceAccount',
      id: SA,
      name: 'ci-bot',
      comment: 'no ORG_OWNER',
      access: { orgRoles: ['ORG_OWNER'], projectRoles: [], teams: [] },
    });
    const p = plan(sa);
    expect(calls(p)).toEqual([
      ['PATCH', `/api/atlas/v2/orgs/${ORG}/serviceAccounts/${SA}`, { roles: ['ORG_MEMBER'] }, false],
    ]);
    expect(p.identities[0]!.calls[0]!.purpose).toBe(
      'set the org roles of service account ci-bot without ORG_OWNER (ORG_MEMBER kept: it needs one org role)',
    );
  });

  it('service account project roles: PATCH the remaining roles, DELETE from the project when none remain', () => {
    const sa = action({
      subjectType: 'serviceAccount',
      kind: 'serviceAccount',
      id: SA,
      name: 'ci-bot',
      comment: 'no GROUP_OWNER; nothing in staging (GROUP_READ_ONLY there)',
      access: {
        orgRoles: ['ORG_MEMBER'],
        projectRoles: [
          { projectId: P, projectName: 'prod', roles: ['GROUP_OWNER', 'GROUP_CLUSTER_MANAGER'] },
          { projectId: P2, projectName: 'staging', roles: ['GROUP_READ_ONLY'] },
        ],
        teams: [],
      },
    });
    const p = plan(sa);
    expect(calls(p)).toEqual([
      [
        'PATCH',
        `/api/atlas/v2/groups/${P}/serviceAccounts/${SA}`,
        { roles: ['GROUP_CLUSTER_MANAGER'] },
        false,
      ],
      ['DELETE', `/api/atlas/v2/groups/${P2}/serviceAccounts/${SA}`, null, false],
    ]);
    expect(p.rolesNeeded).toEqual(['Project Owner']);
  });

  it('Revoke of each identity kind is one deletion; an invitation goes with removeOrgUser 2025-02-19', () => {
    const p = plan(
      action({ decision: 'Revoke', kind: 'invitation' }),
      action({ decision: 'Revoke', subjectType: 'apiKey', kind: 'apiKey', id: KEY }),
      action({
        decision: 'Revoke',
        subjectType: 'serviceAccount',
        kind: 'serviceAccount',
        id: 'mdb_sa_id_f00000000000000000000001',
      }),
    );
    expect(
      p.identities.flatMap((i) => i.calls.map((c) => `${c.method} ${c.path} ${c.operationId} ${c.version}`)),
    ).toEqual([
      `DELETE /api/atlas/v2/orgs/${ORG}/users/${U} removeOrgUser 2025-02-19`,
      `DELETE /api/atlas/v2/orgs/${ORG}/apiKeys/${KEY} deleteOrgApiKey 2023-01-01`,
      `DELETE /api/atlas/v2/orgs/${ORG}/serviceAccounts/mdb_sa_id_f00000000000000000000001 deleteOrgServiceAccount 2024-08-05`,
    ]);
    expect(p.identities[0]!.calls[0]!.purpose).toContain('withdraw the invitation');
    expect(p.counts).toMatchObject({ identities: 3, calls: 3, revoke: 3, modify: 0 });
    expect(p.rolesNeeded).toEqual(['Organization Owner']);
  });
});

describe('revocation plan: text and the spec check', () => {
  it('the text names each call with its operationId and media type, and escapes hostile names', () => {
    const p = plan(action({ name: 'evil\u001b[2Jname', decision: 'Revoke' }));
    const text = formatPlanText(p);
    expect(text).toContain('removeOrgUser, Accept application/vnd.atlas.2025-02-19+json');
    expect(text).toContain('Least role of the applying identity: Organization Owner');
    expect(text).toContain('sign-off sha256 cccc');
    expect(text).not.toContain('\u001b');
    expect(text).not.toMatch(/not in the spec/i);
  });

  it('says so when there is nothing to do', () => {
    expect(formatPlanText(plan())).toContain('No Revoke or Modify decisions');
  });

  it('the spec check catches a wrong version, a body outside the schema, a bad id and a stray body', () => {
    const good = plan(action({ comment: 'downgrade from ORG_OWNER' })).identities[0]!.calls[1]!;
    expect(callProblems(good)).toEqual([]);
    const bad = (over: Partial<PlannedCall>) => callProblems({ ...good, ...over });
    expect(bad({ version: '2023-01-01' }).join()).toContain('version 2023-01-01, spec 2025-02-19');
    expect(bad({ accept: 'application/json' }).join()).toContain('Accept application/json');
    expect(bad({ body: { orgRole: 'ORG_EMPEROR' } }).join()).toContain(
      'must be equal to one of the allowed values',
    );
    expect(bad({ body: { roles: ['ORG_MEMBER'] } }).join()).toContain(
      "must have required property 'orgRole'",
    );
    expect(bad({ path: `/api/atlas/v2/orgs/${ORG}/users/not-an-id:removeRole` }).join()).toContain(
      'userId=not-an-id',
    );
    expect(bad({ pathTemplate: '/api/atlas/v2/orgs/{orgId}/users/{userId}:demote' }).join()).toContain(
      'is in no spec extract',
    );
    const del = plan(action({ decision: 'Revoke' })).identities[0]!.calls[0]!;
    expect(callProblems({ ...del, body: { id: U } }).join()).toContain('takes no body');
    expect(callProblems({ ...del, leastRoles: ['Organization Member'] }).join()).toContain('least roles');
  });
});
