import { afterEach, describe, expect, it } from 'vitest';
import { generateEstate } from '../../src/sim/generate.js';
import {
  DEFAULT_CREDENTIALS,
  expectedOrganizations,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/sim/server.js';
import { noDatabaseAccess, type Organization } from '../../src/snapshot/schema.js';
import { accept, digestAuthorization, digestGet, getToken, parseChallenge } from './helpers.js';

const estate = generateEstate({
  seed: 31,
  now: new Date('2026-11-01T00:00:00Z'),
  orgs: 2,
  usersPerOrg: 25,
  teamsPerOrg: 5,
  projectsPerOrg: 4,
});
const org = estate.organizations[0] as Organization;
const usersPath = `/api/atlas/v2/orgs/${org.id}/users`;

let running: Simulator[] = [];
async function start(extra: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ organizations: estate.organizations, ...extra });
  running.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function bearerGet(
  sim: Simulator,
  path: string,
  token: string,
  version = '2025-02-19',
): Promise<Response> {
  return fetch(sim.baseUrl + path, { headers: { Authorization: `Bearer ${token}`, ...accept(version) } });
}

describe('OAuth2 client credentials', () => {
  it('issues a Bearer token that works until it expires', async () => {
    let clock = 1_000_000;
    const sim = await start({ now: () => clock, tokenTtlSeconds: 60 });
    const sa = DEFAULT_CREDENTIALS.serviceAccounts[0];
    const res = await fetch(`${sim.baseUrl}/api/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${sa.clientId}:${sa.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(60);
    expect((await bearerGet(sim, usersPath, body.access_token)).status).toBe(200);
    clock += 59_000;
    expect((await bearerGet(sim, usersPath, body.access_token)).status).toBe(200);
    clock += 1_000;
    const expired = await bearerGet(sim, usersPath, body.access_token);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { detail: string }).detail).toMatch(/expired/);
    expect(sim.stats().tokensIssued).toBe(1);
  });

  it('refuses wrong client secrets, other grant types and unknown tokens', async () => {
    const sim = await start();
    const sa = DEFAULT_CREDENTIALS.serviceAccounts[0];
    const post = (user: string, secret: string, body: string) =>
      fetch(`${sim.baseUrl}/api/oauth/token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body,
      });
    expect((await post(sa.clientId, 'wrong', 'grant_type=client_credentials')).status).toBe(401);
    expect((await post(sa.clientId, sa.clientSecret, 'grant_type=password')).status).toBe(400);
    expect((await bearerGet(sim, usersPath, 'made-up')).status).toBe(401);
    expect(sim.stats().tokensIssued).toBe(0);
  });
});

describe('HTTP Digest', () => {
  it('challenges like Atlas and accepts a correct RFC 7616 MD5/qop=auth response', async () => {
    const sim = await start();
    const first = await fetch(sim.baseUrl + usersPath, { headers: accept('2025-02-19') });
    expect(first.status).toBe(401);
    const header = first.headers.get('www-authenticate') ?? '';
    expect(header).toMatch(
      /^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/,
    );
    const ok = await digestGet(sim.baseUrl, usersPath, accept('2025-02-19'));
    expect(ok.status).toBe(200);
    // The same nonce serves later requests with a higher nonce count.
    const challenge = parseChallenge(header);
    const key = DEFAULT_CREDENTIALS.apiKeys[0];
    const again = await fetch(sim.baseUrl + usersPath, {
      headers: {
        ...accept('2025-02-19'),
        Authorization: digestAuthorization(
          challenge,
          'GET',
          usersPath,
          key.publicKey,
          key.privateKey,
          '00000002',
        ),
      },
    });
    expect(again.status).toBe(200);
  });

  it('rejects a wrong private key, a uri that does not match, and a stale nonce', async () => {
    let clock = 0;
    const sim = await start({ now: () => clock });
    const key = DEFAULT_CREDENTIALS.apiKeys[0];
    const wrong = await digestGet(sim.baseUrl, usersPath, accept('2025-02-19'), {
      ...key,
      privateKey: 'nope',
    });
    expect(wrong.status).toBe(401);
    const first = await fetch(sim.baseUrl + usersPath, { headers: accept('2025-02-19') });
    const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
    const otherUri = await fetch(sim.baseUrl + usersPath, {
      headers: {
        ...accept('2025-02-19'),
        Authorization: digestAuthorization(challenge, 'GET', '/elsewhere', key.publicKey, key.privateKey),
      },
    });
    expect(otherUri.status).toBe(401);
    clock += 10 * 60_000;
    const stale = await fetch(sim.baseUrl + usersPath, {
      headers: {
        ...accept('2025-02-19'),
        Authorization: digestAuthorization(challenge, 'GET', usersPath, key.publicKey, key.privateKey),
      },
    });
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toMatch(/stale=true$/);
  });

  it('serves the legacy v1.0 users path with Digest only and ignores Accept', async () => {
    const sim = await start();
    const path = `/api/public/v1.0/orgs/${org.id}/users`;
    const token = await getToken(sim.baseUrl);
    expect((await bearerGet(sim, path, token)).status).toBe(401);
    const res = await digestGet(sim.baseUrl, path, { Accept: 'application/json' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Record<string, unknown>[] };
    expect(body.results).toHaveLength(org.users.filter((u) => u.status === 'ACTIVE').length);
    // Exactly the documented fields of Get All Organization Users v1.0: no createdAt, no lastAuth.
    const documented = [
      'country',
      'emailAddress',
      'firstName',
      'id',
      'lastName',
      'links',
      'mobileNumber',
      'roles',
      'teamIds',
      'username',
    ];
    for (const item of body.results) {
      expect(
        Object.keys(item).every((k) => documented.includes(k)),
        Object.keys(item).join(),
      ).toBe(true);
      expect(item).toHaveProperty('emailAddress', item.username);
    }
    expect(body.results[0]?.roles).toContainEqual({ orgId: org.id, roleName: expect.any(String) });
    const one = await digestGet(sim.baseUrl, `/api/public/v1.0/orgs/${org.id}`);
    expect(await one.json()).toMatchObject({ id: org.id, name: org.name, isDeleted: false });
    const all = (await (await digestGet(sim.baseUrl, '/api/public/v1.0/orgs')).json()) as {
      results: { id: string }[];
    };
    expect(all.results.map((o) => o.id).sort()).toEqual(estate.organizations.map((o) => o.id).sort());
    expect((await digestGet(sim.baseUrl, `/api/public/v1.0/orgs/${'0'.repeat(24)}`)).status).toBe(404);
  });

  it('v1.0 user roles are every role the user holds anywhere, in every org and project', async () => {
    // The same user (same id) in a second org, as owner there and project owner of one of its projects.
    const [a, b] = structuredClone(estate.organizations) as [Organization, Organization];
    const shared = a.users.find((u) => u.status === 'ACTIVE')!;
    const foreignProject = b.projects[0]!.id;
    b.users.push({
      ...shared,
      orgRoles: ['ORG_OWNER'],
      projectRoles: [{ projectId: foreignProject, roles: ['GROUP_OWNER'] }],
      teamIds: [],
    });
    const sim = await start({ organizations: [a, b] });
    const body = (await (
      await digestGet(sim.baseUrl, `/api/public/v1.0/orgs/${a.id}/users?itemsPerPage=500`)
    ).json()) as { results: { id: string; roles: unknown[] }[] };
    const roles = body.results.find((u) => u.id === shared.id)!.roles;
    expect(roles).toContainEqual({ orgId: b.id, roleName: 'ORG_OWNER' });
    expect(roles).toContainEqual({ groupId: foreignProject, roleName: 'GROUP_OWNER' });
    for (const r of shared.orgRoles) expect(roles).toContainEqual({ orgId: a.id, roleName: r });
  });

  it('serves v1.0 projects of an org without dates or cluster counts, and marks deleted orgs', async () => {
    const sim = await start({ deletedOrgIds: [estate.organizations[1]!.id] });
    const res = await digestGet(sim.baseUrl, `/api/public/v1.0/orgs/${org.id}/groups`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Record<string, unknown>[]; totalCount: number };
    expect(body.totalCount).toBe(org.projects.length);
    expect(body.results.map((p) => [p.id, p.name, p.orgId])).toEqual(
      org.projects.map((p) => [p.id, p.name, org.id]),
    );
    for (const p of body.results) {
      expect(p).not.toHaveProperty('created');
      expect(p).not.toHaveProperty('clusterCount');
    }
    const token = await getToken(sim.baseUrl);
    expect((await bearerGet(sim, `/api/public/v1.0/orgs/${org.id}/groups`, token)).status).toBe(401);
    const all = (await (await digestGet(sim.baseUrl, '/api/public/v1.0/orgs')).json()) as {
      results: { id: string; isDeleted: boolean }[];
    };
    expect(all.results.map((o) => [o.id, o.isDeleted])).toEqual([
      [estate.organizations[0]!.id, false],
      [estate.organizations[1]!.id, true],
    ]);
  });
});

describe('versions', () => {
  it('406 for a missing or unknown version; 200 bodies carry the version media type', async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    const missing = await fetch(sim.baseUrl + usersPath, { headers: { Authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(406);
    expect(((await missing.json()) as { errorCode: string }).errorCode).toBe('INVALID_VERSION_DATE');
    expect((await bearerGet(sim, usersPath, token, '2099-01-01')).status).toBe(406);
    expect(
      (await bearerGet(sim, `/api/atlas/v2/orgs/${org.id}/serviceAccounts`, token, '2023-01-01')).status,
    ).toBe(406);
    const sa = await bearerGet(sim, `/api/atlas/v2/orgs/${org.id}/serviceAccounts`, token, '2024-08-05');
    expect(sa.headers.get('content-type')).toBe('application/vnd.atlas.2024-08-05+json');
    const v1 = await bearerGet(sim, usersPath, token, '2023-01-01');
    expect(v1.headers.get('content-type')).toBe('application/vnd.atlas.2023-01-01+json');
    const users = ((await v1.json()) as { results: { emailAddress: string }[] }).results;
    expect(users).toHaveLength(org.users.filter((u) => u.status === 'ACTIVE').length);
  });

  it('filters 2025-02-19 users by membership status (default ACTIVE + PENDING)', async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    const statuses = async (query: string) => {
      const res = await bearerGet(sim, `${usersPath}?itemsPerPage=500${query}`, token);
      return ((await res.json()) as { results: { orgMembershipStatus: string }[] }).results.map(
        (u) => u.orgMembershipStatus,
      );
    };
    const count = (s: string[]) => org.users.filter((u) => s.includes(u.status)).length;
    expect(await statuses('')).toHaveLength(count(['ACTIVE', 'PENDING']));
    expect(
      await statuses('&orgMembershipStatuses=INVITATION_EXPIRED&orgMembershipStatuses=ACTIVE'),
    ).toHaveLength(count(['INVITATION_EXPIRED', 'ACTIVE']));
    expect(new Set(await statuses('&orgMembershipStatus=PENDING'))).toEqual(new Set(['PENDING']));
    const both = await bearerGet(
      sim,
      `${usersPath}?orgMembershipStatus=ACTIVE&orgMembershipStatuses=ACTIVE`,
      token,
    );
    expect(both.status).toBe(400);
  });
});

describe('pagination', () => {
  it('pages with self/next/previous links and totalCount', async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    const all = org.users.filter((u) => u.status === 'ACTIVE' || u.status === 'PENDING').map((u) => u.id);
    const seen: string[] = [];
    let next: string | undefined = `${sim.baseUrl}${usersPath}?itemsPerPage=7`;
    let pages = 0;
    while (next) {
      const res = await fetch(next, {
        headers: { Authorization: `Bearer ${token}`, ...accept('2025-02-19') },
      });
      const body = (await res.json()) as {
        results: { id: string }[];
        links: { rel: string; href: string }[];
        totalCount: number;
      };
      pages++;
      const rels = body.links.map((l) => l.rel);
      expect(rels).toContain('self');
      expect(rels.includes('previous')).toBe(pages > 1);
      expect(body.totalCount).toBe(all.length);
      for (const l of body.links) expect(l.href.startsWith(`${sim.baseUrl}/api/atlas/v2/`)).toBe(true);
      seen.push(...body.results.map((u) => u.id));
      next = body.links.find((l) => l.rel === 'next')?.href;
      if (next) expect(body.results).toHaveLength(7);
    }
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(seen).toEqual(all);
  });

  it('has no next link on an exact last page, an empty page past the end, and honours includeCount', async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    const teams = `/api/atlas/v2/orgs/${org.id}/teams`;
    const exact = (await (
      await bearerGet(sim, `${teams}?itemsPerPage=${org.teams.length}`, token, '2023-01-01')
    ).json()) as {
      links: { rel: string }[];
      results: unknown[];
    };
    expect(exact.results).toHaveLength(org.teams.length);
    expect(exact.links.map((l) => l.rel)).toEqual(['self']);
    const past = (await (await bearerGet(sim, `${teams}?pageNum=9`, token, '2023-01-01')).json()) as {
      results: unknown[];
      links: { rel: string }[];
    };
    expect(past.results).toEqual([]);
    expect(past.links.map((l) => l.rel)).toEqual(['previous', 'self']);
    const noCount = (await (
      await bearerGet(sim, `${teams}?includeCount=false`, token, '2023-01-01')
    ).json()) as object;
    expect(noCount).not.toHaveProperty('totalCount');
    // The team-users and service-account listings have no includeCount parameter (docs/atlas-api-notes.md §5), but
    // their page schemas (PaginatedOrgUserView, PaginatedOrgServiceAccounts) carry the count, and it is
    // included by default: a stray includeCount=false changes nothing there.
    const team = org.teams[0]?.id ?? '';
    const members = (await (
      await bearerGet(sim, `${teams}/${team}/users?includeCount=false`, token)
    ).json()) as { totalCount?: number };
    expect(members.totalCount).toBe(org.teams[0]?.memberIds.length);
    const accounts = (await (
      await bearerGet(sim, `/api/atlas/v2/orgs/${org.id}/serviceAccounts`, token, '2024-08-05')
    ).json()) as { totalCount?: number };
    expect(accounts.totalCount).toBe(org.serviceAccounts.filter((sa) => !sa.systemManaged).length);
    for (const bad of [
      'itemsPerPage=0',
      'itemsPerPage=501',
      'pageNum=0',
      'pageNum=x',
      'includeCount=maybe',
    ]) {
      expect((await bearerGet(sim, `${teams}?${bad}`, token, '2023-01-01')).status).toBe(400);
    }
  });
});

describe('service accounts, project API keys and project invitations', () => {
  const sa = (id: string) => `/api/atlas/v2/orgs/${org.id}/serviceAccounts${id}`;

  it('leaves system-managed service accounts out unless includeSystemManaged=true', async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    const ids = async (query: string) =>
      (
        (await (await bearerGet(sim, sa(query), token, '2024-08-05')).json()) as {
          results: { clientId: string }[];
        }
      ).results
        .map((x) => x.clientId)
        .sort();
    const managed = org.serviceAccounts.filter((x) => x.systemManaged).map((x) => x.clientId);
    expect(managed.length).toBeGreaterThan(0);
    expect(await ids('')).toEqual(org.serviceAccounts.filter((x) => !x.systemManaged).map((x) => x.clientId));
    expect(await ids('?includeSystemManaged=false')).toEqual(await ids(''));
    expect(await ids('?includeSystemManaged=true')).toEqual(org.serviceAccounts.map((x) => x.clientId));
    expect((await bearerGet(sim, sa('?includeSystemManaged=yes'), token, '2024-08-05')).status).toBe(400);
  });

  it("serves each service account's projects and access list, 404 for an unknown one", async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    const owner = estate.organizations.find((o) =>
      o.serviceAccounts.some((x) => x.projectRoles.length > 0 && x.accessList.length > 0),
    )!;
    const account = owner.serviceAccounts.find((x) => x.projectRoles.length > 0 && x.accessList.length > 0)!;
    const sa = (id: string) => `/api/atlas/v2/orgs/${owner.id}/serviceAccounts${id}`;
    const groups = (await (
      await bearerGet(sim, sa(`/${account.clientId}/groups`), token, '2024-08-05')
    ).json()) as {
      results: { groupId: string; roles: string[] }[];
      totalCount: number;
    };
    expect(groups.results).toEqual(
      account.projectRoles.map((p) => ({ groupId: p.projectId, roles: p.roles })),
    );
    expect(groups.totalCount).toBe(account.projectRoles.length);
    const list = (await (
      await bearerGet(sim, sa(`/${account.clientId}/accessList`), token, '2024-08-05')
    ).json()) as {
      results: { cidrBlock?: string; requestCount?: number; count?: number }[];
    };
    expect(list.results.map((e) => e.cidrBlock)).toEqual(account.accessList.map((e) => e.cidrBlock));
    expect(list.results.every((e) => !('count' in e))).toBe(true);
    const unknown = `mdb_sa_id_${'0'.repeat(24)}`;
    expect((await bearerGet(sim, sa(`/${unknown}/groups`), token, '2024-08-05')).status).toBe(404);
    expect((await bearerGet(sim, sa('/not-a-client-id/accessList'), token, '2024-08-05')).status).toBe(400);
    expect((await bearerGet(sim, sa(`/${account.clientId}/groups`), token, '2023-01-01')).status).toBe(406);
  });

  it("lists a project's API keys and service accounts with their roles there", async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    for (const project of org.projects) {
      const keys = (await (
        await bearerGet(sim, `/api/atlas/v2/groups/${project.id}/apiKeys`, token, '2023-01-01')
      ).json()) as {
        results: { id: string }[];
      };
      expect(keys.results.map((k) => k.id)).toEqual(
        org.apiKeys.filter((k) => k.projectRoles.some((r) => r.projectId === project.id)).map((k) => k.id),
      );
      const accounts = (await (
        await bearerGet(
          sim,
          `/api/atlas/v2/groups/${project.id}/serviceAccounts?includeSystemManaged=true`,
          token,
          '2024-08-05',
        )
      ).json()) as { results: { clientId: string; roles: string[] }[] };
      expect(accounts.results).toEqual(
        org.serviceAccounts
          .flatMap((x) =>
            x.projectRoles
              .filter((r) => r.projectId === project.id)
              .map((r) => ({ clientId: x.clientId, roles: r.roles })),
          )
          .map((x) => expect.objectContaining(x)),
      );
    }
  });

  it('serves project invitations as a bare array, and 410 VERSION_GONE once the version is sunset', async () => {
    const withInvitation = estate.organizations.flatMap((o) => o.projectInvitations)[0]!;
    const path = `/api/atlas/v2/groups/${withInvitation.projectId}/invites`;
    const before = await start({ now: () => Date.parse('2027-06-30T23:59:59Z') });
    const token = await getToken(before.baseUrl);
    const res = await bearerGet(before, path, token, '2023-01-01');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; username: string }[];
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((i) => i.id)).toContain(withInvitation.id);
    const filtered = (await (
      await bearerGet(
        before,
        `${path}?username=${encodeURIComponent(withInvitation.username)}`,
        token,
        '2023-01-01',
      )
    ).json()) as unknown[];
    expect(filtered).toHaveLength(1);
    const after = await start({ now: () => Date.parse('2027-07-01T00:00:00Z') });
    const gone = await bearerGet(after, path, await getToken(after.baseUrl), '2023-01-01');
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { errorCode: string }).errorCode).toBe('VERSION_GONE');
  });
});

describe('rate limits', () => {
  it('429 with Retry-After from an empty bucket, then recovers after the refill', async () => {
    let clock = 0;
    const sim = await start({
      now: () => clock,
      rateLimits: { 'users-org': { capacity: 2, refill: 1, intervalSeconds: 60 } },
    });
    const token = await getToken(sim.baseUrl);
    const first = await bearerGet(sim, usersPath, token);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await bearerGet(sim, usersPath, token)).headers.get('ratelimit-remaining')).toBe('0');
    clock = 15_000;
    const limited = await bearerGet(sim, usersPath, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(((await limited.json()) as { errorCode: string }).errorCode).toBe('RATE_LIMITED');
    // Buckets are per org: the other org is unaffected.
    const other = estate.organizations[1] as Organization;
    expect((await bearerGet(sim, `/api/atlas/v2/orgs/${other.id}/users`, token)).status).toBe(200);
    clock = 60_000;
    const recovered = await bearerGet(sim, usersPath, token);
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get('ratelimit-remaining')).toBe('0');
    expect(sim.stats().byStatus[429]).toBe(1);
  });

  it('uses the Atlas numbers by default and none when off', async () => {
    const sim = await start();
    const token = await getToken(sim.baseUrl);
    const settings = await bearerGet(sim, `/api/atlas/v2/orgs/${org.id}/settings`, token, '2023-01-01');
    expect(settings.headers.get('ratelimit-limit')).toBe('10');
    const users = await bearerGet(sim, usersPath, token);
    expect(users.headers.get('ratelimit-limit')).toBe('500');
    const off = await start({ rateLimits: 'off' });
    const offToken = await getToken(off.baseUrl);
    for (let i = 0; i < 12; i++) {
      const res = await bearerGet(off, `/api/atlas/v2/orgs/${org.id}/settings`, offToken, '2023-01-01');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });
});

describe('faults and latency', () => {
  it('injects a status for the first N matching requests, then behaves', async () => {
    const sim = await start({ faults: [{ path: /\/users$/, status: 503, retryAfterSeconds: 2, times: 2 }] });
    const token = await getToken(sim.baseUrl);
    const a = await bearerGet(sim, usersPath, token);
    expect(a.status).toBe(503);
    expect(a.headers.get('retry-after')).toBe('2');
    expect(((await a.json()) as { errorCode: string }).errorCode).toBe('SERVICE_UNAVAILABLE');
    expect((await bearerGet(sim, usersPath, token)).status).toBe(503);
    expect((await bearerGet(sim, usersPath, token)).status).toBe(200);
    expect(sim.stats().byEndpoint['GET /api/atlas/v2/orgs/{orgId}/users']).toBe(3);
  });

  it('resets connections and honours the method and path match', async () => {
    const teams = `/api/atlas/v2/orgs/${org.id}/teams`;
    const sim = await start({
      faults: [
        { path: teams, reset: true, times: 1 },
        { method: 'GET', path: /settings$/, status: 403 },
      ],
    });
    const token = await getToken(sim.baseUrl);
    await expect(bearerGet(sim, teams, token, '2023-01-01')).rejects.toThrow();
    expect((await bearerGet(sim, teams, token, '2023-01-01')).status).toBe(200);
    const forbidden = await bearerGet(sim, `/api/atlas/v2/orgs/${org.id}/settings`, token, '2023-01-01');
    expect(forbidden.status).toBe(403);
    expect((await bearerGet(sim, usersPath, token)).status).toBe(200);
  });

  it('records a request log and resets stats', async () => {
    const sim = await start({ latencyMs: 1 });
    const token = await getToken(sim.baseUrl);
    await bearerGet(sim, `${usersPath}?itemsPerPage=3`, token);
    expect(sim.log.at(-1)).toEqual({
      method: 'GET',
      path: usersPath,
      query: 'itemsPerPage=3',
      status: 200,
      accept: 'application/vnd.atlas.2025-02-19+json',
    });
    expect(sim.stats().requests).toBe(2);
    sim.resetStats();
    expect(sim.stats()).toEqual({ requests: 0, byStatus: {}, byEndpoint: {}, tokensIssued: 0 });
    expect(sim.log).toEqual([]);
  });
});

describe('expectedOrganizations', () => {
  it('keeps everything for 2025-02-19 and active users only for 2023-01-01', () => {
    const [v2] = expectedOrganizations(estate.organizations, {
      api: 'atlas-v2',
      usersVersion: '2025-02-19',
      keepPii: false,
    });
    expect(v2?.users).toHaveLength(org.users.length);
    expect(v2?.teams).toEqual(org.teams);
    const [old] = expectedOrganizations(estate.organizations, {
      api: 'atlas-v2',
      usersVersion: '2023-01-01',
      keepPii: true,
    });
    const activeIds = new Set(org.users.filter((u) => u.status === 'ACTIVE').map((u) => u.id));
    expect(old?.users.map((u) => u.id)).toEqual([...activeIds]);
    expect(old?.users.every((u) => u.mobileNumber === null)).toBe(true);
    for (const t of old?.teams ?? []) expect(t.memberIds.every((id) => activeIds.has(id))).toBe(true);
    // Without `databaseAccess` the collector reads no database access: the projects carry none.
    expect(old?.projects).toEqual(org.projects.map((p) => ({ ...p, ...noDatabaseAccess() })));
    expect(org.projects.some((p) => p.databaseUsers.length > 0)).toBe(true);
  });

  it('holds project invitations only when the collector was asked for them', () => {
    const view = { api: 'atlas-v2', usersVersion: '2025-02-19', keepPii: false } as const;
    const [plain] = expectedOrganizations(estate.organizations, view);
    const [asked] = expectedOrganizations(estate.organizations, {
      ...view,
      include: ['project-invitations'],
    });
    expect(plain?.coverage.projectInvitations).toBe(false);
    expect(plain?.projectInvitations).toEqual([]);
    expect(asked?.coverage.projectInvitations).toBe(true);
    expect(asked?.projectInvitations).toEqual(org.projectInvitations);
    expect(asked?.serviceAccounts).toEqual(org.serviceAccounts);
  });

  it('gives active users without dates, and projects without teams, for cloud-manager', () => {
    const [cm] = expectedOrganizations(estate.organizations, {
      api: 'cloud-manager',
      usersVersion: null,
      keepPii: false,
    });
    expect(cm?.coverage).toEqual({
      users: true,
      invitations: false,
      teams: false,
      projects: true,
      apiKeys: false,
      serviceAccounts: false,
      settings: false,
      signIns: false,
      serviceAccountAccess: false,
      systemManagedServiceAccounts: false,
      sessionTimeouts: false,
      projectInvitations: false,
      databaseUsers: false,
      databaseUserCerts: false,
      customRoles: false,
      networkAccess: false,
      clusters: false,
      accessHistory: false,
    });
    expect(cm?.projectInvitations).toEqual([]);
    expect([cm?.teams, cm?.apiKeys, cm?.serviceAccounts, cm?.settings]).toEqual([[], [], [], null]);
    expect(cm?.projects).toEqual(
      org.projects.map((p) => ({
        id: p.id,
        name: p.name,
        createdAt: null,
        clusterCount: null,
        teams: [],
        databaseUsers: [],
        customRoles: [],
        networkAccess: [],
        clusters: [],
      })),
    );
    expect(cm?.users.length).toBeGreaterThan(0);
    for (const u of cm?.users ?? []) {
      expect(u.status).toBe('ACTIVE');
      expect('mobileNumber' in u).toBe(false);
      expect([u.createdAt, u.lastAuth]).toEqual([null, null]);
    }
  });
});
