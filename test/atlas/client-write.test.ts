/** The client's write path (review apply): versioned media types, body, 204, retries, errors. */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceAccountAuth } from '../../src/atlas/auth/service-account.js';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS } from '../../src/atlas/client.js';
import { writeOperations } from '../../src/atlas/write-operations.js';
import { AtlasApiError } from '../../src/errors.js';
import { fakeDeps } from '../helpers/fake-deps.js';

const BASE = 'https://atlas.test';
const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const USER = 'b00000000000000000000001';
const V2025 = 'application/vnd.atlas.2025-02-19+json';

const deps = fakeDeps;

const bearer: AuthStrategy = {
  kind: 'service-account',
  principal: 'test-principal',
  challengeBudget: 1,
  authorize: async () => 'Bearer tok',
  onUnauthorized: async () => false,
};

function client(d = deps(), auth: AuthStrategy = bearer, credentialHint?: string) {
  return new AtlasClient(
    {
      ...DEFAULT_CLIENT_OPTIONS,
      baseUrl: new URL(BASE),
      userAgent: 'test',
      ...(credentialHint ? { credentialHint } : {}),
    },
    auth,
    d,
  );
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('AtlasClient.sendWrite', () => {
  it('sends the body with the operation version as Accept and Content-Type, and returns the answer', async () => {
    nock(BASE)
      .post(`/api/atlas/v2/orgs/${ORG}/users/${USER}:removeRole`, { orgRole: 'ORG_OWNER' })
      .matchHeader('accept', V2025)
      .matchHeader('content-type', V2025)
      .matchHeader('authorization', 'Bearer tok')
      .reply(200, { id: USER }, { 'Content-Type': V2025 });
    const res = await client().sendWrite(
      writeOperations.removeOrgUserRole,
      `/api/atlas/v2/orgs/${ORG}/users/${USER}:removeRole`,
      { orgRole: 'ORG_OWNER' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: USER });
  });

  it('a DELETE has no body and no Content-Type; its 204 reads as a null body', async () => {
    nock(BASE)
      .delete(`/api/atlas/v2/orgs/${ORG}/apiKeys/${USER}`)
      .matchHeader('accept', 'application/vnd.atlas.2023-01-01+json')
      .matchHeader('content-type', (v) => v === undefined)
      .reply(204);
    const res = await client().sendWrite(
      writeOperations.deleteOrgApiKey,
      `/api/atlas/v2/orgs/${ORG}/apiKeys/${USER}`,
      null,
    );
    expect(res).toMatchObject({ status: 204, body: null });
  });

  it('retries a POST after 503 and 429 (Retry-After honoured); a 4xx is not retried', async () => {
    const d = deps();
    const path = `/api/atlas/v2/orgs/${ORG}/teams/${USER}:removeUser`;
    nock(BASE)
      .post(path)
      .reply(503, { error: 503, errorCode: 'SERVICE_UNAVAILABLE' })
      .post(path)
      .reply(429, { error: 429, errorCode: 'RATE_LIMITED' }, { 'Retry-After': '7' })
      .post(path, { id: USER })
      .reply(200, {});
    const res = await client(d).sendWrite(writeOperations.removeOrgTeamUser, path, { id: USER });
    expect(res.status).toBe(200);
    expect(d.sleeps).toHaveLength(2);
    expect(d.sleeps[1]).toBeGreaterThanOrEqual(7000);

    nock(BASE)
      .post(path)
      .reply(400, { error: 400, errorCode: 'VALIDATION_ERROR', detail: 'bad id', reason: 'Bad Request' });
    const error = await client()
      .sendWrite(writeOperations.removeOrgTeamUser, path, { id: USER })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect((error as AtlasApiError).details).toEqual({
      endpoint: 'POST /api/atlas/v2/orgs/{orgId}/teams/{teamId}:removeUser',
      status: 400,
      errorCode: 'VALIDATION_ERROR',
      detail: 'bad id',
    });
  });

  it('a 403 names the least role of the operation; a 401 names the credentials the caller chose', async () => {
    const path = `/api/atlas/v2/orgs/${ORG}/users/${USER}`;
    nock(BASE).delete(path).reply(403, { error: 403, errorCode: 'USER_UNAUTHORIZED' });
    const forbidden = (await client()
      .sendWrite(writeOperations.removeOrgUser, path, null)
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(forbidden.hint).toContain('lack Organization Owner for this call');

    nock(BASE).delete(path).reply(401, { error: 401, errorCode: 'UNAUTHORIZED' });
    const unauthorized = (await client(deps(), bearer, 'check ATLAS_REVIEW_APPLY_CLIENT_ID')
      .sendWrite(writeOperations.removeOrgUser, path, null)
      .catch((e: unknown) => e)) as AtlasApiError;
    expect(unauthorized.details.status).toBe(401);
    expect(unauthorized.hint).toBe('check ATLAS_REVIEW_APPLY_CLIENT_ID');
  });

  it('gets a token through the same client and sends the write with it', async () => {
    const d = deps();
    let c: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      'mdb_sa_id_0123456789abcdef01234567',
      'mdb_sa_sk_writer',
      new URL(BASE),
      (request) => c!.sendTokenRequest(request),
      d.now,
    );
    c = client(d, auth);
    nock(BASE)
      .post('/api/oauth/token')
      .reply(200, { access_token: 'w-1', token_type: 'Bearer', expires_in: 3600 });
    nock(BASE)
      .patch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${USER}`, { roles: ['ORG_READ_ONLY'] })
      .matchHeader('authorization', 'Bearer w-1')
      .matchHeader('content-type', 'application/vnd.atlas.2023-01-01+json')
      .reply(200, { id: USER });
    const res = await c.sendWrite(
      writeOperations.updateOrgApiKey,
      `/api/atlas/v2/orgs/${ORG}/apiKeys/${USER}`,
      {
        roles: ['ORG_READ_ONLY'],
      },
    );
    expect(res.status).toBe(200);
  });

  it('refuses, as a bug, a path that is not the operation template or a body the operation does not take', async () => {
    const c = client();
    await expect(
      c.sendWrite(writeOperations.removeOrgUser, `/api/atlas/v2/orgs/${ORG}/users/../../x`, null),
    ).rejects.toThrow('internal:');
    await expect(
      c.sendWrite(writeOperations.removeOrgUser, `/api/atlas/v2/orgs/${ORG}/users/${USER}`, { id: USER }),
    ).rejects.toThrow('internal: removeOrgUser takes no body');
  });
});
