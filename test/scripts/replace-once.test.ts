import { describe, expect, it } from 'vitest';
import { replaceOnce } from '../../scripts/replace-once.js';

describe('replaceOnce (the bundle build)', () => {
  it("puts the replacement in as it is, $&, $', $` and $$ included", () => {
    // A rule text in the prevalidated table may hold any of these (src/util/prevalidated.ts).
    const to = 'const T = "costs $$5, see $& and $\' and $`";';
    expect(replaceOnce('f.ts', 'a\nconst T = undefined;\nb', 'const T = undefined;', to)).toBe(`a\n${to}\nb`);
  });

  it('stops when the text does not hold the string exactly once', () => {
    expect(() => replaceOnce('f.ts', 'x x', 'x', 'y')).toThrow(/f\.ts: expected one x/);
    expect(() => replaceOnce('f.ts', 'z', 'x', 'y')).toThrow(/f\.ts: expected one x/);
  });
});
