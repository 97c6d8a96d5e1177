/**
 * Collection of database access against a nock double of Atlas in which every request is
 * checked against the spec extracts (path template, query parameters, Accept version) and every
 * answer validates against the operation's 200 schema, so the fixtures cannot drift from the wire.
 */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStrategy } from '../../src/atlas/auth/types.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS } from '../../src/atlas/client.js';
import { ACCESS_HISTORY_MAX_LINES, readAccessHistory } from '../../src/collect/access-history.js';
import { type CollectOptions, collectSnapshot } from '../../src/collect/collect.js';
import { AtlasApiError, CollectionError } from '../../src/errors.js';
import { DATABASE_ACCESS_PARTS, type Snapshot } from '../../src/snapshot/schema.js';
import { fakeDeps } from '../helpers/fake-deps.js';
import { describeErrors, loadSpec, responseValidator, type SpecDoc } from '../sim/helpers.js';

const BASE = 'https://atlas.test';
const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const GROUP = '600a1580c655589ede0fcc28';
const PASSWORD = 'hunter2-never-stored';
const NOW = new Date('2026-11-30T00:00:00Z');

const noAuth: AuthStrategy = {
  kind: 'api-key',
  principal: 'test-principal',
  challengeBudget: 0,
  authorize: async () => null,
  onUnauthorized: async () => false,
};

const specs = {
  '2023-01-01': loadSpec('2023-01-01'),
  '2024-08-05': loadSpec('2024-08-05'),
  '2025-02-19': loadSpec('2025-02-19'),
};
type Version = keyof typeof specs;
type Json = Record<string, unknown>;

interface SpecOp {
  template: string;
  regex: RegExp;
  /** Every content version the extracts list for it. */
  versions: Set<Version>;
  params: Set<string>;
}

/** Every GET path of the 2024-08-05 extract, with the content version it answers in and its query parameters. */
function specOperations(spec: SpecDoc): SpecOp[] {
  const versionsOf = (key: string) =>
    new Set(
      Object.values(specs)
        .map((sp) => sp.doc.info['x-extract'].operations[key]?.contentVersion as Version | undefined)
        .filter((v) => v !== undefined),
    );
  const raw = spec.doc as unknown as {
    paths: Record<string, { get?: { parameters?: Array<{ $ref?: string; name?: string; in?: string }> } }>;
    components: { parameters: Record<string, { name: string; in: string }> };
  };
  return Object.entries(spec.doc.info['x-extract'].operations)
    .filter(([key]) => key.startsWith('GET '))
    .map(([key]) => {
      const template = key.slice(4);
      const params = new Set(
        (raw.paths[template]?.get?.parameters ?? [])
          .map((p) => (p.$ref ? raw.components.parameters[p.$ref.split('/').pop() ?? ''] : p))
          .filter((p): p is { name: string; in: string } => p?.in === 'query')
          .map((p) => p.name),
      );
      const pattern = template.replace(/\{\w+\}/g, '[^/]+');
      return {
        template,
        regex: new RegExp(`^${pattern}$`),
        versions: versionsOf(key),
        params,
      };
    })
    .sort((a, b) => b.template.length - a.template.length);
}
const OPS = specOperations(specs['2025-02-19']);

/**
 * Answers validated against the spec: the database access endpoints this file is about. Two are
 * left out, their fields checked by the assertions instead: the access list, whose `cidrBlock`
 * pattern (`\:`) is not a valid regular expression under ajv's Unicode mode (the extracts need it
 * for `\p{L}`), and the clusters, whose region-config `oneOf` recurses without end in ajv.
 */
const VALIDATED = /\/(databaseUsers|certs|customDBRoles\/roles|dbAccessHistory\/clusters\/\{clusterName\})$/;

const validators = new Map<string, ReturnType<typeof responseValidator>>();
function validatorFor(version: Version, template: string) {
  const key = `${version} ${template}`;
  let v = validators.get(key);
  if (v === undefined) {
    v = responseValidator(specs[version], template, version);
    validators.set(key, v);
  }
  return v;
}

const page = (results: unknown[]) => ({ results, totalCount: results.length, links: [] });

/** A database user as Atlas lists it, password included (the wire may carry one on create echoes). */
const dbUser = (username: string, fields: Json = {}): Json => ({
  username,
  databaseName: 'admin',
  groupId: GROUP,
  password: PASSWORD,
  x509Type: 'NONE',
  ldapAuthType: 'NONE',
  awsIAMType: 'NONE',
  oidcAuthType: 'NONE',
  roles: [{ roleName: 'readWrite', databaseName: 'app' }],
  scopes: [],
  labels: [],
  ...fields,
});

const cluster = (name: string, instanceSize: string, providerName = 'AWS'): Json => ({
  id: '6100000000000000000000aa',
  name,
  groupId: GROUP,
  clusterType: 'REPLICASET',
  paused: false,
  replicationSpecs: [
    {
      regionConfigs: [
        {
          providerName,
          regionName: 'US_EAST_1',
          priority: 7,
          ...(providerName === 'TENANT' ? { backingProviderName: 'AWS' } : {}),
          electableSpecs: { instanceSize },
        },
      ],
    },
  ],
});

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
type Route = (path: string, query: URLSearchParams) => Answer | undefined;

interface Seen {
  path: string;
  query: URLSearchParams;
}

/**
 * Serves one org with one project; `routes` answer the project's database endpoints, everything else
 * an empty listing. Each request is checked against the spec; each 200 body against its schema.
 */
function fakeAtlas(routes: Route): Seen[] {
  const seen: Seen[] = [];
  nock(BASE)
    .persist()
    .get(/.*/)
    .reply(function (uri) {
      const url = new URL(uri, BASE);
      // A request or fixture off the spec is recorded (afterEach fails the test) and answered 400,
      // which the client does not retry, so the collection stops at once.
      const off = (problem: string) => {
        problems.push(problem);
        return [400, { error: 400, errorCode: 'OFF_SPEC', detail: problem }] as const;
      };
      const op = OPS.find((o) => o.regex.test(url.pathname));
      if (op === undefined) return off(`no spec operation for GET ${url.pathname}`);
      const accept = String(this.req.headers.accept);
      const version = (accept.match(/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json/) ?? [])[1] as Version;
      if (!op.versions.has(version)) return off(`${op.template}: Accept ${accept}`);
      for (const name of url.searchParams.keys())
        if (!op.params.has(name)) return off(`${op.template}: query parameter ${name}`);
      seen.push({ path: url.pathname, query: url.searchParams });
      const answer = routes(url.pathname, url.searchParams) ?? defaultAnswer(url.pathname);
      if (answer.status === 200 && VALIDATED.test(op.template)) {
        const validate = validatorFor(version, op.template);
        if (!validate(answer.body)) return off(`${op.template}: ${describeErrors(validate)}`);
      }
      return [
        answer.status,
        answer.body as nock.Body,
        { 'content-type': 'application/json', ...answer.headers },
      ];
    });
  return seen;
}

function defaultAnswer(path: string): Answer {
  if (path === '/api/atlas/v2/orgs') return { status: 200, body: page([{ id: ORG, name: 'Org' }]) };
  if (path.endsWith('/settings')) return { status: 200, body: {} };
  if (path === `/api/atlas/v2/orgs/${ORG}/groups`)
    return {
      status: 200,
      body: page([{ id: GROUP, name: 'P', orgId: ORG, clusterCount: 2, created: '2024-01-01T00:00:00Z' }]),
    };
  if (path.endsWith('/customDBRoles/roles')) return { status: 200, body: [] };
  return { status: 200, body: page([]) };
}

function options(overrides: Partial<CollectOptions> = {}): CollectOptions {
  const client = new AtlasClient(
    { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(BASE), userAgent: 'test' },
    noAuth,
    fakeDeps(),
  );
  return {
    client,
    api: 'atlas-v2',
    usersVersion: '2025-02-19',
    orgs: [ORG],
    keepPii: false,
    now: () => NOW,
    ...overrides,
  };
}

const projectOf = (snapshot: Snapshot) => snapshot.organizations[0]!.projects[0]!;
const G = `/api/atlas/v2/groups/${GROUP}`;

beforeAll(() => {
  nock.disableNetConnect();
});

const problems: string[] = [];

afterEach(() => {
  nock.cleanAll();
  const found = problems.splice(0);
  expect(found).toEqual([]);
});

describe('database users, custom roles, access list and clusters', () => {
  const users = [
    dbUser('app-scram', {
      description: 'the app',
      deleteAfterDate: '2026-12-01T00:00:00Z',
      labels: [{ key: 'team', value: 'a' }],
    }),
    dbUser('CN=managed', { databaseName: '$external', x509Type: 'MANAGED' }),
    dbUser('CN=customer', { databaseName: '$external', x509Type: 'CUSTOMER' }),
    dbUser('ldap-user', { databaseName: '$external', ldapAuthType: 'USER' }),
    dbUser('cn=ldap-group', { databaseName: '$external', ldapAuthType: 'GROUP' }),
    dbUser('arn:aws:iam::1:user/u', { databaseName: '$external', awsIAMType: 'USER' }),
    dbUser('arn:aws:iam::1:role/r', { databaseName: '$external', awsIAMType: 'ROLE' }),
    dbUser('idp/alice', { databaseName: '$external', oidcAuthType: 'USER' }),
    dbUser('idp/admins', {
      databaseName: '$external',
      oidcAuthType: 'IDP_GROUP',
      scopes: [{ name: 'c2', type: 'CLUSTER' }],
    }),
    // SCRAM with the type fields absent rather than NONE.
    {
      username: 'bare',
      databaseName: 'admin',
      groupId: GROUP,
      password: PASSWORD,
      roles: [{ roleName: 'read', databaseName: 'x', collectionName: 'y' }],
    },
  ];
  const routes: Route = (path) => {
    if (path === `${G}/databaseUsers`) return { status: 200, body: page(users) };
    if (path === `${G}/databaseUsers/CN%3Dmanaged/certs`)
      return {
        status: 200,
        body: page([
          {
            _id: 42,
            createdAt: '2026-01-01T00:00:00Z',
            notAfter: '2026-12-15T00:00:00Z',
            subject: 'CN=managed,DC=example,DC=com',
            groupId: GROUP,
            monthsUntilExpiration: 1,
          },
        ]),
      };
    if (path === `${G}/customDBRoles/roles`)
      return {
        status: 200,
        body: [
          {
            roleName: 'dropper',
            actions: [
              { action: 'DROP_DATABASE', resources: [{ cluster: false, db: 'app', collection: '' }] },
            ],
            inheritedRoles: [{ db: 'admin', role: 'read' }],
          },
        ],
      };
    if (path === `${G}/accessList`)
      return {
        status: 200,
        body: page([
          { cidrBlock: '0.0.0.0/0', groupId: GROUP },
          { ipAddress: '203.0.113.5', cidrBlock: '203.0.113.5/32', comment: 'office', groupId: GROUP },
          { awsSecurityGroup: 'sg-0123', groupId: GROUP, deleteAfterDate: '2026-12-01T00:00:00Z' },
        ]),
      };
    if (path === `${G}/clusters`)
      return { status: 200, body: page([cluster('c1', 'M10'), cluster('c2', 'M0', 'TENANT')]) };
    return undefined;
  };

  it('normalises every auth kind, roles, scopes, labels, dates; certificates for x509-managed users only', async () => {
    const seen = fakeAtlas(routes);
    const snapshot = await collectSnapshot(options());
    const project = projectOf(snapshot);
    const kinds = Object.fromEntries(project.databaseUsers.map((u) => [u.username, u.authKind]));
    expect(kinds).toEqual({
      'app-scram': 'scram',
      bare: 'scram',
      'CN=managed': 'x509-managed',
      'CN=customer': 'x509-customer',
      'ldap-user': 'ldap-user',
      'cn=ldap-group': 'ldap-group',
      'arn:aws:iam::1:user/u': 'aws-iam-user',
      'arn:aws:iam::1:role/r': 'aws-iam-role',
      'idp/alice': 'oidc-user',
      'idp/admins': 'oidc-group',
    });
    const scram = project.databaseUsers.find((u) => u.username === 'app-scram')!;
    expect(scram).toMatchObject({
      databaseName: 'admin',
      description: 'the app',
      deleteAfterDate: '2026-12-01T00:00:00Z',
      labels: [{ key: 'team', value: 'a' }],
      roles: [{ roleName: 'readWrite', databaseName: 'app', collectionName: null }],
      scopes: [],
    });
    expect(project.databaseUsers.find((u) => u.username === 'bare')!.roles).toEqual([
      { roleName: 'read', databaseName: 'x', collectionName: 'y' },
    ]);
    expect(project.databaseUsers.find((u) => u.username === 'idp/admins')!.scopes).toEqual([
      { name: 'c2', type: 'CLUSTER' },
    ]);
    expect(project.databaseUsers.find((u) => u.username === 'CN=managed')!.certificates).toEqual([
      { id: '42', createdAt: '2026-01-01T00:00:00Z', notAfter: '2026-12-15T00:00:00Z' },
    ]);
    // One certs request, for the managed X.509 user only; its username escaped in the path.
    expect(seen.filter((s) => s.path.endsWith('/certs')).map((s) => s.path)).toEqual([
      `${G}/databaseUsers/CN%3Dmanaged/certs`,
    ]);
    expect(project.customRoles).toEqual([
      {
        roleName: 'dropper',
        actions: [{ action: 'DROP_DATABASE', resources: [{ cluster: false, db: 'app', collection: '' }] }],
        inheritedRoles: [{ db: 'admin', role: 'read' }],
      },
    ]);
    expect(project.networkAccess).toEqual(
      expect.arrayContaining([
        {
          cidrBlock: '0.0.0.0/0',
          ipAddress: null,
          awsSecurityGroup: null,
          comment: null,
          deleteAfterDate: null,
        },
        {
          cidrBlock: '203.0.113.5/32',
          ipAddress: '203.0.113.5',
          awsSecurityGroup: null,
          comment: 'office',
          deleteAfterDate: null,
        },
        {
          cidrBlock: null,
          ipAddress: null,
          awsSecurityGroup: 'sg-0123',
          comment: null,
          deleteAfterDate: '2026-12-01T00:00:00Z',
        },
      ]),
    );
    expect(project.clusters.map((c) => [c.name, c.tier, c.accessHistory.status])).toEqual([
      ['c1', 'M10', 'not-requested'],
      ['c2', 'M0', 'not-requested'],
    ]);
    // Not asked for: no access history request at all, and its coverage part is false.
    expect(seen.some((s) => s.path.includes('dbAccessHistory'))).toBe(false);
    const coverage = snapshot.organizations[0]!.coverage;
    expect([
      coverage.databaseUsers,
      coverage.databaseUserCerts,
      coverage.customRoles,
      coverage.networkAccess,
      coverage.clusters,
    ]).toEqual([true, true, true, true, true]);
    expect(coverage.accessHistory).toBe(false);
    // Every database access part but access history is read by default.
    expect(DATABASE_ACCESS_PARTS.filter((p) => coverage[p])).toEqual(
      DATABASE_ACCESS_PARTS.filter((p) => p !== 'accessHistory'),
    );
    const endpoints = snapshot.organizations[0]!.completeness.map((c) => c.endpoint);
    expect(endpoints).toEqual(
      expect.arrayContaining([
        `GET ${G}/databaseUsers`,
        `GET ${G}/customDBRoles/roles`,
        `GET ${G}/accessList`,
        `GET ${G}/clusters`,
      ]),
    );
  });

  it('never stores or reports the password Atlas sends', async () => {
    fakeAtlas(routes);
    const snapshot = await collectSnapshot(options());
    expect(JSON.stringify(snapshot)).not.toContain(PASSWORD);
    expect(JSON.stringify(snapshot)).not.toContain('password');
    // And not in an error either: a user Atlas answers with two auth kinds at once fails with a message without it.
    nock.cleanAll();
    fakeAtlas((path) =>
      path === `${G}/databaseUsers`
        ? {
            status: 200,
            body: page([
              dbUser('odd', { databaseName: '$external', x509Type: 'MANAGED', ldapAuthType: 'USER' }),
            ]),
          }
        : routes(path, new URLSearchParams()),
    );
    const error = await collectSnapshot(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectionError);
    expect(String((error as Error).message)).toContain(
      'several auth kinds at once (x509-managed, ldap-user)',
    );
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
    expect(String((error as Error).stack)).not.toContain(PASSWORD);
  });

  it('a failed database read fails the whole collection, never an empty list', async () => {
    fakeAtlas((path) =>
      path === `${G}/accessList`
        ? { status: 403, body: { error: 403, errorCode: 'USER_UNAUTHORIZED', detail: 'no' } }
        : routes(path, new URLSearchParams()),
    );
    const error = await collectSnapshot(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect((error as AtlasApiError).details.endpoint).toBe('GET /api/atlas/v2/groups/{groupId}/accessList');
  });

  it('a listing beyond the caps is refused, not truncated', async () => {
    const many = Array.from({ length: 500 }, (_, i) => dbUser(`u${i}`));
    let calls = 0;
    fakeAtlas((path, query) => {
      if (path !== `${G}/databaseUsers`) return routes(path, query);
      calls += 1;
      const pageNum = Number(query.get('pageNum'));
      // An endless listing: every page full, a next link each time, fresh usernames on every page.
      return {
        status: 200,
        body: {
          results: many.map((u) => ({ ...u, username: `p${pageNum}-${String(u.username)}` })),
          totalCount: 1_000_000,
          links: [
            { rel: 'next', href: `${BASE}${path}?pageNum=${pageNum + 1}&itemsPerPage=500&includeCount=true` },
          ],
        },
      };
    });
    const error = await collectSnapshot(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectionError);
    expect((error as Error).message).toMatch(/more than \d+ items in one listing/);
    expect(calls).toBeLessThanOrEqual(21);
  });
});

describe('access history (--include access-history)', () => {
  const base: Route = (path) => {
    if (path === `${G}/clusters`)
      return {
        status: 200,
        body: page([
          cluster('c1', 'M10'),
          cluster('shared', 'M0', 'TENANT'),
          cluster('flex', 'FLEX', 'FLEX'),
          cluster('c-2', 'M30'),
        ]),
      };
    return undefined;
  };
  const log = (
    username: string,
    authResult: boolean,
    ipAddress: string,
    timestamp: string,
    authSource = 'admin',
  ) => ({
    username,
    authResult,
    authSource,
    ipAddress,
    timestamp,
    hostname: 'c1-shard-00-00.example.net',
    groupId: GROUP,
    logLine: `{"msg":"Authentication","secret-ish":"LOGLINE-${username}"}`,
    ...(authResult ? {} : { failureReason: 'AuthenticationFailed' }),
  });

  it('asks each dedicated cluster once for --since days ending at collection time; tenant and flex are not asked', async () => {
    const seen = fakeAtlas((path, query) => {
      if (path === `${G}/dbAccessHistory/clusters/c1`)
        return {
          status: 200,
          body: {
            accessLogs: [
              log('app', true, '10.0.0.2', '2026-11-01T10:00:00Z'),
              log('app', true, '10.0.0.1', '2026-11-20T10:00:00Z'),
              log('app', false, '10.0.0.9', '2026-11-21T10:00:00Z'),
              log('ext', true, '10.0.0.3', '2026-11-02T10:00:00Z', '$external'),
            ],
          },
        };
      if (path === `${G}/dbAccessHistory/clusters/c-2`) return { status: 200, body: { accessLogs: [] } };
      return base(path, query);
    });
    const snapshot = await collectSnapshot(options({ include: ['access-history'], accessHistoryDays: 30 }));
    const history = seen.filter((s) => s.path.includes('dbAccessHistory'));
    expect(history.map((s) => s.path).sort()).toEqual([
      `${G}/dbAccessHistory/clusters/c-2`,
      `${G}/dbAccessHistory/clusters/c1`,
    ]);
    for (const s of history) {
      expect(s.query.get('end')).toBe(String(NOW.getTime()));
      expect(s.query.get('start')).toBe(String(NOW.getTime() - 30 * 86_400_000));
      expect(s.query.get('nLogs')).toBe('20000');
    }
    const clusters = Object.fromEntries(projectOf(snapshot).clusters.map((c) => [c.name, c.accessHistory]));
    expect(clusters.c1).toEqual({
      status: 'collected',
      reason: null,
      from: '2026-10-31T00:00:00.000Z',
      to: '2026-11-30T00:00:00.000Z',
      lines: 4,
      summaries: [
        {
          username: 'app',
          authSource: 'admin',
          lastSuccessAt: '2026-11-20T10:00:00Z',
          successes: 2,
          failures: 1,
          sourceIps: ['10.0.0.1', '10.0.0.2', '10.0.0.9'],
        },
        {
          username: 'ext',
          authSource: '$external',
          lastSuccessAt: '2026-11-02T10:00:00Z',
          successes: 1,
          failures: 0,
          sourceIps: ['10.0.0.3'],
        },
      ],
    });
    expect(clusters['c-2']!.status).toBe('collected');
    expect(clusters.shared).toMatchObject({ status: 'unsupported', reason: expect.stringContaining('M0') });
    expect(clusters.flex).toMatchObject({ status: 'unsupported', reason: expect.stringContaining('FLEX') });
    expect(snapshot.organizations[0]!.coverage.accessHistory).toBe(true);
    expect(JSON.stringify(snapshot)).not.toContain('LOGLINE-');
  });

  it('defaults to 90 days', async () => {
    const seen = fakeAtlas((path, query) =>
      path.includes('dbAccessHistory') ? { status: 200, body: { accessLogs: [] } } : base(path, query),
    );
    await collectSnapshot(options({ include: ['access-history'] }));
    const first = seen.find((s) => s.path.includes('dbAccessHistory'))!;
    expect(Number(first.query.get('end')) - Number(first.query.get('start'))).toBe(90 * 86_400_000);
  });

  it("records Atlas's tier refusal for a cluster as unsupported with its errorCode; any other error fails", async () => {
    fakeAtlas((path, query) => {
      if (path === `${G}/dbAccessHistory/clusters/c1`)
        return {
          status: 400,
          body: { error: 400, errorCode: 'TENANT_CLUSTER_UNSUPPORTED', detail: 'not on tenant clusters' },
        };
      if (path.includes('dbAccessHistory')) return { status: 200, body: { accessLogs: [] } };
      return base(path, query);
    });
    const snapshot = await collectSnapshot(options({ include: ['access-history'] }));
    const c1 = projectOf(snapshot).clusters.find((c) => c.name === 'c1')!;
    expect(c1.accessHistory).toMatchObject({
      status: 'unsupported',
      reason: expect.stringContaining('TENANT_CLUSTER_UNSUPPORTED'),
    });
    expect(snapshot.organizations[0]!.coverage.accessHistory).toBe(true);

    nock.cleanAll();
    fakeAtlas((path, query) => {
      if (path === `${G}/dbAccessHistory/clusters/c1`)
        return {
          status: 403,
          body: { error: 403, errorCode: 'USER_UNAUTHORIZED', detail: 'needs Project Cluster Log Viewer' },
        };
      if (path.includes('dbAccessHistory')) return { status: 200, body: { accessLogs: [] } };
      return base(path, query);
    });
    const error = await collectSnapshot(options({ include: ['access-history'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect((error as AtlasApiError).details.status).toBe(403);
  });

  it('waits out a 429 on the history endpoint (Retry-After) and collects', async () => {
    let first = true;
    fakeAtlas((path, query) => {
      if (path.includes('dbAccessHistory')) {
        if (first && path.endsWith('/c1')) {
          first = false;
          return {
            status: 429,
            body: { error: 429, errorCode: 'RATE_LIMITED', detail: 'slow down' },
            headers: { 'retry-after': '3' },
          };
        }
        return { status: 200, body: { accessLogs: [log('app', true, '10.0.0.1', '2026-11-20T10:00:00Z')] } };
      }
      return base(path, query);
    });
    const opts = options({ include: ['access-history'] });
    const snapshot = await collectSnapshot(opts);
    expect(projectOf(snapshot).clusters.find((c) => c.name === 'c1')!.accessHistory.status).toBe('collected');
    expect(snapshot.stats.retries).toBeGreaterThanOrEqual(1);
  });

  it('escapes a cluster name that needs it in the path', async () => {
    const seen = fakeAtlas((path, query) => {
      if (path === `${G}/clusters`) return { status: 200, body: page([cluster('a b/..%2F', 'M10')]) };
      if (path.includes('dbAccessHistory')) return { status: 200, body: { accessLogs: [] } };
      return base(path, query);
    });
    const snapshot = await collectSnapshot(options({ include: ['access-history'] }));
    expect(seen.filter((s) => s.path.includes('dbAccessHistory')).map((s) => s.path)).toEqual([
      `${G}/dbAccessHistory/clusters/a%20b%2F..%252F`,
    ]);
    expect(projectOf(snapshot).clusters[0]!.name).toBe('a b/..%2F');
  });
});

describe('a window with more lines than Atlas returns at once', () => {
  const full = (username: string) =>
    Array.from({ length: ACCESS_HISTORY_MAX_LINES }, (_, i) => ({
      username,
      authResult: true,
      authSource: 'admin',
      ipAddress: '10.0.0.1',
      timestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    }));
  const client = () =>
    new AtlasClient(
      { ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(BASE), userAgent: 'test' },
      noAuth,
      fakeDeps(),
    );
  const from = new Date('2026-11-01T00:00:00Z');
  const to = new Date('2026-11-30T00:00:00Z');

  it('splits the window in halves until each part is under the limit: collected, nothing double-counted', async () => {
    const windows: Array<[number, number]> = [];
    nock(BASE)
      .persist()
      .get(/dbAccessHistory/)
      .query(true)
      .reply((uri) => {
        const q = new URL(uri, BASE).searchParams;
        const start = Number(q.get('start'));
        const end = Number(q.get('end'));
        windows.push([start, end]);
        // The whole window overflows; each half holds 3 lines.
        if (start === from.getTime() && end === to.getTime()) return [200, { accessLogs: full('busy') }];
        return [200, { accessLogs: full('half').slice(0, 3) }];
      });
    const history = await readAccessHistory({
      client: client(),
      projectId: GROUP,
      clusterName: 'c1',
      from,
      to,
    });
    expect(windows).toHaveLength(3);
    const [, left, right] = [...windows].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    expect(left![0]).toBe(from.getTime());
    expect(right![1]).toBe(to.getTime());
    expect(right![0]).toBe(left![1] + 1);
    expect(history.status).toBe('collected');
    // Only the halves' lines: the overflowing answer was replaced, not added.
    expect(history.lines).toBe(6);
    expect(history.summaries).toEqual([
      {
        username: 'half',
        authSource: 'admin',
        lastSuccessAt: expect.any(String),
        successes: 6,
        failures: 0,
        sourceIps: ['10.0.0.1'],
      },
    ]);
  });

  it('records truncated when the split bound is reached', async () => {
    let requests = 0;
    nock(BASE)
      .persist()
      .get(/dbAccessHistory/)
      .query(true)
      .reply(() => {
        requests += 1;
        return [200, { accessLogs: full('busy') }];
      });
    const history = await readAccessHistory({
      client: client(),
      projectId: GROUP,
      clusterName: 'c1',
      from,
      to,
      maxSplitDepth: 1,
    });
    expect(requests).toBe(3);
    expect(history.status).toBe('truncated');
    expect(history.reason).toContain('20000');
    expect(history.summaries[0]!.successes).toBe(2 * ACCESS_HISTORY_MAX_LINES);
  });
});
