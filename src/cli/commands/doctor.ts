import type { Argv } from 'yargs';
import {
  CLOCK_SKEW_WARNING_SECONDS,
  type DatasetCheck,
  type DoctorReport,
  runDoctor,
} from '../../collect/doctor.js';
import { ExitCode } from '../../errors.js';
import { terminalJson, terminalSafe } from '../../util/terminal.js';
import {
  type AtlasArgs,
  atlasOptions,
  atlasSource,
  buildClient,
  includeSelection,
  orgSelection,
  sinceDays,
} from '../atlas-options.js';
import type { CliContext } from '../context.js';
import { type CommandFactory, defineCommand } from './define.js';

interface DoctorArgs extends AtlasArgs {
  format: 'text' | 'json';
}

const MARK: Record<DatasetCheck['outcome'], string> = { ok: 'ok', refused: 'REFUSED', skipped: 'skipped' };

/** One dataset per line: outcome, what, least role, endpoint; a refusal adds what Atlas said and the fix. */
function checkLines(c: DatasetCheck, width: number): string[] {
  const lines = [
    `  ${MARK[c.outcome].padEnd(8)} ${c.label.padEnd(width)}  ${c.leastRole.padEnd(22)}  ${c.endpoint}`,
  ];
  const indent = ' '.repeat(11);
  if (c.outcome === 'refused') {
    const what = [c.status === null ? null : `HTTP ${c.status}`, c.errorCode].filter(Boolean).join(' ');
    const detail = c.detail === null ? '' : terminalSafe(c.detail);
    lines.push(`${indent}${what && detail ? `${what}: ${detail}` : what || detail || 'no HTTP response'}`);
    if (c.fix) lines.push(`${indent}fix: ${c.fix}`);
  } else if (c.outcome === 'skipped' && c.detail) lines.push(`${indent}${c.detail}`);
  return lines;
}

/** The report as text: what is in use, then per organization every dataset, then the verdict. */
function formatDoctorText(r: DoctorReport): string {
  const auth =
    r.auth.kind === 'service-account'
      ? `service account ${terminalSafe(r.auth.id)} (OAuth 2.0 client credentials)`
      : `API key ${terminalSafe(r.auth.id)} (HTTP Digest)`;
  const api =
    r.api === 'atlas-v2'
      ? `Atlas Admin API v2 (user listings at version ${r.usersVersion})`
      : 'Cloud Manager / Ops Manager API v1.0';
  let clock = 'no Date header seen';
  if (r.clockSkewSeconds !== null) {
    const s = r.clockSkewSeconds;
    const size = Math.abs(s);
    const where =
      s === 0 ? 'in step with the server' : `${size} s ${s > 0 ? 'behind' : 'ahead of'} the server`;
    clock =
      size > CLOCK_SKEW_WARNING_SECONDS
        ? `WARNING: this machine's clock is ${where} (Date header): set the clock (NTP); token expiry and report dates depend on it`
        : `this machine's clock is ${where} (Date header)`;
  }
  const everyCheck = [...r.global, ...r.organizations.flatMap((o) => o.checks)];
  const width = Math.max(...everyCheck.map((c) => c.label.length), 7);
  const lines = [`base URL  ${r.baseUrl}`, `API       ${api}`, `auth      ${auth}`, `clock     ${clock}`, ''];
  lines.push(`  ${'outcome'.padEnd(8)} ${'dataset'.padEnd(width)}  ${'least role'.padEnd(22)}  endpoint`);
  for (const c of r.global) lines.push(...checkLines(c, width));
  for (const org of r.organizations) {
    const name = org.name === null ? '(name unknown)' : terminalSafe(org.name);
    lines.push('', `Organization ${name} (${org.id})`);
    for (const c of org.checks) lines.push(...checkLines(c, width));
  }
  const refused = everyCheck.filter((c) => c.outcome === 'refused');
  lines.push('');
  if (r.ok) {
    lines.push(
      `Result: collect would succeed: every dataset of ${r.organizations.length} organization(s) is readable (${r.requests} requests).`,
    );
  } else {
    const grants = [
      ...new Set(
        refused.filter((c) => c.status === 403 && c.fix?.startsWith('grant')).map((c) => c.leastRole),
      ),
    ];
    lines.push(
      `Result: collect would FAIL: ${refused.length} dataset(s) refused.${grants.length > 0 ? ` Roles to grant: ${grants.join('; ')}.` : ''} Fix the above, then run doctor again.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const doctorCommand: CommandFactory = (ctx: CliContext) =>
  defineCommand<DoctorArgs>({
    command: 'doctor',
    describe:
      'Check, before collecting, that the credentials can read every dataset of each organization: the role to grant for each refusal, access-list refusals, clock skew',
    builder: (yargs: Argv) =>
      atlasOptions(yargs)
        .option('format', {
          choices: ['text', 'json'] as const,
          default: 'text' as const,
          describe: 'Output format',
        })
        .example('$0 doctor --org 5f1a2b3c4d5e6f7a8b9c0d1e', 'check one organization before collecting it')
        .example('$0 doctor --all-orgs --format json', 'every organization, as JSON')
        .example(
          '$0 doctor --all-orgs --include project-invitations',
          'also check the Project Owner role that project invitations need',
        ),
    handler: async (args: DoctorArgs) => {
      const source = atlasSource(args, ctx.env, ctx.stderr);
      const orgs = orgSelection(args, source.profileOrg);
      const include = includeSelection(args);
      sinceDays(args);
      const client = buildClient(args, source.env);
      const credentialId =
        (client.auth.kind === 'service-account'
          ? source.env.MONGODB_ATLAS_CLIENT_ID
          : source.env.MONGODB_ATLAS_PUBLIC_API_KEY) ?? '';
      const report = await runDoctor({
        client,
        api: args.api,
        usersVersion: args['api-version'],
        orgs,
        include,
        credentialId,
        now: () => ctx.now().getTime(),
      });
      ctx.stdout(args.format === 'json' ? `${terminalJson(report)}\n` : formatDoctorText(report));
      if (!report.ok) ctx.exitCode = ExitCode.api;
    },
  });
