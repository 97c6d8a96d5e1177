import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS } from '../../src/atlas/client.js';
import { operations } from '../../src/atlas/operations.js';
import { paginate, readAllPages } from '../../src/atlas/paginate.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { AtlasApiError, CollectionError, ExitCode } from '../../src/errors.js';
import { fakeDeps } from '../helpers/fake-deps.js';

const BASE = 'https://atlas.test';
const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const USERS_PATH = `/api/atlas/v2/orgs/${ORG}/users`;
const USERS = 'GET /api/atlas/v2/orgs/{orgId}/users';

const noAuth: AuthStrategy = {
  kind: 'api-key',
  principal: 'test-principal',
  challengeBudget: 0,
  authorize: async () => null,
  onUnauthorized: async () => false,
};

function makeClient() {
  return new AtlasClient(
    { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(BASE), userAgent: 'test' },
    noAuth,
    fakeDeps(),
  );
}

const hex = (n: number) => n.toString(16).padStart(24, '0');
const request = (itemsPerPage = 2) => ({
  operation: operations.listOrgUsers,
  pathParams: { orgId: ORG },
  version: '2025-02-19',
  scopeId: ORG,
  itemsPerPage,
  key: (item: unknown) => (item as { id: string }).id,
});

/** The listing's error, which must be a CollectionError (never an AtlasApiError with status 200). */
async function collectionError(promise: Promise<unknown>): Promise<CollectionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CollectionError);
  expect(error).not.toBeInstanceOf(AtlasApiError);
  expect((error as CollectionError).exitCode).toBe(ExitCode.api);
  expect((error as Error).message).not.toContain('\n');
  return error as CollectionError;
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('CollectionError: answers that do not fit', () => {
  it('names the endpoint, the JSON path and what was wrong in one line', () => {
    const error = new CollectionError({
      endpoint: USERS,
      jsonPath: '$.results[3].id',
      problem: 'expected string',
    });
    expect(error.message).toBe(`${USERS}: unexpected response body at $.results[3].id: expected string`);
    expect(error.details).toEqual({
      endpoint: USERS,
      jsonPath: '$.results[3].id',
      problem: 'expected string',
    });
    const whole = new CollectionError({
      endpoint: USERS,
      jsonPath: null,
      problem: 'the list does not advance',
    });
    expect(whole.message).toBe(`${USERS}: the list does not advance`);
  });

  it('a body that is not a page', async () => {
    nock(BASE).get(USERS_PATH).query(true).reply(200, { results: 'nope' });
    const error = await collectionError(readAllPages(makeClient(), request()));
    expect(error.details).toMatchObject({ endpoint: USERS, jsonPath: '$.results' });
    expect(error.details.problem).toMatch(/array/);
  });

  it('a next link back to a page already read (a loop)', async () => {
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(200, {
        results: [{ id: hex(1) }, { id: hex(2) }],
        links: [{ rel: 'next', href: `${BASE}${USERS_PATH}?itemsPerPage=2&pageNum=1&includeCount=true` }],
      });
    const error = await collectionError(readAllPages(makeClient(), request()));
    expect(error.details.jsonPath).toBeNull();
    expect(error.details.problem).toMatch(/^pagination loop: page 1 links back/);
  });

  it('a full page of items already read under a new link', async () => {
    const page = (n: number) => ({
      results: [{ id: hex(1) }, { id: hex(2) }],
      links: [{ rel: 'next', href: `${USERS_PATH}?itemsPerPage=2&pageNum=${n + 1}` }],
    });
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(200, page(1))
      .get(USERS_PATH)
      .query(true)
      .reply(200, page(2));
    const error = await collectionError(readAllPages(makeClient(), request()));
    expect(error.details.problem).toBe(
      'page 2 is a full page of items already read: the list does not advance',
    );
  });

  it('a next link on another origin without a pageNum', async () => {
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(200, {
        results: [{ id: hex(1) }, { id: hex(2) }],
        links: [{ rel: 'next', href: `https://other.test${USERS_PATH}?cursor=abc` }],
      });
    const error = await collectionError(readAllPages(makeClient(), request()));
    expect(error.details.problem).toMatch(/another origin \(https:\/\/other\.test\) without a pageNum/);
  });

  it('an item that fails its wire schema, named by its place in the page', async () => {
    nock(BASE)
      .get('/api/atlas/v2/orgs')
      .query(true)
      .reply(200, {
        results: [
          { id: ORG, name: 'Org' },
          { id: 7, name: 'Bad' },
        ],
        totalCount: 2,
      });
    const error = await collectionError(
      collectSnapshot({
        client: makeClient(),
        api: 'atlas-v2',
        usersVersion: '2025-02-19',
        orgs: 'all',
        keepPii: false,
        now: () => new Date('2026-01-01T00:00:00Z'),
      }),
    );
    expect(error.details).toMatchObject({ endpoint: 'GET /api/atlas/v2/orgs', jsonPath: '$.results[1].id' });
  });

  it('an organization the credentials do not see', async () => {
    nock(BASE)
      .get('/api/atlas/v2/orgs')
      .query(true)
      .reply(200, { results: [{ id: ORG, name: 'Org' }], totalCount: 1 });
    const other = hex(9);
    const error = await collectionError(
      collectSnapshot({
        client: makeClient(),
        api: 'atlas-v2',
        usersVersion: '2025-02-19',
        orgs: [other],
        keepPii: false,
        now: () => new Date('2026-01-01T00:00:00Z'),
      }),
    );
    expect(error.message).toBe(
      `GET /api/atlas/v2/orgs: organization ${other} is not visible to these credentials`,
    );
    expect(error.hint).toMatch(/check the org id/);
  });
});

describe('paginate: an async iterator of pages', () => {
  it('yields each page in order; the result holds the de-duplicated items and the completeness evidence', async () => {
    nock(BASE)
      .get(USERS_PATH)
      .query((q) => q.pageNum === '1')
      .reply(200, {
        results: [{ id: hex(1) }, { id: hex(2) }],
        totalCount: 3,
        links: [{ rel: 'next', href: `${USERS_PATH}?itemsPerPage=2&pageNum=2&includeCount=true` }],
      })
      .get(USERS_PATH)
      .query((q) => q.pageNum === '2')
      .reply(200, { results: [{ id: hex(2) }, { id: hex(3) }], totalCount: 3 });
    const listing = paginate(makeClient(), request());
    expect(() => listing.result()).toThrow(/before its last page/);
    const seen: Array<[number, number]> = [];
    for await (const page of listing) seen.push([page.number, page.results.length]);
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const result = listing.result();
    expect(result.items.map((u) => (u as { id: string }).id)).toEqual([hex(1), hex(2), hex(3)]);
    expect(result.completeness).toEqual({
      endpoint: `GET ${USERS_PATH}`,
      itemsRead: 3,
      totalCount: 3,
      pages: 2,
    });
    expect(result.notes).toEqual([`GET ${USERS_PATH}: 1 duplicate item(s) across pages were dropped`]);
  });

  it('stopping early sends no further request', async () => {
    nock(BASE)
      .get(USERS_PATH)
      .query(true)
      .reply(200, {
        results: [{ id: hex(1) }, { id: hex(2) }],
        links: [{ rel: 'next', href: `${USERS_PATH}?itemsPerPage=2&pageNum=2` }],
      });
    for await (const page of paginate(makeClient(), request())) {
      expect(page.number).toBe(1);
      break;
    }
  });
});
