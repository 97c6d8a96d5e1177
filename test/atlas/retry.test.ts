import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceAccountAuth } from '../../src/atlas/auth/service-account.js';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS, type RetryEvent } from '../../src/atlas/client.js';
import { operations } from '../../src/atlas/operations.js';
import { RetryPolicy } from '../../src/atlas/retry.js';
import { AtlasApiError } from '../../src/errors.js';
import { type FakeDeps, fakeDeps } from '../helpers/fake-deps.js';

const BASE = 'https://atlas.test';
const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const USERS_PATH = `/api/atlas/v2/orgs/${ORG}/users`;
const TOKEN = 'POST /api/oauth/token';

function clientWith(
  deps: FakeDeps,
  auth: AuthStrategy,
  overrides: Partial<typeof DEFAULT_CLIENT_OPTIONS> = {},
) {
  return new AtlasClient(
    { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(BASE), userAgent: 'test', ...overrides },
    auth,
    deps,
  );
}

/** A service-account client whose token requests go through the client's own retry policy. */
function saClient(deps: FakeDeps, overrides: Partial<typeof DEFAULT_CLIENT_OPTIONS> = {}) {
  let client: AtlasClient | undefined;
  const auth = new ServiceAccountAuth(
    'id',
    'secret-value',
    new URL(BASE),
    (r) => client!.sendTokenRequest(r),
    deps.now,
  );
  client = clientWith(deps, auth, overrides);
  return { client, auth };
}

const getUsers = (client: AtlasClient) =>
  client.getJson(
    operations.listOrgUsers,
    client.urlFor(operations.listOrgUsers, { orgId: ORG }),
    '2025-02-19',
    ORG,
  );

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('one retry policy for API calls and the token request', () => {
  it('the token request honours Retry-After like an API call, and is reported as a retry', async () => {
    const events: RetryEvent[] = [];
    const deps: FakeDeps = { ...fakeDeps(), onRetry: (e) => events.push(e) };
    const { client, auth } = saClient(deps);
    nock(BASE)
      .post('/api/oauth/token')
      .reply(503, { error: 'unavailable' }, { 'Retry-After': '2' })
      .post('/api/oauth/token')
      .reply(200, { access_token: 'tok', expires_in: 3600 });
    nock(BASE).get(USERS_PATH).matchHeader('authorization', 'Bearer tok').reply(200, { results: [] });
    await getUsers(client);
    expect(auth.tokensIssued).toBe(1);
    // What the server asked, plus the same jitter (random 0.5 of 250 ms) an API call gets.
    expect(deps.sleeps).toEqual([2125]);
    expect(events).toEqual([{ endpoint: TOKEN, retry: 1, maxRetries: 5, delayMs: 2125, reason: 'HTTP 503' }]);
    expect(client.stats).toMatchObject({ requests: 3, retries: 1 });
  });

  it('the token request backs off on a 5xx without Retry-After, and fails with the last answer when retries run out', async () => {
    const deps = fakeDeps();
    const { client } = saClient(deps, { maxRetries: 2, backoffBaseMs: 100 });
    nock(BASE)
      .post('/api/oauth/token')
      .times(3)
      .reply(502, { error: 'bad_gateway', error_description: 'upstream' });
    const error = (await getUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.message).toBe(`${TOKEN} failed with HTTP 502 bad_gateway: upstream`);
    // Full jitter: half of base * 2^n with random 0.5.
    expect(deps.sleeps).toEqual([50, 100]);
    expect(client.stats.requests).toBe(3);
  });

  it('a token Retry-After above the cap is not waited for, as for API calls', async () => {
    const deps = fakeDeps();
    const { client } = saClient(deps, { maxRetryAfterMs: 60_000 });
    nock(BASE).post('/api/oauth/token').reply(429, { error: 'slow_down' }, { 'Retry-After': '3600' });
    const error = (await getUsers(client).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toContain(`${TOKEN} failed with HTTP 429 slow_down`);
    expect(error.message).toContain('(Retry-After 3600 s exceeds the 60 s the client waits)');
    expect(deps.sleeps).toEqual([]);
  });

  it('a token request that would wait past the overall deadline is not waited for', async () => {
    const deps = fakeDeps();
    const { client } = saClient(deps, { deadlineMs: 60_000 });
    nock(BASE).post('/api/oauth/token').reply(503, {}, { 'Retry-After': '90' });
    await expect(getUsers(client)).rejects.toThrow(/deadline of 1 min would pass while waiting to retry/);
    expect(deps.sleeps).toEqual([]);
  });
});

describe('the challenge budget is the auth strategy’s', () => {
  const refusing = (budget: number) => {
    const seen: Array<string | null> = [];
    const strategy: AuthStrategy = {
      kind: 'api-key',
      principal: 'test-principal',
      challengeBudget: budget,
      authorize: async () => `Custom ${seen.length}`,
      onUnauthorized: async (_response, authorization) => {
        seen.push(authorization);
        return true;
      },
    };
    return { strategy, seen };
  };

  it.each([0, 1, 3])(
    'budget %i: that many fresh credentials, then the 401 fails the request',
    async (budget) => {
      const { strategy, seen } = refusing(budget);
      const client = clientWith(fakeDeps(), strategy);
      nock(BASE)
        .get(USERS_PATH)
        .times(budget + 1)
        .reply(401, { errorCode: 'UNAUTHORIZED', detail: 'no' });
      const error = (await getUsers(client).catch((e: unknown) => e)) as AtlasApiError;
      expect(error.details).toMatchObject({ status: 401, errorCode: 'UNAUTHORIZED' });
      expect(client.stats).toMatchObject({ requests: budget + 1, retries: 0 });
      expect(seen).toEqual(Array.from({ length: budget }, (_, i) => `Custom ${i}`));
    },
  );
});

describe('RetryPolicy', () => {
  it('retries a retryable failure until done; stops at maxRetries with the failure’s error', async () => {
    const deps = fakeDeps();
    const policy = new RetryPolicy(
      { maxRetries: 3, backoffBaseMs: 1000, backoffCapMs: 1500, maxRetryAfterMs: 10_000 },
      deps,
    );
    const error = new AtlasApiError({ endpoint: 'GET /x', status: 503, errorCode: null, detail: null });
    let calls = 0;
    const value = await policy.run({
      endpoint: 'GET /x',
      attempt: async () =>
        ++calls < 3
          ? { kind: 'retry', status: 503, retryAfterMs: null, error }
          : { kind: 'done', value: 'ok' },
    });
    expect([value, calls, policy.retries]).toEqual(['ok', 3, 2]);
    // Capped backoff: min(1500, 1000 * 2^n) * 0.5.
    expect(deps.sleeps).toEqual([500, 750]);
    const failing = policy.run({
      endpoint: 'GET /x',
      attempt: async () => ({ kind: 'retry', status: 503, retryAfterMs: null, error }),
    });
    await expect(failing).rejects.toBe(error);
    expect(deps.sleeps).toEqual([500, 750, 500, 750, 750]);
  });
});
