/**
 * `run` audits with the collection's clock (day counts as of the evidence) but stamps the report with
 * the wall clock: "Generated" is never earlier than "Collected".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { tempDir } from '../helpers/cli.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('run clocks', () => {
  it('Generated is the wall clock after the collection, never earlier than Collected', async () => {
    sim = await startSimulator({
      organizations: generateEstate({ seed: 3, now: NOW, ...PRESETS.demo }).organizations,
    });
    const dir = tempDir();
    // A clock that moves: each reading is one second after the last.
    let tick = NOW.getTime();
    const ctx: CliContext = {
      env: { MONGODB_ATLAS_CLIENT_ID: sa.clientId, MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret },
      stdout: () => {},
      stderr: () => {},
      stderrIsTTY: false,
      now: () => {
        tick += 1000;
        return new Date(tick);
      },
      cwd: dir,
      exitCode: 0,
    };
    await runCli(
      ['run', '--all-orgs', '--base-url', sim.baseUrl, '--json', 'r.json', '--fail-on', 'never'],
      ctx,
    );
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(report.meta.generatedAt >= report.meta.collectedAt).toBe(true);
    expect(report.meta.generatedAt > report.meta.collectedAt).toBe(true);
    // Day counts stay as of the audit's clock (the collection's start), not the later wall clock.
    expect(report.meta.evaluatedAt < report.meta.generatedAt).toBe(true);
  });
});
