/**
 * Replaces `from` by `to` in `text`, which must hold `from` once: a release of a dependency that moved
 * it stops the build. `to` is taken as it is: a string replacement would read `$&`, `$'`, `` $` `` and
 * `$$` in it as patterns, and the table of shipped rule texts (src/util/prevalidated.ts) is text that
 * anyone writing a rule could fill with them.
 */
export function replaceOnce(file: string, text: string, from: string, to: string): string {
  if (text.split(from).length !== 2)
    throw new Error(`${file}: expected one ${from}; update scripts/build-cli.ts`);
  return text.replace(from, () => to);
}
