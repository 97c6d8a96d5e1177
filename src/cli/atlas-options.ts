/**
 * Options and environment shared by every command that talks to Atlas (collect, run, demo): credentials
 * from the Atlas CLI's variable names, base URL, concurrency, timeouts, retries, org selection.
 */
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { DigestAuth } from '../atlas/auth/digest.js';
import { ServiceAccountAuth } from '../atlas/auth/service-account.js';
import type { AuthStrategy } from '../atlas/auth/types.js';
import { AtlasClient, type ClientDeps, DEFAULT_CLIENT_OPTIONS, defaultDeps } from '../atlas/client.js';
import { DEFAULT_ACCESS_HISTORY_DAYS } from '../collect/collect.js';
import { registerSecret, UsageError } from '../errors.js';
import { OPTIONAL_DATASETS, type OptionalDataset } from '../snapshot/optional-datasets.js';
import type { ApiKind, UsersApiVersion } from '../snapshot/schema.js';
import { terminalSafe } from '../util/terminal.js';
import { TOOL } from '../version.js';
import { atlasCliConfigDir, loadAtlasCliProfile } from './atlas-cli-profile.js';

const DEFAULT_BASE_URL = 'https://cloud.mongodb.com';

export interface AtlasArgs {
  org?: string[];
  'all-orgs'?: boolean;
  api: ApiKind;
  'api-version': UsersApiVersion;
  'base-url'?: string;
  auth?: 'service-account' | 'api-key';
  concurrency: number;
  'timeout-ms': number;
  'deadline-minutes'?: number;
  'max-retries': number;
  'keep-pii': boolean;
  include?: OptionalDataset[];
  since?: number;
  profile?: string;
}

/** Timeout and retries of each HTTP request: shared by the commands that read Atlas and `review apply`. */
export function requestOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('timeout-ms', {
      type: 'number',
      default: DEFAULT_CLIENT_OPTIONS.timeoutMs,
      describe: 'Timeout of each HTTP request attempt',
      group: 'Atlas:',
    })
    .option('max-retries', {
      type: 'number',
      default: DEFAULT_CLIENT_OPTIONS.maxRetries,
      describe: 'Retries per request on 429 (after Retry-After), 5xx, timeouts and connection resets',
      group: 'Atlas:',
    });
}

export function atlasOptions<T>(yargs: Argv<T>) {
  return requestOptions(yargs)
    .option('profile', {
      type: 'string',
      describe:
        'Atlas CLI profile to read credentials, org id and base URL from (its config.toml) when no credential variables are set [env MONGODB_ATLAS_PROFILE]',
      group: 'Atlas:',
    })
    .option('org', {
      type: 'string',
      array: true,
      describe: 'Organization id (24 hex); repeat for several',
      group: 'Atlas:',
    })
    .option('all-orgs', {
      type: 'boolean',
      describe: 'Every organization the credentials can see',
      group: 'Atlas:',
    })
    .option('api', {
      choices: ['atlas-v2', 'cloud-manager'] as const,
      default: 'atlas-v2' as const,
      describe:
        'Atlas Admin API v2, or the legacy Cloud Manager / Ops Manager API v1.0 (users without sign-in dates and projects only; API key auth)',
      group: 'Atlas:',
    })
    .option('api-version', {
      choices: ['2025-02-19', '2023-01-01'] as const,
      default: '2025-02-19' as const,
      describe:
        'Response version of the user listings (2025-02-19 includes invitations; 2023-01-01 active users only)',
      group: 'Atlas:',
    })
    .option('base-url', {
      type: 'string',
      describe: `Atlas base URL [env MONGODB_ATLAS_BASE_URL] (default ${DEFAULT_BASE_URL})`,
      group: 'Atlas:',
    })
    .option('auth', {
      choices: ['service-account', 'api-key'] as const,
      describe: 'Which credentials to use when both kinds are set (default: service account)',
      group: 'Atlas:',
    })
    .option('concurrency', {
      type: 'number',
      default: DEFAULT_CLIENT_OPTIONS.concurrency,
      describe:
        'Cap on requests in flight at once; below it each rate-limit bucket adapts to Atlas rate-limit headers',
      group: 'Atlas:',
    })
    .option('deadline-minutes', {
      type: 'number',
      default: 120,
      describe: 'Give up (exit 3, nothing written) when the whole collection takes longer than this',
      group: 'Atlas:',
    })
    .option('keep-pii', {
      type: 'boolean',
      default: false,
      describe: "Keep users' mobile numbers in the snapshot (dropped by default)",
      group: 'Atlas:',
    })
    .option('include', {
      choices: OPTIONAL_DATASETS,
      array: true,
      describe:
        'Also read an optional dataset: project-invitations (invitations made through the deprecated project-invite endpoint; needs Project Owner in every project); access-history (database access history of every dedicated cluster; needs Project Cluster Log Viewer in every project)',
      group: 'Atlas:',
    })
    .option('since', {
      type: 'number',
      describe: `Days of database access history to read, up to the collection time (with --include access-history; default ${DEFAULT_ACCESS_HISTORY_DAYS})`,
      group: 'Atlas:',
    });
}

/** Longest `--since`: ten years, far beyond what Atlas keeps; a larger value is a typo. */
const MAX_SINCE_DAYS = 3650;

/** Validates `--since` before any request is made (exit 2): a whole number of days, with access history only. */
export function sinceDays(args: Pick<AtlasArgs, 'since' | 'include'>): number {
  if (args.since === undefined) return DEFAULT_ACCESS_HISTORY_DAYS;
  if (!(args.include ?? []).includes('access-history'))
    throw new UsageError('--since sets the window of access history: give it with --include access-history');
  if (!Number.isInteger(args.since) || args.since < 1 || args.since > MAX_SINCE_DAYS)
    throw new UsageError(`--since must be a whole number of days from 1 to ${MAX_SINCE_DAYS}`);
  return args.since;
}

/** Validates `--include` before any request is made (exit 2 on bad input). */
export function includeSelection(args: Pick<AtlasArgs, 'include' | 'api'>): OptionalDataset[] {
  const include = [...new Set(args.include ?? [])];
  if (include.length > 0 && args.api === 'cloud-manager')
    throw new UsageError(`--include ${include.join(' ')} is available with --api atlas-v2 only`);
  return include;
}

/**
 * Validates the org selection before any request is made (exit 2 on bad input). `profileOrg` is the
 * `org_id` of the Atlas CLI profile in use: the selection when neither --org nor --all-orgs is given.
 */
export function orgSelection(
  args: Pick<AtlasArgs, 'org' | 'all-orgs'>,
  profileOrg?: string,
): string[] | 'all' {
  const orgs = [...(args.org ?? [])];
  if (args['all-orgs'] && orgs.length > 0) throw new UsageError('give either --org or --all-orgs, not both');
  if (args['all-orgs']) return 'all';
  if (orgs.length === 0 && profileOrg !== undefined) orgs.push(profileOrg);
  if (orgs.length === 0) throw new UsageError('name at least one --org <id>, or pass --all-orgs');
  for (const id of orgs) {
    if (!/^[a-f0-9]{24}$/.test(id)) {
      throw new UsageError(`invalid organization id ${JSON.stringify(id)}: expected 24 lowercase hex digits`);
    }
  }
  return [...new Set(orgs)];
}

/** Resolves the base URL; plain http is allowed only to a loopback address (the simulator). */
export function resolveBaseUrl(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): URL {
  const raw = flag ?? env.MONGODB_ATLAS_BASE_URL ?? DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid base URL ${JSON.stringify(raw)}`);
  }
  // Loopback only: an IPv4 literal in 127.0.0.0/8, `localhost` or [::1]. A DNS name that merely starts
  // with "127." is a remote host.
  const loopback =
    url.hostname === 'localhost' ||
    url.hostname === '[::1]' ||
    (isIPv4(url.hostname) && url.hostname.startsWith('127.'));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`refusing to send Atlas credentials to ${url.origin}: use https`);
  }
  return new URL(url.origin);
}

/** Where a command's Atlas credentials come from: the environment, possibly completed from a profile. */
export interface AtlasSource {
  /** The environment with the profile's values under the Atlas CLI's variable names. */
  env: Readonly<Record<string, string | undefined>>;
  /** The profile's `org_id`, the org selection when no --org / --all-orgs is given. */
  profileOrg?: string;
}

/**
 * Applies `--profile` / `MONGODB_ATLAS_PROFILE`. Credential variables in the environment win: then the
 * profile is not read at all. Otherwise the profile's credentials, org id and base URL (an explicit
 * --base-url or MONGODB_ATLAS_BASE_URL still wins) are used. Says on stderr which source it used,
 * never a secret.
 */
export function atlasSource(
  args: Pick<AtlasArgs, 'profile'>,
  env: Readonly<Record<string, string | undefined>>,
  stderr: (text: string) => void,
  platform: NodeJS.Platform = process.platform,
): AtlasSource {
  const name = args.profile ?? (env.MONGODB_ATLAS_PROFILE || undefined);
  if (name === undefined) return { env };
  const shown = JSON.stringify(terminalSafe(name));
  const v = COLLECTOR_CREDENTIALS;
  const envSa = Boolean(env[v.clientId] && env[v.clientSecret]);
  const envKey = Boolean(env[v.publicKey] && env[v.privateKey]);
  if (envSa || envKey) {
    const names = envSa ? `${v.clientId}, ${v.clientSecret}` : `${v.publicKey}, ${v.privateKey}`;
    stderr(
      `credentials: environment variables ${names} (they win over Atlas CLI profile ${shown}, not read)\n`,
    );
    return { env };
  }
  const file = join(atlasCliConfigDir(env, platform), 'config.toml');
  const profile = loadAtlasCliProfile(name, file);
  const kinds = [profile.clientId ? 'service account' : '', profile.publicKey ? 'API key' : ''].filter(
    Boolean,
  );
  stderr(`credentials: Atlas CLI profile ${shown} in ${terminalSafe(file)} (${kinds.join(' and ')})\n`);
  const merged: Record<string, string | undefined> = { ...env };
  if (profile.clientId) {
    merged[v.clientId] = profile.clientId;
    merged[v.clientSecret] = profile.clientSecret;
  }
  if (profile.publicKey) {
    merged[v.publicKey] = profile.publicKey;
    merged[v.privateKey] = profile.privateKey;
  }
  if (!env.MONGODB_ATLAS_BASE_URL && profile.baseUrl) merged.MONGODB_ATLAS_BASE_URL = profile.baseUrl;
  return profile.orgId ? { env: merged, profileOrg: profile.orgId } : { env: merged };
}

/** The environment variables one Atlas identity is read from. */
export interface CredentialVariables {
  clientId: string;
  clientSecret: string;
  publicKey: string;
  privateKey: string;
}

/** The collector's (read-only) identity: the Atlas CLI's variable names. */
export const COLLECTOR_CREDENTIALS: CredentialVariables = {
  clientId: 'MONGODB_ATLAS_CLIENT_ID',
  clientSecret: 'MONGODB_ATLAS_CLIENT_SECRET',
  publicKey: 'MONGODB_ATLAS_PUBLIC_API_KEY',
  privateKey: 'MONGODB_ATLAS_PRIVATE_API_KEY',
};

/**
 * The write-capable identity of `review apply`: its own variables, so the collector's read-only
 * identity is never used to change access (and apply never falls back to it).
 */
export const APPLY_CREDENTIALS: CredentialVariables = {
  clientId: 'ATLAS_REVIEW_APPLY_CLIENT_ID',
  clientSecret: 'ATLAS_REVIEW_APPLY_CLIENT_SECRET',
  publicKey: 'ATLAS_REVIEW_APPLY_PUBLIC_API_KEY',
  privateKey: 'ATLAS_REVIEW_APPLY_PRIVATE_API_KEY',
};

/** Picks credentials from the environment (by default with the Atlas CLI's variable names). */
function resolveAuth(
  args: Pick<AtlasArgs, 'auth' | 'api'>,
  env: Readonly<Record<string, string | undefined>>,
  baseUrl: URL,
  tokenSender: ConstructorParameters<typeof ServiceAccountAuth>[3],
  now: () => number,
  vars: CredentialVariables = COLLECTOR_CREDENTIALS,
): AuthStrategy {
  const clientId = env[vars.clientId];
  const clientSecret = env[vars.clientSecret];
  const publicKey = env[vars.publicKey];
  const privateKey = env[vars.privateKey];
  registerSecret(clientSecret);
  registerSecret(privateKey);
  const haveSa = Boolean(clientId && clientSecret);
  const haveKey = Boolean(publicKey && privateKey);
  const wantKey =
    args.auth === 'api-key' || args.api === 'cloud-manager' || (!haveSa && args.auth !== 'service-account');
  if (wantKey) {
    if (!haveKey) {
      throw new UsageError(
        args.api === 'cloud-manager'
          ? `the Cloud Manager API needs an API key: set ${vars.publicKey} and ${vars.privateKey}`
          : `no Atlas credentials: set ${vars.clientId} and ${vars.clientSecret} (service account), or ${vars.publicKey} and ${vars.privateKey} (API key)`,
      );
    }
    return new DigestAuth(publicKey!, privateKey!);
  }
  if (!haveSa) {
    throw new UsageError(`service account auth needs ${vars.clientId} and ${vars.clientSecret}`);
  }
  return new ServiceAccountAuth(clientId!, clientSecret!, baseUrl, tokenSender, now);
}

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return value;
}

/**
 * Builds the Atlas client from parsed options and the environment; `vars` names the variables of the
 * identity to use (the collector's by default; `review apply` passes its own write-capable ones).
 */
export function buildClient(
  args: Pick<
    AtlasArgs,
    'base-url' | 'auth' | 'api' | 'concurrency' | 'timeout-ms' | 'max-retries' | 'deadline-minutes'
  >,
  env: Readonly<Record<string, string | undefined>>,
  deps: ClientDeps = defaultDeps,
  vars: CredentialVariables = COLLECTOR_CREDENTIALS,
): AtlasClient {
  const baseUrl = resolveBaseUrl(args['base-url'], env);
  const options = {
    ...DEFAULT_CLIENT_OPTIONS,
    baseUrl,
    concurrency: positiveInt('concurrency', args.concurrency, 256),
    timeoutMs: positiveInt('timeout-ms', args['timeout-ms'], 600_000),
    deadlineMs:
      args['deadline-minutes'] === undefined
        ? DEFAULT_CLIENT_OPTIONS.deadlineMs
        : positiveInt('deadline-minutes', args['deadline-minutes'], 7 * 24 * 60) * 60_000,
    maxRetries: args['max-retries'] === 0 ? 0 : positiveInt('max-retries', args['max-retries'], 20),
    userAgent: `${TOOL.name}/${TOOL.version}`,
  };
  // The token request goes through the client so it shares retries, timeouts and the concurrency limit.
  let client: AtlasClient | undefined;
  const auth = resolveAuth(
    args,
    env,
    baseUrl,
    (request) => client!.sendTokenRequest(request),
    deps.now,
    vars,
  );
  const credentialHint =
    vars === COLLECTOR_CREDENTIALS
      ? undefined
      : auth.kind === 'service-account'
        ? `check ${vars.clientId} / ${vars.clientSecret}`
        : `check ${vars.publicKey} / ${vars.privateKey}`;
  client = new AtlasClient(credentialHint ? { ...options, credentialHint } : options, auth, deps);
  return client;
}
