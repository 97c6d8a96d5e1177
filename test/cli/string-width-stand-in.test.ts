/**
 * The bundle answers yargs's width questions for printable ASCII and line breaks itself and asks
 * string-width for any other text (scripts/lazy-string-width.ts). Its answers must be string-width's
 * for every string: generated text mixing what it answers (ASCII, "\n") with what it must not (CR LF,
 * tabs, escape sequences, CJK, emoji, combining marks, controls), with string-width's options.
 */
import { createRequire } from 'node:module';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { lazyStringWidth } from '../../scripts/lazy-string-width.js';

type Width = (
  text: string,
  options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean },
) => number;

/** string-width as yargs resolves it, bundled with or without the build's plugin (the stand-in). */
async function bundled(plugins: Plugin[]): Promise<Width> {
  const result = await build({
    stdin: { contents: "export { default } from 'string-width';", resolveDir: process.cwd() },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  const module = { exports: {} as { default: Width } };
  new Function('module', 'exports', 'require', result.outputFiles[0]!.text)(
    module,
    module.exports,
    createRequire(import.meta.url),
  );
  return module.exports.default;
}

let standIn: Width;
let stringWidth: Width;
beforeAll(async () => {
  standIn = await bundled([lazyStringWidth]);
  stringWidth = await bundled([]);
});

const PIECES = [
  'a',
  'Z',
  ' ',
  '~',
  '--help',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\u001b[31m',
  '\u001b[0m',
  '\u001b]8;;https://example.com\u0007',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u00e9',
  'e\u0301',
  '\u4e2d\u6587',
  '\uff21',
  '\ud83d\ude00',
  '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67',
  '1\ufe0f\u20e3',
  '\u200b',
  '\u00a0',
  '\ud800',
];

describe('the bundle stand-in for string-width', () => {
  it('answers as string-width does for generated text, ASCII-only text included', () => {
    // A seeded generator (mulberry32): the same strings on every run.
    let seed = 20;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let asciiOnly = 0;
    for (let i = 0; i < 20_000; i++) {
      // Half the strings from the pieces the stand-in answers itself, half from all of them.
      const pool = i % 2 === 0 ? PIECES.slice(0, 6) : PIECES;
      const text = Array.from(
        { length: Math.floor(random() * 10) },
        () => pool[Math.floor(random() * pool.length)],
      ).join('');
      if (/^[\x20-\x7e\n]*$/.test(text)) asciiOnly++;
      for (const options of [undefined, { countAnsiEscapeCodes: true }, { ambiguousIsNarrow: false }])
        expect(standIn(text, options), JSON.stringify({ text, options })).toBe(stringWidth(text, options));
    }
    expect(asciiOnly).toBeGreaterThan(9_000);
  });

  it('answers the help text yargs measures: every printable ASCII character, and line breaks', () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    for (const text of ['', printable, `${printable}\n${printable}\n`, '\n\n\n', 'Commands:\n  audit  Audit'])
      expect(standIn(text)).toBe(stringWidth(text));
  });
});
