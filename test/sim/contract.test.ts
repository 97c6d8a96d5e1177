/**
 * Contract tests: the simulator's real HTTP responses, for every implemented route and every
 * version, validated against the official spec extracts (test/fixtures/atlas-openapi) with ajv, with the
 * workarounds of docs/atlas-api-notes.md §11. This is what keeps the simulator from drifting away from Atlas.
 */
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import type { Organization } from '../../src/snapshot/schema.js';
import {
  accept,
  componentValidator,
  describeErrors,
  digestGet,
  getToken,
  loadSpec,
  responseValidator,
  SPEC_VERSIONS,
  type SpecDoc,
} from './helpers.js';

const estate = generateEstate({ seed: 2024, now: new Date('2026-11-01T00:00:00Z'), ...PRESETS.demo });
const orgs = estate.organizations;
const ALL_STATUSES =
  'orgMembershipStatuses=ACTIVE&orgMembershipStatuses=PENDING&orgMembershipStatuses=INVITATION_EXPIRED&orgMembershipStatuses=INVITATION_REJECTED';

/** Operations the simulator serves; the rest of the extracts (org invites, federation, ...) are out of scope. */
const IMPLEMENTED = new Set([
  '/api/atlas/v2/orgs',
  '/api/atlas/v2/orgs/{orgId}/users',
  '/api/atlas/v2/orgs/{orgId}/teams',
  '/api/atlas/v2/orgs/{orgId}/teams/{teamId}/users',
  '/api/atlas/v2/orgs/{orgId}/groups',
  '/api/atlas/v2/groups/{groupId}/teams',
  '/api/atlas/v2/groups/{groupId}/users',
  '/api/atlas/v2/orgs/{orgId}/apiKeys',
  '/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}/accessList',
  '/api/atlas/v2/orgs/{orgId}/serviceAccounts',
  '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/groups',
  '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}/accessList',
  '/api/atlas/v2/groups/{groupId}/serviceAccounts',
  '/api/atlas/v2/groups/{groupId}/apiKeys',
  '/api/atlas/v2/groups/{groupId}/invites',
  '/api/atlas/v2/orgs/{orgId}/settings',
  '/api/atlas/v2/groups/{groupId}/databaseUsers',
  '/api/atlas/v2/groups/{groupId}/databaseUsers/{username}/certs',
  '/api/atlas/v2/groups/{groupId}/customDBRoles/roles',
  '/api/atlas/v2/groups/{groupId}/accessList',
  '/api/atlas/v2/groups/{groupId}/clusters',
  '/api/atlas/v2/groups/{groupId}/dbAccessHistory/clusters/{clusterName}',
]);

/** Lists that are not pages: a bare array (docs/atlas-api-notes.md §5). */
const BARE_ARRAYS = new Set([
  '/api/atlas/v2/groups/{groupId}/invites',
  '/api/atlas/v2/groups/{groupId}/customDBRoles/roles',
]);
/** Single objects, not pages. */
const OBJECTS = new Set([
  '/api/atlas/v2/orgs/{orgId}/settings',
  '/api/atlas/v2/groups/{groupId}/dbAccessHistory/clusters/{clusterName}',
]);
/**
 * Versions the extracts list that the simulator does not serve: listGroupClusters 2023-01-01 (the
 * pre-2024-08-05 shape, sunset 2027-07-01; the collector reads 2024-08-05).
 */
const NOT_SERVED = new Set(['/api/atlas/v2/groups/{groupId}/clusters|2023-01-01']);
/** Lists that may be empty for every item of the estate (no direct project users in the generator). */
const MAY_BE_EMPTY = new Set(['/api/atlas/v2/groups/{groupId}/users']);

/** Every concrete URL of a template over the whole estate (all teams, projects, keys). */
function concretePaths(template: string, withStatuses: boolean): string[] {
  const q = withStatuses ? `?itemsPerPage=500&${ALL_STATUSES}` : '?itemsPerPage=500';
  const fill = (org: Organization): string[] => {
    const base = template.replace('{orgId}', org.id);
    if (template.includes('{teamId}')) return org.teams.map((t) => base.replace('{teamId}', t.id));
    if (template.includes('{username}'))
      return org.projects.flatMap((p) =>
        p.databaseUsers
          .filter((u) => u.authKind === 'x509-managed')
          .map((u) => base.replace('{groupId}', p.id).replace('{username}', encodeURIComponent(u.username))),
      );
    if (template.includes('{clusterName}'))
      return org.projects.flatMap((p) =>
        p.clusters
          .filter((c) => c.accessHistory.status === 'collected')
          .map((c) => base.replace('{groupId}', p.id).replace('{clusterName}', c.name)),
      );
    if (template.includes('{groupId}')) return org.projects.map((p) => base.replace('{groupId}', p.id));
    if (template.includes('{apiUserId}')) return org.apiKeys.map((k) => base.replace('{apiUserId}', k.id));
    if (template.includes('{clientId}'))
      return org.serviceAccounts.map((sa) => base.replace('{clientId}', sa.clientId));
    return [base];
  };
  const paths = template === '/api/atlas/v2/orgs' ? [template] : orgs.flatMap(fill);
  if (OBJECTS.has(template) || BARE_ARRAYS.has(template)) return paths;
  // System-managed service accounts are validated too.
  const extra = template.endsWith('/serviceAccounts') ? '&includeSystemManaged=true' : '';
  return paths.map((p) => p + q + extra);
}

let sim: Simulator;
let token: string;
const specs = new Map<string, SpecDoc>();

beforeAll(async () => {
  sim = await startSimulator({ organizations: orgs, leakPassword: true });
  token = await getToken(sim.baseUrl);
  for (const v of SPEC_VERSIONS) specs.set(v, loadSpec(v));
});
afterAll(async () => {
  await sim.close();
});

function variantValidators(
  spec: SpecDoc,
  template: string,
): { active: ValidateFunction; pending: ValidateFunction } | null {
  const prefix = template.startsWith('/api/atlas/v2/groups/') ? 'Group' : 'Org';
  if (!spec.doc.components.schemas[`${prefix}ActiveUserResponse`]) return null;
  return {
    active: componentValidator(spec, `${prefix}ActiveUserResponse`),
    pending: componentValidator(spec, `${prefix}PendingUserResponse`),
  };
}

describe('simulator responses match the Atlas spec extracts', () => {
  const cases: { version: string; template: string; contentVersion: string }[] = [];
  const seen = new Set<string>();
  for (const v of SPEC_VERSIONS) {
    const raw = loadSpec(v).doc.info['x-extract'].operations;
    for (const [key, op] of Object.entries(raw)) {
      const template = key.replace(/^GET /, '');
      if (!IMPLEMENTED.has(template) || seen.has(`${template}|${op.contentVersion}`)) continue;
      if (NOT_SERVED.has(`${template}|${op.contentVersion}`)) continue;
      seen.add(`${template}|${op.contentVersion}`);
      cases.push({ version: v, template, contentVersion: op.contentVersion });
    }
  }

  it('covers every implemented operation in each of its versions', () => {
    const covered = new Set(cases.map((c) => c.template));
    expect(covered).toEqual(IMPLEMENTED);
    // users, team users and group users come in both versions; service accounts only in 2024-08-05.
    expect(
      cases
        .filter((c) => c.template.endsWith('/users'))
        .map((c) => c.contentVersion)
        .sort(),
    ).toEqual(['2023-01-01', '2023-01-01', '2023-01-01', '2025-02-19', '2025-02-19', '2025-02-19']);
  });

  it.each(cases)('GET $template ($contentVersion)', async ({ version, template, contentVersion }) => {
    const spec = specs.get(version) as SpecDoc;
    const validate = responseValidator(spec, template, contentVersion);
    const variants = contentVersion === '2025-02-19' ? variantValidators(spec, template) : null;
    let items = 0;
    for (const path of concretePaths(template, contentVersion === '2025-02-19')) {
      const res = await fetch(sim.baseUrl + path, {
        headers: { Authorization: `Bearer ${token}`, ...accept(contentVersion) },
      });
      const json = (await res.json()) as { results?: Record<string, unknown>[] } | Record<string, unknown>[];
      const body = Array.isArray(json)
        ? { results: json }
        : 'accessLogs' in json
          ? { results: json.accessLogs as Record<string, unknown>[] }
          : json;
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe(`application/vnd.atlas.${contentVersion}+json`);
      expect(Number(res.headers.get('ratelimit-limit'))).toBeGreaterThan(0);
      expect(res.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
      const valid = validate(json);
      if (!valid) throw new Error(`${path}: ${describeErrors(validate)}`);
      // Every page schema of the extracts has totalCount, and the count is included by default.
      if (!BARE_ARRAYS.has(template) && !OBJECTS.has(template))
        expect((json as { totalCount?: unknown }).totalCount, path).toBeTypeOf('number');
      for (const item of body.results ?? []) {
        items++;
        if (!variants) continue;
        const check = item.orgMembershipStatus === 'ACTIVE' ? variants.active : variants.pending;
        const id = String(item.id);
        if (!check(item)) throw new Error(`${path} ${id}: ${describeErrors(check)}`);
      }
    }
    if (!template.endsWith('/settings') && !MAY_BE_EMPTY.has(template)) expect(items).toBeGreaterThan(0);
  });

  it('serves every membership status through the 2025-02-19 variants', async () => {
    const spec = specs.get('2025-02-19') as SpecDoc;
    const org = orgs[0] as Organization;
    const res = await fetch(
      `${sim.baseUrl}/api/atlas/v2/orgs/${org.id}/users?itemsPerPage=500&${ALL_STATUSES}`,
      {
        headers: { Authorization: `Bearer ${token}`, ...accept('2025-02-19') },
      },
    );
    const body = (await res.json()) as {
      results: { orgMembershipStatus: string; invitationExpiresAt?: unknown }[];
    };
    expect(new Set(body.results.map((u) => u.orgMembershipStatus))).toEqual(
      new Set(['ACTIVE', 'PENDING', 'INVITATION_EXPIRED', 'INVITATION_REJECTED']),
    );
    const rejected = body.results.find((u) => u.orgMembershipStatus === 'INVITATION_REJECTED');
    expect(rejected?.invitationExpiresAt).toBeNull();
    // The pending variant requires inviterUsername: a broken item must be caught.
    const pending = componentValidator(spec, 'OrgPendingUserResponse');
    const item = { ...body.results.find((u) => u.orgMembershipStatus === 'PENDING') } as Record<
      string,
      unknown
    >;
    delete item.inviterUsername;
    expect(pending(item)).toBe(false);
  });

  it('serves the legacy Cloud Manager users list in the flat shape the 2023-01-01 CloudAppUser also has (Digest)', async () => {
    // v1.0 is not in the v2 spec; its documented fields are a subset of CloudAppUser's (no dates).
    const spec = specs.get('2023-01-01') as SpecDoc;
    const validate = responseValidator(spec, '/api/atlas/v2/orgs/{orgId}/users', '2023-01-01');
    for (const org of orgs) {
      const res = await digestGet(sim.baseUrl, `/api/public/v1.0/orgs/${org.id}/users?itemsPerPage=500`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = (await res.json()) as { results: { password?: string }[] };
      if (!validate(body)) throw new Error(describeErrors(validate));
      expect(body.results).toHaveLength(org.users.filter((u) => u.status === 'ACTIVE').length);
      expect(body.results.every((u) => typeof u.password === 'string')).toBe(true);
    }
  });

  it('answers errors with ApiError bodies (400, 401, 404, 405, 406, 429)', async () => {
    const small = await startSimulator({
      organizations: orgs,
      rateLimits: { 'org-settings': { capacity: 1, refill: 1, intervalSeconds: 60 } },
      now: () => 0,
    });
    try {
      const validate = componentValidator(specs.get('2023-01-01') as SpecDoc, 'ApiError');
      const org = (orgs[0] as Organization).id;
      const auth = { Authorization: `Bearer ${await getToken(small.baseUrl)}` };
      const cases: [string, RequestInit, number, string][] = [
        [
          `/api/atlas/v2/orgs/${org}/users?itemsPerPage=501`,
          { headers: { ...auth, ...accept('2025-02-19') } },
          400,
          'VALIDATION_ERROR',
        ],
        [
          `/api/atlas/v2/orgs/${org}/users?pageNum=0`,
          { headers: { ...auth, ...accept('2025-02-19') } },
          400,
          'VALIDATION_ERROR',
        ],
        [
          `/api/atlas/v2/orgs/${org}/users?orgMembershipStatuses=GONE`,
          { headers: { ...auth, ...accept('2025-02-19') } },
          400,
          'VALIDATION_ERROR',
        ],
        [
          `/api/atlas/v2/orgs/not-an-id/users`,
          { headers: { ...auth, ...accept('2025-02-19') } },
          400,
          'VALIDATION_ERROR',
        ],
        [`/api/atlas/v2/orgs/${org}/users`, { headers: accept('2025-02-19') }, 401, 'UNAUTHORIZED'],
        [
          `/api/atlas/v2/orgs/${'0'.repeat(24)}/users`,
          { headers: { ...auth, ...accept('2025-02-19') } },
          404,
          'RESOURCE_NOT_FOUND',
        ],
        [
          `/api/atlas/v2/orgs/${org}/teams/${'0'.repeat(24)}/users`,
          { headers: { ...auth, ...accept('2025-02-19') } },
          404,
          'RESOURCE_NOT_FOUND',
        ],
        [
          `/api/atlas/v2/nothing/here`,
          { headers: { ...auth, ...accept('2023-01-01') } },
          404,
          'RESOURCE_NOT_FOUND',
        ],
        [
          `/api/atlas/v2/orgs/${org}/users`,
          { method: 'DELETE', headers: { ...auth, ...accept('2025-02-19') } },
          405,
          'METHOD_NOT_ALLOWED',
        ],
        [`/api/atlas/v2/orgs/${org}/users`, { headers: auth }, 406, 'INVALID_VERSION_DATE'],
        [
          `/api/atlas/v2/orgs/${org}/users`,
          { headers: { ...auth, ...accept('2024-08-05') } },
          406,
          'INVALID_VERSION_DATE',
        ],
        [`/api/atlas/v2/orgs/${org}/settings`, { headers: { ...auth, ...accept('2023-01-01') } }, 200, ''],
        [
          `/api/atlas/v2/orgs/${org}/settings`,
          { headers: { ...auth, ...accept('2023-01-01') } },
          429,
          'RATE_LIMITED',
        ],
      ];
      for (const [path, init, status, errorCode] of cases) {
        const res = await fetch(small.baseUrl + path, init);
        const body = (await res.json()) as Record<string, unknown>;
        expect(res.status, path).toBe(status);
        if (status === 200) continue;
        expect(res.headers.get('content-type')).toBe('application/json');
        expect(Object.keys(body)).toEqual(['error', 'errorCode', 'detail', 'reason', 'parameters']);
        expect(body.error).toBe(status);
        expect(body.errorCode).toBe(errorCode);
        if (!validate(body)) throw new Error(`${path}: ${describeErrors(validate)}`);
        if (status === 429) expect(res.headers.get('retry-after')).toBe('60');
        if (status === 401)
          expect(res.headers.get('www-authenticate')).toMatch(/^Digest realm="MMS Public API"/);
      }
    } finally {
      await small.close();
    }
  });
});
