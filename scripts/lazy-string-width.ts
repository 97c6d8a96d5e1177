/**
 * The bundle's stand-in for string-width (scripts/build-cli.ts, point 3): printable ASCII and line
 * breaks are answered here (width = length, less the line breaks: control characters have no width),
 * any other text by string-width itself, loaded on first use. test/cli/string-width-stand-in.test.ts
 * holds its answers equal to string-width's over generated text.
 */
import type { Plugin } from 'esbuild';

/** The stand-in module; `real` is string-width itself, resolved as usual and bundled, loaded on first use. */
const LAZY_STRING_WIDTH = `
let real;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && /^[\\x20-\\x7E\\n]*$/.test(text)) return text.length - text.split('\\n').length + 1;
  real ??= require('string-width').default;
  return real(text, options);
}
`;

/** The esbuild plugin that gives every `string-width` import of the bundle the stand-in. */
export const lazyStringWidth: Plugin = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      args.namespace === 'lazy-string-width'
        ? undefined
        : { path: 'string-width', namespace: 'lazy-string-width' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, () => ({
      contents: LAZY_STRING_WIDTH,
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};
