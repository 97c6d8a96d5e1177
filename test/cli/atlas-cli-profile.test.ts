/**
 * `--profile` / `MONGODB_ATLAS_PROFILE`: the Atlas CLI's config.toml read from a temporary config
 * directory (never the real home), hostile files refused with exit 2, environment variables winning,
 * and a whole `doctor` run against the simulator with credentials taken from a profile.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  atlasCliConfigDir,
  CLOUDGOV_BASE_URL,
  loadAtlasCliProfile,
  MAX_CONFIG_BYTES,
} from '../../src/cli/atlas-cli-profile.js';
import { atlasSource, orgSelection } from '../../src/cli/atlas-options.js';
import { InputError, UsageError } from '../../src/errors.js';
import { generateEstate } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { runCliForTest } from '../helpers/cli.js';

const sa = DEFAULT_CREDENTIALS.serviceAccounts![0]!;
const key = DEFAULT_CREDENTIALS.apiKeys![0]!;
const ORG = 'aaaaaaaaaaaaaaaaaaaaaaaa';

/** A fresh XDG config home holding `atlascli/config.toml` with `text`; returns the home and the file. */
function configHome(text: string | Buffer): { home: string; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'aar-atlascli-'));
  mkdirSync(join(home, 'atlascli'));
  const file = join(home, 'atlascli', 'config.toml');
  writeFileSync(file, text);
  return { home, file };
}

const SA_PROFILE = `version = 2
telemetry_enabled = false

[default]
  auth_type = "service_account"
  client_id = "${sa.clientId}"
  client_secret = "${sa.clientSecret}"
  org_id = "${ORG}"
  output = "json"

[keys]
  public_api_key = "${key.publicKey}"
  private_api_key = "${key.privateKey}"
  service = "cloudgov"

[keychain]
  auth_type = "service_account"
  org_id = "${ORG}"

[keychain-keys]
  auth_type = "api_keys"

[human]
  auth_type = "user_account"
  org_id = "${ORG}"
`;

function expectThrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('atlasCliConfigDir (Go os.UserConfigDir + "atlascli")', () => {
  it('Linux: $XDG_CONFIG_HOME, else ~/.config; a relative XDG_CONFIG_HOME is refused like Go does', () => {
    expect(atlasCliConfigDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/a' }, 'linux')).toBe(
      '/x/cfg/atlascli',
    );
    expect(atlasCliConfigDir({ HOME: '/home/a' }, 'linux')).toBe('/home/a/.config/atlascli');
    expect(() => atlasCliConfigDir({ XDG_CONFIG_HOME: 'rel', HOME: '/home/a' }, 'linux')).toThrow(UsageError);
    expect(() => atlasCliConfigDir({}, 'linux')).toThrow(/neither \$XDG_CONFIG_HOME nor \$HOME/);
  });
  it('macOS: ~/Library/Application Support; Windows: %AppData%', () => {
    expect(atlasCliConfigDir({ HOME: '/Users/a', XDG_CONFIG_HOME: '/ignored' }, 'darwin')).toBe(
      '/Users/a/Library/Application Support/atlascli',
    );
    expect(atlasCliConfigDir({ AppData: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(
      /Roaming.atlascli$/,
    );
    expect(() => atlasCliConfigDir({}, 'win32')).toThrow(/AppData/);
  });
});

describe('loadAtlasCliProfile', () => {
  const { file } = configHome(SA_PROFILE);

  it('reads a service-account profile and its org id; other keys are ignored', () => {
    expect(loadAtlasCliProfile('default', file)).toEqual({
      name: 'default',
      file,
      clientId: sa.clientId,
      clientSecret: sa.clientSecret,
      orgId: ORG,
    });
  });
  it('reads an API-key profile; service = "cloudgov" selects Atlas for Government', () => {
    const p = loadAtlasCliProfile('keys', file);
    expect(p.publicKey).toBe(key.publicKey);
    expect(p.privateKey).toBe(key.privateKey);
    expect(p.baseUrl).toBe(CLOUDGOV_BASE_URL);
  });
  it('ops_manager_url (or its alias base_url) is the base URL', () => {
    const f = configHome(
      '[om]\nops_manager_url = "https://om.example.com/"\npublic_api_key = "p"\nprivate_api_key = "s"\n',
    );
    expect(loadAtlasCliProfile('om', f.file).baseUrl).toBe('https://om.example.com/');
    const g = configHome(
      '[om]\nbase_url = "https://om2.example.com/"\npublic_api_key = "p"\nprivate_api_key = "s"\n',
    );
    expect(loadAtlasCliProfile('om', g.file).baseUrl).toBe('https://om2.example.com/');
  });
  it('a profile whose secrets are in the OS keychain: exit 2 naming the variables to set instead', () => {
    const error = expectThrown(() => loadAtlasCliProfile('keychain', file)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('OS keychain');
    expect(error.message).toContain('"atlascli_keychain"');
    expect(error.hint).toBe('set MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET instead');
    const keys = expectThrown(() => loadAtlasCliProfile('keychain-keys', file)) as UsageError;
    expect(keys.hint).toBe('set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY instead');
  });
  it('a user-account login (atlas auth login) is refused with the variables to use', () => {
    const error = expectThrown(() => loadAtlasCliProfile('human', file)) as UsageError;
    expect(error.message).toMatch(/signs in as a user/);
    expect(error.hint).toMatch(/MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET/);
  });
  it('an unknown profile: exit 2 naming the file and the profiles it has (not the scalar keys)', () => {
    const error = expectThrown(() => loadAtlasCliProfile('prod', file));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `no Atlas CLI profile "prod" in ${file}; it has the profiles "default", "human", "keychain", "keychain-keys", "keys"`,
    );
    expect(expectThrown(() => loadAtlasCliProfile('version', file))).toBeInstanceOf(InputError);
    expect(expectThrown(() => loadAtlasCliProfile('__proto__', file)).message).toMatch(
      /no Atlas CLI profile/,
    );
  });
  it('a missing file names the path', () => {
    const error = expectThrown(() =>
      loadAtlasCliProfile('default', join(tmpdir(), 'no-such-dir-aar', 'config.toml')),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/no-such-dir-aar.config\.toml: no Atlas CLI config file here/);
  });
});

describe('hostile config files: exit 2, the file named, nothing of its content echoed raw', () => {
  it('malformed TOML', () => {
    const { file } = configHome('[default\nclient_id = "x"\n');
    const error = expectThrown(() => loadAtlasCliProfile('default', file));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/config\.toml: not valid TOML \(line 1\)/);
  });
  it('wrong types name the key', () => {
    const { file } = configHome('[default]\nclient_id = 42\nclient_secret = ["a"]\n');
    const error = expectThrown(() => loadAtlasCliProfile('default', file));
    expect(error.message).toMatch(/config\.toml: \$\.default\.client_id: expected a string$/);
    const table = configHome('default = "x"\n');
    expect(expectThrown(() => loadAtlasCliProfile('default', table.file)).message).toMatch(
      /\$\.default: expected a table/,
    );
  });
  it('a file over the size cap is refused before parsing', () => {
    const { file } = configHome(Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    expect(expectThrown(() => loadAtlasCliProfile('default', file)).message).toMatch(
      /larger than 1048576 bytes/,
    );
  });
  it('a directory in place of the file', () => {
    const home = mkdtempSync(join(tmpdir(), 'aar-atlascli-'));
    mkdirSync(join(home, 'config.toml'));
    expect(expectThrown(() => loadAtlasCliProfile('default', join(home, 'config.toml'))).message).toMatch(
      /(not a regular file|cannot read)/,
    );
  });
  it('control characters in profile names are neutralised in the message', () => {
    const { file } = configHome('["evil\\u001b[2J"]\npublic_api_key = "p"\n');
    const message = expectThrown(() => loadAtlasCliProfile('x\u001b]0;', file)).message;
    expect(message).not.toMatch(/\u001b/);
    expect(message).toContain('"evil?[2J"');
  });
});

describe('atlasSource: which source wins, said on stderr without secrets', () => {
  const { home, file } = configHome(SA_PROFILE);
  it('no profile asked for: the environment as is, nothing said', () => {
    const lines: string[] = [];
    const env = { MONGODB_ATLAS_CLIENT_ID: 'id' };
    expect(atlasSource({}, env, (l) => lines.push(l), 'linux')).toEqual({ env });
    expect(lines).toEqual([]);
  });
  it('MONGODB_ATLAS_PROFILE selects the profile; its values fill the Atlas CLI variables', () => {
    const lines: string[] = [];
    const source = atlasSource(
      {},
      { XDG_CONFIG_HOME: home, MONGODB_ATLAS_PROFILE: 'default' },
      (l) => lines.push(l),
      'linux',
    );
    expect(source.env.MONGODB_ATLAS_CLIENT_ID).toBe(sa.clientId);
    expect(source.env.MONGODB_ATLAS_CLIENT_SECRET).toBe(sa.clientSecret);
    expect(source.profileOrg).toBe(ORG);
    expect(lines).toEqual([`credentials: Atlas CLI profile "default" in ${file} (service account)\n`]);
    expect(orgSelection({}, source.profileOrg)).toEqual([ORG]);
    expect(orgSelection({ org: ['b'.repeat(24)] }, source.profileOrg)).toEqual(['b'.repeat(24)]);
  });
  it('--profile wins over MONGODB_ATLAS_PROFILE; MONGODB_ATLAS_BASE_URL wins over the profile', () => {
    const env = {
      XDG_CONFIG_HOME: home,
      MONGODB_ATLAS_PROFILE: 'default',
      MONGODB_ATLAS_BASE_URL: 'http://127.0.0.1:1',
    };
    const source = atlasSource({ profile: 'keys' }, env, () => {}, 'linux');
    expect(source.env.MONGODB_ATLAS_PUBLIC_API_KEY).toBe(key.publicKey);
    expect(source.env.MONGODB_ATLAS_BASE_URL).toBe('http://127.0.0.1:1');
    const gov = atlasSource({ profile: 'keys' }, { XDG_CONFIG_HOME: home }, () => {}, 'linux');
    expect(gov.env.MONGODB_ATLAS_BASE_URL).toBe(CLOUDGOV_BASE_URL);
  });
  it('credential variables in the environment win: the profile is not even read', () => {
    const lines: string[] = [];
    const env = {
      XDG_CONFIG_HOME: '/nonexistent',
      MONGODB_ATLAS_PUBLIC_API_KEY: 'p',
      MONGODB_ATLAS_PRIVATE_API_KEY: 's3cr3t',
    };
    expect(atlasSource({ profile: 'keychain' }, env, (l) => lines.push(l), 'linux')).toEqual({ env });
    expect(lines.join('')).toBe(
      'credentials: environment variables MONGODB_ATLAS_PUBLIC_API_KEY, MONGODB_ATLAS_PRIVATE_API_KEY (they win over Atlas CLI profile "keychain", not read)\n',
    );
  });
});

describe('doctor --profile against the simulator', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const estate = generateEstate({
    seed: 5,
    now: new Date('2026-11-25T00:00:00Z'),
    orgs: 1,
    usersPerOrg: 5,
    teamsPerOrg: 1,
    projectsPerOrg: 1,
    apiKeysPerOrg: 1,
    serviceAccountsPerOrg: 1,
  });
  const org = estate.organizations[0]!;

  it('credentials, org id and base URL from the profile; exit 0; no secret printed', async () => {
    sim = await startSimulator({ organizations: estate.organizations, rateLimits: 'off' });
    const { home, file } = configHome(
      `[audit]\nclient_id = "${sa.clientId}"\nclient_secret = "${sa.clientSecret}"\norg_id = "${org.id}"\nops_manager_url = "${sim.baseUrl}"\n`,
    );
    const run = await runCliForTest(['doctor', '--profile', 'audit', '--format', 'json'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(run.stderr).toBe(`credentials: Atlas CLI profile "audit" in ${file} (service account)\n`);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).organizations.map((o: { id: string }) => o.id)).toEqual([org.id]);
    expect(run.stdout + run.stderr).not.toContain(sa.clientSecret);
  });
  it('a keychain profile and an unknown profile: exit 2 before any request', async () => {
    const { home } = configHome(SA_PROFILE);
    const keychain = await runCliForTest(['doctor', '--profile', 'keychain'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(keychain.code).toBe(2);
    expect(keychain.stderr).toMatch(
      /OS keychain[\s\S]*set MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET instead/,
    );
    const unknown = await runCliForTest(['collect', '--org', ORG], {
      env: { XDG_CONFIG_HOME: home, MONGODB_ATLAS_PROFILE: 'nope' },
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /no Atlas CLI profile "nope" in .*config\.toml; it has the profiles "default"/,
    );
  });
});
