/**
 * Revocation plan for database users: Revoke is the DELETE of the user at
 * `/groups/{groupId}/databaseUsers/{databaseName}/{username}` with every path segment URL-encoded;
 * Modify is one PATCH of the roles the user keeps, in the spec's `CloudDatabaseUser` schema and never
 * with a password. Every plan goes through the spec check (test/helpers/plan-spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { writeOperations, writePathParams } from '../../src/atlas/write-operations.js';
import { formatPlanText } from '../../src/review/plan.js';
import type { SignoffAction } from '../../src/review/signoff.js';
import { callProblems, planCalls, planFromActions } from '../helpers/plan-spec.js';

const ORG = '0000000000000000000000aa';
const P = 'd00000000000000000000001';
type Db = NonNullable<SignoffAction['databaseUser']>;

function dbAction(over: Partial<SignoffAction>, db: Partial<Db> = {}): SignoffAction {
  const d: Db = {
    projectId: P,
    projectName: 'prod',
    databaseName: 'admin',
    username: 'app-writer',
    authKind: 'scram',
    roles: [
      { roleName: 'readWrite', databaseName: 'sales', collectionName: null },
      { roleName: 'read', databaseName: 'hr', collectionName: 'people' },
      { roleName: 'readWrite', databaseName: 'hr', collectionName: null },
    ],
    ...db,
  };
  return {
    key: `${ORG}:databaseUser:${P}/${d.databaseName}/${d.username}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'databaseUser',
    kind: 'databaseUser',
    id: `${P}/${d.databaseName}/${d.username}`,
    name: d.username,
    status: 'ACTIVE',
    decision: 'Revoke',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-11-20',
    comment: null,
    workbookRow: 7,
    access: { orgRoles: [], projectRoles: [], teams: [] },
    databaseUser: d,
    ...over,
  };
}

const plan = planFromActions;
const calls = planCalls;

describe('revocation plan: database users', () => {
  it('Revoke of a SCRAM user deletes it from admin, with its least role and version', () => {
    const p = plan(dbAction({}));
    expect(calls(p)).toEqual([
      ['DELETE', `/api/atlas/v2/groups/${P}/databaseUsers/admin/app-writer`, null, false],
    ]);
    expect(p.identities[0]!.calls[0]).toMatchObject({
      operationId: 'deleteGroupDatabaseUser',
      version: '2023-01-01',
      accept: 'application/vnd.atlas.2023-01-01+json',
      contentType: null,
      leastRoles: ['Project Database Access Admin', 'Project Stream Processing Owner'],
    });
    expect(p.rolesNeeded).toEqual(['Project Database Access Admin', 'Project Stream Processing Owner']);
    expect(p.counts).toMatchObject({ identities: 1, calls: 1, revoke: 1 });
  });

  it('external users are deleted from $external with the DN, ARN or OIDC name as one encoded segment', () => {
    const users: Array<[Db['authKind'], string]> = [
      ['ldap-user', 'CN=Dylan Bloggs,OU=Sales,DC=Example,DC=COM'],
      ['aws-iam-role', 'arn:aws:iam::123456789012:role/sales/etl'],
      ['oidc-user', '0oa1b2c3/svc-batch'],
      ['x509-managed', 'CN=etl,O=Northwind'],
    ];
    const p = plan(
      ...users.map(([authKind, username]) => dbAction({}, { authKind, username, databaseName: '$external' })),
    );
    const paths = p.identities.map((i) => i.calls[0]!.path);
    expect(paths).toEqual([
      `/api/atlas/v2/groups/${P}/databaseUsers/%24external/CN%3DDylan%20Bloggs%2COU%3DSales%2CDC%3DExample%2CDC%3DCOM`,
      `/api/atlas/v2/groups/${P}/databaseUsers/%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fsales%2Fetl`,
      `/api/atlas/v2/groups/${P}/databaseUsers/%24external/0oa1b2c3%2Fsvc-batch`,
      `/api/atlas/v2/groups/${P}/databaseUsers/%24external/CN%3Detl%2CO%3DNorthwind`,
    ]);
    // Each path reads back to the same parameters, as `review apply` checks before sending.
    for (const [i, path] of paths.entries())
      expect(writePathParams(writeOperations.deleteGroupDatabaseUser, path)).toEqual({
        params: { groupId: P, databaseName: '$external', username: users[i]![1] },
      });
  });

  it('Modify naming a role PATCHes the roles that remain, in CloudDatabaseUser, without a password', () => {
    const p = plan(dbAction({ decision: 'Modify', comment: 'no write access to HR: drop readWrite@hr' }));
    expect(calls(p)).toEqual([
      [
        'PATCH',
        `/api/atlas/v2/groups/${P}/databaseUsers/admin/app-writer`,
        {
          databaseName: 'admin',
          groupId: P,
          username: 'app-writer',
          roles: [
            { roleName: 'readWrite', databaseName: 'sales' },
            { roleName: 'read', databaseName: 'hr', collectionName: 'people' },
          ],
        },
        false,
      ],
    ]);
    const c = p.identities[0]!.calls[0]!;
    expect(c).toMatchObject({
      operationId: 'updateGroupDatabaseUser',
      contentType: 'application/vnd.atlas.2023-01-01+json',
    });
    expect(JSON.stringify(c.body)).not.toMatch(/password/i);
  });

  it('a bare role name removes that role on every database; a named grant only that one', () => {
    const bare = plan(dbAction({ decision: 'Modify', comment: 'no writes: remove readWrite' }));
    expect((bare.identities[0]!.calls[0]!.body as { roles: unknown[] }).roles).toEqual([
      { roleName: 'read', databaseName: 'hr', collectionName: 'people' },
    ]);
    const one = plan(
      dbAction({ decision: 'Modify', comment: 'remove readWrite@sales, keep readWrite on hr' }),
    );
    expect((one.identities[0]!.calls[0]!.body as { roles: unknown[] }).roles).toEqual([
      { roleName: 'read', databaseName: 'hr', collectionName: 'people' },
      { roleName: 'readWrite', databaseName: 'hr' },
    ]);
  });

  it('removing every role is no call: the note says to Revoke instead', () => {
    const p = plan(dbAction({ decision: 'Modify', comment: 'remove readWrite and read' }));
    expect(p.identities[0]!.calls).toEqual([]);
    expect(p.identities[0]!.notes.join()).toContain('Revoke the database user');
  });

  it('a comment naming no role held lists one candidate PATCH per role (never applied)', () => {
    const p = plan(dbAction({ decision: 'Modify', comment: 'too much access' }));
    expect(p.identities[0]!.calls).toHaveLength(3);
    expect(p.identities[0]!.calls.every((c) => c.candidate)).toBe(true);
    expect(p.counts.candidateCalls).toBe(3);
    expect(p.rolesNeeded).toEqual([]);
  });

  it('the plan text shows the call and escapes a hostile username', () => {
    const text = formatPlanText(plan(dbAction({ name: 'evil\u001b[2J' }, { username: 'evil\u001b[2J' })));
    expect(text).toContain('DELETE /api/atlas/v2/groups/');
    expect(text).toContain('deleteGroupDatabaseUser');
    expect(text).not.toContain('\u001b');
  });

  it('the spec check refuses a body outside CloudDatabaseUser; apply refuses a database outside admin/$external', () => {
    const del = plan(dbAction({})).identities[0]!.calls[0]!;
    expect(callProblems(del)).toEqual([]);
    const patch = plan(dbAction({ decision: 'Modify', comment: 'remove readWrite@hr' })).identities[0]!
      .calls[0]!;
    expect(callProblems({ ...patch, body: { roles: [] } }).join()).toContain(
      "required property 'databaseName'",
    );
    expect(
      writePathParams(
        writeOperations.deleteGroupDatabaseUser,
        `/api/atlas/v2/groups/${P}/databaseUsers/local/x`,
      ),
    ).toHaveProperty('problem');
  });
});
