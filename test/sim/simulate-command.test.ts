import { describe, expect, it } from 'vitest';
import { runSimulator, type SimulateArgs } from '../../src/cli/commands/simulate.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { accept, getToken } from './helpers.js';

function testContext(): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stderrIsTTY: false,
    now: () => new Date('2026-11-01T00:00:00Z'),
    cwd: '/tmp',
    exitCode: 0,
    out,
    err,
  };
}

const args: SimulateArgs = { port: 0, preset: 'demo', seed: 1, 'latency-ms': 0, 'rate-limits': 'atlas' };

describe('simulate command', () => {
  it('serves the estate, prints base URL, org ids and env exports, and stops when asked', async () => {
    const ctx = testContext();
    let stop: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const done = runSimulator({ ...args, orgs: 2 }, ctx, () => {
      started();
      return new Promise<void>((resolve) => {
        stop = resolve;
      });
    });
    await running;
    const text = ctx.out.join('');
    const baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] ?? '';
    expect(text).toContain(`export MONGODB_ATLAS_BASE_URL=${baseUrl}`);
    for (const name of ['CLIENT_ID', 'CLIENT_SECRET', 'PUBLIC_API_KEY', 'PRIVATE_API_KEY']) {
      expect(text).toMatch(new RegExp(`^export MONGODB_ATLAS_${name}=\\S+$`, 'm'));
    }
    const orgIds = [...text.matchAll(/^ {2}([a-f0-9]{24}) {2}/gm)].map((m) => m[1]);
    expect(orgIds).toHaveLength(2);
    const token = await getToken(baseUrl);
    const res = await fetch(`${baseUrl}/api/atlas/v2/orgs`, {
      headers: { Authorization: `Bearer ${token}`, ...accept('2023-01-01') },
    });
    const body = (await res.json()) as { results: { id: string }[] };
    expect(body.results.map((o) => o.id).sort()).toEqual([...orgIds].sort());
    stop();
    const sim = await done;
    expect(ctx.err.join('')).toMatch(/stopped after 2 request/);
    await expect(fetch(`${sim.baseUrl}/api/atlas/v2/orgs`)).rejects.toThrow();
  });

  it('prints a write-capable identity of its own for review apply, which refuses the collector', async () => {
    const ctx = testContext();
    let stop: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const done = runSimulator({ ...args, orgs: 1 }, ctx, () => {
      started();
      return new Promise<void>((resolve) => {
        stop = resolve;
      });
    });
    await running;
    const text = ctx.out.join('');
    const exported = (name: string) => new RegExp(`^export ${name}=(\\S+)$`, 'm').exec(text)?.[1];
    const apply = {
      clientId: exported('ATLAS_REVIEW_APPLY_CLIENT_ID') ?? '',
      clientSecret: exported('ATLAS_REVIEW_APPLY_CLIENT_SECRET') ?? '',
    };
    expect(apply.clientId).toMatch(/^mdb_sa_id_[a-f0-9]{24}$/);
    expect(apply.clientId).not.toBe(exported('MONGODB_ATLAS_CLIENT_ID'));
    expect(apply.clientSecret).not.toBe('');
    const baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] ?? '';
    await expect(getToken(baseUrl, apply)).resolves.toMatch(/\S/);
    stop();
    await done;
  });

  it('rejects bad values with exit 2 before starting anything', async () => {
    const ctx = testContext();
    expect(await runCli(['simulate', '--preset', 'huge'], ctx)).toBe(2);
    expect(await runCli(['simulate', '--orgs', '0'], ctx)).toBe(2);
    expect(await runCli(['simulate', '--port', '70000'], ctx)).toBe(2);
    expect(ctx.err.join('')).toMatch(/--orgs must be/);
    expect(ctx.out.join('')).not.toMatch(/listening/);
  });

  it('a busy port: one line and exit 2, not an internal error', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const ctx = testContext();
      expect(await runCli(['simulate', '--port', String(port)], ctx)).toBe(2);
      expect(ctx.err.join('')).toBe(
        `error: port ${port} on 127.0.0.1 is already in use\nhint: choose another --port, or --port 0 for any free port\n`,
      );
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
