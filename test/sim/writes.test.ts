/**
 * The simulator's write operations (what `review apply` sends): the spec's rules, ApiError bodies,
 * auth, versions, media types and body validation; success bodies and error bodies validated against
 * the spec extracts; and the estate changed so the read routes show it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOperations } from '../../src/atlas/write-operations.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { REQUEST_SCHEMAS, SIM_WRITE_VERSIONS } from '../../src/sim/writes.js';
import type { Organization } from '../../src/snapshot/schema.js';
import {
  apiKey,
  invitation,
  org,
  project,
  projectRole,
  serviceAccount,
  syncTeams,
  team,
  user,
} from '../builders/snapshot.js';
import { specOperation } from '../helpers/plan-spec.js';
import {
  componentValidator,
  describeErrors,
  digestAuthorization,
  digestGet,
  getToken,
  loadSpec,
  parseChallenge,
  SPEC_VERSIONS,
  type SpecDoc,
} from './helpers.js';

const ORG = '0000000000000000000000aa';
const PROD = 'd00000000000000000000001';
const STAGING = 'd00000000000000000000002';
const TEAM = 'c00000000000000000000001';
const OWNER = 'b00000000000000000000001';
const DEV = 'b00000000000000000000002';
const PENDING = 'b00000000000000000000003';
const KEY = 'e00000000000000000000001';
const SA = 'mdb_sa_id_f00000000000000000000001';
const MISSING = 'b0000000000000000000ffff';
const V2025 = 'application/vnd.atlas.2025-02-19+json';
const V2023 = 'application/vnd.atlas.2023-01-01+json';
const VSA = 'application/vnd.atlas.2024-08-05+json';

function estate(): Organization[] {
  return [
    syncTeams(
      org({
        id: ORG,
        name: 'Northwind',
        users: [
          user({ id: OWNER, username: 'owner@example.com', orgRoles: ['ORG_OWNER'], teamIds: [TEAM] }),
          user({
            id: DEV,
            username: 'dev@example.com',
            orgRoles: ['ORG_OWNER'],
            teamIds: [TEAM],
            projectRoles: [
              projectRole(PROD, 'GROUP_OWNER', 'GROUP_READ_ONLY'),
              projectRole(STAGING, 'GROUP_OWNER'),
            ],
          }),
          invitation({ id: PENDING, username: 'carol@example.com' }),
        ],
        teams: [team({ id: TEAM, name: 'admins' })],
        projects: [project({ id: PROD, name: 'prod' }), project({ id: STAGING, name: 'staging' })],
        apiKeys: [
          apiKey({
            id: KEY,
            publicKey: 'abcdefgh',
            orgRoles: ['ORG_OWNER', 'ORG_READ_ONLY'],
            projectRoles: [
              projectRole(PROD, 'GROUP_OWNER', 'GROUP_READ_ONLY'),
              projectRole(STAGING, 'GROUP_OWNER'),
            ],
          }),
        ],
        serviceAccounts: [
          serviceAccount({
            clientId: SA,
            name: 'etl',
            orgRoles: ['ORG_OWNER'],
            projectRoles: [
              projectRole(PROD, 'GROUP_OWNER', 'GROUP_READ_ONLY'),
              projectRole(STAGING, 'GROUP_OWNER'),
            ],
          }),
        ],
      }),
    ),
  ];
}

const READER = { clientId: 'mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa', clientSecret: 'mdb_sa_sk_reader' };
let sim: Simulator;
let orgs: Organization[];
let token: string;
let spec: SpecDoc;

beforeAll(async () => {
  orgs = estate();
  sim = await startSimulator({
    organizations: orgs,
    credentials: {
      serviceAccounts: [
        DEFAULT_CREDENTIALS.serviceAccounts[0],
        { ...READER, access: { orgRole: 'ORG_READ_ONLY' } },
      ],
      apiKeys: [DEFAULT_CREDENTIALS.apiKeys[0]],
    },
    faults: [
      { method: 'PATCH', path: `/api/atlas/v2/orgs/${ORG}/serviceAccounts/${SA}`, status: 503, times: 1 },
    ],
  });
  token = await getToken(sim.baseUrl);
  spec = loadSpec('2025-02-19');
});
afterAll(async () => {
  await sim.close();
});

interface Sent {
  status: number;
  contentType: string | null;
  body: Record<string, unknown> | null;
  headers: Headers;
}

async function send(
  method: string,
  path: string,
  body: unknown,
  {
    version = V2025,
    contentType,
    auth = `Bearer ${token}`,
  }: { version?: string; contentType?: string; auth?: string | null } = {},
): Promise<Sent> {
  const headers: Record<string, string> = { Accept: version };
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = contentType ?? version;
  const res = await fetch(sim.baseUrl + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
    headers: res.headers,
  };
}

/** An error answer, checked against the spec's ApiError. */
function expectApiError(r: Sent, status: number, errorCode: string): void {
  expect(r.status).toBe(status);
  expect(r.body).toMatchObject({ error: status, errorCode });
  const validate = componentValidator(spec, 'ApiError');
  expect(validate(r.body), describeErrors(validate)).toBe(true);
}

function expectValid(schema: string, body: unknown): void {
  const validate = componentValidator(spec, schema);
  expect(validate(body), describeErrors(validate)).toBe(true);
}

const org0 = () => orgs[0]!;
const userById = (id: string) => org0().users.find((u) => u.id === id);

describe('simulator writes: the table vs the spec extracts', () => {
  it('serves every write operation in exactly the versions the extracts list', () => {
    const specs = SPEC_VERSIONS.map((v) => loadSpec(v));
    for (const op of Object.values(writeOperations)) {
      const versions = new Set<string>();
      for (const s of specs) {
        const entry = s.doc.info['x-extract'].operations[`${op.method} ${op.path}`];
        if (entry) versions.add(entry.contentVersion);
      }
      expect(
        [...SIM_WRITE_VERSIONS[op.operationId as keyof typeof writeOperations]].sort(),
        op.operationId,
      ).toEqual([...versions].sort());
    }
  });

  it('its request schemas accept what the spec schemas accept and refuse what they refuse', () => {
    const cases: Array<[string, unknown, boolean]> = [
      ['AddOrRemoveOrgRole', { orgRole: 'ORG_MEMBER' }, true],
      ['AddOrRemoveOrgRole', { orgRole: 'ORG_EMPEROR' }, false],
      ['AddOrRemoveOrgRole', {}, false],
      ['AddOrRemoveGroupRole', { groupRole: 'GROUP_OWNER' }, true],
      ['AddOrRemoveGroupRole', { groupRole: 7 }, false],
      ['AddOrRemoveUserFromTeam', { id: OWNER }, true],
      ['AddOrRemoveUserFromTeam', { id: 'x' }, false],
      ['UpdateAtlasOrganizationApiKey', { roles: ['ORG_READ_ONLY'] }, true],
      ['UpdateAtlasOrganizationApiKey', { roles: [{ roleName: 'ORG_READ_ONLY' }] }, false],
      ['UpdateAtlasOrganizationApiKey', { desc: '' }, false],
      ['UpdateAtlasProjectApiKey', { roles: ['GROUP_READ_ONLY'] }, true],
      ['UpdateAtlasProjectApiKey', { roles: [{ roleName: 'GROUP_READ_ONLY' }] }, false],
      ['OrgServiceAccountUpdateRequest', { roles: ['ORG_MEMBER'] }, true],
      ['OrgServiceAccountUpdateRequest', { roles: ['GROUP_OWNER'] }, false],
      ['OrgServiceAccountUpdateRequest', { name: 'bad<name>' }, false],
      ['GroupServiceAccountUpdateRequest', { roles: ['GROUP_READ_ONLY'] }, true],
      ['GroupServiceAccountUpdateRequest', { roles: 'GROUP_READ_ONLY' }, false],
    ];
    for (const [name, body, ok] of cases) {
      expect(componentValidator(spec, name)(body), `spec ${name} ${JSON.stringify(body)}`).toBe(ok);
      expect(REQUEST_SCHEMAS[name]!.safeParse(body).success, `sim ${name} ${JSON.stringify(body)}`).toBe(ok);
    }
    // Every request schema the table names is modelled.
    for (const op of Object.values(writeOperations))
      if (op.requestSchema) expect(REQUEST_SCHEMAS[op.requestSchema], op.requestSchema).toBeDefined();
    expect(specOperation('POST', writeOperations.addOrgUserRole.path)?.op.requestBody?.required).toBe(true);
  });
});

describe('simulator writes: auth, version, media type, body', () => {
  const path = `/api/atlas/v2/orgs/${ORG}/users/${OWNER}:addRole`;

  it('needs credentials (401 with a Digest challenge) and a role the operation requires (403)', async () => {
    const anon = await send('POST', path, { orgRole: 'ORG_READ_ONLY' }, { auth: null });
    expectApiError(anon, 401, 'UNAUTHORIZED');
    expect(anon.headers.get('www-authenticate')).toMatch(/^Digest /);
    const readerToken = await getToken(sim.baseUrl, READER);
    const denied = await send('POST', path, { orgRole: 'ORG_READ_ONLY' }, { auth: `Bearer ${readerToken}` });
    expectApiError(denied, 403, 'USER_UNAUTHORIZED');
    expect(userById(OWNER)!.orgRoles).toEqual(['ORG_OWNER']);
  });

  it('406 on a version the operation lacks or no version; 415 on another media type', async () => {
    expectApiError(
      await send('POST', path, { orgRole: 'ORG_READ_ONLY' }, { version: V2023 }),
      406,
      'INVALID_VERSION_DATE',
    );
    expectApiError(
      await send('POST', path, { orgRole: 'ORG_READ_ONLY' }, { version: 'application/json' }),
      406,
      'INVALID_VERSION_DATE',
    );
    expectApiError(
      await send('POST', path, { orgRole: 'ORG_READ_ONLY' }, { contentType: 'application/json' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectApiError(
      await send('POST', path, { orgRole: 'ORG_READ_ONLY' }, { contentType: V2023 }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(userById(OWNER)!.orgRoles).toEqual(['ORG_OWNER']);
  });

  it('400 on a body outside the request schema (with badRequestDetail), bad JSON, or a body where none is taken', async () => {
    const bad = await send('POST', path, { orgRole: 'ORG_EMPEROR' });
    expectApiError(bad, 400, 'VALIDATION_ERROR');
    expect((bad.body!.badRequestDetail as { fields: Array<{ field: string }> }).fields[0]!.field).toBe(
      'orgRole',
    );
    expectApiError(await send('POST', path, '{"orgRole":'), 400, 'VALIDATION_ERROR');
    expectApiError(
      await send('DELETE', `/api/atlas/v2/orgs/${ORG}/users/${OWNER}`, { id: OWNER }),
      400,
      'VALIDATION_ERROR',
    );
    expect(userById(OWNER)).toBeDefined();
  });

  it('a write over HTTP Digest (API key) is authenticated with its own method', async () => {
    const p = `/api/atlas/v2/orgs/${ORG}/users/${MISSING}`;
    const first = await fetch(sim.baseUrl + p, { method: 'DELETE', headers: { Accept: V2025 } });
    expect(first.status).toBe(401);
    const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
    const key = DEFAULT_CREDENTIALS.apiKeys[0];
    const res = await fetch(sim.baseUrl + p, {
      method: 'DELETE',
      headers: {
        Accept: V2025,
        Authorization: digestAuthorization(challenge, 'DELETE', p, key.publicKey, key.privateKey),
      },
    });
    expect(res.status).toBe(404);
  });
});

describe('simulator writes: the spec rules and the estate', () => {
  it('project roles: the last one cannot go with :removeRole (400); removeGroupUser takes the membership', async () => {
    const removeRole = (project: string, groupRole: string) =>
      send('POST', `/api/atlas/v2/groups/${project}/users/${DEV}:removeRole`, { groupRole });
    expectApiError(await removeRole(STAGING, 'GROUP_OWNER'), 400, 'VALIDATION_ERROR');
    const ok = await removeRole(PROD, 'GROUP_OWNER');
    expect(ok.status).toBe(200);
    expect(ok.contentType).toBe(V2025);
    expect(ok.body).toMatchObject({ id: DEV, roles: ['GROUP_READ_ONLY'] });
    expectValid('GroupActiveUserResponse', ok.body);
    expectApiError(await removeRole(PROD, 'GROUP_OWNER'), 404, 'RESOURCE_NOT_FOUND');

    const del = await send('DELETE', `/api/atlas/v2/groups/${STAGING}/users/${DEV}`, undefined);
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();
    expect(del.contentType).toBe(V2025);
    expectApiError(
      await send('DELETE', `/api/atlas/v2/groups/${STAGING}/users/${DEV}`, undefined),
      404,
      'RESOURCE_NOT_FOUND',
    );
    expect(userById(DEV)!.projectRoles).toEqual([{ projectId: PROD, roles: ['GROUP_READ_ONLY'] }]);
    // The read route shows it.
    const listed = await fetch(`${sim.baseUrl}/api/atlas/v2/groups/${STAGING}/users`, {
      headers: { Authorization: `Bearer ${token}`, Accept: V2025 },
    });
    expect(((await listed.json()) as { results: unknown[] }).results).toEqual([]);
  });

  it('org roles: the last one cannot go (400); ORG_MEMBER added first (409 when held) makes it possible', async () => {
    const p = (action: string) => `/api/atlas/v2/orgs/${ORG}/users/${DEV}:${action}`;
    expectApiError(await send('POST', p('removeRole'), { orgRole: 'ORG_OWNER' }), 400, 'VALIDATION_ERROR');
    const added = await send('POST', p('addRole'), { orgRole: 'ORG_MEMBER' });
    expect(added.status).toBe(200);
    expectValid('OrgActiveUserResponse', added.body);
    expectApiError(await send('POST', p('addRole'), { orgRole: 'ORG_MEMBER' }), 409, 'CONFLICT');
    const removed = await send('POST', p('removeRole'), { orgRole: 'ORG_OWNER' });
    expect(removed.status).toBe(200);
    expect((removed.body!.roles as { orgRoles: string[] }).orgRoles).toEqual(['ORG_MEMBER']);
    expectApiError(await send('POST', p('removeRole'), { orgRole: 'ORG_OWNER' }), 404, 'RESOURCE_NOT_FOUND');
  });

  it('team membership: :removeUser takes the user out of the team (404 when not a member)', async () => {
    const p = `/api/atlas/v2/orgs/${ORG}/teams/${TEAM}:removeUser`;
    const r = await send('POST', p, { id: DEV });
    expect(r.status).toBe(200);
    expectValid('OrgActiveUserResponse', r.body);
    expect(org0().teams[0]!.memberIds).toEqual([OWNER]);
    expect(userById(DEV)!.teamIds).toEqual([]);
    expectApiError(await send('POST', p, { id: DEV }), 404, 'RESOURCE_NOT_FOUND');
    expectApiError(
      await send('POST', `/api/atlas/v2/orgs/${ORG}/teams/c0000000000000000000ffff:removeUser`, { id: DEV }),
      404,
      'RESOURCE_NOT_FOUND',
    );
  });

  it('removeOrgUser: a pending user only with 2025-02-19; a missing user is 404', async () => {
    const p = `/api/atlas/v2/orgs/${ORG}/users/${PENDING}`;
    expectApiError(await send('DELETE', p, undefined, { version: V2023 }), 400, 'VALIDATION_ERROR');
    expect(userById(PENDING)).toBeDefined();
    expect((await send('DELETE', p, undefined)).status).toBe(204);
    expect(userById(PENDING)).toBeUndefined();
    expectApiError(await send('DELETE', p, undefined), 404, 'RESOURCE_NOT_FOUND');
    expectApiError(
      await send('DELETE', `/api/atlas/v2/orgs/${ORG}/users/not-an-id`, undefined),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('API keys: PATCH sets plain role names (org and project), DELETE removes from a project and from the org', async () => {
    const org = await send(
      'PATCH',
      `/api/atlas/v2/orgs/${ORG}/apiKeys/${KEY}`,
      { roles: ['ORG_READ_ONLY'] },
      { version: V2023 },
    );
    expect(org.status).toBe(200);
    expect(org.contentType).toBe(V2023);
    expectValid('ApiKeyUserDetails', org.body);
    const grp = await send(
      'PATCH',
      `/api/atlas/v2/groups/${PROD}/apiKeys/${KEY}`,
      { roles: ['GROUP_READ_ONLY'] },
      { version: V2023 },
    );
    expect(grp.status).toBe(200);
    expectValid('ApiKeyUserDetails', grp.body);
    expectApiError(
      await send(
        'PATCH',
        `/api/atlas/v2/groups/${PROD}/apiKeys/${KEY}`,
        { desc: 'only a description' },
        { version: V2023 },
      ),
      400,
      'VALIDATION_ERROR',
    );
    expect(
      (await send('DELETE', `/api/atlas/v2/groups/${STAGING}/apiKeys/${KEY}`, undefined, { version: V2023 }))
        .status,
    ).toBe(204);
    const key = org0().apiKeys[0]!;
    expect(key.orgRoles).toEqual(['ORG_READ_ONLY']);
    expect(key.projectRoles).toEqual([{ projectId: PROD, roles: ['GROUP_READ_ONLY'] }]);
    expect(
      (await send('DELETE', `/api/atlas/v2/orgs/${ORG}/apiKeys/${KEY}`, undefined, { version: V2023 }))
        .status,
    ).toBe(204);
    expect(org0().apiKeys).toEqual([]);
    expectApiError(
      await send('DELETE', `/api/atlas/v2/orgs/${ORG}/apiKeys/${KEY}`, undefined, { version: V2023 }),
      404,
      'RESOURCE_NOT_FOUND',
    );
  });

  it('service accounts in a project: PATCH the remaining roles, DELETE from the project only', async () => {
    const p = (project: string) => `/api/atlas/v2/groups/${project}/serviceAccounts/${SA}`;
    const r = await send('PATCH', p(PROD), { roles: ['GROUP_READ_ONLY'] }, { version: VSA });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe(VSA);
    expect(r.body).toMatchObject({ clientId: SA, roles: ['GROUP_READ_ONLY'] });
    expectValid('GroupServiceAccount', r.body);
    expectApiError(await send('PATCH', p(PROD), { roles: [] }, { version: VSA }), 400, 'VALIDATION_ERROR');
    expect((await send('DELETE', p(STAGING), undefined, { version: VSA })).status).toBe(204);
    expectApiError(await send('DELETE', p(STAGING), undefined, { version: VSA }), 404, 'RESOURCE_NOT_FOUND');
    expectApiError(
      await send('PATCH', p(STAGING), { roles: ['GROUP_READ_ONLY'] }, { version: VSA }),
      404,
      'RESOURCE_NOT_FOUND',
    );
    // The read routes see it: the account's projects, and the project's service accounts.
    const groups = await fetch(`${sim.baseUrl}/api/atlas/v2/orgs/${ORG}/serviceAccounts/${SA}/groups`, {
      headers: { Authorization: `Bearer ${token}`, Accept: VSA },
    });
    expect(((await groups.json()) as { results: unknown[] }).results).toEqual([
      { groupId: PROD, roles: ['GROUP_READ_ONLY'] },
    ]);
    expect(org0().serviceAccounts[0]!.orgRoles).toEqual(['ORG_OWNER']);
  });

  it('the Cloud Manager v1.0 users list shows the roles after a write', async () => {
    const list = async () => {
      const res = await digestGet(sim.baseUrl, `/api/public/v1.0/orgs/${ORG}/users`);
      const body = (await res.json()) as {
        results: Array<{ id: string; roles: Array<{ roleName: string }> }>;
      };
      return body.results.find((u) => u.id === OWNER)!.roles.map((r) => r.roleName);
    };
    expect(await list()).toEqual(['ORG_OWNER']);
    const p = (action: string) => `/api/atlas/v2/orgs/${ORG}/users/${OWNER}:${action}`;
    expect((await send('POST', p('addRole'), { orgRole: 'ORG_READ_ONLY' })).status).toBe(200);
    expect(await list()).toEqual(['ORG_OWNER', 'ORG_READ_ONLY']);
    expect((await send('POST', p('removeRole'), { orgRole: 'ORG_READ_ONLY' })).status).toBe(200);
    expect(await list()).toEqual(['ORG_OWNER']);
  });

  it('service accounts: PATCH the org roles (an injected 503 first), DELETE the account', async () => {
    const p = `/api/atlas/v2/orgs/${ORG}/serviceAccounts/${SA}`;
    expectApiError(
      await send('PATCH', p, { roles: ['ORG_READ_ONLY'] }, { version: VSA }),
      503,
      'SERVICE_UNAVAILABLE',
    );
    const r = await send('PATCH', p, { roles: ['ORG_READ_ONLY'] }, { version: VSA });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe(VSA);
    expectValid('OrgServiceAccount', r.body);
    expect(org0().serviceAccounts[0]!.orgRoles).toEqual(['ORG_READ_ONLY']);
    expectApiError(await send('PATCH', p, { roles: [] }, { version: VSA }), 400, 'VALIDATION_ERROR');
    expect((await send('DELETE', p, undefined, { version: VSA })).status).toBe(204);
    expect(org0().serviceAccounts).toEqual([]);
    const groups = await fetch(`${sim.baseUrl}${p}/groups`, {
      headers: { Authorization: `Bearer ${token}`, Accept: VSA },
    });
    expect(groups.status).toBe(404);
    expectApiError(await send('DELETE', p, undefined, { version: VSA }), 404, 'RESOURCE_NOT_FOUND');
  });

  it('a method the path does not have is still 405, an unknown write path 404', async () => {
    expectApiError(
      await send('PUT', `/api/atlas/v2/orgs/${ORG}/users`, undefined),
      405,
      'METHOD_NOT_ALLOWED',
    );
    expectApiError(
      await send('POST', `/api/atlas/v2/orgs/${ORG}/users/${OWNER}:promote`, {}),
      404,
      'RESOURCE_NOT_FOUND',
    );
  });
});
