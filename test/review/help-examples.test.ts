/**
 * The `--help` examples of `review import` and `review apply` run as written, in order, in a folder
 * holding the files they name (q3.json collected from the simulator, q3-filled.xlsx), with the apply
 * credentials in the environment: import writes evidence/q3, the dry run lists, `--yes` applies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Argv, CommandModule } from 'yargs';
import { reviewCommand } from '../../src/cli/commands/review.js';
import type { CliContext } from '../../src/cli/context.js';
import type { ApplyLog } from '../../src/review/apply.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { fillWorkbook, MALLORY, ORG, q3Org, type RowFill } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { expectPlanMatchesSpec } from '../helpers/plan-spec.js';

/** Examples per subcommand, read from the command modules' builders (yargs is not needed for that). */
function reviewExamples(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const recorder = (name: string, modules: CommandModule[]): Argv => {
    const proxy: Argv = new Proxy({} as Argv, {
      get: (_t, prop) => {
        if (prop === 'example')
          return (cmd: string) => {
            out.set(name, [...(out.get(name) ?? []), cmd]);
            return proxy;
          };
        if (prop === 'command')
          return (m: CommandModule) => {
            modules.push(m);
            return proxy;
          };
        return () => proxy;
      },
    });
    return proxy;
  };
  const ctx = {} as CliContext;
  const subcommands: CommandModule[] = [];
  const review = reviewCommand(ctx) as CommandModule;
  (review.builder as (y: Argv) => Argv)(recorder('review', subcommands));
  for (const m of subcommands) {
    const name = String(m.command).split(' ')[0]!;
    (m.builder as (y: Argv) => Argv)(recorder(name, []));
  }
  return out;
}

/** `$0 review apply a b` -> argv, as a shell would split these (no quotes in our examples). */
function argvOf(example: string): string[] {
  expect(example).not.toMatch(/["'\\`]/);
  return example.replace(/^\$0\s+/, '').split(/\s+/);
}

describe('review --help examples run as written', () => {
  const WRITER = { clientId: 'mdb_sa_id_bbbbbbbbbbbbbbbbbbbbbbbb', clientSecret: 'mdb_sa_sk_writer-owner' };
  const READER = { clientId: 'mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa', clientSecret: 'mdb_sa_sk_reader-only' };
  let sim: Simulator;
  let dir: string;
  let env: Record<string, string>;
  const at = (d: number) => new Date(Date.UTC(2026, 10, d, 9));

  beforeAll(async () => {
    sim = await startSimulator({
      organizations: [q3Org()],
      credentials: {
        serviceAccounts: [
          { ...READER, access: { orgRole: 'ORG_READ_ONLY' } },
          { ...WRITER, access: { orgRole: 'ORG_OWNER' } },
        ],
      },
    });
    dir = tempDir('aar-examples-');
    env = {
      MONGODB_ATLAS_BASE_URL: sim.baseUrl,
      MONGODB_ATLAS_CLIENT_ID: READER.clientId,
      MONGODB_ATLAS_CLIENT_SECRET: READER.clientSecret,
      ATLAS_REVIEW_APPLY_CLIENT_ID: WRITER.clientId,
      ATLAS_REVIEW_APPLY_CLIENT_SECRET: WRITER.clientSecret,
    };
    const collected = await runCliForTest(['collect', '--org', ORG, '-o', join(dir, 'q3.json'), '--quiet'], {
      env,
      cwd: dir,
      now: at(1),
    });
    expect(collected.code).toBe(0);
    const report = await runCliForTest(
      ['report', join(dir, 'q3.json'), '--xlsx', join(dir, 'review.xlsx'), '--fail-on', 'never'],
      { now: at(2) },
    );
    expect(report.code).toBe(0);
    await fillWorkbook(
      join(dir, 'review.xlsx'),
      join(dir, 'q3-filled.xlsx'),
      (k): RowFill => ({
        decision: k === `${ORG}:user:${MALLORY}` ? 'Revoke' : 'Keep',
        reviewer: 'lead@example.com',
        reviewedOn: new Date(Date.UTC(2026, 10, 20)),
      }),
    );
  });
  afterAll(async () => {
    await sim.close();
  });

  it('import, then apply without and with --yes', async () => {
    const examples = reviewExamples();
    const runs = [...(examples.get('import') ?? []), ...(examples.get('apply') ?? [])];
    expect(examples.get('apply')).toHaveLength(2);
    for (const example of runs) {
      const r = await runCliForTest(argvOf(example), { env, cwd: dir, now: at(25) });
      expect(r.stderr, example).not.toMatch(/^error:/m);
      expect(r.code, `${example}\n${r.stderr}`).toBe(0);
    }
    expectPlanMatchesSpec(
      JSON.parse(readFileSync(join(dir, 'evidence', 'q3', 'revocation-plan.json'), 'utf8')),
    );
    const log: ApplyLog = JSON.parse(readFileSync(join(dir, 'evidence', 'q3', 'apply-log.json'), 'utf8'));
    expect(log.summary).toMatchObject({ calls: 1, done: 1 });
    expect(existsSync(join(dir, 'evidence', 'q3', 'signoff.json'))).toBe(true);
  });
});
