/**
 * What reaches a terminal or CI log from the CLI's own error paths: no escape sequences or bidi
 * overrides from Atlas, files or arguments; and no run with TLS verification silently turned off.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { org, settings, snapshot, user } from '../builders/snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { findingRows } from '../helpers/report-json.js';

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminal safety of errors', () => {
  it('an error naming a hostile file path and JSON content prints no control characters', async () => {
    const dir = tempDir();
    const file = join(dir, 'evil\u001b[2J\u009b31m.json');
    writeFileSync(file, '{"schemaVersion": "\u001b[2J\u001b[HGate: passed"}');
    const run = await runCliForTest(['audit', file], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toContain('evil?[2J?31m.json');
    expect(run.stderr).not.toMatch(UNSAFE);
  });

  it('an unknown argument holding an escape sequence is shown neutralised', async () => {
    const run = await runCliForTest(['rules', 'list', '--\u001b[2Jevil']);
    expect(run.stderr).toContain('Unknown argument');
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(UNSAFE);
  });
});

describe('terminal safety of every command output', () => {
  const hostile = 'Evil\u001b[2J\u001b[H\u009b32mGate: passed\r\u202e';
  const dir = tempDir();
  const file = join(dir, 'snap.json');
  writeFileSync(
    file,
    serializeSnapshot(
      snapshot([
        org({
          name: hostile,
          settings: settings({ multiFactorAuthRequired: false }),
          users: [user({ username: `x${hostile}@example.com`, orgRoles: ['ORG_OWNER'] })],
        }),
      ]),
    ),
  );

  it.each(['text', 'github', 'markdown', 'junit', 'sarif', 'json'])(
    'audit --format %s prints an org name holding escape sequences without them',
    async (format) => {
      const run = await runCliForTest(['audit', file, '--format', format], { cwd: dir });
      expect(run.code).toBe(1);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(UNSAFE);
      expect(run.stdout).toContain('Evil');
    },
  );
});

describe('JSON on stdout stays the same data', () => {
  it('C1 controls and bidi overrides are written as \\u escapes, so the JSON parses back to the exact value', async () => {
    const dir = tempDir();
    const file = join(dir, 'snap.json');
    const name = 'Evil\u009b31m\u202eorg';
    writeFileSync(
      file,
      serializeSnapshot(snapshot([org({ name, settings: settings({ multiFactorAuthRequired: false }) })])),
    );
    const run = await runCliForTest(['audit', file, '--format', 'json'], { cwd: dir });
    expect(run.stdout).toContain('Evil\\u009b31m\\u202eorg');
    expect(findingRows(JSON.parse(run.stdout)).map((f) => f.orgName)).toContain(name);
  });
});

describe('NODE_TLS_REJECT_UNAUTHORIZED=0', () => {
  const env = {
    NODE_TLS_REJECT_UNAUTHORIZED: '0',
    MONGODB_ATLAS_CLIENT_ID: 'x',
    MONGODB_ATLAS_CLIENT_SECRET: 'y',
  };

  it('refuses every command that opens TLS connections, before any request (exit 2, one line)', async () => {
    for (const argv of [
      ['collect', '--org', '5f1a2b3c4d5e6f7a8b9c0d1e', '--base-url', 'https://127.0.0.1:9'],
      ['doctor', '--all-orgs', '--base-url', 'https://127.0.0.1:9'],
      ['run', '--all-orgs', '--base-url', 'https://127.0.0.1:9'],
    ]) {
      const run = await runCliForTest(argv, { env, cwd: tempDir() });
      expect(run.code, argv[0]).toBe(2);
      expect(run.stderr).toContain('error: NODE_TLS_REJECT_UNAUTHORIZED=0 is set');
      expect(run.stderr).toContain('--insecure-tls-from-env');
    }
  });

  it('runs with --insecure-tls-from-env, warning on stderr', async () => {
    const run = await runCliForTest(
      [
        'doctor',
        '--all-orgs',
        '--base-url',
        'https://127.0.0.1:9',
        '--insecure-tls-from-env',
        '--max-retries',
        '0',
      ],
      { env, cwd: tempDir() },
    );
    expect(run.stderr).toContain('warning: TLS certificate verification is OFF');
    // Nothing listens on port 9: the run got as far as a request and reports it.
    expect(run.code).toBe(3);
  });

  it('offline commands are not affected', async () => {
    const run = await runCliForTest(['rules', 'list'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});

describe('help and usage', () => {
  it.each([['doctor'], ['collect'], ['rules', 'list'], ['review', 'import'], ['evidence', 'verify']])(
    '%s %s --help ends with the exit codes',
    async (...command) => {
      const run = await runCliForTest([...command.filter(Boolean), '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Exit codes: 0 ok, 1 violations .* 130 interrupted\.\nDocs: README\.md\n$/s);
    },
  );

  it('a long example stays on one line, so it can be copied', async () => {
    const run = await runCliForTest(['review', 'apply', '--help']);
    expect(run.stdout).toMatch(
      /^ {2}atlas-access-review review apply evidence\/q3\/revocation-plan\.json --snapshot q3\.json --workbook q3-filled\.xlsx --yes {2}/m,
    );
  });

  it('a misspelt command is named, with the one meant', async () => {
    const run = await runCliForTest(['colect', '--all-orgs']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: unknown command colect; did you mean collect?\nRun with --help for usage.\n',
    );
  });
});
