/**
 * The snapshot's `collector` (schema 4): the command line that collected, scrubbed of secrets, and the
 * identity it used with the roles the collected data shows it holding. Unit cases of the identity
 * lookup, then `collect` and the library's `collect` over HTTP against the simulator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubOptionValue } from '../../src/cli/command-line.js';
import { collectorIdentity } from '../../src/collect/collector.js';
import { collect } from '../../src/index.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { parseSnapshot } from '../../src/snapshot/store.js';
import {
  apiKey,
  LEGACY_COVERAGE,
  legacyOrg,
  org,
  project,
  projectRole,
  serviceAccount,
} from '../builders/snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const SA_ID = 'mdb_sa_id_c011ec7000000000000000aa';
const SA_SECRET = 'mdb_sa_sk_collector-secret-value';
const KEY = { publicKey: 'collpkey', privateKey: '0c0ffee0-1111-4222-8333-private-value' };

describe('collectorIdentity', () => {
  const prod = project({ name: 'prod' });
  const home = org({
    projects: [prod],
    serviceAccounts: [
      serviceAccount({
        clientId: SA_ID,
        orgRoles: ['ORG_READ_ONLY'],
        projectRoles: [projectRole(prod.id, 'GROUP_READ_ONLY')],
      }),
    ],
    apiKeys: [apiKey({ publicKey: KEY.publicKey, orgRoles: ['ORG_MEMBER'] })],
  });
  const other = org();
  const legacy = legacyOrg({ coverage: LEGACY_COVERAGE });

  it('finds a service account by client id and records its org and project roles; elsewhere not found or not collected', () => {
    expect(collectorIdentity('service-account', SA_ID, [home, other, legacy])).toEqual({
      kind: 'service-account',
      id: SA_ID,
      organizations: [
        {
          orgId: home.id,
          status: 'found',
          orgRoles: ['ORG_READ_ONLY'],
          projectRoles: [{ projectId: prod.id, roles: ['GROUP_READ_ONLY'] }],
        },
        { orgId: other.id, status: 'not-found', orgRoles: [], projectRoles: [] },
        { orgId: legacy.id, status: 'not-collected', orgRoles: [], projectRoles: [] },
      ],
    });
  });

  it('finds an API key by its public key, never by another field', () => {
    const found = collectorIdentity('api-key', KEY.publicKey, [home]).organizations[0]!;
    expect(found).toMatchObject({ status: 'found', orgRoles: ['ORG_MEMBER'] });
    // A key's id is not its public key; a client id is not a key.
    const byId = home.apiKeys[0]!.id;
    expect(collectorIdentity('api-key', byId, [home]).organizations[0]!.status).toBe('not-found');
    expect(collectorIdentity('api-key', SA_ID, [home]).organizations[0]!.status).toBe('not-found');
  });
});

describe('scrubOptionValue', () => {
  it.each([
    ['smtp-password', 'hunter2', '[REDACTED]'],
    ['client-secret', 'x', '[REDACTED]'],
    ['base-url', 'https://alice:s3cret@cloud.mongodb.com', 'https://[REDACTED]@cloud.mongodb.com'],
    ['email-subject', 'token mdb_sa_sk_abc123', 'token mdb_sa_sk_[REDACTED]'],
    ['output', 'q4/snapshot.json', 'q4/snapshot.json'],
    ['org', '5f1a2b3c4d5e6f7a8b9c0d1e', '5f1a2b3c4d5e6f7a8b9c0d1e'],
  ])('--%s %s -> %s', (flag, value, recorded) => {
    expect(scrubOptionValue(flag, value)).toBe(recorded);
  });
});

describe('collect records who collected', () => {
  let sim: Simulator;
  let dir: string;
  const prod = project({ name: 'prod' });
  const estate = org({
    projects: [prod],
    serviceAccounts: [
      serviceAccount({
        clientId: SA_ID,
        orgRoles: ['ORG_READ_ONLY'],
        projectRoles: [projectRole(prod.id, 'GROUP_READ_ONLY')],
      }),
    ],
  });

  beforeAll(async () => {
    dir = tempDir('aar-collector-');
    sim = await startSimulator({
      organizations: [estate],
      credentials: {
        serviceAccounts: [{ clientId: SA_ID, clientSecret: SA_SECRET }],
        apiKeys: [KEY],
      },
      rateLimits: 'off',
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('the argv with secrets scrubbed, the client id and its roles; no secret from a flag or the environment', async () => {
    // The base URL with user information, and the client secret itself as the value of a flag (with
    // credentials in the environment, --profile is not read): neither may reach the snapshot.
    const withUserinfo = sim.baseUrl.replace('http://', 'http://alice:url-password@');
    const r = await runCliForTest(
      [
        'collect',
        '--org',
        estate.id,
        '--base-url',
        withUserinfo,
        '--profile',
        SA_SECRET,
        '-o',
        's.json',
        '--quiet',
      ],
      {
        cwd: dir,
        env: { MONGODB_ATLAS_CLIENT_ID: SA_ID, MONGODB_ATLAS_CLIENT_SECRET: SA_SECRET },
      },
    );
    expect(r.stderr).toContain('credentials: environment variables');
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 's.json'), 'utf8');
    expect(text).not.toContain(SA_SECRET);
    expect(text).not.toContain('collector-secret-value');
    expect(text).not.toContain('url-password');
    const snapshot = parseSnapshot(text, 's.json');
    const command = snapshot.collector!.command!;
    expect(command[0]).toBe('collect');
    expect(command).toEqual(
      expect.arrayContaining(['--org', estate.id, '--output', 's.json', '--profile', '[REDACTED]']),
    );
    expect(command[command.indexOf('--base-url') + 1]).toBe(
      sim.baseUrl.replace('http://', 'http://[REDACTED]@'),
    );
    expect(snapshot.collector!.identity).toEqual({
      kind: 'service-account',
      id: SA_ID,
      organizations: [
        {
          orgId: estate.id,
          status: 'found',
          orgRoles: ['ORG_READ_ONLY'],
          projectRoles: [{ projectId: prod.id, roles: ['GROUP_READ_ONLY'] }],
        },
      ],
    });
  });

  it('an API key the collected org does not list (a key of another org) is recorded as not found there', async () => {
    const r = await runCliForTest(
      [
        'collect',
        '--org',
        estate.id,
        '--base-url',
        sim.baseUrl,
        '--auth',
        'api-key',
        '-o',
        'k.json',
        '--quiet',
      ],
      {
        cwd: dir,
        env: { MONGODB_ATLAS_PUBLIC_API_KEY: KEY.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: KEY.privateKey },
      },
    );
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'k.json'), 'utf8');
    expect(text).not.toContain(KEY.privateKey);
    const snapshot: Snapshot = parseSnapshot(text, 'k.json');
    expect(snapshot.collector!.identity).toEqual({
      kind: 'api-key',
      id: KEY.publicKey,
      organizations: [{ orgId: estate.id, status: 'not-found', orgRoles: [], projectRoles: [] }],
    });
  });

  it('the library records the identity, and the command it is given with known secrets redacted', async () => {
    const snapshot = await collect({
      credentials: { clientId: SA_ID, clientSecret: SA_SECRET },
      orgs: [estate.id],
      baseUrl: sim.baseUrl,
      command: ['nightly-job', '--secret-in-argv', SA_SECRET],
    });
    expect(snapshot.collector!.command).toEqual(['nightly-job', '--secret-in-argv', '[REDACTED]']);
    expect(snapshot.collector!.identity.organizations[0]!.status).toBe('found');
    const unnamed = await collect({
      credentials: { clientId: SA_ID, clientSecret: SA_SECRET },
      orgs: [estate.id],
      baseUrl: sim.baseUrl,
    });
    expect(unnamed.collector!.command).toBeNull();
  });
});
