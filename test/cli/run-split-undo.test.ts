/**
 * `run --split-by` removes the snapshot it put in the campaign folder when the campaign then fails; it
 * must never remove a snapshot it did not write: one another run (or anyone sharing the folder) put
 * there while this run was collecting, before this run's own write was refused or its collection failed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;
const env = { MONGODB_ATLAS_CLIENT_ID: sa.clientId, MONGODB_ATLAS_CLIENT_SECRET: sa.clientSecret };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

it.each([
  ['a collection that fails (exit 3)', 403, 3],
  ['its own write refused: the snapshot appeared while collecting (exit 4)', undefined, 4],
])(
  'run --split-by leaves a snapshot someone else put in the folder while it collected: %s',
  async (_, status, code) => {
    const dir = tempDir();
    const snapshot = join(dir, 'c', 'snapshot.json');
    sim = await startSimulator({
      organizations: generateEstate({ seed: 3, now: NOW, ...PRESETS.demo }).organizations,
      // The first organizations request waits long enough for the other writer to land its file.
      faults: [{ path: /\/orgs$/, delayMs: 300, times: 1, ...(status ? { status } : {}) }],
    });
    writeFileSync(join(dir, 'p.yaml'), 'review:\n  fallbackReviewer: lead@example.com\n');
    // Planted once the run has started collecting (its first request answered), while it waits.
    const started = sim;
    const planted = setInterval(() => {
      if (started.log.length === 0) return;
      clearInterval(planted);
      mkdirSync(join(dir, 'c'), { recursive: true });
      writeFileSync(snapshot, 'the other run');
    }, 1);
    const r = await runCliForTest(
      [
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
      { env, cwd: dir, now: NOW },
    );
    clearInterval(planted);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).not.toContain('removed');
    expect(existsSync(snapshot)).toBe(true);
    expect(readFileSync(snapshot, 'utf8')).toBe('the other run');
  },
);
