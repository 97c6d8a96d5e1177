/**
 * Digest without qop: a server (or anything in the path) that challenges without `qop="auth"` once got
 * an RFC 2069 response, which has no client nonce or count and replays for as long as the nonce lives.
 * It must fail with a clear AtlasApiError (exit 3) instead, and never send the weaker response.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { DigestAuth, digestHeader, parseDigestChallenge } from '../../src/atlas/auth/digest.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS } from '../../src/atlas/client.js';
import { operations } from '../../src/atlas/operations.js';
import { readAllPages } from '../../src/atlas/paginate.js';
import { AtlasApiError } from '../../src/errors.js';

const BASE = 'https://atlas.test';
const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';

afterEach(() => {
  nock.cleanAll();
});

function client(auth: DigestAuth) {
  let now = 0;
  return new AtlasClient({ ...DEFAULT_CLIENT_OPTIONS, baseUrl: new URL(BASE), userAgent: 'test' }, auth, {
    fetch: (input, init) => fetch(input, init),
    sleep: async (ms) => {
      now += ms;
    },
    now: () => now,
    random: () => 0.5,
  });
}

const listTeams = (c: AtlasClient) =>
  readAllPages(c, {
    operation: operations.listOrgTeams,
    pathParams: { orgId: ORG },
    version: operations.listOrgTeams.versions![0]!,
    scopeId: ORG,
    key: () => null,
  });

describe.each([
  ['no qop at all (RFC 2069)', 'Digest realm="MMS Public API", nonce="n0nce", algorithm=MD5'],
  ['only qop="auth-int"', 'Digest realm="MMS Public API", nonce="n0nce", algorithm=MD5, qop="auth-int"'],
])('a challenge with %s', (_name, challenge) => {
  it('fails with an AtlasApiError and sends no response to it', async () => {
    const sent: Array<string | undefined> = [];
    nock(BASE)
      .get(`/api/atlas/v2/orgs/${ORG}/teams`)
      .query(true)
      .times(3)
      .reply(function () {
        sent.push(this.req.headers.authorization as string | undefined);
        return [401, { error: 401, errorCode: 'UNAUTHORIZED' }, { 'WWW-Authenticate': challenge }];
      });
    const error = (await listTeams(client(new DigestAuth('pubkey12', 'private-key-value'))).catch(
      (e: unknown) => e,
    )) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      `GET /api/atlas/v2/orgs/${ORG}/teams failed with HTTP 401: the Digest challenge does not offer qop="auth" (RFC 7616); refusing the RFC 2069 form without a client nonce`,
    );
    expect(error.hint).toContain('MONGODB_ATLAS_BASE_URL');
    expect(sent).toEqual([undefined]);
  });
});

describe('digestHeader', () => {
  it('refuses to compute a response without qop=auth', () => {
    const challenge = parseDigestChallenge('Digest realm="r", nonce="n"')!;
    expect(challenge.qop).toBeNull();
    expect(() =>
      digestHeader({ challenge, username: 'u', password: 'p', method: 'GET', uri: '/', nc: 1, cnonce: 'c' }),
    ).toThrow('Digest challenge without qop=auth');
  });

  it('still parses quoted, escaped and unquoted parameters', () => {
    expect(
      parseDigestChallenge('Digest realm="MMS \\"Public\\" API", nonce=abc, qop="auth,auth-int", stale=TRUE'),
    ).toEqual({
      realm: 'MMS "Public" API',
      nonce: 'abc',
      qop: 'auth',
      algorithm: 'MD5',
      opaque: null,
      stale: true,
    });
  });
});
