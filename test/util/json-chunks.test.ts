/**
 * terminalJsonChunks writes a document too large for one string in pieces; joined, the pieces must be
 * terminalJson's bytes exactly, whatever the value and the depth at which it stops splitting. The
 * report renderers' pieces (JSON, SARIF, CSV) must be their whole output, on the fixture estate and
 * its hostile twin.
 */
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { RENDERERS } from '../../src/report/renderers/index.js';
import { terminalJson, terminalJsonChunks } from '../../src/util/terminal.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';

const joined = (value: unknown, depth: number): string => [...terminalJsonChunks(value, depth)].join('');

class Custom {
  toJSON(key: string) {
    return { customKey: key, list: [1, { deep: true }] };
  }
}

const VALUES: Record<string, unknown> = {
  null: null,
  number: 1.5e-7,
  string: 'line\nbreak "quoted" \u0085 C1 \u202e bidi \u2066 isolate \u007f del',
  empty: { a: [], b: {}, c: [{}], d: [[]] },
  skipped: { a: undefined, b: () => 1, c: Symbol('s'), d: 'kept' },
  arrayHoles: [undefined, () => 1, Symbol('s'), null, 0],
  dates: { when: new Date('2026-05-01T00:00:00.000Z'), list: [new Date(0)] },
  toJSON: { custom: new Custom(), inArray: [new Custom()] },
  nested: { a: { b: { c: { d: { e: [1, [2, [3, { f: 'g' }]]] } } } } },
  keys: { 'we"ird\nkey\u202e': 1, '': 2, __proto__x: 3 },
  getters: Object.defineProperty({ plain: 1 }, 'lazy', { enumerable: true, get: () => ({ built: [1, 2] }) }),
  // JSON.stringify calls toJSON once: what it returns is written as it is, even a Date or another toJSON.
  toJSONOnce: {
    again: { toJSON: () => ({ toJSON: () => 'called twice' }) },
    date: { toJSON: () => new Date(0) },
    list: [{ toJSON: () => ({ toJSON: () => 'called twice' }) }, { toJSON: () => new Date(0) }],
  },
  // toJSON receives the element's index in the whole array, past the first batch too.
  toJSONIndex: { list: Array.from({ length: 1203 }, () => ({ toJSON: (key: string) => ({ key }) })) },
  boxed: {
    s: new String('ab'),
    n: new Number(-0),
    b: new Boolean(false),
    list: [new String('x'), new Number(Number.NaN)],
  },
  numbers: { list: [-0, Number.NaN, Number.POSITIVE_INFINITY, -1e21, 5e-324], neg: -0 },
  // biome-ignore lint/suspicious/noSparseArray: the holes are the point
  sparse: { list: [1, , 3, , ,], nested: [[, 1]] },
  symbolKeys: { [Symbol('hidden')]: 1, shown: { [Symbol('x')]: [1] } },
  protoKey: JSON.parse('{"__proto__": {"polluted": [1, {"x": 2}]}, "after": {"__proto__": []}}'),
  loneSurrogates: { '\ud800key': ['\udc00', 'a\ud83d', '\ud83d\ude00'], '\udfff': { '\ud800': 1 } },
  emptyEverywhere: { a: { b: { c: {} } }, d: [[[]]], e: [{}, [], {}], f: {} },
  deep: Array.from({ length: 200 }).reduce<unknown>(
    (inner, _, i) => (i % 2 ? [inner] : { k: inner }),
    'bottom',
  ),
};

describe('terminalJsonChunks', () => {
  for (const [name, value] of Object.entries(VALUES)) {
    it(`joins to terminalJson at every depth: ${name}`, () => {
      for (const depth of [0, 1, 2, 3, 6]) expect(joined(value, depth)).toBe(terminalJson(value));
      // Split by path: every other level, so split containers sit inside unsplit ones and the reverse.
      expect([...terminalJsonChunks(value, (p) => p.length % 2 === 0)].join('')).toBe(terminalJson(value));
    });
  }

  it('throws what JSON.stringify throws, and the first error it would meet', () => {
    const thrown = (f: () => unknown): string => {
      try {
        f();
        return 'did not throw';
      } catch (error) {
        return `${(error as Error).constructor.name}: ${(error as Error).message}`;
      }
    };
    const failing: Record<string, unknown> = {
      bigint: { a: { b: [1, 2n] } },
      boxedBigint: { a: { b: Object(2n) } },
      // The getter inside `a` is met before the one of `b`; toJSON of element 1 after the getter of 0.
      getterOrder: {
        a: {
          get x() {
            throw new Error('first');
          },
        },
        get b() {
          throw new Error('second');
        },
      },
      toJSONOrder: [
        {
          get x() {
            throw new Error('first');
          },
        },
        {
          toJSON() {
            throw new Error('second');
          },
        },
      ],
    };
    for (const [name, value] of Object.entries(failing)) {
      const whole = thrown(() => terminalJson(value));
      expect(whole, name).not.toBe('did not throw');
      for (const depth of [0, 1, 2, 3, 6])
        expect(
          thrown(() => joined(value, depth)),
          `${name} at ${depth}`,
        ).toBe(whole);
    }
  });

  it('joins to terminalJson for generated values split by any path', () => {
    // A small seeded generator (mulberry32): the same values on every run, so a failure can be replayed.
    let seed = 17;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const texts = [
      '',
      'a',
      '"',
      '\\',
      '\n',
      '\u0085',
      '\u202e',
      '\u2069',
      '\u007f',
      '\ud800',
      '\ude00',
      '\u2028',
      'é',
    ];
    const leaves: Array<() => unknown> = [
      () => null,
      () => undefined,
      () => pick([0, -0, 1.5, Number.NaN, -Number.POSITIVE_INFINITY, 1e300]),
      () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(texts)).join(''),
      () => random() < 0.5,
      () => () => 1,
      () => new Date(Math.floor(random() * 4e12)),
      () => {
        const gives = random() < 0.7;
        return { toJSON: (key: string) => (gives ? { key, at: [key] } : undefined) };
      },
      () => new String(pick(texts)),
    ];
    const value = (depth: number): unknown => {
      if (depth === 0 || random() < 0.3) return pick(leaves)();
      const n = Math.floor(random() * 4);
      if (random() < 0.5) return Array.from({ length: n }, () => value(depth - 1));
      return Object.fromEntries(
        Array.from({ length: n }, () => [pick(texts) + pick(texts), value(depth - 1)]),
      );
    };
    for (let i = 0; i < 400; i++) {
      const v = value(6);
      const cut = Math.floor(random() * 1000);
      const whole = terminalJson({ v });
      for (const depth of [1, 2, 4, 7]) expect(joined({ v }, depth)).toBe(whole);
      expect([...terminalJsonChunks({ v }, (p) => (p.join('/').length * 31 + cut) % 3 !== 0)].join('')).toBe(
        whole,
      );
    }
  });

  it('writes the elements of a long array in batches, with the separators between batches', () => {
    const rows = Array.from({ length: 1234 }, (_, i) => ({ i, name: `row ${i}`, tags: i % 3 ? [] : ['x'] }));
    const value = { rows, tail: { rows: rows.slice(0, 501) } };
    const pieces = [...terminalJsonChunks(value, (p) => p.length <= 2)];
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join('')).toBe(terminalJson(value));
  });

  it('never splits a string, so the escapes of C1 controls and bidi characters are made in whole pieces', () => {
    const value = { rows: Array.from({ length: 5 }, (_, i) => ({ name: `r${i}\u202e\u0085` })) };
    const pieces = [...terminalJsonChunks(value, () => true)];
    expect(pieces.length).toBeGreaterThan(5);
    for (const p of pieces) expect(p).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('renderers in pieces', () => {
  const chunked = Object.values(RENDERERS).filter((r) => r.chunks);
  it('JSON, SARIF and CSV write files in pieces', () => {
    expect(chunked.map((r) => r.format).sort()).toEqual(['csv', 'json', 'sarif']);
  });
  for (const hostile of [false, true])
    for (const r of chunked) {
      it(`${r.format}: the pieces are the whole output, byte for byte (${hostile ? 'hostile' : 'plain'} estate)`, async () => {
        const snapshot = fixtureSnapshot({ hostile });
        const model = buildReportModel({
          snapshot,
          snapshotSha256: FIXED_SHA,
          audit: fixtureAudit(snapshot),
          generatedAt: FIXED_NOW,
        });
        // The CSV is cut every thousand lines: a roster of 2,500 rows (its rows repeated) crosses two cuts.
        const m =
          r.format === 'csv'
            ? {
                ...model,
                roster: Array.from({ length: 2500 }, (_, i) => model.roster[i % model.roster.length]!),
              }
            : model;
        const pieces = [...r.chunks!(m)];
        expect(pieces.length).toBeGreaterThan(r.format === 'csv' ? 2 : 1);
        expect(pieces.join('')).toBe(await r.render(m));
      });
    }
});
