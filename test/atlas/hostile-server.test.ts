/**
 * A hostile Atlas on 127.0.0.1 (real HTTP, node:http): each test reproduces an attack on the client and
 * checks the safe outcome: redirects never followed (reads and the token request), a gzip bomb stopped
 * at the byte cap, a repeated page and an endless list stopped, a next link with credentials refused at
 * once. Nothing here sleeps or asserts a duration.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceAccountAuth } from '../../src/atlas/auth/service-account.js';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { MAX_RESPONSE_BYTES } from '../../src/atlas/body.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS, defaultDeps } from '../../src/atlas/client.js';
import { operations } from '../../src/atlas/operations.js';
import { MAX_ITEMS_PER_LISTING, readAllPages } from '../../src/atlas/paginate.js';
import type { AtlasApiError } from '../../src/errors.js';

const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const noAuth: AuthStrategy = {
  kind: 'api-key',
  principal: 'test-principal',
  challengeBudget: 2,
  authorize: async () => null,
  onUnauthorized: async () => false,
};

function client(base: string, auth: AuthStrategy = noAuth): AtlasClient {
  return new AtlasClient(
    { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(base), userAgent: 'test', maxRetries: 2, backoffBaseMs: 1 },
    auth,
    { ...defaultDeps, sleep: async () => {} },
  );
}

function listUsers(c: AtlasClient, itemsPerPage?: number) {
  return readAllPages(c, {
    operation: operations.listOrgUsers,
    pathParams: { orgId: ORG },
    version: '2025-02-19',
    scopeId: ORG,
    key: (item) => (item as { id?: string }).id ?? null,
    ...(itemsPerPage === undefined ? {} : { itemsPerPage }),
  });
}

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'Content-Type': 'application/vnd.atlas.2025-02-19+json', ...headers });
  res.end(JSON.stringify(body));
};
const id = (n: number) => n.toString(16).padStart(24, '0');

describe('a hostile Atlas', () => {
  it('a 302 to another origin is not followed: the other origin gets nothing, the listing fails at once', async () => {
    let elsewhere = 0;
    const other = await serve((_req, res) => {
      elsewhere += 1;
      json(res, { results: [{ id: id(1) }] });
    });
    let asked = 0;
    const base = await serve((_req, res) => {
      asked += 1;
      res.writeHead(302, { Location: `${other}/api/atlas/v2/orgs/${ORG}/users` });
      res.end();
    });
    const error = (await listUsers(client(base)).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toContain('failed with HTTP 302');
    expect(error.message).toContain(
      `a redirect to ${other}/api/atlas/v2/orgs/${ORG}/users; redirects are never followed`,
    );
    expect([asked, elsewhere]).toEqual([1, 0]);
  });

  it("a 307 on the token endpoint does not hand over an attacker's token", async () => {
    let attacker = 0;
    const evil = await serve((_req, res) => {
      attacker += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'attacker-token', token_type: 'Bearer', expires_in: 3600 }));
    });
    let apiCalls = 0;
    const base = await serve((req, res) => {
      if (req.url === '/api/oauth/token') {
        res.writeHead(307, { Location: `${evil}/api/oauth/token` });
        res.end();
        return;
      }
      apiCalls += 1;
      json(res, { results: [] });
    });
    let c: AtlasClient | undefined;
    const auth = new ServiceAccountAuth(
      'mdb_sa_id_5f0c0ffee0ddba11ca7e5e75',
      'mdb_sa_sk_test-secret',
      new URL(base),
      (r) => c!.sendTokenRequest(r),
      Date.now,
    );
    c = client(base, auth);
    const error = (await listUsers(c).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toContain('POST /api/oauth/token failed with HTTP 307');
    expect(error.message).toContain('redirects are never followed');
    expect([attacker, apiCalls]).toEqual([0, 0]);
  });

  it('a gzip bomb is stopped at the byte cap, after decompression', async () => {
    // 40 MiB of JSON whitespace compresses to about 40 KiB.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"results":['), Buffer.alloc(40 * 1024 * 1024, 0x20), Buffer.from(']}')]),
    );
    expect(bomb.byteLength).toBeLessThan(200 * 1024);
    const base = await serve((_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/vnd.atlas.2025-02-19+json',
        'Content-Encoding': 'gzip',
      });
      res.end(bomb);
    });
    const error = (await listUsers(client(base)).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toContain(`larger than ${MAX_RESPONSE_BYTES} bytes (after decompression)`);
  });

  it('a full page repeated under ever new next links fails instead of looping forever', async () => {
    let pages = 0;
    const base = await serve((req, res) => {
      pages += 1;
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('pageNum'));
      json(res, {
        results: [{ id: id(1) }, { id: id(2) }],
        links: [{ rel: 'next', href: `/api/atlas/v2/orgs/${ORG}/users?itemsPerPage=2&pageNum=${n + 1}` }],
      });
    });
    const error = (await listUsers(client(base), 2).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toContain('page 2 is a full page of items already read: the list does not advance');
    expect(pages).toBe(2);
  });

  it('an endless list of new items stops at the per-listing cap', async () => {
    let pages = 0;
    const base = await serve((req, res) => {
      pages += 1;
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('pageNum'));
      json(res, {
        results: Array.from({ length: 500 }, (_, i) => ({ id: id(n * 500 + i) })),
        links: [{ rel: 'next', href: `/api/atlas/v2/orgs/${ORG}/users?itemsPerPage=500&pageNum=${n + 1}` }],
      });
    });
    const error = (await listUsers(client(base)).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toContain(`more than ${MAX_ITEMS_PER_LISTING} items in one listing`);
    expect(pages).toBe(MAX_ITEMS_PER_LISTING / 500 + 1);
  });

  it('a next link with credentials in it fails at once: no retry, nothing sent to it', async () => {
    let requests = 0;
    const base = await serve((_req, res) => {
      requests += 1;
      json(res, {
        results: [{ id: id(1) }, { id: id(2) }],
        links: [
          { rel: 'next', href: `http://user:pass@127.0.0.1:9/api/atlas/v2/orgs/${ORG}/users?pageNum=2` },
        ],
      });
    });
    const error = (await listUsers(client(base), 2).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.message).toContain('page 1 links a next page with credentials in its URL; not followed');
    expect(requests).toBe(1);
  });
});
