/**
 * Flagged network access entries in the review: optional Review rows of kind
 * `networkAccessEntry`, decided Keep or Revoke; Revoke plans the DELETE of the entry (URL-encoded CIDR,
 * address or security group), `review verify` checks it is gone.
 */
import { describe, expect, it } from 'vitest';
import { writeOperations, writePathParams } from '../../src/atlas/write-operations.js';
import { checkReviewWorkbook, type WorkbookContents } from '../../src/review/import.js';
import { buildRevocationPlan } from '../../src/review/plan.js';
import { buildSignoff } from '../../src/review/signoff.js';
import { signoffCountProblem, signoffSnapshotProblem } from '../../src/review/signoff-check.js';
import { verifySignoff } from '../../src/review/verify.js';
import type { NetworkAccessEntry } from '../../src/snapshot/schema.js';
import {
  HEADERS,
  networkAccessRowKey,
  REVIEW_HEADERS,
  REVIEW_SHEET,
  SUMMARY_SHA_LABEL,
  SUMMARY_SHEET,
} from '../../src/workbook/contract.js';
import { coverage, org, project, snapshot, user } from '../builders/snapshot.js';
import { expectPlanMatchesSpec } from '../helpers/plan-spec.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const SHA = 'f'.repeat(64);
const ORG = '0000000000000000000000aa';
const P = 'd00000000000000000000001';
const U = 'b00000000000000000000001';

const entry = (over: Partial<NetworkAccessEntry>): NetworkAccessEntry => ({
  cidrBlock: null,
  ipAddress: null,
  awsSecurityGroup: null,
  comment: null,
  deleteAfterDate: null,
  ...over,
});
const ENTRIES = [
  entry({ cidrBlock: '0.0.0.0/0' }),
  entry({ cidrBlock: '2001:db8::/32' }),
  entry({ awsSecurityGroup: 'sg-903004f8' }),
  entry({ cidrBlock: '203.0.113.7/32', ipAddress: '203.0.113.7', comment: 'office' }),
];
const estate = (networkAccess = ENTRIES, over = {}) =>
  org({
    id: ORG,
    name: 'Northwind',
    users: [user({ id: U, username: 'alice@example.com' })],
    apiKeys: [],
    serviceAccounts: [],
    teams: [],
    projects: [project({ id: P, name: 'prod', networkAccess })],
    ...over,
  });
const snap = snapshot([estate()]);

type Row = Record<string, string>;
function contents(rows: Row[]): WorkbookContents {
  const col = new Map(REVIEW_HEADERS.map((h, i) => [h as string, i + 1]));
  return {
    sheetNames: [SUMMARY_SHEET, REVIEW_SHEET],
    properties: { subject: null, keywords: null },
    summary: [{ row: 2, label: SUMMARY_SHA_LABEL, value: SHA }],
    review: {
      headers: new Map(REVIEW_HEADERS.map((h, i) => [i + 1, h as string])),
      headerMeta: new Map(),
      columns: new Map(),
      conditionalNumFmts: [],
      rows: rows.map((r, i) => ({
        row: i + 2,
        cells: new Map(Object.entries(r).map(([h, v]) => [col.get(h)!, v])),
        meta: new Map(),
      })),
    },
  };
}
const row = (key: string, name: string, decision = 'Keep'): Row => ({
  [HEADERS.key]: key,
  [HEADERS.name]: name,
  [HEADERS.decision]: decision,
  [HEADERS.reviewer]: 'lead@example.com',
  [HEADERS.reviewedOn]: '2026-11-20',
});
const alice = row(`${ORG}:user:${U}`, 'alice@example.com');
const world = networkAccessRowKey(ORG, P, '0.0.0.0/0').key;
const v6 = networkAccessRowKey(ORG, P, '2001:db8::/32').key;
const sg = networkAccessRowKey(ORG, P, 'sg-903004f8').key;

function signedOff(rows: Row[]) {
  const r = checkReviewWorkbook(contents(rows), { snapshot: snap, sha256: SHA }, NOW);
  expect(r.problems).toEqual([]);
  return buildSignoff({
    snapshot: snap,
    snapshotFile: 'q3.json',
    snapshotSha256: SHA,
    workbookFile: 'w.xlsx',
    workbookSha256: 'e'.repeat(64),
    decisions: r.decisions,
    signedOffAt: NOW,
    tool: { name: 't', version: '0' },
  });
}

describe('review import: flagged network access entries', () => {
  it('rows are optional; Revoke is accepted, Modify refused, a forged entry refused', () => {
    expect(checkReviewWorkbook(contents([alice]), { snapshot: snap, sha256: SHA }, NOW).problems).toEqual([]);
    const forged = networkAccessRowKey(ORG, P, '198.51.100.0/24').key;
    const r = checkReviewWorkbook(
      contents([
        alice,
        row(world, '0.0.0.0/0', 'Revoke'),
        row(v6, '2001:db8::/32', 'Modify'),
        row(forged, 'x', 'Revoke'),
      ]),
      { snapshot: snap, sha256: SHA },
      NOW,
    );
    expect(r.problems.map((p) => [p.row, p.code])).toEqual([
      [4, 'decision-not-allowed'],
      [5, 'identity-unknown'],
    ]);
    expect(r.decisions.filter((d) => d.kind === 'networkAccessEntry').map((d) => d.networkAccess)).toEqual([
      { projectId: P, projectName: 'prod', entryValue: '0.0.0.0/0' },
    ]);
  });

  it('the sign-off counts entry decisions and checks against the snapshot', () => {
    const s = signedOff([alice, row(world, '0.0.0.0/0', 'Revoke'), row(sg, 'sg-903004f8')]);
    expect(s.byKind).toEqual([
      { kind: 'networkAccessEntry', identities: 2, keep: 1, revoke: 1, modify: 0 },
      { kind: 'user', identities: 1, keep: 1, revoke: 0, modify: 0 },
    ]);
    expect(signoffCountProblem(s)).toBeNull();
    expect(signoffSnapshotProblem(s, snap)).toBeNull();
    const edited = structuredClone(s);
    edited.actions[0]!.networkAccess!.entryValue = '203.0.113.7/32';
    expect(signoffSnapshotProblem(edited, snap)?.path).toBe('$.actions[0].networkAccess');
  });
});

describe('plan and verify: removal of an access list entry', () => {
  const s = signedOff([
    alice,
    row(world, '0.0.0.0/0', 'Revoke'),
    row(v6, '2001:db8::/32', 'Revoke'),
    row(sg, 'sg-903004f8', 'Revoke'),
  ]);
  const plan = buildRevocationPlan(s, 'c'.repeat(64));

  it('plans the DELETE of each entry, URL-encoded, with its least role and version', () => {
    expectPlanMatchesSpec(plan);
    const calls = plan.identities.flatMap((i) => i.calls);
    expect(calls.map((c) => c.path)).toEqual([
      `/api/atlas/v2/groups/${P}/accessList/0.0.0.0%2F0`,
      `/api/atlas/v2/groups/${P}/accessList/2001%3Adb8%3A%3A%2F32`,
      `/api/atlas/v2/groups/${P}/accessList/sg-903004f8`,
    ]);
    expect(
      calls.every((c) => c.operationId === 'deleteGroupAccessListEntry' && c.version === '2023-01-01'),
    ).toBe(true);
    expect(plan.rolesNeeded).toEqual(['Project Network Access Manager']);
    for (const c of calls)
      expect(writePathParams(writeOperations.deleteGroupAccessListEntry, c.path)).toHaveProperty('params');
    expect(
      writePathParams(
        writeOperations.deleteGroupAccessListEntry,
        `/api/atlas/v2/groups/${P}/accessList/..%2Fusers`,
      ),
    ).toHaveProperty('problem');
  });

  it('verify: a removed entry is done, one still listed is not done, no coverage is unverifiable', () => {
    const later = (o: ReturnType<typeof org>) => ({
      snapshot: snapshot([o], { collectedAt: '2026-12-01T00:00:00.000Z' }),
      sha256: 'c'.repeat(64),
      file: 'later.json',
    });
    const r = verifySignoff(s, later(estate([entry({ cidrBlock: '0.0.0.0/0' })])), NOW);
    expect(r.checks.map((c) => [c.name, c.outcome])).toEqual([
      ['0.0.0.0/0', 'not-done'],
      ['2001:db8::/32', 'done'],
      ['sg-903004f8', 'done'],
    ]);
    expect(r.findings[0]!.evidence).toMatchObject({ remainingAccess: ['prod: 0.0.0.0/0'] });
    expect(r.findings[0]).toMatchObject({
      subject: { type: 'networkAccessEntry', id: `${P}/0.0.0.0/0`, name: '0.0.0.0/0' },
      key: `review-revocation-not-done|${ORG}|networkAccessEntry|${P}/0.0.0.0/0`,
    });
    const blind = verifySignoff(s, later(estate([], { coverage: coverage({ networkAccess: false }) })), NOW);
    expect(blind.checks.map((c) => c.outcome)).toEqual(['unverifiable', 'unverifiable', 'unverifiable']);
  });
});
