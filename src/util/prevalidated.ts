/**
 * The files the tool ships (rules/*.json and rules/frameworks/*.json) as they were when the command was
 * built, each with what its schema made of it. A schema's result is a function of the text alone, so a
 * file whose text is byte for byte one of these is not parsed and validated again: in the bundled
 * command that was about 7 ms of CPU on every audit, with the rule schema's construction
 * (docs/architecture.md, "How the command starts"). Any
 * other text, an edited built-in file among them, is validated as usual. The checks that depend on
 * where a file is (a rule's id against its file name) still run on every read.
 *
 * Empty here: scripts/build-cli.ts fills the table of the bundle (dist/cli.cjs) from the schemas
 * themselves, and the unbundled command validates every file.
 */

/** What kind of file a text was validated as: a rule text is never taken for a catalogue. */
export type PrevalidatedKind = 'rule' | 'framework';

/** Kind → file text → the schema's output as JSON. Replaced by the build (scripts/build-cli.ts). */
const TABLE_JSON: string | undefined = undefined;

let table: Record<PrevalidatedKind, Map<string, string>> | undefined;

/**
 * The schema's output for `text` as a `kind` file, when the build validated that very text: a fresh
 * object each call (callers may change it). `undefined` otherwise.
 */
export function prevalidated(kind: PrevalidatedKind, text: string): unknown {
  if (TABLE_JSON === undefined) return undefined;
  if (table === undefined) {
    const entries = JSON.parse(TABLE_JSON) as Record<PrevalidatedKind, Array<[string, string]>>;
    table = { rule: new Map(entries.rule), framework: new Map(entries.framework) };
  }
  const json = table[kind].get(text);
  return json === undefined ? undefined : JSON.parse(json);
}
