/** `rules list | head -1`: when the reader closes the pipe, the process ends quietly, no EPIPE stack. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/version.js';

describe('a closed stdout pipe', () => {
  it('ends the process with exit 0 and nothing on stderr', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(PACKAGE_ROOT, 'src/cli/main.ts'), 'rules', 'list'],
      {
        cwd: PACKAGE_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Like `head -1`: read the first chunk, then close our end before the rest is written.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 20_000);
});

describe('a wait that can never end', () => {
  it('is exit 3 with a message, never a silent exit 13', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(PACKAGE_ROOT, 'test/cli/fixtures/stalled-child.ts')],
      {
        cwd: PACKAGE_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toContain('error: the tool stopped waiting for an answer that never came');
    expect(code).toBe(3);
  }, 20_000);
});

describe('Ctrl-C during a collection', () => {
  it('says it was interrupted and nothing was written, exits 130, leaves no file', async () => {
    const { createServer } = await import('node:http');
    const { existsSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    // A server that accepts the request and never answers: the collection is in flight when Ctrl-C comes.
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'aar-int-'));
    const out = join(dir, 'snap.json');
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(PACKAGE_ROOT, 'src/cli/main.ts'), 'collect', '--all-orgs', '-o', out],
        {
          cwd: PACKAGE_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            MONGODB_ATLAS_BASE_URL: `http://127.0.0.1:${port}`,
            MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_5f0c0ffee0ddba11ca7e5e75',
            MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_test-only',
          },
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // Wait for the first request to reach the server, then interrupt.
      await new Promise<void>((resolve) => server.once('request', () => resolve()));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toContain('interrupted (SIGINT): nothing was written');
      expect(code).toBe(130);
      expect(existsSync(out)).toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30_000);
});
