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
};

describe('terminalJsonChunks', () => {
  for (const [name, value] of Object.entries(VALUES)) {
    it(`joins to terminalJson at every depth: ${name}`, () => {
      for (const depth of [0, 1, 2, 3, 6]) expect(joined(value, depth)).toBe(terminalJson(value));
      // Split by path: every other level, so split containers sit inside unsplit ones and the reverse.
      expect([...terminalJsonChunks(value, (p) => p.length % 2 === 0)].join('')).toBe(terminalJson(value));
    });
  }

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
