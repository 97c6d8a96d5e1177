/**
 * docs/library.md's example runs as written, against the simulator: its one `ts` block is saved with the
 * package name pointing at src/index.ts, and run in a child process with the simulator's credentials.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEstate } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
const doc = readFileSync(join(root, 'docs', 'library.md'), 'utf8');
/** tsx by its resolved URL: the script runs from a temporary folder with no node_modules. */
const TSX = import.meta.resolve('tsx');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  const estate = generateEstate({
    seed: 5,
    now: new Date('2026-11-25T00:00:00Z'),
    orgs: 1,
    usersPerOrg: 12,
    teamsPerOrg: 2,
    projectsPerOrg: 2,
    apiKeysPerOrg: 1,
    serviceAccountsPerOrg: 1,
  });
  sim = await startSimulator({ organizations: estate.organizations, rateLimits: 'off' });
  dir = mkdtempSync(join(tmpdir(), 'library-doc-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/library.md', () => {
  it('has one example, importing the package by name', () => {
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toContain(`from '${pkg.name}'`);
  });

  it('runs its example: writes the report and the workbook, exits by the gate', async () => {
    const entry = pathToFileURL(join(root, 'src', 'index.ts')).href;
    const script = join(dir, 'nightly.mts');
    writeFileSync(script, blocks[0]!.replaceAll(`'${pkg.name}'`, `'${entry}'`));
    const sa = DEFAULT_CREDENTIALS.serviceAccounts[0];
    const r = await run(script, {
      PATH: process.env.PATH,
      MONGODB_ATLAS_CLIENT_ID: sa.clientId,
      MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret,
      MONGODB_ATLAS_BASE_URL: sim.baseUrl,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\d+ findings, \d+ at or above high\n$/);
    expect([0, 1]).toContain(r.status);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(existsSync(join(dir, 'review.xlsx'))).toBe(true);
  });

  it('maps a known error to its exit code without a stack', async () => {
    const entry = pathToFileURL(join(root, 'src', 'index.ts')).href;
    const script = join(dir, 'nightly-bad.mts');
    writeFileSync(script, blocks[0]!.replaceAll(`'${pkg.name}'`, `'${entry}'`));
    const r = await run(script, {
      PATH: process.env.PATH,
      MONGODB_ATLAS_CLIENT_ID: DEFAULT_CREDENTIALS.serviceAccounts[0].clientId,
      MONGODB_ATLAS_CLIENT_SECRET: 'not-the-secret',
      MONGODB_ATLAS_BASE_URL: sim.baseUrl,
    });
    expect(r.status).toBe(3);
    expect(r.stderr).not.toContain('not-the-secret');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/** Runs a script with tsx in the temporary folder (asynchronously: the simulator serves from this process). */
function run(
  script: string,
  env: Record<string, string | undefined>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, script], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}
