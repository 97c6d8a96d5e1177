import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operations, parseWire, UNVERSIONED } from '../../src/atlas/operations.js';
import { CollectionError } from '../../src/errors.js';
import { SPEC_DIR } from '../sim/helpers.js';

const FILES = ['atlas-v2-2023-01-01.json', 'atlas-v2-2024-08-05.json', 'atlas-v2-2025-02-19.json'];

interface Extract {
  info: {
    'x-extract': {
      operations: Record<string, { operationId: string; contentVersion: string; sunset: string[] | null }>;
    };
  };
  paths: Record<
    string,
    { get?: { parameters?: Array<{ $ref?: string; name?: string }>; 'x-rolesRequirements'?: string[] } }
  >;
}

describe('operations table vs the Atlas spec extracts', () => {
  const extracts = FILES.map((file) => JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as Extract);

  for (const [name, op] of Object.entries(operations)) {
    if (op.versions === null) continue; // legacy v1.0 is not in the v2 spec
    it(`${name}: every version it sends is one the spec lists for ${op.path}`, () => {
      const listed = new Set<string>();
      for (const extract of extracts) {
        const entry = extract.info['x-extract'].operations[`GET ${op.path}`];
        if (entry) {
          expect(entry.operationId).toBe(op.operationId);
          listed.add(entry.contentVersion);
        }
      }
      expect(listed.size).toBeGreaterThan(0);
      expect([...(op.versions ?? [])].sort()).toEqual([...listed].sort());
    });

    it(`${name}: includeCount and pagination match the spec's parameters`, () => {
      const newest = extracts.at(-1)!;
      const params = (newest.paths[op.path]?.get?.parameters ?? []).map((p) =>
        (p.$ref ?? p.name ?? '').split('/').pop(),
      );
      expect(params.includes('includeCount')).toBe(op.includeCount);
      expect(params.includes('pageNum')).toBe(op.paginated);
    });

    it(`${name}: its least role is the spec's x-rolesRequirements, its sunset the extract's`, () => {
      const newest = extracts.at(-1)!;
      expect([...op.roles]).toEqual(newest.paths[op.path]?.get?.['x-rolesRequirements'] ?? []);
      const sunsets: Record<string, string> = {};
      for (const e of extracts) {
        const entry = e.info['x-extract'].operations[`GET ${op.path}`];
        if (entry?.sunset?.[0]) sunsets[entry.contentVersion] = entry.sunset[0];
      }
      expect(op.sunsets).toEqual(sunsets);
    });
  }
});

describe('operations carry their wire schema and default version', () => {
  for (const [name, op] of Object.entries(operations)) {
    it(`${name}: a wire schema for every version it may send, and the first version as default`, () => {
      expect(op.defaultVersion).toBe(op.versions === null ? null : op.versions[0]);
      expect(Object.keys(op.wire).sort()).toEqual(
        op.versions === null ? [UNVERSIONED] : [...op.versions].sort(),
      );
    });
  }

  it('parseWire picks the schema of the version and names the JSON path of what does not fit', () => {
    const modern = { id: 'u1', username: 'a@example.com', orgMembershipStatus: 'ACTIVE', roles: {} };
    expect(parseWire(operations.listOrgUsers, '2025-02-19', modern, '$.results[0]')).toMatchObject({
      id: 'u1',
    });
    const error = (() => {
      try {
        parseWire(operations.listOrgUsers, '2023-01-01', { id: 'u1' }, '$.results[4]');
      } catch (e) {
        return e;
      }
      return null;
    })() as CollectionError;
    expect(error).toBeInstanceOf(CollectionError);
    expect(error.details).toMatchObject({
      endpoint: 'GET /api/atlas/v2/orgs/{orgId}/users',
      jsonPath: '$.results[4].username',
    });
    expect(() => parseWire(operations.legacyGetOrg, null, { id: 'o', name: 'Org' })).not.toThrow();
  });
});
