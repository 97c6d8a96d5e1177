import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { AtlasApiError, InputError, redactSecrets, registerSecret } from '../../src/errors.js';
import { formatJsonPath, parseWithSchema } from '../../src/util/validate.js';

describe('redactSecrets', () => {
  it('removes bearer tokens, basic credentials, digest responses and registered secrets', () => {
    registerSecret('s3cr3t-private-key');
    const text =
      'Authorization: Bearer eyJhbGciOi.abc-def Basic YWJjOmRlZmdoaWo= response="0123456789abcdef0123456789abcdef" key s3cr3t-private-key client_secret=hunter22 mdb_sa_sk_abcdef123';
    const out = redactSecrets(text);
    expect(out).not.toMatch(
      /eyJhbGciOi|YWJjOmRlZmdoaWo|0123456789abcdef0123|s3cr3t-private-key|hunter22|abcdef123/,
    );
    expect(out).toContain('[REDACTED]');
  });

  it('is applied when an API error is built', () => {
    registerSecret('tok-123456');
    const error = new AtlasApiError({
      endpoint: 'GET /api/atlas/v2/orgs/{orgId}/users',
      status: 401,
      errorCode: 'UNAUTHORIZED',
      detail: 'token tok-123456 rejected',
    });
    expect(error.message).toBe(
      'GET /api/atlas/v2/orgs/{orgId}/users failed with HTTP 401 UNAUTHORIZED: token [REDACTED] rejected',
    );
  });
});

describe('parseWithSchema', () => {
  it('names the file and the JSON path of the first problem', () => {
    const schema = z.object({
      orgs: z.array(z.object({ users: z.array(z.object({ lastAuth: z.string() })) })),
    });
    const bad = { orgs: [{ users: [{ lastAuth: 'x' }, { lastAuth: 3 }] }] };
    expect(() => parseWithSchema(schema, bad, 'snap.json')).toThrowError(InputError);
    try {
      parseWithSchema(schema, bad, 'snap.json');
    } catch (error) {
      expect((error as InputError).message).toMatch(/^snap\.json: \$\.orgs\[0\]\.users\[1\]\.lastAuth: /);
    }
  });

  it('formats odd keys with brackets', () => {
    expect(formatJsonPath(['a', 0, 'b-c', 'd'])).toBe('$.a[0]["b-c"].d');
  });
});
