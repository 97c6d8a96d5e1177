/** verifySignoff outcomes that the round trip does not reach: username matching and partial coverage. */
import { describe, expect, it } from 'vitest';
import { snapshotIdentities } from '../../src/review/import.js';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';
import { verifySignoff } from '../../src/review/verify.js';
import {
  invitation,
  org,
  project,
  projectRole,
  serviceAccount,
  snapshot,
  user,
} from '../builders/snapshot.js';

const ORG = '0000000000000000000000aa';
const INV = 'b00000000000000000000004';

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
    counts: { identities: 1, keep: 0, revoke: 1, modify: 0 },
    byOrg: [],
    reviewers: [],
    reviewPeriod: null,
    actions,
  };
}

function revoke(over: Partial<SignoffAction> = {}): SignoffAction {
  return {
    key: `${ORG}:user:${INV}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'user',
    kind: 'invitation',
    id: INV,
    name: 'carol@example.com',
    status: 'PENDING',
    decision: 'Revoke',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-06-03',
    comment: null,
    workbookRow: 5,
    access: { orgRoles: ['ORG_MEMBER'], projectRoles: [], teams: [] },
    ...over,
  };
}

const later = (o: ReturnType<typeof org>) => ({
  snapshot: snapshot([o], { collectedAt: '2026-09-01T00:00:00.000Z' }),
  sha256: 'c'.repeat(64),
  file: 'q4.json',
});
const NOW = new Date('2026-09-02T00:00:00Z');

describe('verifySignoff', () => {
  it('an invitation revoked but accepted under a new id is not done (matched by username)', () => {
    const o = org({
      id: ORG,
      users: [user({ id: 'b00000000000000000000009', username: 'Carol@example.com' })],
    });
    const r = verifySignoff(signoff(revoke()), later(o), NOW);
    expect(r.checks[0]).toMatchObject({ outcome: 'not-done', matchedId: 'b00000000000000000000009' });
    expect(r.findings[0]!.subject.id).toBe('b00000000000000000000009');
    expect(r.failed).toBe(true);
  });

  it('an invitation that expired grants no access: done', () => {
    const o = org({
      id: ORG,
      users: [invitation({ id: INV, username: 'carol@example.com', status: 'INVITATION_EXPIRED' })],
    });
    const r = verifySignoff(signoff(revoke()), later(o), NOW);
    expect(r.checks[0]!.outcome).toBe('done');
    expect(r.failed).toBe(false);
  });

  it('an API key revoke on a snapshot without API key coverage is unverifiable, not done', () => {
    const o = org({ id: ORG });
    o.coverage.apiKeys = false;
    const r = verifySignoff(
      signoff(
        revoke({ subjectType: 'apiKey', kind: 'apiKey', id: 'e00000000000000000000001', name: 'abcdefgh' }),
      ),
      later(o),
      NOW,
    );
    expect(r.checks[0]!.outcome).toBe('unverifiable');
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['review-revocation-unverifiable', 'medium'],
    ]);
    expect(r.failed).toBe(true);
  });

  it('Modify decisions are counted, not checked', () => {
    const r = verifySignoff(signoff(revoke({ decision: 'Modify' })), later(org({ id: ORG })), NOW);
    expect(r.summary).toEqual({ revocations: 0, done: 0, notDone: 0, unverifiable: 0, modifications: 1 });
    expect(r.failed).toBe(false);
  });

  it("a service account's project roles are in the sign-off's access and in what a revoke leaves", () => {
    const p = project({ name: 'prod' });
    const sa = serviceAccount({ name: 'ci', projectRoles: [projectRole(p.id, 'GROUP_OWNER')] });
    const o = org({ id: ORG, projects: [p], serviceAccounts: [sa] });
    const identity = snapshotIdentities(snapshot([o])).get(`${ORG}:serviceAccount:${sa.clientId}`)!;
    expect(identity.access.projectRoles).toEqual([
      { projectId: p.id, projectName: 'prod', roles: ['GROUP_OWNER'] },
    ]);
    const r = verifySignoff(
      signoff(
        revoke({
          key: identity.key,
          subjectType: 'serviceAccount',
          kind: 'serviceAccount',
          id: sa.clientId,
          name: 'ci',
          status: 'ACTIVE',
          access: identity.access,
        }),
      ),
      later(o),
      NOW,
    );
    expect(r.checks[0]).toMatchObject({
      outcome: 'not-done',
      remaining: ['ORG_READ_ONLY', 'prod: GROUP_OWNER'],
    });
    expect(r.findings[0]!.evidence.accessAtReview).toEqual(['ORG_READ_ONLY', 'prod: GROUP_OWNER']);
  });
});
