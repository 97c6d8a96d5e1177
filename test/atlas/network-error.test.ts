/**
 * Connection failures in words: the final message says what happened at which address,
 * never "bad port" or a bare ENOTFOUND; retries are reported through `deps.onRetry`, never printed by
 * the client.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS, type RetryEvent } from '../../src/atlas/client.js';
import { describeNetworkFailure } from '../../src/atlas/network-error.js';
import { operations } from '../../src/atlas/operations.js';
import type { CliContext } from '../../src/cli/context.js';
import { retryReporter } from '../../src/cli/progress.js';

const noAuth: AuthStrategy = {
  kind: 'api-key',
  principal: 'test-principal',
  challengeBudget: 2,
  authorize: async () => null,
  onUnauthorized: async () => false,
};
const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';

/** What Node's fetch rejects with: TypeError('fetch failed') with the reason as its cause. */
const fetchFailed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function client(base: string, events: RetryEvent[], fetchImpl: typeof fetch = (i, init) => fetch(i, init)) {
  return new AtlasClient(
    { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(base), userAgent: 'test', maxRetries: 2 },
    noAuth,
    {
      fetch: fetchImpl,
      sleep: async () => {},
      now: () => 1_000_000,
      random: () => 0.5,
      onRetry: (e) => events.push(e),
    },
  );
}

async function failure(c: AtlasClient): Promise<string> {
  const url = c.urlFor(operations.listOrgUsers, { orgId: ORG });
  const error = await c.getJson(operations.listOrgUsers, url, '2025-02-19', ORG).catch((e: unknown) => e);
  return (error as Error).message;
}

describe('network failures in words', () => {
  it('connection refused: nothing is listening at the address, and each retry is reported', async () => {
    const port = await closedPort();
    const events: RetryEvent[] = [];
    const message = await failure(client(`http://127.0.0.1:${port}`, events));
    expect(message).toBe(
      `GET /api/atlas/v2/orgs/{orgId}/users failed (no HTTP response): nothing is listening at http://127.0.0.1:${port} (connection refused)`,
    );
    expect(events.map((e) => `${e.retry}/${e.maxRetries}`)).toEqual(['1/2', '2/2']);
    expect(events[0]!.reason).toBe(`nothing is listening at http://127.0.0.1:${port} (connection refused)`);
  });

  it.each([
    [
      { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND atlas.example' },
      'cannot resolve host atlas.example (no such name in DNS)',
    ],
    [
      { code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN atlas.example' },
      'cannot resolve host atlas.example (DNS did not answer; try again)',
    ],
    [
      { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' },
      'the TLS certificate of atlas.example is not trusted (SELF_SIGNED_CERT_IN_CHAIN); if a proxy or private CA signs it, add that CA with NODE_EXTRA_CA_CERTS',
    ],
    [
      { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
      'the TLS certificate of atlas.example has expired',
    ],
    [
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      'nothing is listening at https://atlas.example:8443 (connection refused)',
    ],
  ])('%o', (cause, words) => {
    const url = new URL('https://atlas.example:8443/api/atlas/v2/orgs');
    expect(describeNetworkFailure(fetchFailed(cause), url, 1000)).toBe(words);
  });

  it('a port fetch refuses ("bad port") is named for what it is, and the real fetch says so', async () => {
    const events: RetryEvent[] = [];
    const message = await failure(client('http://127.0.0.1:1', events));
    expect(message).not.toMatch(/bad port/);
    expect(message).toContain("Node's fetch never connects to port 1 of 127.0.0.1");
  });

  it('a host that does not resolve is never a bare ENOTFOUND', async () => {
    const events: RetryEvent[] = [];
    const fake: typeof fetch = async () => {
      throw fetchFailed({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND cloud.mongodb.invalid' });
    };
    const message = await failure(client('https://cloud.mongodb.invalid', events, fake));
    expect(message).toMatch(/: cannot resolve host cloud\.mongodb\.invalid \(no such name in DNS\)$/);
  });
});

describe('retries on a terminal', () => {
  it('prints "retry 2/5 in 1.3 s: ..." on a TTY, nothing in a pipe or with --quiet', () => {
    let out = '';
    const ctx = {
      stderrIsTTY: true,
      stderr: (t: string) => {
        out += t;
      },
    } as unknown as CliContext;
    const event = {
      endpoint: 'GET /x',
      retry: 2,
      maxRetries: 5,
      delayMs: 1250,
      reason: 'nothing is listening at http://h:1 (connection refused)',
    };
    retryReporter(ctx, false)!(event);
    expect(out).toBe(
      '\rretry 2/5 in 1.3 s: nothing is listening at http://h:1 (connection refused) (GET /x)\n',
    );
    expect(retryReporter({ ...ctx, stderrIsTTY: false } as CliContext, false)).toBeUndefined();
    expect(retryReporter(ctx, true)).toBeUndefined();
  });
});
