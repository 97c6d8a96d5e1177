import { describe, expect, it } from 'vitest';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const SA = {
  MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_0123456789abcdef01234567',
  MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_x',
};

describe('collect: bad usage exits 2 before any request', () => {
  it('names the variables to set when no credentials are given', async () => {
    const run = await runCliForTest(['collect', '--org', ORG], { cwd: tempDir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET');
    expect(run.stderr).toContain('MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY');
  });

  it.each([['not-an-id'], ['5F1A2B3C4D5E6F7A8B9C0D1E'], ['5f1a2b3c4d5e6f7a8b9c0d1']])(
    'rejects org id %s',
    async (id) => {
      const run = await runCliForTest(['collect', '--org', id], { env: SA, cwd: tempDir() });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`invalid organization id "${id}"`);
    },
  );

  it('needs --org or --all-orgs, not both', async () => {
    expect((await runCliForTest(['collect'], { env: SA })).code).toBe(2);
    const both = await runCliForTest(['collect', '--org', ORG, '--all-orgs'], { env: SA });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });

  it.each(['http://atlas.example.com', 'http://127.attacker.example', 'http://127.0.0.1.nip.io'])(
    'refuses to send credentials over plain http to the non-loopback host %s',
    async (baseUrl) => {
      const run = await runCliForTest(['collect', '--org', ORG, '--base-url', baseUrl], { env: SA });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('use https');
    },
  );

  it('needs an API key for the Cloud Manager API', async () => {
    const run = await runCliForTest(['collect', '--org', ORG, '--api', 'cloud-manager'], { env: SA });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MONGODB_ATLAS_PUBLIC_API_KEY');
  });

  it('rejects an unknown option and an unknown api version', async () => {
    expect((await runCliForTest(['collect', '--org', ORG, '--bogus'], { env: SA })).code).toBe(2);
    expect(
      (await runCliForTest(['collect', '--org', ORG, '--api-version', '2024-01-01'], { env: SA })).code,
    ).toBe(2);
  });

  it('never prints the client secret', async () => {
    const run = await runCliForTest(['collect', '--org', 'bad'], {
      env: { ...SA, MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_topsecret' },
    });
    expect(run.stdout + run.stderr).not.toContain('topsecret');
  });
});
