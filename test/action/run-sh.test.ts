/**
 * The GitHub Action's shell step (action/run.sh) run locally, as the runner would run it, against the
 * bundled simulator: fake GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, the clone's CLI in place of the
 * installed package (AAR_COMMAND), and the Atlas CLI's credential variables. A passing and a failing
 * gate, a bad input, and action.yml's wiring (pinned actions, the exact default version).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateEstate } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { tempDir } from '../helpers/cli.js';

const sa = DEFAULT_CREDENTIALS.serviceAccounts![0]!;
const SCRIPT = join(PACKAGE_ROOT, 'action', 'run.sh');
// tsx by its resolved URL: the script runs in a temporary workspace, where a bare `tsx` would not resolve.
const CLI = `${process.execPath} --import ${import.meta.resolve('tsx')} ${join(PACKAGE_ROOT, 'src', 'cli', 'main.ts')}`;

let sim: Simulator;
let orgId = '';
beforeAll(async () => {
  const estate = generateEstate({
    seed: 3,
    now: new Date(),
    orgs: 1,
    usersPerOrg: 12,
    teamsPerOrg: 2,
    projectsPerOrg: 2,
    apiKeysPerOrg: 1,
    serviceAccountsPerOrg: 1,
  });
  orgId = estate.organizations[0]!.id;
  sim = await startSimulator({ organizations: estate.organizations, rateLimits: 'off' });
});
afterAll(async () => {
  await sim?.close();
});

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs action/run.sh in a fresh workspace with the Action's inputs as AAR_* variables. */
function runAction(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  const dir = tempDir('aar-action-');
  const output = join(dir, 'github-output');
  const summary = join(dir, 'step-summary.md');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: dir,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        RUNNER_TEMP: dir,
        AAR_COMMAND: CLI,
        MONGODB_ATLAS_BASE_URL: sim.baseUrl,
        MONGODB_ATLAS_CLIENT_ID: sa.clientId,
        MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret,
        ...inputs,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const outputs = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      resolve({ code: code ?? -1, stdout, stderr, dir, outputs, summary: readFileSync(summary, 'utf8') });
    });
  });
}

describe('action/run.sh against the simulator', () => {
  it('a passing gate (fail-on never): exit 0, reports, SARIF, the Markdown report as the job summary', async () => {
    const run = await runAction({ AAR_FAIL_ON: 'never', AAR_FORMATS: 'html, json' });
    expect(run.stderr).not.toContain(sa.clientSecret);
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({
      'exit-code': '0',
      'report-dir': 'atlas-access-review',
      'sarif-file': 'atlas-access-review/access-review.sarif',
    });
    const out = join(run.dir, 'atlas-access-review');
    for (const f of ['snapshot.json', 'access-review.html', 'access-review.json', 'access-review.md'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, 'access-review.xlsx'))).toBe(false);
    const sarif = JSON.parse(readFileSync(join(out, 'access-review.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    expect(run.summary).toBe(readFileSync(join(out, 'access-review.md'), 'utf8'));
    expect(run.summary.length).toBeGreaterThan(100);
    expect(run.stdout).not.toContain('::error');
  }, 120_000);

  it('a failing gate (fail-on low) on the same estate: exit 1, outputs and summary still written, an error annotation', async () => {
    const run = await runAction({ AAR_FAIL_ON: 'low', AAR_FORMATS: '', AAR_ORGS: orgId });
    expect(run.code, run.stderr).toBe(1);
    expect(run.outputs['exit-code']).toBe('1');
    expect(run.outputs['sarif-file']).toBe('atlas-access-review/access-review.sarif');
    expect(run.summary.length).toBeGreaterThan(100);
    expect(run.stdout).toContain(
      '::error title=atlas-access-review::findings at or above the fail-on severity',
    );
  }, 120_000);

  it('bad input stops before any request: exit 2, a summary line, no SARIF output', async () => {
    const run = await runAction({ AAR_FORMATS: 'pdf' });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("unknown format 'pdf'");
    const bad = await runAction({ AAR_ORGS: 'not-an-org-id' });
    expect(bad.code).toBe(2);
    expect(bad.outputs).toEqual({ 'exit-code': '2', 'report-dir': 'atlas-access-review', 'sarif-file': '' });
    expect(bad.summary).toMatch(/stopped with exit code 2 before writing a report/);
  }, 120_000);

  it('refuses a version that is not exact when it would install the package', async () => {
    const run = await runAction({ AAR_VERSION: '^0.1.0' }, { AAR_COMMAND: '' });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('version must be an exact version');
  });

  it('an install that fails is exit 2 naming the version, never exit 1 (which reads as a failed gate)', async () => {
    // An npm that fails as the registry does for a version never published (no release tag pushed yet).
    const bin = tempDir('aar-fake-npm-');
    writeFileSync(
      join(bin, 'npm'),
      '#!/bin/sh\necho "npm error 404 Not Found - GET https://registry.npmjs.org/@atlas-access-review%2fcli" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const run = await runAction(
      { AAR_VERSION: '0.1.0' },
      { AAR_COMMAND: '', PATH: `${bin}:${process.env.PATH}` },
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      '::error title=atlas-access-review::could not install @atlas-access-review/cli@0.1.0',
    );
    expect(run.stderr).toContain('404 Not Found');
  });
});

describe('action.yml', () => {
  const action = parseYaml(readFileSync(join(PACKAGE_ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; steps: { uses?: string; run?: string; env?: Record<string, string> }[] };
  };
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };

  it('is composite, runs an exact version equal to package.json by default, and has the documented inputs', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.inputs.version?.default).toBe(pkg.version);
    for (const input of [
      'orgs',
      'policy',
      'waivers',
      'baseline',
      'fail-on',
      'formats',
      'upload-sarif',
      'email-to',
    ])
      expect(action.inputs, input).toHaveProperty([input]);
  });
  it('pins every action it uses to a full commit SHA', () => {
    const uses = action.runs.steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThanOrEqual(3);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
  });
  it('passes every AAR_* variable run.sh reads, and nothing from inputs is pasted into shell code', () => {
    const script = readFileSync(SCRIPT, 'utf8');
    const read = new Set([...script.matchAll(/\bAAR_[A-Z_]+/g)].map((m) => m[0]));
    read.delete('AAR_COMMAND'); // tests only
    const step = action.runs.steps.find((s) => s.run?.includes('run.sh'))!;
    expect(new Set(Object.keys(step.env ?? {}))).toEqual(read);
    for (const s of action.runs.steps) expect(s.run ?? '').not.toMatch(/\$\{\{\s*inputs\./);
  });
});
