/**
 * A faithful local Atlas Admin API (the read endpoints an access review needs) on node:http.
 *
 * What it reproduces, with the spec section it follows (docs/atlas-api-notes.md):
 * - auth: OAuth2 client credentials at POST /api/oauth/token and HTTP Digest (RFC 7616, MD5,
 *   qop=auth) with the challenge Atlas sends (§7); the legacy Cloud Manager path is Digest only (§10);
 * - per-operation versions: `Accept: application/vnd.atlas.<date>+json`, 406 otherwise (§1);
 * - pagination with `links` self/next/previous and `totalCount` (§5), ApiError bodies (§6.1);
 * - a version past its `x-sunset` answers 410 VERSION_GONE, by the simulator's clock (§1);
 * - token-bucket rate limits per endpoint set x scope with 429 and Retry-After (§6.3);
 * - injectable latency and faults (status, reset, delay, first-N) for resilience tests.
 *
 * This file composes the pieces: auth.ts (Digest, OAuth tokens), rate-limit.ts (buckets), faults.ts,
 * paging.ts, routes.ts (the read operations), writes.ts (the write operations), responder.ts (latency,
 * log, stats) and http.ts (ApiError bodies, path matching, version negotiation).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Organization } from '../snapshot/schema.js';
import { createAuth, type Principal, type SimulatorAuth, type SimulatorCredentials } from './auth.js';
import { authorize, rolesOf } from './authorize.js';
import { type ApplyFault, createFaults, type Fault } from './faults.js';
import { type ApiErrorSpec, apiError, matchParams, negotiateVersion, readBody } from './http.js';
import { page, parsePaging } from './paging.js';
import { createRateLimiter, type RateLimitTable, rateLimited, type TakeToken } from './rate-limit.js';
import { createResponder, type RequestLogEntry, type Responder, type SimulatorStats } from './responder.js';
import { buildRoutes, EstateIndex, type RequestContext, type Route } from './routes.js';
import type { WireObject } from './wire.js';
import { simulatorWrites } from './writes.js';

export type { SimulatorCredentials } from './auth.js';
export type { SimulatorAccess } from './authorize.js';
export { expectedOrganizations } from './expected.js';
export type { Fault } from './faults.js';

/**
 * Fake, simulator-only credentials used when none are given (printed by `simulate`). The second
 * service account is for `review apply --yes`, which refuses to write with the collector's identity.
 */
export const DEFAULT_CREDENTIALS = {
  serviceAccounts: [
    { clientId: 'mdb_sa_id_5f0c0ffee0ddba11ca7e5e75', clientSecret: 'mdb_sa_sk_simulator-only-not-a-secret' },
    {
      clientId: 'mdb_sa_id_a991ede1e7e5ca1ab1e5e75a',
      clientSecret: 'mdb_sa_sk_apply-simulator-only-not-a-secret',
    },
  ],
  apiKeys: [{ publicKey: 'simkeyab', privateKey: '5e1f0c0a-0000-4000-8000-51a0a7e5e75e' }],
} as const satisfies SimulatorCredentials;

export interface SimulatorOptions {
  organizations: Organization[];
  /** Default {@link DEFAULT_CREDENTIALS}. */
  credentials?: SimulatorCredentials;
  /** Added to every response. */
  latencyMs?: number;
  /** Default 'atlas'. */
  rateLimits?: 'atlas' | 'off' | RateLimitTable;
  /** Lifetime of OAuth access tokens (default 3600, as Atlas). */
  tokenTtlSeconds?: number;
  faults?: Fault[];
  /** Add a `password` field to 2023-01-01 / v1.0 user items (proves the collector drops it). */
  leakPassword?: boolean;
  /** Organizations the org listings (v2 and v1.0) report with `isDeleted: true`. */
  deletedOrgIds?: readonly string[];
  /** Clock in ms for buckets, tokens and nonces (default Date.now). */
  now?: () => number;
  host?: string;
  port?: number;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
  stats(): SimulatorStats;
  resetStats(): void;
  log: RequestLogEntry[];
}

/** A refused request: the ApiError and the headers that go with it. */
interface Refusal {
  error: Omit<ApiErrorSpec, 'kind'>;
  headers?: Record<string, string | number>;
}

/** What the read handler is composed of. */
interface ReadDeps {
  routes: readonly Route[];
  auth: SimulatorAuth;
  applyFault: ApplyFault;
  takeToken: TakeToken;
  responder: Responder;
  now: () => number;
  baseUrl: () => string;
}

/** The first read route whose path matches, with its parameters; null when none does. */
function matchRead(
  routes: readonly Route[],
  pathname: string,
): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    const params = matchParams(route.pattern, route.paramNames, pathname);
    if (params) return { route, params };
  }
  return null;
}

/** The credential (401 with a Digest challenge) and its role and access list (403, x-rolesRequirements). */
function admit(deps: ReadDeps, req: IncomingMessage, route: Route, endpoint: string): Principal | Refusal {
  const auth = deps.auth.authenticate(req, route.digestOnly);
  if (!('principal' in auth)) {
    return {
      error: { status: 401, errorCode: 'UNAUTHORIZED', detail: auth.detail },
      headers: { 'WWW-Authenticate': deps.auth.digestChallenge(auth.stale ?? false) },
    };
  }
  const refusal = authorize(auth.principal.access, rolesOf(endpoint), req.socket.remoteAddress ?? '');
  return refusal ? { error: refusal } : auth.principal;
}

/** The version asked for (406, or 410 past its sunset by the simulator's clock); null = unversioned route. */
function readVersion(
  deps: ReadDeps,
  req: IncomingMessage,
  route: Route,
): { version: string | null } | Refusal {
  if (!route.versions) return { version: null };
  const negotiated = negotiateVersion(req.headers.accept ?? '', route.versions);
  if (!('version' in negotiated)) return { error: negotiated };
  const { version } = negotiated;
  const sunset = route.sunsets?.[version];
  if (sunset !== undefined && deps.now() >= Date.parse(`${sunset}T00:00:00Z`)) {
    return {
      error: {
        status: 410,
        errorCode: 'VERSION_GONE',
        detail: `Version ${version} of this resource was withdrawn on ${sunset}.`,
        parameters: [version],
      },
    };
  }
  return { version };
}

/** Takes a token from the route's bucket: the rate-limit headers to send, or the 429. */
function readBucket(
  deps: ReadDeps,
  route: Route,
  ctx: RequestContext,
  url: URL,
): Record<string, number> | Refusal {
  if (!route.bucket) return {};
  const { set, scope } = route.bucket(ctx);
  const taken = deps.takeToken(set, scope);
  if (taken && 'retryAfter' in taken) {
    const { spec } = taken;
    return rateLimited(set, taken, [
      url.pathname,
      taken.retryAfter,
      spec.capacity,
      spec.refill,
      spec.intervalSeconds,
    ]);
  }
  return taken ? taken.headers : {};
}

const refused = (value: object): value is Refusal => 'error' in value;

/** The read handler: route, auth, faults, version, paging, rate limit, then the route's answer. */
function readHandler(deps: ReadDeps): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  return async (req, res, url) => {
    const matched = matchRead(deps.routes, url.pathname);
    const endpoint = matched ? `${req.method} ${matched.route.template}` : `${req.method} (unknown)`;
    const fail = async ({ error, headers }: Refusal) => {
      deps.responder.record(req, url, error.status, endpoint);
      await deps.responder.send(res, error.status, apiError(error), headers);
    };
    if (!matched) {
      const { pathname } = url;
      const detail = `Cannot find resource ${pathname}.`;
      return fail({
        error: { status: 404, errorCode: 'RESOURCE_NOT_FOUND', detail, parameters: [pathname] },
      });
    }
    if (req.method !== 'GET') {
      const detail = `${req.method} is not supported here.`;
      return fail({ error: { status: 405, errorCode: 'METHOD_NOT_ALLOWED', detail } });
    }
    const { route, params } = matched;
    const principal = admit(deps, req, route, endpoint);
    if (refused(principal)) return fail(principal);
    if (await deps.applyFault(req, res, url, endpoint)) return;
    const negotiated = readVersion(deps, req, route);
    if (refused(negotiated)) return fail(negotiated);
    const { version } = negotiated;
    const paging = parsePaging(url.searchParams);
    if ('error' in paging) {
      return fail({
        error: {
          status: 400,
          errorCode: 'VALIDATION_ERROR',
          detail: paging.error,
          parameters: [paging.param],
        },
      });
    }
    const ctx: RequestContext = { params, query: url.searchParams, version, principal };
    const rateHeaders = readBucket(deps, route, ctx, url);
    if (refused(rateHeaders)) return fail(rateHeaders);

    const result = route.handle(ctx);
    if (result.kind === 'error') return fail({ error: result });
    const body: WireObject | WireObject[] =
      result.kind === 'object'
        ? result.body
        : result.kind === 'array'
          ? result.items
          : page(result.items, paging, url, deps.baseUrl(), route.includeCount);
    deps.responder.record(req, url, 200, endpoint);
    const contentType = version ? `application/vnd.atlas.${version}+json` : 'application/json';
    await deps.responder.send(res, 200, body, rateHeaders, contentType);
  };
}

/** POST /api/oauth/token: faults first, then the OAuth answer (never cached). */
async function serveToken(
  deps: ReadDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const endpoint = 'POST /api/oauth/token';
  if (await deps.applyFault(req, res, url, endpoint)) return;
  const body = await readBody(req);
  const answer = deps.auth.issueToken(req.headers.authorization ?? '', body);
  if (answer.status === 200) deps.responder.tokenIssued();
  deps.responder.record(req, url, answer.status, endpoint);
  await deps.responder.send(res, answer.status, answer.payload, {
    'Cache-Control': 'no-store',
    ...answer.headers,
  });
}

/** A simulator bug must show up as a 500 the test can see, not a hung request. */
function answerBug(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(500, { 'Content-Type': 'application/json' });
  res.end(
    JSON.stringify({
      error: 500,
      errorCode: 'UNEXPECTED_ERROR',
      detail: String(error),
      reason: 'Internal Server Error',
      parameters: [],
    }),
  );
}

/** Starts the simulator on 127.0.0.1 (port 0 = any free port by default). */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const now = opts.now ?? (() => Date.now());
  const index = new EstateIndex(opts.organizations, opts.deletedOrgIds);
  let baseUrl = '';
  const responder = createResponder(opts.latencyMs ?? 0);
  const deps: ReadDeps = {
    routes: buildRoutes(index, () => baseUrl, opts.leakPassword ?? false, now),
    auth: createAuth(opts.credentials ?? DEFAULT_CREDENTIALS, now, (opts.tokenTtlSeconds ?? 3600) * 1000),
    applyFault: createFaults(opts.faults ?? [], responder),
    takeToken: createRateLimiter(opts.rateLimits, now),
    responder,
    now,
    baseUrl: () => baseUrl,
  };
  // The write operations of revocation plans (review apply), in their own module.
  const writes = simulatorWrites({
    estate: index,
    baseUrl: deps.baseUrl,
    auth: deps.auth,
    applyFault: deps.applyFault,
    takeToken: deps.takeToken,
    responder,
  });
  const reads = readHandler(deps);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (req.method === 'POST' && url.pathname === '/api/oauth/token') return serveToken(deps, req, res, url);
    if (req.method !== 'GET' && (await writes(req, res, url))) return;
    return reads(req, res, url);
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answerBug(res, error));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  return {
    baseUrl,
    log: responder.log,
    stats: responder.stats,
    resetStats: responder.resetStats,
    close: () =>
      new Promise<void>((resolve) => {
        responder.clearTimers();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
