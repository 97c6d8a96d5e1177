/**
 * Database users read back from the Review sheet: rows of kind `databaseUser`, identified by
 * (org, project, databaseName, username), checked against the snapshot like every other row, and
 * carried into the sign-off with the address and roles the plan needs.
 */
import { describe, expect, it } from 'vitest';
import { checkReviewWorkbook, type WorkbookContents } from '../../src/review/import.js';
import { buildSignoff } from '../../src/review/signoff.js';
import { signoffSnapshotProblem } from '../../src/review/signoff-check.js';
import type { DatabaseUser } from '../../src/snapshot/schema.js';
import {
  databaseUserRowKey,
  HEADERS,
  REVIEW_HEADERS,
  REVIEW_SHEET,
  SUMMARY_SHA_LABEL,
  SUMMARY_SHEET,
} from '../../src/workbook/contract.js';
import { org, project, snapshot, user } from '../builders/snapshot.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const SHA = 'f'.repeat(64);
const ORG = '0000000000000000000000aa';
const P = 'd00000000000000000000001';
const U = 'b00000000000000000000001';

function dbUser(over: Partial<DatabaseUser> = {}): DatabaseUser {
  return {
    username: 'app-writer',
    databaseName: 'admin',
    authKind: 'scram',
    roles: [{ roleName: 'readWrite', databaseName: 'sales', collectionName: null }],
    scopes: [],
    deleteAfterDate: null,
    description: null,
    labels: [],
    certificates: [],
    ...over,
  };
}

const LDAP = 'CN=Dylan Bloggs,OU=Sales,DC=Example,DC=COM';
const snap = snapshot([
  org({
    id: ORG,
    name: 'Northwind',
    users: [user({ id: U, username: 'alice@example.com' })],
    apiKeys: [],
    serviceAccounts: [],
    teams: [],
    projects: [
      project({
        id: P,
        name: 'prod',
        databaseUsers: [
          dbUser(),
          dbUser({ username: LDAP, databaseName: '$external', authKind: 'ldap-user' }),
        ],
      }),
    ],
  }),
]);

type Row = Partial<Record<(typeof REVIEW_HEADERS)[number], string | Date>>;
const keep = { Decision: 'Keep', Reviewer: 'lead@example.com', 'Reviewed on': '2026-11-20' };

function contents(rows: Row[]): WorkbookContents {
  const headers = new Map(REVIEW_HEADERS.map((h, i) => [i + 1, h as string]));
  const col = new Map(REVIEW_HEADERS.map((h, i) => [h as string, i + 1]));
  return {
    sheetNames: [SUMMARY_SHEET, REVIEW_SHEET],
    properties: { subject: null, keywords: null },
    summary: [{ row: 2, label: SUMMARY_SHA_LABEL, value: SHA }],
    review: {
      headers,
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

const rowOf = (key: string, name: string, over: Row = {}): Row => ({
  [HEADERS.key]: key,
  [HEADERS.name]: name,
  ...keep,
  ...over,
});
const scram = databaseUserRowKey(ORG, P, 'admin', 'app-writer').key;
const ldap = databaseUserRowKey(ORG, P, '$external', LDAP).key;
const alice = `${ORG}:user:${U}`;

describe('review import: database users', () => {
  it('database users are rows the workbook must have, with the address and roles the plan needs', () => {
    const r = checkReviewWorkbook(
      contents([
        rowOf(alice, 'alice@example.com'),
        rowOf(scram, 'app-writer', { Decision: 'Modify', Comment: 'drop readWrite@sales' }),
      ]),
      { snapshot: snap, sha256: SHA },
      NOW,
    );
    expect(r.problems.map((p) => [p.code, p.message])).toEqual([
      ['identity-missing', `no row for databaseUser ${LDAP} (${ldap}) of Northwind`],
    ]);
    const d = r.decisions.find((x) => x.key === scram)!;
    expect(d).toMatchObject({
      subjectType: 'databaseUser',
      kind: 'databaseUser',
      id: `${P}/admin/app-writer`,
      decision: 'Modify',
      access: {
        orgRoles: [],
        projectRoles: [{ projectId: P, projectName: 'prod', roles: ['readWrite@sales'] }],
      },
      databaseUser: { projectId: P, databaseName: 'admin', username: 'app-writer', authKind: 'scram' },
    });
  });

  it('a forged row for a database user the snapshot does not have is refused, naming the row', () => {
    const forged = databaseUserRowKey(ORG, P, 'admin', 'root').key;
    const r = checkReviewWorkbook(
      contents([
        rowOf(alice, 'alice@example.com'),
        rowOf(scram, 'app-writer'),
        rowOf(ldap, LDAP),
        rowOf(forged, 'root', { Decision: 'Revoke' }),
      ]),
      { snapshot: snap, sha256: SHA },
      NOW,
    );
    expect(r.problems.map((p) => [p.row, p.code, p.message])).toEqual([
      [5, 'identity-unknown', `identity ${forged} is not in the snapshot`],
    ]);
    // The same user in another authentication database is another identity.
    const moved = databaseUserRowKey(ORG, P, '$external', 'app-writer').key;
    const r2 = checkReviewWorkbook(
      contents([rowOf(alice, 'alice@example.com'), rowOf(moved, 'app-writer'), rowOf(ldap, LDAP)]),
      { snapshot: snap, sha256: SHA },
      NOW,
    );
    expect(r2.problems.map((p) => p.code).sort()).toEqual(['identity-missing', 'identity-unknown']);
  });

  it('a row whose Name was edited to another user is refused', () => {
    const r = checkReviewWorkbook(
      contents([rowOf(alice, 'alice@example.com'), rowOf(scram, 'root'), rowOf(ldap, LDAP)]),
      { snapshot: snap, sha256: SHA },
      NOW,
    );
    expect(r.problems.map((p) => p.code)).toEqual(['name-mismatch']);
  });

  it('the sign-off counts database users per kind and passes its check against the snapshot', () => {
    const r = checkReviewWorkbook(
      contents([
        rowOf(alice, 'alice@example.com'),
        rowOf(scram, 'app-writer', { Decision: 'Revoke' }),
        rowOf(ldap, LDAP, { Decision: 'Keep' }),
      ]),
      { snapshot: snap, sha256: SHA },
      NOW,
    );
    expect(r.problems).toEqual([]);
    const s = buildSignoff({
      snapshot: snap,
      snapshotFile: 'q3.json',
      snapshotSha256: SHA,
      workbookFile: 'w.xlsx',
      workbookSha256: 'e'.repeat(64),
      decisions: r.decisions,
      signedOffAt: NOW,
      tool: { name: 't', version: '0' },
    });
    expect(s.counts).toEqual({ identities: 3, keep: 2, revoke: 1, modify: 0 });
    expect(s.byKind).toEqual([
      { kind: 'databaseUser', identities: 2, keep: 1, revoke: 1, modify: 0 },
      { kind: 'user', identities: 1, keep: 1, revoke: 0, modify: 0 },
    ]);
    expect(s.actions[0]!.databaseUser).toMatchObject({ databaseName: 'admin', username: 'app-writer' });
    expect(signoffSnapshotProblem(s, snap)).toBeNull();
    // A sign-off edited to point the Revoke at another database user is refused.
    const edited = structuredClone(s);
    edited.actions[0]!.databaseUser!.username = 'root';
    expect(signoffSnapshotProblem(edited, snap)?.path).toBe('$.actions[0].databaseUser');
  });
});

describe('sign-off per-kind counts', () => {
  it('a sign-off whose per-kind counts do not add up is refused, naming the path', async () => {
    const { signoffCountProblem } = await import('../../src/review/signoff-check.js');
    const r = checkReviewWorkbook(
      contents([
        rowOf(alice, 'alice@example.com'),
        rowOf(scram, 'app-writer', { Decision: 'Revoke' }),
        rowOf(ldap, LDAP),
      ]),
      { snapshot: snap, sha256: SHA },
      NOW,
    );
    const s = buildSignoff({
      snapshot: snap,
      snapshotFile: 'q3.json',
      snapshotSha256: SHA,
      workbookFile: 'w.xlsx',
      workbookSha256: 'e'.repeat(64),
      decisions: r.decisions,
      signedOffAt: NOW,
      tool: { name: 't', version: '0' },
    });
    expect(signoffCountProblem(s)).toBeNull();
    const edited = structuredClone(s);
    edited.byKind![0]!.revoke = 0;
    edited.byKind![0]!.keep = 2;
    expect(signoffCountProblem(edited)).toMatchObject({ path: '$.byKind[0].revoke' });
    const { byKind: _dropped, ...older } = s;
    expect(signoffCountProblem(older)).toBeNull();
  });
});

describe('workbook row caps', () => {
  it('count database users, custom roles and access list entries as subjects', async () => {
    const { snapshotSubjectCount } = await import('../../src/review/xlsx-package.js');
    // 1 org + 1 user + 1 project, then 2 database users.
    expect(snapshotSubjectCount(snap)).toBe(5);
  });
});
