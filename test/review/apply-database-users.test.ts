/**
 * `review apply` for database users: the plan's DELETE and PATCH sent by the Atlas client
 * exactly as planned (URL-encoded DN and ARN segments, the version as Accept and Content-Type, the
 * roles body), first against nock, then against the simulator, whose database users change.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceAccountAuth } from '../../src/atlas/auth/service-account.js';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS } from '../../src/atlas/client.js';
import { writeOperations } from '../../src/atlas/write-operations.js';
import { applyPlan, initialLog } from '../../src/review/apply.js';
import { buildRevocationPlan, type RevocationPlan } from '../../src/review/plan.js';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import type { DatabaseUser } from '../../src/snapshot/schema.js';
import { org, project } from '../builders/snapshot.js';
import { fakeDeps } from '../helpers/fake-deps.js';
import { expectPlanMatchesSpec } from '../helpers/plan-spec.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const ORG = '0000000000000000000000aa';
const P = 'd00000000000000000000001';
const LDAP = 'CN=Dylan Bloggs,OU=Sales,DC=Example,DC=COM';
const V2023 = 'application/vnd.atlas.2023-01-01+json';
type Db = NonNullable<SignoffAction['databaseUser']>;

const ROLES: Db['roles'] = [
  { roleName: 'readWrite', databaseName: 'sales', collectionName: null },
  { roleName: 'read', databaseName: 'hr', collectionName: 'people' },
];

function action(
  decision: 'Revoke' | 'Modify',
  d: Pick<Db, 'databaseName' | 'username' | 'authKind'>,
  comment: string | null = null,
): SignoffAction {
  const id = `${P}/${d.databaseName}/${d.username}`;
  return {
    key: `${ORG}:databaseUser:${id}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'databaseUser',
    kind: 'databaseUser',
    id,
    name: d.username,
    status: 'ACTIVE',
    decision,
    reviewer: 'lead@example.com',
    reviewedOn: '2026-11-20',
    comment,
    workbookRow: 3,
    access: { orgRoles: [], projectRoles: [], teams: [] },
    databaseUser: { projectId: P, projectName: 'prod', roles: ROLES, ...d },
  };
}

function plan(...actions: SignoffAction[]): RevocationPlan {
  const s: Signoff = {
    signoffSchemaVersion: 1,
    tool: { name: 't', version: '0' },
    signedOffAt: NOW.toISOString(),
    snapshot: { file: 's', sha256: 'a'.repeat(64), collectedAt: NOW.toISOString(), organizations: [] },
    workbook: { file: 'w', sha256: 'b'.repeat(64) },
    counts: { identities: 0, keep: 0, revoke: 0, modify: 0 },
    byOrg: [],
    reviewers: [],
    reviewPeriod: null,
    actions,
  };
  const p = buildRevocationPlan(s, 'c'.repeat(64));
  expectPlanMatchesSpec(p);
  return p;
}

const header = (baseUrl: string) => ({
  tool: { name: 't', version: '0' },
  startedAt: NOW.toISOString(),
  baseUrl,
  identity: null,
  plan: { file: 'p', sha256: 'd'.repeat(64) },
  signoff: { file: 's', sha256: 'c'.repeat(64) },
  snapshot: { file: 'q', sha256: 'a'.repeat(64) },
});

function apply(p: RevocationPlan, client: AtlasClient, baseUrl: string) {
  return applyPlan(
    p,
    initialLog(p, header(baseUrl)),
    (c) => client.sendWrite(writeOperations[c.operationId], c.path, c.body),
    { now: () => NOW, onCall: async () => {} },
  );
}

const revokeLdap = action('Revoke', { databaseName: '$external', username: LDAP, authKind: 'ldap-user' });
const modifyScram = action(
  'Modify',
  { databaseName: 'admin', username: 'app-writer', authKind: 'scram' },
  'drop readWrite@sales',
);

describe('review apply: database users against nock', () => {
  const BASE = 'https://atlas.test';
  const bearer: AuthStrategy = {
    kind: 'service-account',
    principal: 'test-principal',
    challengeBudget: 1,
    authorize: async () => 'Bearer tok',
    onUnauthorized: async () => false,
  };
  const client = () =>
    new AtlasClient(
      { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(BASE), userAgent: 'test' },
      bearer,
      fakeDeps(),
    );

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());

  it('sends the DELETE with the DN as one encoded segment and the PATCH with the roles kept', async () => {
    nock(BASE)
      .delete(
        `/api/atlas/v2/groups/${P}/databaseUsers/%24external/CN%3DDylan%20Bloggs%2COU%3DSales%2CDC%3DExample%2CDC%3DCOM`,
      )
      .matchHeader('accept', V2023)
      .reply(204)
      .patch(`/api/atlas/v2/groups/${P}/databaseUsers/admin/app-writer`, {
        databaseName: 'admin',
        groupId: P,
        username: 'app-writer',
        roles: [{ roleName: 'read', databaseName: 'hr', collectionName: 'people' }],
      })
      .matchHeader('accept', V2023)
      .matchHeader('content-type', V2023)
      .reply(200, { username: 'app-writer' }, { 'Content-Type': V2023 });
    const log = await apply(plan(revokeLdap, modifyScram), client(), BASE);
    expect(log.calls.map((c) => [c.operationId, c.outcome, c.status])).toEqual([
      ['deleteGroupDatabaseUser', 'done', 204],
      ['updateGroupDatabaseUser', 'done', 200],
    ]);
  });

  it('a user already deleted (404) is already done; a refusal (403) fails and is named', async () => {
    nock(BASE)
      .delete(/databaseUsers/)
      .reply(404, { error: 404, errorCode: 'USER_NOT_FOUND', detail: 'No user' }, { 'Content-Type': V2023 })
      .patch(/databaseUsers/)
      .reply(403, { error: 403, errorCode: 'USER_UNAUTHORIZED', detail: 'no' }, { 'Content-Type': V2023 });
    const log = await apply(plan(revokeLdap, modifyScram), client(), BASE);
    expect(log.calls.map((c) => [c.outcome, c.errorCode])).toEqual([
      ['already-done', 'USER_NOT_FOUND'],
      ['failed', 'USER_UNAUTHORIZED'],
    ]);
  });
});

describe('review apply: database users against the simulator', () => {
  const WRITER = { clientId: 'mdb_sa_id_bbbbbbbbbbbbbbbbbbbbbbbb', clientSecret: 'mdb_sa_sk_writer-owner' };
  const user = (over: Partial<DatabaseUser>): DatabaseUser => ({
    username: 'x',
    databaseName: 'admin',
    authKind: 'scram',
    roles: ROLES,
    scopes: [],
    deleteAfterDate: null,
    description: null,
    labels: [],
    certificates: [],
    ...over,
  });
  let sim: Simulator;
  // The simulator serves (and its writes change) these objects, so the test reads its state here.
  let estate: ReturnType<typeof org>[];
  beforeAll(async () => {
    estate = [
      org({
        id: ORG,
        name: 'Northwind',
        projects: [
          project({
            id: P,
            name: 'prod',
            networkAccess: [
              {
                cidrBlock: '0.0.0.0/0',
                ipAddress: null,
                awsSecurityGroup: null,
                comment: null,
                deleteAfterDate: null,
              },
            ],
            databaseUsers: [
              user({ username: LDAP, databaseName: '$external', authKind: 'ldap-user' }),
              user({ username: 'app-writer' }),
              user({ username: 'keeper' }),
            ],
          }),
        ],
      }),
    ];
    sim = await startSimulator({
      organizations: estate,
      credentials: { serviceAccounts: [WRITER] },
      rateLimits: 'off',
    });
  });
  afterAll(async () => sim.close());

  it('deletes the revoked user, updates the modified one, and a second run finds both done', async () => {
    const baseUrl = new URL(sim.baseUrl);
    const deps = {
      ...fakeDeps(),
      fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, init),
    };
    let client: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      WRITER.clientId,
      WRITER.clientSecret,
      baseUrl,
      (r) => client!.sendTokenRequest(r),
      deps.now,
    );
    client = new AtlasClient({ ...DEFAULT_CLIENT_OPTIONS, baseUrl, userAgent: 'test' }, auth, deps);
    const p = plan(revokeLdap, modifyScram);
    const log = await apply(p, client, sim.baseUrl);
    expect(log.calls.map((c) => [c.operationId, c.outcome, c.status])).toEqual([
      ['deleteGroupDatabaseUser', 'done', 204],
      ['updateGroupDatabaseUser', 'done', 200],
    ]);
    const users = estate[0]!.projects[0]!.databaseUsers;
    expect(users.map((u) => [u.username, u.roles.map((r) => r.roleName)])).toEqual([
      ['app-writer', ['read']],
      ['keeper', ['readWrite', 'read']],
    ]);
    const again = await apply(p, client, sim.baseUrl);
    expect(again.calls.map((c) => c.outcome)).toEqual(['already-done', 'done']);
  });

  it('removes a revoked access list entry; a second run finds it already gone', async () => {
    const baseUrl = new URL(sim.baseUrl);
    const deps = {
      ...fakeDeps(),
      fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, init),
    };
    let client: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      WRITER.clientId,
      WRITER.clientSecret,
      baseUrl,
      (r) => client!.sendTokenRequest(r),
      deps.now,
    );
    client = new AtlasClient({ ...DEFAULT_CLIENT_OPTIONS, baseUrl, userAgent: 'test' }, auth, deps);
    const entry: SignoffAction = {
      ...revokeLdap,
      key: `${ORG}:networkAccessEntry:${P}/0.0.0.0/0`,
      subjectType: 'networkAccessEntry',
      kind: 'networkAccessEntry',
      id: `${P}/0.0.0.0/0`,
      name: '0.0.0.0/0',
      databaseUser: undefined,
      networkAccess: { projectId: P, projectName: 'prod', entryValue: '0.0.0.0/0' },
    };
    delete entry.databaseUser;
    const p = plan(entry);
    const first = await apply(p, client, sim.baseUrl);
    expect(first.calls.map((c) => [c.path, c.outcome])).toEqual([
      [`/api/atlas/v2/groups/${P}/accessList/0.0.0.0%2F0`, 'done'],
    ]);
    expect(estate[0]!.projects[0]!.networkAccess).toEqual([]);
    expect((await apply(p, client, sim.baseUrl)).calls.map((c) => c.outcome)).toEqual(['already-done']);
  });
});
