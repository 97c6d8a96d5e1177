import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { type AtlasClient, defaultDeps } from '../../atlas/client.js';
import { collectSnapshot } from '../../collect/collect.js';
import type { EvidenceKeys } from '../../evidence/signature.js';
import { assertEvidenceWritable, signaturePath } from '../../evidence/store.js';
import type { Snapshot } from '../../snapshot/schema.js';
import { writeSnapshot } from '../../snapshot/store.js';
import {
  type AtlasArgs,
  atlasOptions,
  atlasSource,
  buildClient,
  includeSelection,
  orgSelection,
  sinceDays,
} from '../atlas-options.js';
import { assertNotInputs } from '../audit-options.js';
import { optionsArgv } from '../command-line.js';
import type { CliContext } from '../context.js';
import {
  evidenceSigner,
  keyFileInputs,
  loadEvidenceKeys,
  type SigningKeyArgs,
  signedLine,
  signingKeyOption,
} from '../evidence-keys.js';
import { progressReporter, retryReporter } from '../progress.js';
import { type CommandFactory, defineCommand } from './define.js';

interface CollectArgs extends AtlasArgs, SigningKeyArgs {
  output?: string;
  force: boolean;
  quiet: boolean;
}

/** Default snapshot name: unique per second, so a repeated run never collides with an earlier file. */
export function defaultSnapshotName(now: Date): string {
  return `atlas-snapshot-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.json`;
}

/**
 * Collects and writes the snapshot (validated, atomic), signed when `keys` has a signing key (the
 * snapshot and its `.sig` land together); prints the collection's notes (totalCount disagreements,
 * duplicates) on stderr. Shared by `collect` and `run`; `command` is the scrubbed argv the snapshot records.
 */
export async function collectToFile(
  args: AtlasArgs & { force: boolean; quiet: boolean },
  client: AtlasClient,
  orgs: string[] | 'all',
  file: string,
  ctx: CliContext,
  keys: EvidenceKeys,
  command: readonly string[],
): Promise<{ snapshot: Snapshot; sha256: string }> {
  const snapshot = await collectSnapshot({
    client,
    api: args.api,
    usersVersion: args['api-version'],
    orgs,
    keepPii: args['keep-pii'],
    include: includeSelection(args),
    accessHistoryDays: sinceDays(args),
    now: ctx.now,
    onProgress: progressReporter(ctx, args.quiet),
    command,
  });
  const sha256 = await writeSnapshot(file, snapshot, {
    force: args.force,
    signer: evidenceSigner(keys, ctx.now()),
  });
  for (const org of snapshot.organizations)
    for (const note of org.notes) ctx.stderr(`note: ${org.name}: ${note}\n`);
  return { snapshot, sha256 };
}

export const collectCommand: CommandFactory = (ctx: CliContext) =>
  defineCommand<CollectArgs>({
    command: 'collect',
    describe:
      'Snapshot users, teams, projects, API keys, service accounts and settings of Atlas organizations',
    builder: (yargs: Argv) =>
      signingKeyOption(atlasOptions(yargs))
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'Snapshot file (default atlas-snapshot-<UTC time>.json)',
        })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'Overwrite the output file if it exists',
        })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
        .example('$0 collect --org 5f1a2b3c4d5e6f7a8b9c0d1e -o snapshot.json', 'collect one organization')
        .example('$0 collect --all-orgs', 'every organization the credentials can see')
        .example(
          '$0 collect --all-orgs --include project-invitations',
          'with invitations made through the deprecated project-invite endpoint (needs Project Owner)',
        ),
    handler: async (args: CollectArgs) => {
      const source = atlasSource(args, ctx.env, ctx.stderr);
      const orgs = orgSelection(args, source.profileOrg);
      includeSelection(args);
      sinceDays(args);
      const client = buildClient(args, source.env, {
        ...defaultDeps,
        onRetry: retryReporter(ctx, args.quiet),
      });
      // A key that cannot be used fails now, not after minutes of requests.
      const keys = await loadEvidenceKeys(args, ctx);
      // Relative to the command's working directory, like every other path the commands take.
      const output = resolve(ctx.cwd, args.output ?? defaultSnapshotName(ctx.now()));
      // Refuse before collecting, not after minutes of requests; never over a key file (with --force).
      const shown = args.output ?? output;
      await assertNotInputs(
        [
          { path: output, option: `the snapshot ${shown}` },
          { path: signaturePath(output), option: `its signature ${shown}.sig` },
        ],
        keyFileInputs(args, ctx.env),
        ctx.cwd,
      );
      await assertEvidenceWritable(output, args.force);
      // Recorded in the snapshot: the options as parsed, scrubbed; never the environment.
      const command = optionsArgv(['collect'], args);
      const { snapshot, sha256 } = await collectToFile(args, client, orgs, output, ctx, keys, command);
      const users = snapshot.organizations.reduce((n, o) => n + o.users.length, 0);
      ctx.stdout(
        `wrote ${output} (sha256 ${sha256}): ${snapshot.organizations.length} organization(s), ${users} user(s), ${snapshot.stats.requests} requests, ${snapshot.stats.retries} retries\n`,
      );
      ctx.stdout(signedLine(output, keys));
    },
  });
