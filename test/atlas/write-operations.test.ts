/** The write-operation table vs the vendored spec extracts, so plans and `review apply` cannot drift. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  atlasMediaType,
  PATH_PARAMETER_PATTERNS,
  writeOperations,
  writePathParams,
} from '../../src/atlas/write-operations.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { specOperation } from '../helpers/plan-spec.js';

describe('write-operation table vs the Atlas spec extracts', () => {
  for (const [name, op] of Object.entries(writeOperations)) {
    it(`${name}: ${op.method} ${op.path} at the newest extract's contentVersion`, () => {
      const found = specOperation(op.method, op.path);
      expect(found, `${op.method} ${op.path} in no extract`).not.toBeNull();
      expect(found!.operationId).toBe(name);
      expect(op.operationId).toBe(name);
      expect(op.version).toBe(found!.contentVersion);
      // The newest extract is the 2025-02-19 one for every operation the plan uses.
      expect(found!.spec.version).toBe('2025-02-19');
    });

    it(`${name}: least role, request schema and media types as the spec states them`, () => {
      const { op: raw } = specOperation(op.method, op.path)!;
      expect([...op.roles]).toEqual(raw['x-rolesRequirements']);
      const media = atlasMediaType(op.version);
      const body = raw.requestBody?.content[media]?.schema?.$ref?.split('/').pop() ?? null;
      expect(op.requestSchema).toBe(body);
      if (raw.requestBody) expect(Object.keys(raw.requestBody.content)).toEqual([media]);
      const success = Object.entries(raw.responses).filter(([code]) => /^2\d\d$/.test(code));
      expect(success.map(([, r]) => Object.keys(r.content ?? {}))).toEqual([[media]]);
    });
  }

  it('the path parameter patterns are the spec parameter patterns', () => {
    for (const op of Object.values(writeOperations)) {
      const found = specOperation(op.method, op.path)!;
      const params = (found.op.parameters ?? []).map((p) =>
        p.$ref ? found.doc.components.parameters[p.$ref.split('/').pop() ?? ''] : p,
      );
      for (const [, name] of op.path.matchAll(/\{(\w+)\}/g)) {
        const param = params.find((p) => p?.in === 'path' && p.name === name);
        expect(PATH_PARAMETER_PATTERNS[name!]?.source, `${op.operationId} ${name}`).toBe(
          param?.schema?.pattern,
        );
      }
    }
  });

  it('writePathParams accepts a filled template and refuses other paths and ids', () => {
    const op = writeOperations.removeOrgUserRole;
    const org = '0000000000000000000000aa';
    const user = 'b00000000000000000000001';
    expect(writePathParams(op, `/api/atlas/v2/orgs/${org}/users/${user}:removeRole`)).toEqual({
      params: { orgId: org, userId: user },
    });
    for (const [path, problem] of [
      [`/api/atlas/v2/orgs/${org}/users/${user}:addRole`, 'is not a path of'],
      [`/api/atlas/v2/orgs/${org}/users/..:removeRole`, 'userId ".." is not a valid Atlas userId'],
      [`/api/atlas/v2/orgs/${org}/users/%2E%2E:removeRole`, 'userId ".." is not a valid Atlas userId'],
      [`/api/atlas/v2/orgs/${org.toUpperCase()}/users/${user}:removeRole`, 'orgId'],
      [`/api/atlas/v2/orgs/${org}/users/%E0%A4%A:removeRole`, 'not URL-encoded'],
    ] as const)
      expect((writePathParams(op, path) as { problem?: string }).problem).toContain(problem);
    expect(
      writePathParams(
        writeOperations.deleteOrgServiceAccount,
        `/api/atlas/v2/orgs/${org}/serviceAccounts/mdb_sa_id_0123456789abcdef01234567`,
      ),
    ).toEqual({ params: { orgId: org, clientId: 'mdb_sa_id_0123456789abcdef01234567' } });
  });

  it('names each operation once, by its spec operationId', () => {
    const keys = Object.values(writeOperations).map((o) => `${o.method} ${o.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('docs/review.md lists every write operation with its call, version and least role', () => {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'review.md'), 'utf8');
    const table =
      /<!-- write-operations:start -->\n([\s\S]*?)<!-- write-operations:end -->/.exec(doc)?.[1] ?? '';
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    expect(rows).toEqual(
      Object.values(writeOperations).map((o) => [
        `\`${o.operationId}\``,
        `\`${o.method} ${o.path}\``,
        o.version,
        o.roles.join(', '),
      ]),
    );
  });
});
