import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../../src/snapshot/schema.js';
import { parseSnapshot } from '../../src/snapshot/store.js';
import {
  apiKey,
  LEGACY_COVERAGE,
  legacyOrg,
  org,
  project,
  projectInvitation,
  serviceAccount,
  snapshot,
  toSchema1,
  toSchema2,
  toSchema3,
  user,
} from '../builders/snapshot.js';

describe('snapshot schema', () => {
  it('accepts a builder snapshot', () => {
    const snap = snapshot();
    expect(parseSnapshot(JSON.stringify(snap), 's.json')).toEqual(snap);
  });

  it('rejects a duplicated organization, naming the path of the repeat', () => {
    const o = org();
    const text = JSON.stringify(snapshot([o, org(), o]));
    expect(() => parseSnapshot(text, 's.json')).toThrowError(InputError);
    expect(() => parseSnapshot(text, 's.json')).toThrowError(
      /^s\.json: \$\.organizations\[2\]\.id: duplicate id/,
    );
  });

  it('rejects a user listed twice in one organization', () => {
    const u = user();
    const text = JSON.stringify(snapshot([org({ users: [u, u] })]));
    expect(() => parseSnapshot(text, 's.json')).toThrowError(
      /\$\.organizations\[0\]\.users\[1\]\.id: duplicate id/,
    );
  });

  it('reads a schema 1 file: sign-in coverage true for Atlas v2, false for Cloud Manager (kept when present)', () => {
    const v2 = parseSnapshot(JSON.stringify(toSchema1(snapshot([org()]))), 's.json');
    expect(v2.organizations[0]!.coverage.signIns).toBe(true);
    const cm = snapshot([legacyOrg()], {
      source: {
        baseUrl: 'https://om.example',
        api: 'cloud-manager',
        apiVersion: null,
        auth: 'api-key',
        keepPii: false,
      },
    });
    expect(parseSnapshot(JSON.stringify(toSchema1(cm)), 's.json').organizations[0]!.coverage).toEqual(
      LEGACY_COVERAGE,
    );
    // A schema 1 file written after sign-in coverage existed keeps its value.
    const withField = toSchema1(snapshot([org()])) as {
      organizations: Array<{ coverage: Record<string, unknown> }>;
    };
    withField.organizations[0]!.coverage.signIns = false;
    expect(parseSnapshot(JSON.stringify(withField), 's.json').organizations[0]!.coverage.signIns).toBe(false);
  });

  it('rejects a password field anywhere in a user', () => {
    const snap = snapshot();
    const data = JSON.parse(JSON.stringify(snap));
    data.organizations[0].users[0].password = 'hunter22';
    expect(() => parseSnapshot(JSON.stringify(data), 's.json')).toThrowError(
      /users\[0\]: Unrecognized key: "password"/,
    );
  });

  it('rejects a project invitation listed twice', () => {
    const p = project();
    const inv = projectInvitation(p.id);
    const text = JSON.stringify(snapshot([org({ projects: [p], projectInvitations: [inv, inv] })]));
    expect(() => parseSnapshot(text, 's.json')).toThrowError(
      /\$\.organizations\[0\]\.projectInvitations\[1\]\.id: duplicate id/,
    );
  });
});

describe('reading snapshots of schema 1', () => {
  const current = () =>
    snapshot([
      org({
        apiKeys: [apiKey()],
        serviceAccounts: [serviceAccount({ systemManaged: true })],
      }),
    ]);

  it('upgrades them on read: what schema 1 did not collect has coverage false and empty lists, never values that look collected', () => {
    const v1 = toSchema1(current());
    const read = parseSnapshot(JSON.stringify(v1), 'q3.json');
    expect(read.schemaVersion).toBe(SNAPSHOT_SCHEMA_VERSION);
    const o = read.organizations[0]!;
    expect(o.coverage).toMatchObject({
      users: true,
      serviceAccounts: true,
      serviceAccountAccess: false,
      systemManagedServiceAccounts: false,
      sessionTimeouts: false,
      projectInvitations: false,
    });
    expect(o.projectInvitations).toEqual([]);
    expect(o.serviceAccounts[0]).toMatchObject({ projectRoles: [], accessList: [], systemManaged: false });
    expect(o.settings).toMatchObject({
      idleSessionTimeoutInSeconds: null,
      absoluteSessionTimeoutInSeconds: null,
    });
    // Everything schema 1 held is kept as it was.
    const { coverage: _c, serviceAccounts: _s, settings: _t, projectInvitations: _p, ...rest } = o;
    const {
      coverage: _c1,
      serviceAccounts: _s1,
      settings: _t1,
      ...before
    } = (v1.organizations as Record<string, unknown>[])[0]!;
    expect(rest).toEqual(before);
  });

  it('validates them as strictly as schema 1 did, with the path of the problem', () => {
    const v1 = toSchema1(current()) as {
      organizations: Array<{ serviceAccounts: Array<Record<string, unknown>> }>;
    };
    // A field schema 2 added, in a file that says it is schema 1: not what schema 1 wrote.
    v1.organizations[0]!.serviceAccounts[0]!.systemManaged = true;
    expect(() => parseSnapshot(JSON.stringify(v1), 'q3.json')).toThrowError(
      /^q3\.json: \$\.organizations\[0\]\.serviceAccounts\[0\]: Unrecognized key: "systemManaged"/,
    );
  });

  it('refuses a schema version it does not know', () => {
    for (const bad of [0, 2.5, '3', null]) {
      const data = { ...structuredClone(current()), schemaVersion: bad };
      expect(() => parseSnapshot(JSON.stringify(data), 's.json')).toThrowError(
        `$.schemaVersion: unsupported snapshot schemaVersion ${JSON.stringify(bad)} (this tool reads 1 to 4)`,
      );
    }
  });

  it('tells a file from a newer version of the tool apart, and says to upgrade', () => {
    const data = { ...structuredClone(current()), schemaVersion: 5 };
    expect(() => parseSnapshot(JSON.stringify(data), 's.json')).toThrowError(
      's.json: $.schemaVersion: snapshot schemaVersion 5 was written by a newer version of atlas-access-review (this one reads 1 to 4); upgrade the tool to read it',
    );
  });
});

describe('reading snapshots of schema 3', () => {
  const collected = () =>
    snapshot([org()], {
      collector: {
        command: ['collect', '--org', 'aaaaaaaaaaaaaaaaaaaaaaaa'],
        identity: { kind: 'service-account', id: 'mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa', organizations: [] },
      },
    });

  it('upgrades them on read: the collector was not recorded (null), everything else as it was', () => {
    const snap = collected();
    const read = parseSnapshot(JSON.stringify(toSchema3(snap)), 'q3.json');
    expect(read.schemaVersion).toBe(SNAPSHOT_SCHEMA_VERSION);
    expect(read.collector).toBeNull();
    expect({ ...read, collector: snap.collector }).toEqual(snap);
  });

  it('validates them as strictly as schema 3 did: a collector in a schema 3 file is not what it wrote', () => {
    const v3 = { ...toSchema3(collected()), collector: collected().collector };
    expect(() => parseSnapshot(JSON.stringify(v3), 'q3.json')).toThrowError(
      /^q3\.json: Unrecognized key: "collector"/,
    );
  });

  it('a schema 4 file must say who collected (or null): the key is required', () => {
    const data = structuredClone(collected()) as unknown as Record<string, unknown>;
    delete data.collector;
    expect(() => parseSnapshot(JSON.stringify(data), 's.json')).toThrowError(/\$\.collector/);
  });
});

describe('reading snapshots of schema 2', () => {
  it('upgrades them on read: no database access was collected, and the coverage says so', () => {
    const snap = snapshot([org({ projects: [project()] })]);
    const read = parseSnapshot(JSON.stringify(toSchema2(snap)), 'q3.json');
    expect(read.schemaVersion).toBe(SNAPSHOT_SCHEMA_VERSION);
    expect(read.collector).toBeNull();
    const o = read.organizations[0]!;
    expect(o.coverage).toMatchObject({
      databaseUsers: false,
      databaseUserCerts: false,
      customRoles: false,
      networkAccess: false,
      clusters: false,
      accessHistory: false,
    });
    expect(o.projects[0]).toMatchObject({
      databaseUsers: [],
      customRoles: [],
      networkAccess: [],
      clusters: [],
    });
    // Everything else is kept as it was.
    expect({ ...read, organizations: [] }).toEqual({ ...snap, organizations: [] });
  });

  it('validates them as strictly as schema 2 did', () => {
    const v2 = toSchema2(snapshot([org({ projects: [project()] })])) as {
      organizations: Array<{ projects: Array<Record<string, unknown>> }>;
    };
    v2.organizations[0]!.projects[0]!.databaseUsers = [];
    expect(() => parseSnapshot(JSON.stringify(v2), 'q3.json')).toThrowError(
      /^q3\.json: \$\.organizations\[0\]\.projects\[0\]: Unrecognized key: "databaseUsers"/,
    );
  });
});

/**
 * parseSnapshot skips checkDocument (the `__proto__` and depth walk) because the snapshot schemas
 * need none: every object strict, nothing open-ended. This walk keeps them so; a record, an unknown
 * or a non-strict object added to them fails here, and the walk must come back in parseSnapshot.
 */
describe('the snapshot schemas need no document walk', () => {
  type Def = { type: string; [k: string]: unknown };
  const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
  function openParts(schema: unknown, path: string, seen = new Set<unknown>()): string[] {
    if (seen.has(schema)) return [];
    seen.add(schema);
    const def = defOf(schema);
    const inner = (s: unknown, p: string) => openParts(s, p, seen);
    switch (def.type) {
      case 'object': {
        const catchall = def.catchall as unknown;
        const strict = catchall !== undefined && defOf(catchall).type === 'never';
        const shape = def.shape as Record<string, unknown>;
        return [
          ...(strict ? [] : [`${path}: not a strict object`]),
          ...Object.entries(shape).flatMap(([k, v]) => inner(v, `${path}.${k}`)),
        ];
      }
      case 'array':
        return inner(def.element, `${path}[]`);
      case 'union':
        return (def.options as unknown[]).flatMap((o, i) => inner(o, `${path}|${i}`));
      case 'optional':
      case 'nullable':
      case 'readonly':
        return inner(def.innerType, path);
      case 'lazy':
        return inner((def.getter as () => unknown)(), path);
      case 'string':
      case 'number':
      case 'boolean':
      case 'null':
      case 'literal':
      case 'enum':
        return [];
      default:
        return [`${path}: ${def.type}`];
    }
  }

  it('has only strict objects and closed values, in every version it reads', async () => {
    const { snapshotSchema } = await import('../../src/snapshot/schema.js');
    const { snapshotV1Schema, snapshotV2Schema, snapshotV3Schema } = await import(
      '../../src/snapshot/upgrade.js'
    );
    for (const [name, schema] of Object.entries({
      snapshotSchema,
      snapshotV1Schema,
      snapshotV2Schema,
      snapshotV3Schema,
    })) {
      const seen = new Set<unknown>();
      expect({ name, open: openParts(schema, '$', seen) }).toEqual({ name, open: [] });
      expect(seen.size, `${name}: the walk reached its parts`).toBeGreaterThan(100);
    }
  });

  it('refuses a __proto__ key wherever it is, naming the path', () => {
    const snap = snapshot([org({ users: [user()] })]);
    const text = JSON.stringify(snap);
    for (const [at, edited] of [
      ['$', text.replace('{"schemaVersion"', '{"__proto__":{"x":1},"schemaVersion"')],
      ['$.organizations[0]', text.replace('"organizations":[{', '"organizations":[{"__proto__":1,')],
      ['$.organizations[0].users[0]', text.replace('"users":[{', '"users":[{"__proto__":{},')],
    ] as const) {
      expect(edited).not.toBe(text);
      expect(() => parseSnapshot(edited, 's.json'), at).toThrowError(
        // The root's path is not printed ("s.json: problem"); any other is.
        new RegExp(
          `^s\\.json: ${at === '$' ? '' : `${at.replace(/[$.[\]]/g, '\\$&')}: `}Unrecognized key: "__proto__"`,
        ),
      );
    }
  });

  it('refuses a value nested 100,000 deep with an input error, not a stack overflow', () => {
    const text = JSON.stringify(snapshot([org({ users: [user()] })]));
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const edited = text.replace('"users":[{', `"users":[${deep},{`);
    expect(() => parseSnapshot(edited, 's.json')).toThrowError(InputError);
  });

  it('refuses 300,000 problems with an input error, not a stack overflow (exit 70)', () => {
    // zod collects issues with push(...issues); past about 120,000 that call overflows the stack.
    const text = JSON.stringify({
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      organizations: new Array(300_000).fill(1),
    });
    expect(() => parseSnapshot(text, 's.json')).toThrowError(
      new InputError('s.json', '$', 'too many problems to list: this is not a valid file of its kind'),
    );
  });
});

describe('COVERAGE_PARTS', () => {
  it('are the coverage schema keys, in its order', async () => {
    const { coverageSchema } = await import('../../src/snapshot/schema.js');
    const { COVERAGE_PARTS } = await import('../../src/snapshot/coverage-parts.js');
    expect([...COVERAGE_PARTS]).toEqual(coverageSchema.keyof().options);
  });
});
