/** The write-operation table vs the vendored spec extracts, so plans and `review apply` cannot drift. */
import { describe, expect, it } from 'vitest';
import { atlasMediaType, writeOperations } from '../../src/atlas/write-operations.js';
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

  it('names each operation once, by its spec operationId', () => {
    const keys = Object.values(writeOperations).map((o) => `${o.method} ${o.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
