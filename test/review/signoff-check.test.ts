/**
 * A sign-off read back must add up by itself (counts against its actions, per org and per reviewer)
 * and, for `review verify`, against the snapshot that was signed off (one decision per identity, every
 * action an identity of that snapshot as it was). Each case edits a consistent record in one place.
 */
import { describe, expect, it } from 'vitest';
import { snapshotIdentities } from '../../src/review/import.js';
import { buildSignoff, type Signoff } from '../../src/review/signoff.js';
import { signoffCountProblem, signoffSnapshotProblem } from '../../src/review/signoff-check.js';
import { INVITE, KEY, MALLORY, ORG, q3 } from '../fixtures/review/estate.js';

const snap = q3();

/** Revoke mallory, the invitation and the API key; keep everyone else. */
function record(): Signoff {
  const revoke = new Set([MALLORY, INVITE, KEY]);
  return buildSignoff({
    snapshot: snap,
    snapshotFile: 'q3.json',
    snapshotSha256: 'a'.repeat(64),
    workbookFile: 'filled.xlsx',
    workbookSha256: 'b'.repeat(64),
    decisions: [...snapshotIdentities(snap).values()].map((i, n) => ({
      ...i,
      decision: revoke.has(i.id) ? 'Revoke' : 'Keep',
      reviewer: 'lead@example.com',
      reviewedOn: '2026-11-20',
      comment: null,
      row: n + 2,
    })),
    signedOffAt: new Date('2026-11-25T12:00:00Z'),
    tool: { name: 'atlas-access-review', version: '0.1.0' },
  });
}

function edited(edit: (s: Signoff) => void): Signoff {
  const s = record();
  edit(s);
  return s;
}

describe('signoffCountProblem', () => {
  it('accepts the record review import makes', () => {
    expect(record().actions).toHaveLength(3);
    expect(signoffCountProblem(record())).toBeNull();
  });

  it('refuses a record whose actions were emptied', () => {
    expect(signoffCountProblem(edited((s) => (s.actions = [])))).toEqual({
      path: '$.counts.revoke',
      problem: 'the sign-off: counts 3 Revoke decisions, but $.actions lists 0',
    });
  });

  it('follows an edit through: total, then per org, then per reviewer', () => {
    const total = edited((s) => {
      s.actions = [];
      s.counts.revoke = 0;
    });
    expect(signoffCountProblem(total)?.path).toBe('$.counts.identities');
    const perOrg = edited((s) => {
      s.actions = [];
      s.counts.revoke = 0;
      s.counts.keep += 3;
    });
    expect(signoffCountProblem(perOrg)).toEqual({
      path: '$.byOrg[0].revoke',
      problem: `organization ${ORG}: counts 3 Revoke decisions, but $.actions lists 0`,
    });
    const perReviewer = edited((s) => {
      s.actions = [];
      for (const c of [s.counts, s.byOrg[0]!]) {
        c.revoke = 0;
        c.keep += 3;
      }
    });
    expect(signoffCountProblem(perReviewer)?.path).toBe('$.reviewers[0].revoke');
  });

  it('refuses an action listed twice, or an org or reviewer that is not counted', () => {
    expect(signoffCountProblem(edited((s) => s.actions.push({ ...s.actions[0]! })))?.problem).toContain(
      'is listed twice ($.actions[0])',
    );
    expect(signoffCountProblem(edited((s) => (s.byOrg[0]!.orgId = 'f'.repeat(24))))?.path).toMatch(
      /^\$\.byOrg\[0\]\.revoke$|^\$\.actions\[0\]\.orgId$/,
    );
    expect(signoffCountProblem(edited((s) => (s.actions[0]!.reviewer = 'someone@example.com')))?.path).toBe(
      '$.reviewers[0].revoke',
    );
  });
});

describe('signoffSnapshotProblem', () => {
  it('accepts the record against the snapshot it was made from', () => {
    expect(signoffSnapshotProblem(record(), snap)).toBeNull();
  });

  it('refuses an id that is not in the signed-off snapshot', () => {
    const i = record().actions.findIndex((a) => a.id === MALLORY);
    const s = edited((x) => {
      x.actions[i]!.id = 'b0000000000000000000ffff';
      x.actions[i]!.key = `${ORG}:user:b0000000000000000000ffff`;
    });
    expect(signoffCountProblem(s)).toBeNull();
    expect(signoffSnapshotProblem(s, snap)).toEqual({
      path: `$.actions[${i}].id`,
      problem: `user b0000000000000000000ffff (${ORG}:user:b0000000000000000000ffff) is not an identity of the signed-off snapshot`,
    });
  });

  it('refuses an action whose name, status or access differs from the snapshot', () => {
    expect(
      signoffSnapshotProblem(
        edited((x) => (x.actions[0]!.name = 'someone-else')),
        snap,
      )?.path,
    ).toBe('$.actions[0].name');
    expect(
      signoffSnapshotProblem(
        edited((x) => x.actions[0]!.access.orgRoles.push('ORG_OWNER')),
        snap,
      )?.path,
    ).toBe('$.actions[0].access');
  });

  it('refuses decision counts that do not cover every identity of the snapshot', () => {
    const fewer = edited((x) => {
      // Per kind too: the sign-off must still add up by itself.
      const kind = x.byKind?.find((k) => k.keep > 0);
      for (const c of [x.counts, x.byOrg[0]!, x.reviewers[0]!, ...(kind ? [kind] : [])]) {
        c.identities -= 1;
        c.keep -= 1;
      }
    });
    expect(signoffCountProblem(fewer)).toBeNull();
    expect(signoffSnapshotProblem(fewer, snap)?.problem).toMatch(
      /^\d+ decisions, but the signed-off snapshot has \d+ identities \(one decision each\)$/,
    );
  });
});
