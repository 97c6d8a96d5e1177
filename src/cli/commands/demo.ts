import { join, relative, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { Argv } from 'yargs';
import { DEFAULT_CLIENT_OPTIONS } from '../../atlas/client.js';
import type { Waiver } from '../../audit/types.js';
import { ExitCode } from '../../errors.js';
import { assertEvidenceWritable } from '../../evidence/store.js';
import { nextQuarter } from '../../sim/evolve.js';
import { type Estate, generateEstate, PRESETS, type PresetName } from '../../sim/generate.js';
import { DEFAULT_CREDENTIALS, startSimulator } from '../../sim/server.js';
import { assertWritable, writeFileAtomic } from '../../util/files.js';
import type { CliContext } from '../context.js';
import { type CommandFactory, defineCommand } from './define.js';
import { planOutputs } from './report.js';
import { defaultRunDir, type RunArgs, runPipeline } from './run.js';

interface DemoArgs {
  'out-dir'?: string | undefined;
  preset: PresetName;
  seed: number;
  force: boolean;
}

/**
 * An example policy for the generated company: its own email domains are allowed, the gate fails on
 * high and critical findings. Shows users what a policy file looks like.
 */
function demoPolicy(estate: Estate): object {
  return {
    failOn: 'high',
    allowedEmailDomains: estate.companyEmailDomains,
    rules: { 'stale-last-auth': { params: { maxDays: 90 } } },
  };
}

/**
 * Example waivers: one approved exception for a planted finding, one that expires within two weeks
 * (the report warns about it), so the demo shows waived findings the way an auditor sees them.
 */
function demoWaivers(estate: Estate, now: Date): { waivers: Waiver[] } {
  const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const waivers: Waiver[] = [];
  const keyWithoutList = estate.planted.find((p) => p.kind === 'api-key-no-access-list');
  if (keyWithoutList) {
    const key = estate.organizations.flatMap((o) => o.apiKeys).find((k) => k.id === keyWithoutList.subjectId);
    waivers.push({
      ruleId: 'api-key-no-access-list',
      // Keys are waived by id (a name can be given to a new key); the subject is the label readers see.
      subject: key?.description ?? key?.publicKey ?? keyWithoutList.subjectId,
      subjectId: keyWithoutList.subjectId,
      orgId: null,
      approvedOn: day(0),
      reason: 'CI runners use changing egress IPs; migration to a service account is planned',
      approver: 'ciso@northwind-traders.com',
      ticket: 'SEC-1042',
      expiresOn: day(90),
    });
  }
  const outsider = estate.planted.find((p) => p.kind === 'outside-email-domain');
  if (outsider) {
    const user = estate.organizations.flatMap((o) => o.users).find((u) => u.id === outsider.subjectId);
    waivers.push({
      ruleId: 'outside-email-domain',
      subject: user?.username ?? outsider.subjectId,
      subjectId: null,
      orgId: null,
      approvedOn: day(0),
      reason: 'external auditor with a time-boxed engagement',
      approver: 'head-of-security@northwind-traders.com',
      ticket: 'SEC-1077',
      expiresOn: day(10),
    });
  }
  return { waivers };
}

/** The `run` options both demo quarters share: every org of the simulator, the example policy and waivers. */
function demoRunArgs(policyFile: string, waiversFile: string, force: boolean): Omit<RunArgs, 'base-url'> {
  return {
    'all-orgs': true,
    api: 'atlas-v2',
    'api-version': '2025-02-19',
    // The demo collects as a user's run does: the client's defaults (adaptive concurrency up to the cap).
    concurrency: DEFAULT_CLIENT_OPTIONS.concurrency,
    'timeout-ms': DEFAULT_CLIENT_OPTIONS.timeoutMs,
    'max-retries': DEFAULT_CLIENT_OPTIONS.maxRetries,
    'keep-pii': false,
    // The simulator's account may read everything; a real one needs Project Owner for this dataset.
    include: ['project-invitations'],
    policy: policyFile,
    waivers: waiversFile,
    force,
    quiet: true,
  };
}

/** The verdict, where the reports are, and what the CI gate would have said. */
function printOutcome(
  ctx: CliContext,
  outcome: Awaited<ReturnType<typeof runPipeline>>,
  outDir: string,
): void {
  const show = (p: string) => relative(ctx.cwd, p) || '.';
  const { audit, model } = outcome;
  ctx.stdout(`\n${model.verdict.headline}\n`);
  ctx.stdout(
    `\nOpen ${show(outcome.outputs.find((o) => o.format === 'html')?.path ?? outDir)} in a browser, and ${show(outcome.outputs.find((o) => o.format === 'xlsx')?.path ?? outDir)} in a spreadsheet.\n`,
  );
  ctx.stdout(
    audit.gate.failed
      ? `As a CI gate (fail-on ${audit.gate.failOn}) this run would exit 1: ${audit.gate.failing} unwaived finding(s).\n`
      : `As a CI gate (fail-on ${audit.gate.failOn}) this run would pass.\n`,
  );
}

export const demoCommand: CommandFactory = (ctx: CliContext) =>
  defineCommand<DemoArgs>({
    command: 'demo',
    describe: 'Run the whole pipeline against the bundled Atlas simulator (no Atlas account needed)',
    builder: (y: Argv) =>
      y
        .option('out-dir', {
          type: 'string',
          requiresArg: true,
          describe: 'Folder for the demo files (default demo-output/atlas-review-<UTC time>)',
        })
        .option('preset', {
          choices: Object.keys(PRESETS) as PresetName[],
          default: 'demo' as PresetName,
          describe: 'Size of the generated estate',
        })
        .option('seed', { type: 'number', default: 42, describe: 'Seed of the generated estate' })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite files in --out-dir' })
        .example('$0 demo --out-dir trial', 'the whole pipeline, two quarters, reports in trial/'),
    handler: async (args: DemoArgs) => {
      const now = ctx.now();
      const outDir = resolve(ctx.cwd, args['out-dir'] ?? join('demo-output', defaultRunDir(now)));
      const estate = generateEstate({ seed: args.seed, now, ...PRESETS[args.preset] });
      const policyFile = join(outDir, 'policy.yaml');
      const waiversFile = join(outDir, 'waivers.yaml');
      // Last quarter's review: only its snapshot is kept, as the evidence to compare with.
      const previousFile = join(outDir, 'previous-quarter', 'snapshot.json');
      // Every file of both quarters, checked before the first is written: a folder holding only this
      // quarter's report (no --force) used to be refused after the policy, the waivers and last
      // quarter's snapshot had been written into it.
      for (const path of [policyFile, waiversFile]) await assertWritable(path, args.force);
      for (const path of [previousFile, join(outDir, 'snapshot.json')])
        await assertEvidenceWritable(path, args.force);
      for (const o of planOutputs({ 'out-dir': outDir }, ctx.cwd)) await assertWritable(o.path, args.force);
      await writeFileAtomic(policyFile, toYaml(demoPolicy(estate)), { force: args.force });
      await writeFileAtomic(waiversFile, toYaml(demoWaivers(estate, now)), { force: args.force });
      ctx.stdout(`wrote ${policyFile} (example policy)\nwrote ${waiversFile} (example waivers)\n`);

      const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;
      // The simulator's fake service account, passed the way real credentials are: through the environment.
      const env = {
        ...ctx.env,
        MONGODB_ATLAS_CLIENT_ID: sa.clientId,
        MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret,
      };
      const common = demoRunArgs(policyFile, waiversFile, args.force);
      /** Serves `organizations` on 127.0.0.1 for the length of one `run`. */
      const runAgainst = async (
        organizations: typeof estate.organizations,
        runArgs: Omit<RunArgs, keyof typeof common | 'base-url'>,
      ) => {
        const sim = await startSimulator({ organizations });
        try {
          return await runPipeline({ ...common, ...runArgs, 'base-url': sim.baseUrl }, { ...ctx, env });
        } finally {
          await sim.close();
        }
      };

      ctx.stdout(
        `Atlas simulator: ${estate.organizations.length} organizations, ${estate.organizations.reduce((n, o) => n + o.users.length, 0)} users (seed ${args.seed})\n`,
      );
      await runAgainst(estate.organizations, { snapshot: previousFile });
      // This quarter: someone left, someone joined, someone became an owner.
      const next = nextQuarter(estate.organizations, now);
      for (const change of next.changes) ctx.stdout(`since then: ${change}\n`);
      // Relative, so the report names the file as a reader of the demo folder sees it.
      const outcome = await runAgainst(next.organizations, {
        'out-dir': outDir,
        previous: relative(ctx.cwd, previousFile),
      });
      printOutcome(ctx, outcome, outDir);
      // The demo succeeded whatever it found: the gate's exit code is for `run` and `audit`.
      ctx.exitCode = ExitCode.ok;
    },
  });
