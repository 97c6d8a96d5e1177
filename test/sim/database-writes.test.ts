/**
 * The database-access writes (README "simulate"): a database user's DELETE and PATCH and an access list entry's
 * DELETE, checked against the spec extracts and served against a generated estate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOperations } from '../../src/atlas/write-operations.js';
import { entryValue } from '../../src/sim/estate-database.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { SIM_WRITE_VERSIONS } from '../../src/sim/writes.js';
import type { Organization, Project } from '../../src/snapshot/schema.js';
import { componentValidator, describeErrors, getToken, loadSpec, SPEC_VERSIONS } from './helpers.js';

const now = new Date('2026-11-01T00:00:00Z');
const V1 = 'application/vnd.atlas.2023-01-01+json';
const owner = { clientId: 'mdb_sa_id_5f0c0ffee0ddba11ca7e5e75', clientSecret: 'mdb_sa_sk_owner' };
const readOnly = { clientId: 'mdb_sa_id_bbbbbbbbbbbbbbbbbbbbbbbb', clientSecret: 'mdb_sa_sk_read-only' };

let orgs: Organization[];
let sim: Simulator;
let token: string;
let readOnlyToken: string;
beforeAll(async () => {
  orgs = generateEstate({ seed: 5, now, ...PRESETS.demo }).organizations;
  sim = await startSimulator({
    organizations: orgs,
    rateLimits: 'off',
    credentials: { serviceAccounts: [owner, { ...readOnly, access: { orgRole: 'ORG_READ_ONLY' } }] },
  });
  token = await getToken(sim.baseUrl, owner);
  readOnlyToken = await getToken(sim.baseUrl, readOnly);
});
afterAll(async () => {
  await sim.close();
});

function send(method: string, path: string, body?: unknown, bearer = token) {
  return fetch(sim.baseUrl + path, {
    method,
    headers: {
      Authorization: `Bearer ${bearer}`,
      Accept: V1,
      ...(body === undefined ? {} : { 'Content-Type': V1 }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
const userPath = (p: Project, databaseName: string, username: string) =>
  `/api/atlas/v2/groups/${p.id}/databaseUsers/${encodeURIComponent(databaseName)}/${encodeURIComponent(username)}`;
const projectWith = (pred: (p: Project) => boolean) => {
  const found = orgs.flatMap((o) => o.projects).find(pred);
  if (!found) throw new Error('no such project in the estate');
  return found;
};

describe('database writes vs the spec extracts', () => {
  it('serve each operation in the versions, with the roles and body schema the extracts give', () => {
    const specs = SPEC_VERSIONS.map((v) => loadSpec(v));
    for (const op of [
      writeOperations.deleteGroupDatabaseUser,
      writeOperations.updateGroupDatabaseUser,
      writeOperations.deleteGroupAccessListEntry,
    ]) {
      const versions = new Set<string>();
      for (const s of specs) {
        const entry = s.doc.info['x-extract'].operations[`${op.method} ${op.path}`];
        if (entry) versions.add(entry.contentVersion);
      }
      expect(
        [...SIM_WRITE_VERSIONS[op.operationId as keyof typeof SIM_WRITE_VERSIONS]].sort(),
        op.operationId,
      ).toEqual([...versions].sort());
      const doc = specs[0]?.doc as unknown as {
        paths: Record<string, Record<string, { 'x-rolesRequirements'?: string[]; requestBody?: unknown }>>;
      };
      const spec = doc.paths[op.path]?.[op.method.toLowerCase()];
      expect(spec?.['x-rolesRequirements'], op.operationId).toEqual(op.roles);
      expect(JSON.stringify(spec?.requestBody ?? null).includes(`schemas/${op.requestSchema}"`)).toBe(
        op.requestSchema !== null,
      );
    }
  });
});

describe('database writes', () => {
  it('PATCH replaces a user’s roles and answers the user in the spec’s shape', async () => {
    const p = projectWith((x) => x.databaseUsers.some((u) => u.authKind === 'scram'));
    const u = p.databaseUsers.find((x) => x.authKind === 'scram');
    if (!u) throw new Error('no SCRAM user');
    const roles = [{ roleName: 'read', databaseName: 'reports' }];
    const res = await send('PATCH', userPath(p, 'admin', u.username), { roles });
    expect(res.status).toBe(200);
    const body = await res.json();
    const validate = componentValidator(loadSpec('2023-01-01'), 'CloudDatabaseUser');
    expect(validate(body), describeErrors(validate)).toBe(true);
    expect(u.roles).toEqual([{ roleName: 'read', databaseName: 'reports', collectionName: null }]);
    const listed = await (
      await send('GET', `/api/atlas/v2/groups/${p.id}/databaseUsers?itemsPerPage=500`)
    ).json();
    const item = (listed as { results: Array<{ username: string; roles: unknown }> }).results.find(
      (x) => x.username === u.username,
    );
    expect(item?.roles).toEqual(roles);
  });

  it('PATCH refuses what the schema refuses, an identity change and an unknown cluster (400)', async () => {
    const p = projectWith(
      (x) => x.databaseUsers.some((u) => u.authKind === 'scram') && x.clusters.length > 0,
    );
    const u = p.databaseUsers.find((x) => x.authKind === 'scram');
    if (!u) throw new Error('no SCRAM user');
    for (const body of [
      { roles: [] },
      { roles: [{ roleName: 'read' }] },
      { password: 'x' },
      { username: 'someone-else' },
      { scopes: [{ name: 'no-such-cluster', type: 'CLUSTER' }] },
    ]) {
      const res = await send('PATCH', userPath(p, 'admin', u.username), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('DELETE removes a user by (databaseName, username); $external users by their encoded names', async () => {
    const p = projectWith((x) =>
      x.databaseUsers.some((u) => u.authKind === 'oidc-user' || u.authKind === 'aws-iam-role'),
    );
    const u = p.databaseUsers.find((x) => x.authKind === 'oidc-user' || x.authKind === 'aws-iam-role');
    if (!u) throw new Error('no external user');
    expect((await send('DELETE', userPath(p, 'admin', u.username))).status).toBe(404);
    expect(
      (await send('DELETE', userPath(p, '$external', u.username), undefined, readOnlyToken)).status,
    ).toBe(403);
    expect((await send('DELETE', userPath(p, '$external', u.username))).status).toBe(204);
    expect(p.databaseUsers.some((x) => x.username === u.username)).toBe(false);
    expect((await send('DELETE', userPath(p, '$external', u.username))).status).toBe(404);
  });

  it('DELETE removes an access list entry named by its URL-encoded CIDR, address or security group', async () => {
    const p = projectWith((x) => x.networkAccess.some((e) => e.cidrBlock !== null && e.ipAddress === null));
    const cidr = p.networkAccess.find((e) => e.cidrBlock !== null && e.ipAddress === null);
    if (!cidr) throw new Error('no CIDR entry');
    const path = (value: string) => `/api/atlas/v2/groups/${p.id}/accessList/${encodeURIComponent(value)}`;
    expect((await send('DELETE', path(entryValue(cidr)), undefined, readOnlyToken)).status).toBe(403);
    expect((await send('DELETE', path(entryValue(cidr)))).status).toBe(204);
    expect(p.networkAccess.includes(cidr)).toBe(false);
    expect((await send('DELETE', path(entryValue(cidr)))).status).toBe(404);
    const address = p.networkAccess.find((e) => e.ipAddress !== null);
    if (address?.ipAddress) {
      expect((await send('DELETE', path(address.ipAddress))).status).toBe(204);
      expect(p.networkAccess.includes(address)).toBe(false);
    }
  });
});
