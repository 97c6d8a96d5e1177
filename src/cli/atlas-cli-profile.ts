/**
 * Credentials from an Atlas CLI profile (`--profile NAME` / `MONGODB_ATLAS_PROFILE`).
 *
 * Facts taken from the Atlas CLI (mongodb/mongodb-atlas-cli and mongodb/atlas-cli-core, `config`):
 * - the file is `config.toml` in `<os.UserConfigDir()>/atlascli`: on Linux and other Unix
 *   `$XDG_CONFIG_HOME/atlascli` (an absolute path) or `~/.config/atlascli`; on macOS
 *   `~/Library/Application Support/atlascli`; on Windows `%AppData%\atlascli`;
 * - each profile is a top-level table (`[default]`) with the keys `public_api_key`, `private_api_key`,
 *   `client_id`, `client_secret`, `access_token`, `refresh_token`, `org_id`, `project_id`, `service`
 *   (`cloud`, `cloudgov`), `ops_manager_url` (alias `base_url`) and, since config version 2, `auth_type`
 *   (`api_keys`, `service_account`, `user_account`);
 * - where an OS keychain is available the Atlas CLI moves the API keys, client id and secret and the
 *   tokens into it (service `atlascli_<profile>`), leaving only the non-secret keys in the file. This
 *   tool does not read keychains, so such a profile is refused with the environment variables to set.
 *
 * Only reading: nothing here writes the Atlas CLI's file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import * as z from 'zod';
import { InputError, registerSecret, UsageError } from '../errors.js';
import { INPUT_OPEN_FLAGS } from '../util/files.js';
import { terminalSafe } from '../util/terminal.js';

/** The Atlas CLI writes a few hundred bytes per profile; anything this large is not its file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Base URL of Atlas for Government (`service = "cloudgov"`), as in the Atlas CLI's store package. */
export const CLOUDGOV_BASE_URL = 'https://cloud.mongodbgov.com';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The directory the Atlas CLI keeps `config.toml` in: Go's `os.UserConfigDir()` joined with `atlascli`.
 * Throws a UsageError where Go would fail too (no HOME, a relative XDG_CONFIG_HOME, no AppData).
 */
export function atlasCliConfigDir(env: Env, platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    if (!env.AppData && !env.APPDATA)
      throw new UsageError('cannot find the Atlas CLI config: %AppData% is not set');
    return join((env.AppData ?? env.APPDATA)!, 'atlascli');
  }
  if (platform === 'darwin') {
    if (!env.HOME) throw new UsageError('cannot find the Atlas CLI config: $HOME is not set');
    return join(env.HOME, 'Library', 'Application Support', 'atlascli');
  }
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) {
    if (!xdg.startsWith('/'))
      throw new UsageError('cannot find the Atlas CLI config: $XDG_CONFIG_HOME is not an absolute path');
    return join(xdg, 'atlascli');
  }
  if (!env.HOME)
    throw new UsageError('cannot find the Atlas CLI config: neither $XDG_CONFIG_HOME nor $HOME is set');
  return join(env.HOME, '.config', 'atlascli');
}

const optionalString = z.string().optional();

/** The keys of one profile table this tool uses; other keys (output, telemetry_enabled, ...) are ignored. */
const ProfileSchema = z.looseObject({
  public_api_key: optionalString,
  private_api_key: optionalString,
  client_id: optionalString,
  client_secret: optionalString,
  access_token: optionalString,
  refresh_token: optionalString,
  org_id: optionalString,
  service: optionalString,
  ops_manager_url: optionalString,
  base_url: optionalString,
  auth_type: optionalString,
});

/** What a profile holds that this tool can use. Secrets are registered for redaction when read. */
export interface AtlasCliProfile {
  name: string;
  file: string;
  clientId?: string;
  clientSecret?: string;
  publicKey?: string;
  privateKey?: string;
  orgId?: string;
  /** From `ops_manager_url` (or its alias `base_url`), else Atlas for Government for `service = "cloudgov"`. */
  baseUrl?: string;
}

/** A JSONPath-like location of a key in the file, quoting names that are not plain identifiers. */
function location(profile: string, key?: string): string {
  const head = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(profile) ? `$.${profile}` : `$[${JSON.stringify(profile)}]`;
  return key === undefined ? head : `${head}.${key}`;
}

/** Reads the file with a size cap, refusing anything that is not a regular file (a FIFO would block). */
function readConfig(file: string): string {
  let fd: number;
  try {
    // Without blocking: opening a FIFO for reading would wait for a writer before fstat could refuse it.
    fd = openSync(file, INPUT_OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new InputError(
        file,
        '$',
        'no Atlas CLI config file here (run `atlas config init`, or set the credential environment variables)',
      );
    throw new InputError(file, '$', `cannot read the Atlas CLI config (${code ?? 'error'})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputError(file, '$', 'the Atlas CLI config is not a regular file');
    if (stat.size > MAX_CONFIG_BYTES)
      throw new InputError(file, '$', `the Atlas CLI config is larger than ${MAX_CONFIG_BYTES} bytes`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function parseConfig(file: string, text: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
    const at = (error as { line?: number }).line;
    throw new InputError(file, '$', `not valid TOML${at ? ` (line ${at})` : ''}: ${terminalSafe(detail)}`);
  }
}

/** The names of the profiles in the file (its top-level tables), for the unknown-profile message. */
function profileNames(config: Record<string, unknown>): string[] {
  return Object.keys(config)
    .filter((k) => typeof config[k] === 'object' && config[k] !== null && !Array.isArray(config[k]))
    .sort();
}

/** The variables to set instead of a profile whose secrets are not in the file. */
const SERVICE_ACCOUNT_VARS = 'MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET';
const API_KEY_VARS = 'MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY';

/**
 * Loads profile `name` from `file`. Exit 2 (UsageError / InputError) for a missing, oversized or
 * malformed file, an unknown profile, a value of the wrong type, a user-account login (`atlas auth
 * login` tokens) or a profile whose secrets the Atlas CLI keeps in the OS keychain.
 */
export function loadAtlasCliProfile(name: string, file: string): AtlasCliProfile {
  const config = parseConfig(file, readConfig(file));
  const shown = JSON.stringify(terminalSafe(name));
  const table = Object.hasOwn(config, name) ? config[name] : undefined;
  if (table === undefined) {
    const names = profileNames(config).map((n) => JSON.stringify(terminalSafe(n)));
    throw new UsageError(
      `no Atlas CLI profile ${shown} in ${file}; it has ${names.length === 0 ? 'no profiles' : `the profiles ${names.join(', ')}`}`,
    );
  }
  if (typeof table !== 'object' || table === null || Array.isArray(table))
    throw new InputError(file, location(name), 'expected a table of profile settings');
  const parsed = ProfileSchema.safeParse(table);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(file, location(name, String(issue.path[0] ?? '')), 'expected a string');
  }
  const p = parsed.data;
  registerSecret(p.client_secret);
  registerSecret(p.private_api_key);
  registerSecret(p.access_token);
  registerSecret(p.refresh_token);
  const haveSa = Boolean(p.client_id && p.client_secret);
  const haveKey = Boolean(p.public_api_key && p.private_api_key);
  if (!haveSa && !haveKey) throw missingSecrets(name, shown, file, p);
  const baseUrl =
    p.ops_manager_url || p.base_url || (p.service === 'cloudgov' ? CLOUDGOV_BASE_URL : undefined);
  return {
    name,
    file,
    ...(haveSa ? { clientId: p.client_id!, clientSecret: p.client_secret! } : {}),
    ...(haveKey ? { publicKey: p.public_api_key!, privateKey: p.private_api_key! } : {}),
    ...(p.org_id ? { orgId: p.org_id } : {}),
    ...(baseUrl ? { baseUrl } : {}),
  };
}

function missingSecrets(
  name: string,
  shown: string,
  file: string,
  p: z.infer<typeof ProfileSchema>,
): UsageError {
  if (p.auth_type === 'user_account' || p.access_token || p.refresh_token) {
    return new UsageError(
      `Atlas CLI profile ${shown} signs in as a user (atlas auth login), which this tool cannot use`,
      { hint: `use a service account or an API key: set ${SERVICE_ACCOUNT_VARS}, or ${API_KEY_VARS}` },
    );
  }
  const vars =
    p.auth_type === 'service_account' || p.client_id
      ? SERVICE_ACCOUNT_VARS
      : p.auth_type === 'api_keys' || p.public_api_key
        ? API_KEY_VARS
        : `${SERVICE_ACCOUNT_VARS} (service account), or ${API_KEY_VARS} (API key)`;
  const keychainService = JSON.stringify(terminalSafe(`atlascli_${name}`));
  return new UsageError(
    `Atlas CLI profile ${shown} has no secret in ${file}: the Atlas CLI keeps it in the OS keychain (service ${keychainService}), which this tool does not read`,
    { hint: `set ${vars} instead` },
  );
}
