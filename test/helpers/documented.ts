/**
 * The command lines the documentation gives, read the way a new user reads them: from the README's
 * ```sh blocks (`\` continuations joined, `# comments` dropped), the `run:` lines of its GitHub
 * workflow (```yaml) blocks with their step's `env`, and inline code that starts with
 * `atlas-access-review `; and the `--help` examples (`.example(...)`) of every command and subcommand
 * of the CLI's registry, with each command's options, read from the builders by a recording stand-in
 * for yargs.
 */

import { parse as parseYaml } from 'yaml';
import type { Argv, CommandModule } from 'yargs';
import { loadAllCommands } from '../../src/cli/commands/index.js';
import type { CliContext } from '../../src/cli/context.js';

/** One command line of a Markdown file. */
export interface DocumentedLine {
  /** `README.md:123`: where the line (its first physical line) is. */
  where: string;
  /** The `## ` heading it is under. */
  section: string;
  kind: 'sh' | 'workflow' | 'inline';
  /** The command as a shell sees it: continuations joined, comment removed, spaces collapsed. */
  text: string;
  /** For a workflow `run:` line: the `env` of its step (and of the job and workflow), as written. */
  env?: Record<string, string>;
}

/** Drops a `# comment` (a `#` at the start or after a space, outside quotes) and trailing space. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || line[i - 1] === ' ')) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** Shell lines of a script: comments dropped, `\` continuations joined, each with its first line's index. */
function shellLines(lines: readonly string[]): Array<{ index: number; text: string }> {
  const out: Array<{ index: number; text: string }> = [];
  let pending: { index: number; parts: string[] } | null = null;
  lines.forEach((raw, index) => {
    const line = stripComment(raw);
    const continued = line.endsWith('\\');
    const part = (continued ? line.slice(0, -1) : line).trim();
    if (!pending) {
      if (part === '') return;
      pending = { index, parts: [] };
    }
    if (part !== '') pending.parts.push(part);
    if (!continued) {
      out.push({ index: pending.index, text: pending.parts.join(' ') });
      pending = null;
    }
  });
  if (pending)
    throw new Error(
      `a \\ continuation at the end of a block (line ${(pending as { index: number }).index + 1})`,
    );
  return out;
}

/** Every `run:` of a workflow (or workflow excerpt), with the env that applies to it. */
function workflowRuns(
  doc: unknown,
  env: Record<string, string> = {},
): Array<{ run: string; env: Record<string, string> }> {
  if (Array.isArray(doc)) return doc.flatMap((d) => workflowRuns(d, env));
  if (doc === null || typeof doc !== 'object') return [];
  const node = doc as Record<string, unknown>;
  const here = { ...env, ...((node.env as Record<string, string> | undefined) ?? {}) };
  const runs = typeof node.run === 'string' ? [{ run: node.run, env: here }] : [];
  for (const [key, value] of Object.entries(node))
    if (key !== 'env' && key !== 'run') runs.push(...workflowRuns(value, here));
  return runs;
}

/** The command lines of a Markdown document, in order. */
export function documentedLines(markdown: string, file: string): DocumentedLine[] {
  const lines = markdown.split('\n');
  const out: DocumentedLine[] = [];
  let section = '(top)';
  let i = 0;
  let paragraph: { start: number; lines: string[] } | null = null;
  const flushParagraph = () => {
    if (!paragraph) return;
    const text = paragraph.lines.join(' ');
    for (const m of text.matchAll(/`(atlas-access-review [^`]+)`/g)) {
      // The physical line the span starts on.
      let offset = m.index;
      let line = paragraph.start;
      for (const l of paragraph.lines) {
        if (offset <= l.length) break;
        offset -= l.length + 1;
        line++;
      }
      out.push({ where: `${file}:${line + 1}`, section, kind: 'inline', text: m[1]!.replace(/\s+/g, ' ') });
    }
    paragraph = null;
  };
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = /^\s*```(\w*)\s*$/.exec(line);
    if (fence) {
      flushParagraph();
      const lang = fence[1];
      const start = i + 1;
      let end = start;
      while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
      const body = lines.slice(start, end);
      if (lang === 'sh') {
        for (const l of shellLines(body))
          out.push({
            where: `${file}:${start + l.index + 1}`,
            section,
            kind: 'sh',
            text: l.text.replace(/\s+/g, ' '),
          });
      } else if (lang === 'yaml') {
        for (const step of workflowRuns(parseYaml(body.join('\n')))) {
          for (const l of shellLines(step.run.split('\n'))) {
            const text = l.text.replace(/\s+/g, ' ');
            const first = text.split(' ').slice(0, 3).join(' ');
            const at = body.findIndex((b) => b.replace(/\s+/g, ' ').includes(first));
            out.push({
              where: `${file}:${start + Math.max(at, 0) + 1}`,
              section,
              kind: 'workflow',
              text,
              env: step.env,
            });
          }
        }
      }
      i = end + 1;
      continue;
    }
    if (line.startsWith('## ')) {
      flushParagraph();
      section = line.slice(3).trim();
    } else if (line.trim() === '') flushParagraph();
    else {
      paragraph ??= { start: i, lines: [] };
      paragraph.lines.push(line);
    }
    i++;
  }
  flushParagraph();
  return out;
}

/** A command or subcommand of the CLI, as its builder declares it. */
export interface CommandSpec {
  /** e.g. `['review', 'apply']`. */
  path: string[];
  /** Option name -> its choices (undefined when it takes any value or none). */
  options: Map<string, readonly unknown[] | undefined>;
  /** Alias -> option name. */
  aliases: Map<string, string>;
  examples: Array<{ command: string; description: string }>;
}

/** Options yargs itself and the top-level parser (src/cli/run-cli.ts) add to every command. */
export const GLOBAL_OPTIONS = ['help', 'version', 'insecure-tls-from-env'];

/** The registry's command modules (loaded lazily by the CLI; all of them here). */
const commandModules = await loadAllCommands();

/** Every command and subcommand of the registry, with options and examples, in registration order. */
export function commandSpecs(): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const visit = (module: CommandModule, parent: string[]) => {
    const name = String(Array.isArray(module.command) ? module.command[0] : module.command).split(' ')[0]!;
    const spec: CommandSpec = {
      path: [...parent, name],
      options: new Map(),
      aliases: new Map(),
      examples: [],
    };
    specs.push(spec);
    const children: CommandModule[] = [];
    const record = (
      optName: string,
      opts: { choices?: readonly unknown[]; alias?: string | string[] } = {},
    ) => {
      spec.options.set(optName, opts.choices);
      for (const alias of [opts.alias ?? []].flat()) spec.aliases.set(alias, optName);
    };
    const proxy: Argv = new Proxy({} as Argv, {
      get: (_target, prop) => {
        if (prop === 'option' || prop === 'positional')
          return (optName: string, opts?: { choices?: readonly unknown[]; alias?: string | string[] }) => {
            if (prop === 'option') record(optName, opts);
            return proxy;
          };
        if (prop === 'example')
          return (command: string, description: string) => {
            spec.examples.push({ command, description });
            return proxy;
          };
        if (prop === 'command')
          return (child: CommandModule) => {
            children.push(child);
            return proxy;
          };
        return () => proxy;
      },
    });
    if (typeof module.builder === 'function') (module.builder as (y: Argv) => unknown)(proxy);
    for (const child of children) visit(child, spec.path);
  };
  // The factories only keep the context for their handlers; the builders never read it.
  for (const factory of commandModules) visit(factory({} as CliContext), []);
  return specs;
}

/**
 * Problems of a usage line (`atlas-access-review audit snapshot.json [--format text|json|...]`): a
 * command that does not exist, an option the command does not take, or a list of values (`a|b|c`)
 * other than the option's choices.
 */
export function usageProblems(text: string, specs: readonly CommandSpec[]): string[] {
  const tokens = text.split(' ').filter((t) => !/^[A-Z_]+=/.test(t));
  if (tokens[0] !== 'atlas-access-review') return [`does not start with atlas-access-review: ${text}`];
  const words = tokens.slice(1);
  const spec = [...specs]
    .sort((a, b) => b.path.length - a.path.length)
    .find((s) => s.path.every((p, k) => words[k] === p));
  if (!spec) return [`no such command: ${words.slice(0, 2).join(' ')}`];
  const problems: string[] = [];
  const bare = (t: string) =>
    t
      .replace(/^[[(]+/, '')
      .replace(/[\])]+$/, '')
      .replace(/\.\.\.$/, '');
  const rest = words.slice(spec.path.length).map(bare);
  rest.forEach((token, k) => {
    let name: string | undefined;
    if (token.startsWith('--')) name = token.slice(2);
    else if (/^-[a-z]$/.test(token)) name = spec.aliases.get(token.slice(1)) ?? token;
    if (name === undefined) return;
    const option = spec.aliases.get(name) ?? name;
    if (!spec.options.has(option) && !GLOBAL_OPTIONS.includes(option)) {
      problems.push(`${spec.path.join(' ')} has no option --${name}`);
      return;
    }
    const next = rest[k + 1];
    if (next?.includes('|') && next !== '|') {
      const shown = next.split('|');
      const choices = spec.options.get(option)?.map(String);
      if (!choices)
        problems.push(`--${option} of ${spec.path.join(' ')} takes no fixed values, the text lists ${next}`);
      else if ([...shown].sort().join('|') !== [...choices].sort().join('|'))
        problems.push(
          `--${option} of ${spec.path.join(' ')} takes ${choices.join('|')}, the text lists ${next}`,
        );
    }
  });
  return problems;
}

/** A usage line without its optional `[...]` groups: what it says a user must type at least. */
export function requiredPart(text: string): string {
  let depth = 0;
  let out = '';
  for (const c of text) {
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (depth === 0) out += c;
  }
  return out.replace(/\s+/g, ' ').trim();
}
