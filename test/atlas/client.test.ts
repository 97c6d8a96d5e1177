import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DigestAuth } from '../../src/atlas/auth/digest.js';
import { ServiceAccountAuth } from '../../src/atlas/auth/service-account.js';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS } from '../../src/atlas/client.js';
import { operations } from '../../src/atlas/operations.js';
import { readAllPages } from '../../src/atlas/paginate.js';
import { parseRetryAfter } from '../../src/atlas/retry.js';
import { AtlasApiError } from '../../src/errors.js';
import { type FakeDeps, fakeDeps } from '../helpers/fake-deps.js';

const BASE = 'https://atlas.test';
const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const USERS_PATH = `/api/atlas/v2/orgs/${ORG}/users`;
const V2025 = 'application/vnd.atlas.2025-02-19+json';

const noAuth: AuthStrategy = {
  kind: 'api-key',
  principal: 'test-principal',
  challengeBudget: 2,
  authorize: async () => null,
  onUnauthorized: async () => false,
};

function makeClient(
  deps: FakeDeps,
  auth: AuthStrategy = noAuth,
  overrides: Partial<typeof DEFAULT_CLIENT_OPTIONS> = {},
) {
  return new AtlasClient(
    { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(BASE), userAgent: 'test', ...overrides },
    auth,
    deps,
  );
}

function users(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({ id: (from + i).toString(16).padStart(24, '0') }));
}

function listUsers(client: AtlasClient, itemsPerPage = 500) {
  return readAllPages(client, {
    operation: operations.listOrgUsers,
    pathParams: { orgId: ORG },
    version: '2025-02-19',
    scopeId: ORG,
    itemsPerPage,
    key: (item) => (item as { id: string }).id,
  });
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('service account auth', () => {
  function saClient(deps: FakeDeps) {
    let client: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      'mdb_sa_id_0123456789abcdef01234567',
      'mdb_sa_sk_supersecretvalue',
      new URL(BASE),
      (request) => client!.sendTokenRequest(request),
      deps.now,
    );
    client = makeClient(deps, auth);
    return { client, auth };
  }

  it('gets a token with client credentials and reuses it until shortly before expiry', async () => {
    const deps = fakeDeps();
    const { client, auth } = saClient(deps);
    const basic = Buffer.from('mdb_sa_id_0123456789abcdef01234567:mdb_sa_sk_supersecretvalue').toString(
      'base64',
    );
    nock(BASE)
      .post('/api/oauth/token', 'grant_type=client_credentials')
      .matchHeader('authorization', `Basic ${basic}`)
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, { access_token: 'tok-1', token_type: 'Bearer', expires_in: 3600 })
      .post('/api/oauth/token')
      .reply(200, { access_token: 'tok-2', token_type: 'Bearer', expires_in: 3600 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .times(2)
      .matchHeader('authorization', 'Bearer tok-1')
      .reply(200, { results: [] })
      .get(USERS_PATH)
      .query(true)
      .matchHeader('authorization', 'Bearer tok-2')
      .reply(200, { results: [] });
    await listUsers(client);
    await listUsers(client);
    expect(auth.tokensIssued).toBe(1);
    deps.advance(3600_000 - 30_000); // inside the renewal margin
    await listUsers(client);
    expect(auth.tokensIssued).toBe(2);
  });

  it('works at concurrency 1: the token request does not wait for the slot its request holds', async () => {
    const deps = fakeDeps();
    let client: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      'id',
      'secret-value',
      new URL(BASE),
      (r) => client!.sendTokenRequest(r),
      deps.now,
    );
    client = makeClient(deps, auth, { concurrency: 1 });
    nock(BASE).post('/api/oauth/token').reply(200, { access_token: 'tok', expires_in: 3600 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .matchHeader('authorization', 'Bearer tok')
      .reply(200, { results: [] });
    await expect(listUsers(client)).resolves.toMatchObject({ items: [] });
  });

  it('replaces the token once on a 401 and retries the request', async () => {
    const deps = fakeDeps();
    const { client, auth } = saClient(deps);
    nock(BASE)
      .post('/api/oauth/token')
      .reply(200, { access_token: 'old', expires_in: 3600 })
      .post('/api/oauth/token')
      .reply(200, { access_token: 'new', expires_in: 3600 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .matchHeader('authorization', 'Bearer old')
      .reply(401, { error: 401, errorCode: 'UNAUTHORIZED', detail: 'expired' })
      .get(USERS_PATH)
      .query(true)
      .matchHeader('authorization', 'Bearer new')
      .reply(200, { results: users(0, 1) });
    const result = await listUsers(client);
    expect(result.items).toHaveLength(1);
    expect(auth.tokensIssued).toBe(2);
  });

  it('fails with exit 3 and no secret in the message when the new token is refused too', async () => {
    const deps = fakeDeps();
    const { client } = saClient(deps);
    nock(BASE)
      .post('/api/oauth/token')
      .times(2)
      .reply(200, { access_token: 'tok-xyz-123', expires_in: 3600 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .times(2)
      .reply(401, { error: 401, errorCode: 'UNAUTHORIZED', detail: 'token tok-xyz-123 is not valid' });
    const error = await listUsers(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    const e = error as AtlasApiError;
    expect(e.exitCode).toBe(3);
    expect(e.details).toMatchObject({
      endpoint: 'GET /api/atlas/v2/orgs/{orgId}/users',
      status: 401,
      errorCode: 'UNAUTHORIZED',
    });
    const text = `${e.message} ${e.hint}`;
    expect(text).not.toContain('tok-xyz-123');
    expect(text).not.toContain('supersecretvalue');
    expect(text).toContain('MONGODB_ATLAS_CLIENT_ID');
  });

  it('names the token endpoint when the client credentials are rejected', async () => {
    const deps = fakeDeps();
    const { client } = saClient(deps);
    nock(BASE)
      .post('/api/oauth/token')
      .reply(401, { error: 'invalid_client', error_description: 'bad secret' });
    const error = (await listUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toBe('POST /api/oauth/token failed with HTTP 401 invalid_client: bad secret');
    expect(error.message + error.hint).not.toContain('supersecretvalue');
  });
});

describe('digest auth', () => {
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');

  function verify(header: string, method: string, password: string): boolean {
    const p = Object.fromEntries(
      [...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]]),
    );
    const ha1 = md5(`${p.username}:${p.realm}:${password}`);
    const ha2 = md5(`${method}:${p.uri}`);
    return p.response === md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
  }

  it('answers the challenge (RFC 7616, MD5, qop=auth) and reuses the nonce with an increasing count', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, new DigestAuth('pubkey12', 'private-key-value', () => 'cnonce1'));
    const seen: string[] = [];
    const challenge =
      'Digest realm="MMS Public API", domain="", nonce="n0nce", algorithm=MD5, qop="auth", stale=false';
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(401, { error: 401, errorCode: 'UNAUTHORIZED' }, { 'WWW-Authenticate': challenge });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .times(2)
      .reply(function () {
        const header = String(this.req.headers.authorization);
        seen.push(header);
        return verify(header, 'GET', 'private-key-value') ? [200, { results: [] }] : [401, {}];
      });
    await listUsers(client);
    await listUsers(client);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toContain('nc=00000001');
    expect(seen[1]).toContain('nc=00000002');
    expect(seen[0]).toContain(`uri="${USERS_PATH}?itemsPerPage=500&pageNum=1&includeCount=true"`);
    expect(client.stats.requests).toBe(3);
  });

  it('gives up after the challenge is answered and refused with the same nonce', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, new DigestAuth('pubkey12', 'wrong-private-key'));
    const challenge = 'Digest realm="MMS Public API", nonce="same", algorithm=MD5, qop="auth"';
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .times(2)
      .reply(
        401,
        { error: 401, errorCode: 'UNAUTHORIZED', detail: 'bad key' },
        { 'WWW-Authenticate': challenge },
      );
    const error = (await listUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.details.status).toBe(401);
    expect(error.message + error.hint).not.toContain('wrong-private-key');
    expect(error.hint).toContain('MONGODB_ATLAS_PUBLIC_API_KEY');
  });
});

describe('versioned Accept headers', () => {
  it('sends the version the spec lists for each operation', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps);
    nock(BASE)
      .get(`/api/atlas/v2/orgs/${ORG}/teams`)
      .query(true)
      .matchHeader('accept', 'application/vnd.atlas.2023-01-01+json')
      .reply(200, { results: [] })
      .get(`/api/atlas/v2/orgs/${ORG}/serviceAccounts`)
      .query((q) => q.includeCount === undefined)
      .matchHeader('accept', 'application/vnd.atlas.2024-08-05+json')
      .reply(200, { results: [] });
    for (const operation of [operations.listOrgTeams, operations.listOrgServiceAccounts]) {
      await readAllPages(client, {
        operation,
        pathParams: { orgId: ORG },
        version: operation.versions![0]!,
        scopeId: ORG,
        key: () => null,
      });
    }
  });

  it('refuses a version the operation does not have', async () => {
    const client = makeClient(fakeDeps());
    await expect(
      client.getJson(
        operations.listOrgTeams,
        new URL(`${BASE}/api/atlas/v2/orgs/${ORG}/teams`),
        '2025-02-19',
        ORG,
      ),
    ).rejects.toThrow(/no version 2025-02-19/);
  });
});

describe('pagination', () => {
  it('follows rel=next links until a page comes back short', async () => {
    const client = makeClient(fakeDeps());
    nock(BASE)
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '1', includeCount: 'true' })
      .matchHeader('accept', V2025)
      .reply(200, {
        results: users(0, 2),
        totalCount: 5,
        links: [
          { rel: 'self', href: `${BASE}${USERS_PATH}?pageNum=1&itemsPerPage=2` },
          { rel: 'next', href: `${BASE}${USERS_PATH}?pageNum=2&itemsPerPage=2` },
        ],
      })
      .get(USERS_PATH)
      .query({ pageNum: '2', itemsPerPage: '2' })
      .reply(200, {
        results: users(2, 2),
        totalCount: 5,
        links: [{ rel: 'next', href: `${USERS_PATH}?pageNum=3&itemsPerPage=2` }],
      })
      .get(USERS_PATH)
      .query({ pageNum: '3', itemsPerPage: '2' })
      // A short page ends the listing even if a next link were present.
      .reply(200, {
        results: users(4, 1),
        totalCount: 5,
        links: [{ rel: 'next', href: `${USERS_PATH}?pageNum=4&itemsPerPage=2` }],
      });
    const result = await listUsers(client, 2);
    expect(result.items).toHaveLength(5);
    expect(result.completeness).toEqual({
      endpoint: `GET ${USERS_PATH}`,
      itemsRead: 5,
      totalCount: 5,
      pages: 3,
    });
    expect(result.notes).toEqual([]);
  });

  it('follows the next link of a short page when the server capped the page size and says more remain', async () => {
    const client = makeClient(fakeDeps());
    // Asked for 500, the server serves 2 per page, links the next page and counts 5.
    nock(BASE)
      .get(USERS_PATH)
      .query({ itemsPerPage: '500', pageNum: '1', includeCount: 'true' })
      .reply(200, {
        results: users(0, 2),
        totalCount: 5,
        links: [{ rel: 'next', href: `${USERS_PATH}?pageNum=2&itemsPerPage=2` }],
      })
      .get(USERS_PATH)
      .query({ pageNum: '2', itemsPerPage: '2' })
      .reply(200, {
        results: users(2, 2),
        totalCount: 5,
        links: [{ rel: 'next', href: `${USERS_PATH}?pageNum=3&itemsPerPage=2` }],
      })
      .get(USERS_PATH)
      .query({ pageNum: '3', itemsPerPage: '2' })
      .reply(200, { results: users(4, 1), totalCount: 5, links: [] });
    const result = await listUsers(client, 500);
    expect(result.items).toHaveLength(5);
    expect(result.notes).toEqual([]);
  });

  it('stops on a full page without a next link, and records a totalCount that disagrees', async () => {
    const client = makeClient(fakeDeps());
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(200, { results: users(0, 2), totalCount: 7, links: [] });
    const result = await listUsers(client, 2);
    expect(result.items).toHaveLength(2);
    expect(result.completeness.totalCount).toBe(7);
    expect(result.notes).toEqual([`GET ${USERS_PATH}: read 2 item(s) but the API reported totalCount 7`]);
  });

  it('never stops on totalCount alone', async () => {
    const client = makeClient(fakeDeps());
    nock(BASE)
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '1', includeCount: 'true' })
      .reply(200, {
        results: users(0, 2),
        totalCount: 2,
        links: [{ rel: 'next', href: `${USERS_PATH}?pageNum=2&itemsPerPage=2` }],
      })
      .get(USERS_PATH)
      .query({ pageNum: '2', itemsPerPage: '2' })
      .reply(200, { results: users(2, 1), totalCount: 2 });
    const result = await listUsers(client, 2);
    expect(result.items).toHaveLength(3);
    expect(result.notes[0]).toMatch(/read 3 item\(s\) but the API reported totalCount 2/);
  });

  it('de-duplicates items that shift across pages', async () => {
    const client = makeClient(fakeDeps());
    nock(BASE)
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '1', includeCount: 'true' })
      .reply(200, {
        results: users(0, 2),
        links: [{ rel: 'next', href: `${USERS_PATH}?pageNum=2&itemsPerPage=2` }],
      })
      .get(USERS_PATH)
      .query({ pageNum: '2', itemsPerPage: '2' })
      .reply(200, { results: users(1, 1), links: [] });
    const result = await listUsers(client, 2);
    expect(result.items).toEqual(users(0, 2));
    expect(result.notes).toEqual([`GET ${USERS_PATH}: 1 duplicate item(s) across pages were dropped`]);
  });

  it('fails closed on a next link that loops back', async () => {
    const client = makeClient(fakeDeps());
    const page2 = `${USERS_PATH}?pageNum=2&itemsPerPage=2`;
    nock(BASE)
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '1', includeCount: 'true' })
      .reply(200, { results: users(0, 2), links: [{ rel: 'next', href: page2 }] })
      .get(USERS_PATH)
      .query({ pageNum: '2', itemsPerPage: '2' })
      .reply(200, { results: users(2, 2), links: [{ rel: 'next', href: page2 }] });
    await expect(listUsers(client, 2)).rejects.toThrow(/pagination loop/);
  });

  it('never follows a next link to another origin: reads that page from the base URL by its pageNum', async () => {
    const client = makeClient(fakeDeps());
    // An Ops Manager behind another central URL writes its own host into links; nothing may go there.
    const foreign = nock('https://opsmanager-central.test').get(/.*/).reply(500);
    nock(BASE)
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '1', includeCount: 'true' })
      .reply(200, {
        results: users(0, 2),
        links: [
          {
            rel: 'next',
            href: `https://opsmanager-central.test${USERS_PATH}?pageNum=2&itemsPerPage=2&steal=1`,
          },
        ],
      })
      // Same path and query as the request just made (not the link's), only pageNum from the link.
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '2', includeCount: 'true' })
      .reply(200, {
        results: users(2, 2),
        links: [{ rel: 'next', href: `https://opsmanager-central.test${USERS_PATH}?pageNum=3` }],
      })
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '3', includeCount: 'true' })
      .reply(200, { results: users(4, 1) });
    const result = await listUsers(client, 2);
    expect(result.items).toEqual(users(0, 5));
    expect(result.completeness.pages).toBe(3);
    expect(result.notes).toEqual([
      `GET ${USERS_PATH}: 2 next link(s) pointed at another origin (https://opsmanager-central.test); not followed: the page(s) were read from the configured base URL by pageNum`,
    ]);
    expect(foreign.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('keeps the loop guard for rebuilt pages', async () => {
    const client = makeClient(fakeDeps());
    const back = `https://opsmanager-central.test${USERS_PATH}?pageNum=1&itemsPerPage=2`;
    nock(BASE)
      .get(USERS_PATH)
      .query({ itemsPerPage: '2', pageNum: '1', includeCount: 'true' })
      .reply(200, { results: users(0, 2), links: [{ rel: 'next', href: back }] });
    await expect(listUsers(client, 2)).rejects.toThrow(/pagination loop/);
  });

  it('fails closed on a next link to another origin that names no page', async () => {
    const client = makeClient(fakeDeps());
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(200, {
        results: users(0, 2),
        links: [{ rel: 'next', href: 'https://evil.test/steal' }],
      });
    await expect(listUsers(client, 2)).rejects.toThrow(
      /another origin \(https:\/\/evil\.test\) without a pageNum/,
    );
  });

  it('the client itself still refuses a URL on another origin', async () => {
    const client = makeClient(fakeDeps());
    await expect(
      client.getJson(operations.listOrgUsers, new URL(`https://evil.test${USERS_PATH}`), '2025-02-19', ORG),
    ).rejects.toThrow(/refusing to follow a link to another origin/);
  });

  it('rejects a body that is not a page', async () => {
    const client = makeClient(fakeDeps());
    nock(BASE).get(USERS_PATH).query(true).reply(200, { results: 'nope' });
    await expect(listUsers(client)).rejects.toThrow(/unexpected response body at \$\.results/);
  });
});

describe('retries', () => {
  it('honours Retry-After on 429 and pauses the bucket', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps);
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(429, { error: 429, errorCode: 'RATE_LIMITED', detail: 'slow down' }, { 'Retry-After': '7' })
      .get(USERS_PATH)
      .query(true)
      .reply(200, { results: [] }, { 'RateLimit-Limit': '500', 'RateLimit-Remaining': '499' });
    await listUsers(client);
    expect(deps.sleeps).toHaveLength(1);
    expect(deps.sleeps[0]).toBeGreaterThanOrEqual(7000);
    expect(deps.sleeps[0]).toBeLessThan(7250);
    expect(client.stats).toMatchObject({ requests: 2, retries: 1, rateLimited: 1 });
  });

  it('does not wait for a Retry-After beyond its cap, and says so', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, noAuth, { maxRetryAfterMs: 60_000 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(
        503,
        { error: 503, errorCode: 'SERVICE_UNAVAILABLE', detail: 'maintenance' },
        { 'Retry-After': '86400' },
      );
    const error = (await listUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toBe(
      'GET /api/atlas/v2/orgs/{orgId}/users failed with HTTP 503 SERVICE_UNAVAILABLE: maintenance (Retry-After 86400 s exceeds the 60 s the client waits)',
    );
    expect(deps.sleeps).toEqual([]);
  });

  it('retries 5xx and connection resets with capped exponential backoff', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, noAuth, { backoffBaseMs: 100, backoffCapMs: 300 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(503, { error: 503, errorCode: 'SERVICE_UNAVAILABLE' })
      .get(USERS_PATH)
      .query(true)
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })
      .get(USERS_PATH)
      .query(true)
      .reply(500, { error: 500, errorCode: 'UNEXPECTED_ERROR' })
      .get(USERS_PATH)
      .query(true)
      .reply(200, { results: users(0, 1) });
    const result = await listUsers(client);
    expect(result.items).toHaveLength(1);
    // random() = 0.5: half of min(cap, base * 2^n) => 50, 100, 150 (capped at 300 / 2).
    expect(deps.sleeps).toEqual([50, 100, 150]);
  });

  it('gives up after maxRetries and names the endpoint, status and errorCode', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, noAuth, { maxRetries: 2 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .times(3)
      .reply(500, { error: 500, errorCode: 'UNEXPECTED_ERROR', detail: 'boom' });
    const error = (await listUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toBe(
      'GET /api/atlas/v2/orgs/{orgId}/users failed with HTTP 500 UNEXPECTED_ERROR: boom',
    );
    expect(deps.sleeps).toHaveLength(2);
  });

  it.each([400, 403, 404, 409])('does not retry HTTP %i', async (status) => {
    const deps = fakeDeps();
    const client = makeClient(deps);
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(status, { error: status, errorCode: 'SOME_CODE', detail: 'no' });
    const error = (await listUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.details).toEqual({
      endpoint: 'GET /api/atlas/v2/orgs/{orgId}/users',
      status,
      errorCode: 'SOME_CODE',
      detail: 'no',
    });
    expect(deps.sleeps).toEqual([]);
  });

  it('times out a request that does not answer, then retries it', async () => {
    const deps = fakeDeps();
    // 400 ms, not less: the answered retry must come back within the timeout on a loaded machine too.
    const client = makeClient(deps, noAuth, { timeoutMs: 400 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .delay(5_000)
      .reply(200, { results: [] })
      .get(USERS_PATH)
      .query(true)
      .reply(200, { results: users(0, 1) });
    const result = await listUsers(client);
    expect(result.items).toHaveLength(1);
    expect(client.stats.retries).toBe(1);
  });

  it('reports a timeout that never recovers as a failure without an HTTP status', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, noAuth, { timeoutMs: 30, maxRetries: 1 });
    nock(BASE).get(USERS_PATH).query(true).times(2).delay(2_000).reply(200, { results: [] });
    const error = (await listUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toBe(
      'GET /api/atlas/v2/orgs/{orgId}/users failed (no HTTP response): no response within 30 ms',
    );
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(null, 0)).toBeNull();
  });
});

describe('rate-limit pacing', () => {
  it('spaces requests to a bucket once RateLimit-Remaining runs low', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, noAuth, { concurrency: 2 });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .times(3)
      .reply(200, { results: [] }, { 'RateLimit-Limit': '10', 'RateLimit-Remaining': '1' });
    await listUsers(client);
    expect(deps.sleeps).toEqual([]);
    await listUsers(client);
    await listUsers(client);
    // The Users set's documented refill, 500 per 60 s for a capacity of 1200 (the GROUP scope, the slower
    // of its two), scaled to the reported capacity 10: one request every 14.4 s once the bucket is low.
    expect(deps.sleeps).toEqual([14_400]);
  });

  it('stops at the overall deadline instead of retrying for ever, saying so (exit 3)', async () => {
    const deps = fakeDeps();
    const client = makeClient(deps, noAuth, { deadlineMs: 60_000, maxRetries: 20, maxRetryAfterMs: 600_000 });
    // A server that always asks to come back in 25 s: the third wait would pass the 60 s deadline.
    nock(BASE).get(USERS_PATH).query(true).times(20).reply(503, {}, { 'Retry-After': '25' });
    const error = (await listUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('the overall deadline of 1 min would pass while waiting to retry');
    expect(deps.sleeps.length).toBe(2);
    nock.cleanAll();
  });
});
