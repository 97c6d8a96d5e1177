import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseSnapshot } from '../../src/snapshot/store.js';
import { org, snapshot, user } from '../builders/snapshot.js';

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

  it('rejects a password field anywhere in a user', () => {
    const snap = snapshot();
    const data = JSON.parse(JSON.stringify(snap));
    data.organizations[0].users[0].password = 'hunter22';
    expect(() => parseSnapshot(JSON.stringify(data), 's.json')).toThrowError(
      /users\[0\]: Unrecognized key: "password"/,
    );
  });
});
