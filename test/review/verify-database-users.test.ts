/** `review verify` for database users: each revoked database user is gone, or reported. */
import { describe, expect, it } from 'vitest';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';
import { verifySignoff } from '../../src/review/verify.js';
import type { DatabaseUser } from '../../src/snapshot/schema.js';
import { coverage, org, project, snapshot } from '../builders/snapshot.js';

const ORG = '0000000000000000000000aa';
const P = 'd00000000000000000000001';
const ARN = 'arn:aws:iam::123456789012:role/etl';

function signoff(...actions: SignoffAction[]): Signoff {
  return {
    signoffSchemaVersion: 1,
    tool: { name: 't', version: '0' },
    signedOffAt: '2026-06-05T00:00:00.000Z',
    snapshot: {
      file: 's.json',
      sha256: 'a'.repeat(64),
      collectedAt: '2026-06-01T12:00:00.000Z',
      organizations: [],
    },
    workbook: { file: 'w.xlsx', sha256: 'b'.repeat(64) },
    counts: { identities: actions.length, keep: 0, revoke: actions.length, modify: 0 },
    byOrg: [],
    reviewers: [],
    reviewPeriod: null,
    actions,
  };
}

function revoke(username: string, databaseName: 'admin' | '$external'): SignoffAction {
  const id = `${P}/${databaseName}/${username}`;
  return {
    key: `${ORG}:databaseUser:${id}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'databaseUser',
    kind: 'databaseUser',
    id,
    name: username,
    status: 'ACTIVE',
    decision: 'Revoke',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-06-03',
    comment: 'unused since March',
    workbookRow: 9,
    access: {
      orgRoles: [],
      projectRoles: [{ projectId: P, projectName: 'prod', roles: ['readWrite@sales'] }],
      teams: [],
    },
    databaseUser: {
      projectId: P,
      projectName: 'prod',
      databaseName,
      username,
      authKind: databaseName === 'admin' ? 'scram' : 'aws-iam-role',
      roles: [{ roleName: 'readWrite', databaseName: 'sales', collectionName: null }],
    },
  };
}

function dbUser(username: string, databaseName: 'admin' | '$external'): DatabaseUser {
  return {
    username,
    databaseName,
    authKind: databaseName === 'admin' ? 'scram' : 'aws-iam-role',
    roles: [{ roleName: 'read', databaseName: 'sales', collectionName: null }],
    scopes: [],
    deleteAfterDate: null,
    description: null,
    labels: [],
    certificates: [],
  };
}

const later = (o: ReturnType<typeof org>) => ({
  snapshot: snapshot([o], { collectedAt: '2026-09-01T00:00:00.000Z' }),
  sha256: 'c'.repeat(64),
  file: 'later.json',
});
const NOW = new Date('2026-09-02T00:00:00Z');

describe('review verify: database users', () => {
  it('a deleted user is done; one still there is not done, with the roles it holds now', () => {
    const o = org({
      id: ORG,
      name: 'Northwind',
      projects: [project({ id: P, name: 'prod', databaseUsers: [dbUser('app-writer', 'admin')] })],
    });
    const r = verifySignoff(signoff(revoke('app-writer', 'admin'), revoke(ARN, '$external')), later(o), NOW);
    expect(r.checks.map((c) => [c.name, c.outcome, c.reason])).toEqual([
      ['app-writer', 'not-done', 'database user still exists in project prod with read@sales'],
      [ARN, 'done', 'database user deleted'],
    ]);
    expect(r.failed).toBe(true);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      ruleId: 'review-revocation-not-done',
      // The finding is about the database user itself (not its project), under the id its key carries.
      subject: { type: 'databaseUser', id: `${P}/admin/app-writer`, name: 'app-writer' },
      key: `review-revocation-not-done|${ORG}|databaseUser|${P}/admin/app-writer`,
      evidence: { remainingAccess: ['read@sales'], accessAtReview: ['prod: readWrite@sales'] },
    });
  });

  it('the same username in the other authentication database is another user: the revoked one is gone', () => {
    const o = org({
      id: ORG,
      projects: [project({ id: P, name: 'prod', databaseUsers: [dbUser('app-writer', '$external')] })],
    });
    const r = verifySignoff(signoff(revoke('app-writer', 'admin')), later(o), NOW);
    expect(r.checks[0]).toMatchObject({ outcome: 'done' });
    expect(r.failed).toBe(false);
  });

  it('without database users in the later snapshot the revocation is unverifiable, never done', () => {
    const o = org({ id: ORG, coverage: coverage({ databaseUsers: false }), projects: [project({ id: P })] });
    const r = verifySignoff(signoff(revoke('app-writer', 'admin')), later(o), NOW);
    expect(r.checks[0]).toMatchObject({
      outcome: 'unverifiable',
      reason: 'the later snapshot has no database users for this organization',
    });
    expect(r.failed).toBe(true);
  });

  it('a project deleted since is done only when the later snapshot lists projects', () => {
    const gone = verifySignoff(
      signoff(revoke('app-writer', 'admin')),
      later(org({ id: ORG, projects: [] })),
      NOW,
    );
    expect(gone.checks[0]).toMatchObject({ outcome: 'done', reason: 'project prod no longer exists' });
    const blind = verifySignoff(
      signoff(revoke('app-writer', 'admin')),
      later(org({ id: ORG, projects: [], coverage: coverage({ projects: false }) })),
      NOW,
    );
    expect(blind.checks[0]).toMatchObject({ outcome: 'unverifiable' });
  });
});
