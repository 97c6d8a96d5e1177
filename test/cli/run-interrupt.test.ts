/**
 * Ctrl-C during `run --split-by reviewer`, after the snapshot is in the campaign folder and before the
 * campaign is written: exit 130, and neither the snapshot nor the folder the run made is left (a
 * snapshot alone would be a partial campaign, and would refuse the same command run again).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, startSimulator } from '../../src/sim/server.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { tempDir } from '../helpers/cli.js';

const NOW = new Date('2026-11-25T12:00:00Z');

it('Ctrl-C once the snapshot is in the campaign folder: exit 130, no snapshot and no folder left', async () => {
  const sim = await startSimulator({
    organizations: generateEstate({ seed: 3, now: NOW, ...PRESETS.demo }).organizations,
  });
  const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;
  const dir = tempDir();
  writeFileSync(join(dir, 'p.yaml'), 'review:\n  fallbackReviewer: lead@example.com\n');
  const snapshot = join(dir, 'c', 'snapshot.json');
  try {
    const child = spawn(
      process.execPath,
      [
        // The child runs in the test's folder: tsx is imported from this package.
        '--import',
        pathToFileURL(join(PACKAGE_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
        join(PACKAGE_ROOT, 'src/cli/main.ts'),
        'run',
        '--all-orgs',
        '--base-url',
        sim.baseUrl,
        '--policy',
        'p.yaml',
        '--split-by',
        'reviewer',
        '--out-dir',
        'c',
      ],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          MONGODB_ATLAS_CLIENT_ID: sa.clientId,
          MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret,
        },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt as soon as the snapshot lands (the audit and the split take longer than a poll).
    const seen = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(snapshot)) {
          clearInterval(poll);
          child.kill('SIGINT');
          resolve(true);
        }
      }, 1);
      void closed.then(() => {
        clearInterval(poll);
        resolve(false);
      });
    });
    const code = await closed;
    expect(seen, stderr).toBe(true);
    expect(existsSync(join(dir, 'c', 'campaign.json')), 'the campaign was finished before the signal').toBe(
      false,
    );
    expect(stderr).toContain('interrupted (SIGINT)');
    expect(code).toBe(130);
    expect(existsSync(join(dir, 'c'))).toBe(false);
  } finally {
    await sim.close();
  }
}, 60_000);
