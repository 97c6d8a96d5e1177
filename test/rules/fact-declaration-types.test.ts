/**
 * The fact declaration types: a derivation's computed facts must be exactly what its declaration
 * says. The `@ts-expect-error` lines are checked by `npm run lint` (tsc over test/): if one of them
 * stopped being an error, the lint fails.
 */
import { describe, expect, it } from 'vitest';
import { type Derived, f } from '../../src/rules/facts/spec.js';

const DECL = { count: f('number', 'a count'), label: f('string', 'a label', true) };
const ref = { type: 'user', id: 'u1', name: 'u1' } as const;

describe('fact declaration types', () => {
  it('accept exactly the declared facts with their declared types', () => {
    const exact: Derived<typeof DECL> = { ref, aliases: [], facts: { count: 1, label: null } };
    // @ts-expect-error a declared fact is missing
    const missing: Derived<typeof DECL> = { ref, aliases: [], facts: { count: 1 } };
    // @ts-expect-error a fact that is not declared
    const extra: Derived<typeof DECL> = { ref, aliases: [], facts: { count: 1, label: 'x', other: 2 } };
    // @ts-expect-error a number fact computed as a string
    const wrongType: Derived<typeof DECL> = { ref, aliases: [], facts: { count: '1', label: 'x' } };
    // @ts-expect-error null for a fact not declared nullable
    const wrongNull: Derived<typeof DECL> = { ref, aliases: [], facts: { count: null, label: 'x' } };
    expect([exact, missing, extra, wrongType, wrongNull].map((d) => Object.keys(d.facts).length)).toEqual([
      2, 1, 3, 2, 2,
    ]);
  });
});
