import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseSnapshot } from '../../src/snapshot/store.js';
import { LEGACY_COVERAGE, legacyOrg, org, snapshot, user } from '../builders/snapshot.js';

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

  it('reads a file written before coverage.signIns: true for Atlas v2, false for Cloud Manager', () => {
    const strip = (snap: ReturnType<typeof snapshot>) => {
      const data = JSON.parse(JSON.stringify(snap));
      for (const o of data.organizations) delete o.coverage.signIns;
      return JSON.stringify(data);
    };
    const v2 = parseSnapshot(strip(snapshot([org()])), 's.json');
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
    expect(parseSnapshot(strip(cm), 's.json').organizations[0]!.coverage).toEqual(LEGACY_COVERAGE);
    // A file that has the field keeps its value.
    expect(parseSnapshot(JSON.stringify(cm), 's.json')).toEqual(cm);
  });

  it('rejects a password field anywhere in a user', () => {
    const snap = snapshot();
    const data = JSON.parse(JSON.stringify(snap));
    data.organizations[0].users[0].password = 'hunter22';
    expect(() => parseSnapshot(JSON.stringify(data), 's.json')).toThrowError(
      /users\[0\]: Unrecognized key: "password"/,
    );
  });
});
