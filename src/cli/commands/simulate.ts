import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { nextQuarter } from '../../sim/evolve.js';
import { generateEstate, PRESETS, type PresetName } from '../../sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../sim/server.js';
import type { CliContext } from '../context.js';
import { type CommandFactory, defineCommand } from './define.js';

/** Arguments of `simulate`. */
export interface SimulateArgs {
  port: number;
  preset: PresetName;
  seed: number;
  orgs?: number;
  'latency-ms': number;
  'rate-limits': 'atlas' | 'off';
  /** Which review quarter of the estate to serve: 1 as generated, each later one a leaver, a joiner and an escalation on. */
  quarter?: number;
}

const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * Runs the simulator until the promise from `stop` resolves, printing how to point the CLI at it. Split from the
 * command so tests can stop it without sending signals to the test runner's process.
 */
export async function runSimulator(
  args: SimulateArgs,
  ctx: CliContext,
  stop: () => Promise<void>,
): Promise<Simulator> {
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65_535) {
    throw new UsageError(`--port must be an integer between 0 and 65535, got ${args.port}`);
  }
  if (args.orgs !== undefined && (!Number.isInteger(args.orgs) || args.orgs < 1 || args.orgs > 1000)) {
    throw new UsageError(`--orgs must be an integer between 1 and 1000, got ${args.orgs}`);
  }
  if (!Number.isInteger(args.seed)) throw new UsageError(`--seed must be an integer, got ${args.seed}`);
  if (!Number.isFinite(args['latency-ms']) || args['latency-ms'] < 0) {
    throw new UsageError(`--latency-ms must be a non-negative number, got ${args['latency-ms']}`);
  }
  const quarter = args.quarter ?? 1;
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 8)
    throw new UsageError(`--quarter must be an integer between 1 and 8, got ${quarter}`);
  const size = { ...PRESETS[args.preset], ...(args.orgs === undefined ? {} : { orgs: args.orgs }) };
  const generated = generateEstate({ seed: args.seed, now: ctx.now(), ...size });
  // The same estate some reviews later: each quarter a leaver, a joiner and an escalation in the first org.
  let organizations = generated.organizations;
  const changes: string[] = [];
  for (let q = 2; q <= quarter; q++) {
    const next = nextQuarter(organizations, ctx.now());
    organizations = next.organizations;
    changes.push(...next.changes.map((c) => `quarter ${q}: ${c}`));
  }
  const estate = { ...generated, organizations };
  let sim: Simulator;
  try {
    sim = await startSimulator({
      organizations: estate.organizations,
      port: args.port,
      latencyMs: args['latency-ms'],
      rateLimits: args['rate-limits'],
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new UsageError(
        code === 'EADDRINUSE'
          ? `port ${args.port} on 127.0.0.1 is already in use`
          : `not allowed to listen on port ${args.port} on 127.0.0.1`,
        { hint: 'choose another --port, or --port 0 for any free port' },
      );
    }
    throw error;
  }
  const users = estate.organizations.reduce((n, o) => n + o.users.length, 0);
  const [sa, writer] = DEFAULT_CREDENTIALS.serviceAccounts;
  const key = DEFAULT_CREDENTIALS.apiKeys[0];
  const lines = [
    `Atlas simulator listening on ${sim.baseUrl}`,
    `preset ${args.preset}, seed ${args.seed}: ${estate.organizations.length} organization(s), ${users} user(s), ${estate.planted.length} planted violation(s)${quarter > 1 ? ` (as generated; this is quarter ${quarter})` : ''}`,
    ...changes,
    '',
    'Organizations:',
    ...estate.organizations.map((o) => `  ${o.id}  ${o.name}`),
    '',
    '# These credentials are fake and work only against this simulator.',
    '# Service account (OAuth 2.0 client credentials):',
    `export MONGODB_ATLAS_BASE_URL=${sim.baseUrl}`,
    `export MONGODB_ATLAS_CLIENT_ID=${sa.clientId}`,
    `export MONGODB_ATLAS_CLIENT_SECRET=${sa.clientSecret}`,
    '# or an API key (HTTP Digest; also for --api cloud-manager):',
    `export MONGODB_ATLAS_PUBLIC_API_KEY=${key.publicKey}`,
    `export MONGODB_ATLAS_PRIVATE_API_KEY=${key.privateKey}`,
    "# review apply --yes writes with an identity of its own, never the collector's:",
    `export ATLAS_REVIEW_APPLY_CLIENT_ID=${writer.clientId}`,
    `export ATLAS_REVIEW_APPLY_CLIENT_SECRET=${writer.clientSecret}`,
    '',
    'Then: atlas-access-review collect --all-orgs',
    'Stop with Ctrl+C.',
  ];
  ctx.stdout(`${lines.join('\n')}\n`);
  // Listen for the stop only once the server runs, so a usage error leaves no signal handler behind.
  await stop();
  const stats = sim.stats();
  await sim.close();
  ctx.stderr(`simulator stopped after ${stats.requests} request(s)\n`);
  return sim;
}

/** A promise that resolves on the first SIGINT or SIGTERM (listeners removed afterwards). */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export const simulateCommand: CommandFactory = (ctx: CliContext) =>
  defineCommand<SimulateArgs>({
    command: 'simulate',
    describe: 'Run a local Atlas Admin API simulator with a seeded estate (for demos and trials)',
    builder: (yargs: Argv) =>
      yargs
        .option('port', { type: 'number', default: 0, describe: 'Port on 127.0.0.1 (0 = any free port)' })
        .option('preset', {
          choices: PRESET_NAMES,
          default: 'demo' as PresetName,
          describe:
            'Estate size: demo (3 orgs), max (one org at Atlas limits), max-db (max with database access: 250 projects x 100 database users x 3 clusters), ten (10 orgs), large (100 x 500 users)',
        })
        .option('seed', { type: 'number', default: 1, describe: 'Seed of the generated estate' })
        .option('orgs', { type: 'number', describe: 'Number of organizations (overrides the preset)' })
        .option('latency-ms', { type: 'number', default: 0, describe: 'Latency added to every response' })
        .option('rate-limits', {
          choices: ['atlas', 'off'] as const,
          default: 'atlas' as const,
          describe: "Atlas's token-bucket rate limits, or none",
        })
        .option('quarter', {
          type: 'number',
          default: 1,
          describe:
            'Serve the estate this many reviews on (2: a leaver, a joiner and a new ORG_OWNER since quarter 1), to try --previous, diff and review verify',
        })
        .example('$0 simulate --port 8080', 'serve the demo estate on http://127.0.0.1:8080')
        .example('$0 simulate --port 8080 --quarter 2', 'the same estate one review later'),
    handler: async (args: SimulateArgs) => {
      await runSimulator(args, ctx, untilSignal);
    },
  });
