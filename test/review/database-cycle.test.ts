/**
 * Database access through the whole review loop, against the simulator and through the CLI: `collect
 * --include access-history` -> `report --xlsx` -> a reviewer fills the workbook (Revoke a SCRAM user,
 * an X.509 user in `$external` and an OIDC Workforce group in `admin`; Modify a SCRAM user's roles;
 * Revoke a world-open access list entry; Keep the rest with a comment) -> `review import` -> the plan
 * checked against the vendored spec -> `review apply --yes` -> `collect` again -> `review verify`. A
 * snapshot collected before the apply shows the not-done case, naming each subject by its own kind;
 * with a roster, a terminated person's OIDC database user is a finding.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyLog } from '../../src/review/apply.js';
import type { RevocationPlan } from '../../src/review/plan.js';
import { type Signoff, signoffSchema } from '../../src/review/signoff.js';
import type { VerifyResult } from '../../src/review/verify.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import type { DatabaseUser, Organization, Snapshot } from '../../src/snapshot/schema.js';
import { databaseUserRowKey, networkAccessRowKey } from '../../src/workbook/contract.js';
import { cluster, dbUser, networkEntry } from '../builders/database-access.js';
import { rosterCsv } from '../builders/roster.js';
import { org, project, user } from '../builders/snapshot.js';
import { APPLY_ENV, at, fillWorkbook, ORG, PROD, type RowFill, WRITER } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { expectPlanMatchesSpec } from '../helpers/plan-spec.js';
import { findingRows } from '../helpers/report-json.js';

const IDP = '0oa1b2c3d4e5f6g7h8i9';
const DAY = 86_400_000;
/**
 * The collector: database access history needs Project Cluster Log Viewer or Database Access Admin,
 * more than Organization Read Only, which the simulator grants an org owner; still not the apply identity.
 */
const COLLECTOR = {
  clientId: 'mdb_sa_id_cccccccccccccccccccccccc',
  clientSecret: 'mdb_sa_sk_history-reader',
};
const COLLECT_ENV = {
  MONGODB_ATLAS_CLIENT_ID: COLLECTOR.clientId,
  MONGODB_ATLAS_CLIENT_SECRET: COLLECTOR.clientSecret,
};

const role = (roleName: string, databaseName: string) => ({ roleName, databaseName, collectionName: null });
const WRITER_USER = dbUser({ username: 'app-writer', roles: [role('readWrite', 'sales')] });
const READER_USER = dbUser({
  username: 'app-reader',
  roles: [role('readWrite', 'sales'), role('read', 'hr')],
});
const ALICE = dbUser({
  username: `${IDP}/alice@example.com`,
  authKind: 'oidc-user',
  roles: [role('read', 'sales')],
});
const DBAS = dbUser({
  username: `${IDP}/dba-group`,
  authKind: 'oidc-group',
  roles: [role('dbAdmin', 'sales')],
});
const BATCH = dbUser({
  username: 'CN=batch,OU=apps,DC=example,DC=com',
  databaseName: '$external',
  authKind: 'x509-customer',
  roles: [role('read', 'sales')],
});
const USERS: DatabaseUser[] = [WRITER_USER, READER_USER, ALICE, DBAS, BATCH];
const WORLD = networkEntry({ cidrBlock: '0.0.0.0/0', comment: 'vendor debugging' });
const SG = networkEntry({ cidrBlock: null, awsSecurityGroup: 'sg-903004f8', comment: null });
const OFFICE = networkEntry({ cidrBlock: '203.0.113.7/32', ipAddress: '203.0.113.7', comment: 'office' });

/** The Q4 estate the simulator serves: one org, one project, one dedicated cluster with access history. */
function estate(): Organization[] {
  const collected = at(1).getTime();
  const used = (u: DatabaseUser, daysAgo: number) => ({
    username: u.username,
    authSource: u.databaseName,
    lastSuccessAt: new Date(collected - daysAgo * DAY).toISOString(),
    successes: 4,
    failures: 0,
    sourceIps: ['203.0.113.7'],
  });
  const main = cluster('prod-main', {
    status: 'collected',
    reason: null,
    from: new Date(collected - 120 * DAY).toISOString(),
    to: new Date(collected - 60_000).toISOString(),
    lines: 0,
    summaries: [used(WRITER_USER, 5), used(READER_USER, 3), used(ALICE, 2), used(BATCH, 40)],
  });
  return [
    org({
      id: ORG,
      name: 'Northwind',
      users: [
        user({ id: 'b00000000000000000000001', username: 'owner1@example.com', orgRoles: ['ORG_OWNER'] }),
        user({ id: 'b00000000000000000000002', username: 'alice@example.com', orgRoles: ['ORG_OWNER'] }),
      ],
      teams: [],
      apiKeys: [],
      serviceAccounts: [],
      projects: [
        project({
          id: PROD,
          name: 'prod',
          clusters: [main],
          clusterCount: 1,
          databaseUsers: structuredClone(USERS),
          networkAccess: [WORLD, OFFICE, SG].map((e) => ({ ...e })),
        }),
      ],
    }),
  ];
}

const dbKey = (u: DatabaseUser) => databaseUserRowKey(ORG, PROD, u.databaseName, u.username).key;
const netKey = (value: string) => networkAccessRowKey(ORG, PROD, value).key;

/**
 * The reviewer: every row decided, with a date; every Keep says why (a Keep of a privileged or flagged
 * row needs its justification, docs/review.md).
 */
function fill(k: string): RowFill {
  const base: RowFill = {
    decision: 'Keep',
    reviewer: 'lead@example.com',
    reviewedOn: new Date(Date.UTC(2026, 10, 5)),
    comment: 'still needed: confirmed with the team lead',
  };
  const ask = (decision: string, comment: string): RowFill => ({ ...base, decision, comment });
  if (k === dbKey(WRITER_USER)) return ask('Revoke', 'the writer service moved to a new project');
  if (k === dbKey(BATCH)) return ask('Revoke', 'batch certificate retired');
  if (k === dbKey(DBAS)) return ask('Revoke', 'DBAs use their own users now');
  if (k === dbKey(READER_USER)) return ask('Modify', 'drop readWrite@sales; read is enough');
  if (k === dbKey(ALICE)) return ask('Keep', 'on-call engineer');
  if (k === netKey('0.0.0.0/0')) return ask('Revoke', 'vendor debugging is over');
  if (k === netKey('sg-903004f8')) return ask('Keep', 'the app servers’ security group');
  return base;
}

let sim: Simulator;
let orgs: Organization[];
let dir: string;
let evidence: string;
let signoff: Signoff;
let plan: RevocationPlan;

const collect = (name: string, day: number) =>
  runCliForTest(
    [
      'collect',
      '--org',
      ORG,
      '--base-url',
      sim.baseUrl,
      '--include',
      'access-history',
      '-o',
      join(dir, name),
      '--quiet',
    ],
    { env: COLLECT_ENV, cwd: dir, now: at(day) },
  );
const verify = (later: string, day: number) =>
  runCliForTest(
    [
      'review',
      'verify',
      join(evidence, 'signoff.json'),
      '--snapshot',
      join(dir, later),
      '--reviewed-snapshot',
      join(dir, 'q4.json'),
      '--format',
      'json',
    ],
    { now: at(day) },
  );
const readSnapshot = (name: string): Snapshot => JSON.parse(readFileSync(join(dir, name), 'utf8'));

beforeAll(async () => {
  orgs = estate();
  sim = await startSimulator({
    organizations: orgs,
    credentials: {
      serviceAccounts: [
        { ...COLLECTOR, access: { orgRole: 'ORG_OWNER' } },
        { ...WRITER, access: { orgRole: 'ORG_OWNER' } },
      ],
    },
    rateLimits: 'off',
  });
  dir = tempDir('aar-db-cycle-');
  evidence = join(dir, 'evidence');
  const collected = await collect('q4.json', 1);
  expect(collected.stderr).toBe('');
  expect(collected.code).toBe(0);
  const report = await runCliForTest(
    ['report', join(dir, 'q4.json'), '--xlsx', join(dir, 'review.xlsx'), '--fail-on', 'never'],
    { now: at(2) },
  );
  expect(report.code).toBe(0);
  await fillWorkbook(join(dir, 'review.xlsx'), join(dir, 'filled.xlsx'), fill);
  const imported = await runCliForTest(
    ['review', 'import', join(dir, 'filled.xlsx'), '--snapshot', join(dir, 'q4.json'), '--out-dir', evidence],
    { cwd: dir, now: at(6) },
  );
  expect(imported.stderr).toContain('4 revoke, 1 modify');
  expect(imported.code).toBe(0);
  signoff = signoffSchema.parse(JSON.parse(readFileSync(join(evidence, 'signoff.json'), 'utf8')));
  plan = JSON.parse(readFileSync(join(evidence, 'revocation-plan.json'), 'utf8'));
});
afterAll(async () => sim.close());

describe('database access review: collect, report, import', () => {
  it('collects the access history of the dedicated cluster as per-user summaries', () => {
    const p = readSnapshot('q4.json').organizations[0]!.projects[0]!;
    expect(p.clusters[0]!.accessHistory.status).toBe('collected');
    expect(p.clusters[0]!.accessHistory.summaries.map((s) => [s.authSource, s.username]).sort()).toEqual(
      [BATCH, ALICE, READER_USER, WRITER_USER].map((u) => [u.databaseName, u.username]).sort(),
    );
    expect(p.databaseUsers.map((u) => [u.authKind, u.databaseName]).sort()).toEqual(
      USERS.map((u) => [u.authKind, u.databaseName]).sort(),
    );
  });

  it('signs off every decision, counted by kind, with where each database user lives', () => {
    expect(signoff.byKind).toEqual([
      { kind: 'databaseUser', identities: 5, keep: 1, revoke: 3, modify: 1 },
      { kind: 'networkAccessEntry', identities: 2, keep: 1, revoke: 1, modify: 0 },
      { kind: 'user', identities: 2, keep: 2, revoke: 0, modify: 0 },
    ]);
    const db = signoff.actions
      .filter((a) => a.databaseUser)
      .map((a) => [a.decision, a.databaseUser!.databaseName, a.name]);
    expect(db).toEqual([
      ['Revoke', 'admin', `${IDP}/dba-group`],
      ['Revoke', '$external', 'CN=batch,OU=apps,DC=example,DC=com'],
      ['Revoke', 'admin', 'app-writer'],
      ['Modify', 'admin', 'app-reader'],
    ]);
    const html = readFileSync(join(evidence, 'signoff.html'), 'utf8');
    expect(html).toContain('<tr><td>Database users</td><td class="num">5</td>');
    expect(html).toContain('<tr><td>Network access entries</td><td class="num">2</td>');
  });

  it('plans each call as the vendored spec defines it: method, path, version, body', () => {
    expectPlanMatchesSpec(plan);
    const calls = plan.identities.flatMap((i) =>
      i.calls.map((c) => [c.operationId, c.method, c.path, c.version, c.body]),
    );
    const base = `/api/atlas/v2/groups/${PROD}`;
    expect(calls.sort()).toEqual(
      [
        ['deleteGroupAccessListEntry', 'DELETE', `${base}/accessList/0.0.0.0%2F0`, '2023-01-01', null],
        [
          'deleteGroupDatabaseUser',
          'DELETE',
          `${base}/databaseUsers/%24external/CN%3Dbatch%2COU%3Dapps%2CDC%3Dexample%2CDC%3Dcom`,
          '2023-01-01',
          null,
        ],
        [
          'deleteGroupDatabaseUser',
          'DELETE',
          `${base}/databaseUsers/admin/${IDP}%2Fdba-group`,
          '2023-01-01',
          null,
        ],
        ['deleteGroupDatabaseUser', 'DELETE', `${base}/databaseUsers/admin/app-writer`, '2023-01-01', null],
        [
          'updateGroupDatabaseUser',
          'PATCH',
          `${base}/databaseUsers/admin/app-reader`,
          '2023-01-01',
          {
            databaseName: 'admin',
            groupId: PROD,
            username: 'app-reader',
            roles: [{ roleName: 'read', databaseName: 'hr' }],
          },
        ],
      ].sort(),
    );
  });
});

describe('database access review: the roster', () => {
  it('a terminated person with an OIDC database user gives a finding on that database user', async () => {
    writeFileSync(
      join(dir, 'roster.csv'),
      rosterCsv([
        { email: 'alice@example.com', status: 'Terminated', endDate: '2026-10-31' },
        { email: 'owner1@example.com' },
      ]),
    );
    const r = await runCliForTest(
      [
        'audit',
        join(dir, 'q4.json'),
        '--roster',
        join(dir, 'roster.csv'),
        '--format',
        'json',
        '--fail-on',
        'never',
      ],
      { now: at(2) },
    );
    expect(r.code).toBe(0);
    const rows = findingRows(JSON.parse(r.stdout)).filter((f) => f.ruleId.includes('roster'));
    expect(rows.map((f) => [f.ruleId, f.subjectType, f.subjectId]).sort()).toEqual([
      ['db-user-roster-terminated', 'databaseUser', `${PROD}/admin/${ALICE.username}`],
      ['roster-terminated-still-active', 'user', 'b00000000000000000000002'],
    ]);
  });
});

describe('database access review: verify', () => {
  it('a snapshot collected before the plan was carried out: every Revoke is not done, named by its own kind', async () => {
    expect((await collect('before-apply.json', 7)).code).toBe(0);
    const r = await verify('before-apply.json', 7);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout) as VerifyResult;
    expect(v.summary).toMatchObject({
      revocations: 4,
      done: 0,
      notDone: 4,
      unverifiable: 0,
      modifications: 1,
    });
    expect(v.findings.map((f) => [f.subject.type, f.subject.id, f.key.split('|')[2]]).sort()).toEqual(
      [
        ['databaseUser', `${PROD}/$external/${BATCH.username}`, 'databaseUser'],
        ['databaseUser', `${PROD}/admin/${DBAS.username}`, 'databaseUser'],
        ['databaseUser', `${PROD}/admin/app-writer`, 'databaseUser'],
        ['networkAccessEntry', `${PROD}/0.0.0.0/0`, 'networkAccessEntry'],
      ].sort(),
    );
    const writer = v.findings.find((f) => f.subject.name === 'app-writer')!;
    expect(writer.message).toContain('database user still exists in project prod with readWrite@sales');
  });

  it('review apply --yes carries out the plan; collected again, verify says every Revoke is done', async () => {
    const applied = await runCliForTest(
      [
        'review',
        'apply',
        join(evidence, 'revocation-plan.json'),
        '--snapshot',
        join(dir, 'q4.json'),
        '--workbook',
        join(dir, 'filled.xlsx'),
        '--base-url',
        sim.baseUrl,
        '--yes',
      ],
      { env: { ...COLLECT_ENV, ...APPLY_ENV }, now: at(8) },
    );
    expect(applied.stderr).toContain(
      'review apply: 5 done, 0 already done, 0 failed, 0 skipped of 5 call(s)',
    );
    expect(applied.code).toBe(0);
    const log: ApplyLog = JSON.parse(readFileSync(join(evidence, 'apply-log.json'), 'utf8'));
    expect(log.calls.every((c) => c.outcome === 'done')).toBe(true);

    expect((await collect('q1.json', 9)).code).toBe(0);
    const p = readSnapshot('q1.json').organizations[0]!.projects[0]!;
    expect(
      p.databaseUsers.map((u) => [u.username, u.roles.map((r) => `${r.roleName}@${r.databaseName}`)]).sort(),
    ).toEqual([
      [ALICE.username, ['read@sales']],
      ['app-reader', ['read@hr']],
    ]);
    expect(p.networkAccess.map((e) => e.cidrBlock ?? e.awsSecurityGroup)).toEqual([
      '203.0.113.7/32',
      'sg-903004f8',
    ]);

    const r = await verify('q1.json', 9);
    const v = JSON.parse(r.stdout) as VerifyResult;
    expect(v.summary).toMatchObject({ revocations: 4, done: 4, notDone: 0, unverifiable: 0 });
    expect(v.checks.map((c) => [c.kind, c.name, c.reason]).sort()).toEqual(
      [
        ['databaseUser', BATCH.username, 'database user deleted'],
        ['databaseUser', DBAS.username, 'database user deleted'],
        ['databaseUser', 'app-writer', 'database user deleted'],
        ['networkAccessEntry', '0.0.0.0/0', 'removed from the IP access list'],
      ].sort(),
    );
    expect(r.code).toBe(0);
  });
});
