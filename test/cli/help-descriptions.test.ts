/**
 * Every `--help` explains every option and positional it lists: a bare `--force  [boolean]` or
 * `dir  [string] [required]` leaves a new user to guess. The commands are walked from the registry
 * (test/helpers/documented.ts), so a new command or option is covered without listing it here.
 */
import { describe, expect, it } from 'vitest';
import { runCliForTest } from '../helpers/cli.js';
import { commandSpecs } from '../helpers/documented.js';

/** Option and positional lines of a help text that carry nothing but their type, choices or default. */
function undescribed(help: string): string[] {
  return help
    .split('\n')
    .filter((line) => /^ {2}\S/.test(line) || /^ {6}--/.test(line))
    .filter((line) => /^\s*(?:-\w, )?(?:--)?[\w-]+(?:, --[\w-]+)?\s+\[/.test(line));
}

const leaves = commandSpecs().filter(
  (spec, _i, all) =>
    !all.some(
      (other) => other.path.length > spec.path.length && spec.path.every((p, j) => other.path[j] === p),
    ),
);

describe('--help', () => {
  it('finds a bare option line, and passes a described one', () => {
    expect(
      undescribed('Options:\n  --force  [boolean] [default: false]\n  --out  The zip  [string]\n'),
    ).toEqual(['  --force  [boolean] [default: false]']);
    expect(undescribed('Positionals:\n  dir  [string] [required]\n')).toEqual(['  dir  [string] [required]']);
  });

  it.each(leaves.map((spec) => [spec.path.join(' ')] as const))(
    '%s describes every option and positional',
    async (path) => {
      const run = await runCliForTest([...path.split(' '), '--help']);
      expect(run.code).toBe(0);
      expect(undescribed(run.stdout)).toEqual([]);
    },
  );

  it('simulate describes every preset it offers', async () => {
    const help = (await runCliForTest(['simulate', '--help'])).stdout.replace(/\s+/g, ' ');
    const described = /--preset Estate size: (.*?) \[choices/.exec(help)?.[1] ?? '';
    for (const preset of ['demo', 'max', 'max-db', 'ten', 'large'])
      expect(described).toContain(`${preset} (`);
  });

  it('doctor speaks of the organizations to check, not to collect', async () => {
    const help = (await runCliForTest(['doctor', '--help'])).stdout;
    expect(help).not.toMatch(/--org .*to collect/);
    expect(help).not.toMatch(/--all-orgs +Collect/);
  });

  it('rules list says what --framework does to the list, not to an audit', async () => {
    const help = (await runCliForTest(['rules', 'list', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).not.toContain('Hold the audit to a framework');
    expect(help).toMatch(/--framework List the rules per control/);
  });

  it('names every sheet of the workbook --xlsx writes, Roles included', async () => {
    const help = (await runCliForTest(['report', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(
      /--xlsx Write the review workbook \(Summary, Findings, \[Changes, Resolved findings,\] Review, Roles, Teams,/,
    );
  });
});
