/**
 * Collector benchmark (README, "Performance"): collect one maximum-size org and a 10-org estate from the simulator
 * over real HTTP on 127.0.0.1, with 50 ms added latency per request. Each estate is collected by
 *   - the baseline: one request at a time, itemsPerPage=100 (how naive scripts and the Atlas CLI page);
 *   - this tool at several concurrency caps (the default first), itemsPerPage=500, each rate-limit
 *     bucket's window adapting to its headers (src/atlas/rate-limit.ts);
 *   - then the maximum-size org again against buckets one quarter of Atlas's documented size;
 *   - and the org at Atlas's limits with database access (the `max-db` preset: 25,000 database users,
 *     750 dedicated clusters) with `--include access-history`, baseline run for real as above.
 * all in the same process, against the same simulator. Prints requests, retries, 429s, the widest
 * window a bucket reached, wall time, the process's CPU time over the run (client and simulator share
 * it, so a run whose CPU is close to its wall time is bound by the cores, not by latency),
 * the speed-up over the baseline, and the lower bound:
 *   critical path = the longest chain of dependent round trips (token, list teams -> team members)
 *   LB = max(critical path, ceil(requests / concurrency)) x latency.
 * Run: npm run bench:collect  (or node --import tsx bench/collect.ts [--quick] [--only max|ten|quarter|max-db])
 */

import { ServiceAccountAuth } from '../src/atlas/auth/service-account.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS, defaultDeps } from '../src/atlas/client.js';
import { collectSnapshot } from '../src/collect/collect.js';
import { generateEstate, PRESETS } from '../src/sim/generate.js';
import { ATLAS_RATE_LIMITS, type RateLimitTable } from '../src/sim/rate-limit.js';
import { DEFAULT_CREDENTIALS, startSimulator } from '../src/sim/server.js';
import type { OptionalDataset } from '../src/snapshot/optional-datasets.js';

/** Atlas's documented buckets at one quarter of their capacity and refill (README "Performance"). */
const QUARTER: RateLimitTable = Object.fromEntries(
  Object.entries(ATLAS_RATE_LIMITS).map(([set, b]) => [
    set,
    {
      capacity: Math.max(1, Math.floor(b.capacity / 4)),
      refill: Math.max(1, Math.floor(b.refill / 4)),
      intervalSeconds: b.intervalSeconds,
    },
  ]),
);

const LATENCY_MS = 50;
const quick = process.argv.includes('--quick');
const NOW = new Date('2026-11-25T00:00:00Z');

interface RunResult {
  label: string;
  requests: number;
  retries: number;
  rateLimited: number;
  wallMs: number;
  /** CPU time of the process (client and simulator together) during the run. */
  cpuMs: number;
  concurrency: number;
  widestWindow: number;
}

async function collectOnce(
  baseUrl: string,
  orgIds: string[],
  concurrency: number,
  itemsPerPage: number,
  include: readonly OptionalDataset[],
): Promise<{ requests: number; retries: number; wallMs: number; cpuMs: number; widestWindow: number }> {
  const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;
  const url = new URL(baseUrl);
  let client: AtlasClient | undefined;
  const auth = new ServiceAccountAuth(
    sa.clientId,
    sa.clientSecret,
    url,
    (r) => client!.sendTokenRequest(r),
    defaultDeps.now,
  );
  client = new AtlasClient(
    { ...DEFAULT_CLIENT_OPTIONS, baseUrl: url, concurrency, userAgent: 'bench' },
    auth,
    defaultDeps,
  );
  const started = performance.now();
  const cpu = process.cpuUsage();
  await collectSnapshot({
    client,
    api: 'atlas-v2',
    usersVersion: '2025-02-19',
    orgs: orgIds,
    keepPii: false,
    now: () => new Date(),
    itemsPerPage,
    include,
  });
  return {
    requests: client.stats.requests,
    retries: client.stats.retries,
    wallMs: performance.now() - started,
    cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpu)),
    widestWindow: client.widestWindow,
  };
}

async function benchEstate(
  name: string,
  preset: keyof typeof PRESETS,
  concurrencies: number[],
  rateLimits: 'atlas' | RateLimitTable = 'atlas',
  withBaseline = true,
  include: readonly OptionalDataset[] = [],
): Promise<void> {
  const estate = generateEstate({ seed: 42, now: NOW, ...PRESETS[preset] });
  const orgIds = estate.organizations.map((o) => o.id);
  const sim = await startSimulator({
    organizations: estate.organizations,
    latencyMs: LATENCY_MS,
    rateLimits,
  });
  const results: RunResult[] = [];
  try {
    const runs: Array<{ label: string; concurrency: number; itemsPerPage: number }> = [
      ...(withBaseline
        ? [{ label: 'baseline (sequential, 100/page)', concurrency: 1, itemsPerPage: 100 }]
        : []),
      ...concurrencies.map((c, i) => ({
        label: `atlas-access-review cap ${c}${i === 0 ? ' (default)' : ''}, adaptive`,
        concurrency: c,
        itemsPerPage: 500,
      })),
    ];
    for (const run of runs) {
      sim.resetStats();
      const r = await collectOnce(sim.baseUrl, orgIds, run.concurrency, run.itemsPerPage, include);
      const stats = sim.stats();
      results.push({
        label: run.label,
        ...r,
        rateLimited: stats.byStatus[429] ?? 0,
        concurrency: run.concurrency,
      });
    }
  } finally {
    await sim.close();
  }
  const users = estate.organizations.reduce((n, o) => n + o.users.length, 0);
  const teams = estate.organizations.reduce((n, o) => n + o.teams.length, 0);
  const projects = estate.organizations.reduce((n, o) => n + o.projects.length, 0);
  const dbUsers = estate.organizations.reduce(
    (n, o) => n + o.projects.reduce((m, p) => m + p.databaseUsers.length, 0),
    0,
  );
  const clusters = estate.organizations.reduce(
    (n, o) => n + o.projects.reduce((m, p) => m + p.clusters.length, 0),
    0,
  );
  console.log(
    `\n## ${name}: ${orgIds.length} org(s), ${users} users, ${teams} teams, ${projects} projects, ${dbUsers} database users, ${clusters} clusters; ${include.length > 0 ? `--include ${include.join(',')}; ` : ''}+${LATENCY_MS} ms per request`,
  );
  console.log(
    '| run | requests | retries | 429s | widest window | wall | CPU | vs baseline | lower bound | wall / LB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const baseline = withBaseline ? results[0]! : { wallMs: Number.NaN };
  // token -> list teams -> team members (and list projects -> project teams) is 3 dependent round trips.
  const criticalPath = 3;
  for (const r of results) {
    const lb = Math.max(criticalPath, Math.ceil(r.requests / r.concurrency)) * LATENCY_MS;
    console.log(
      `| ${r.label} | ${r.requests} | ${r.retries} | ${r.rateLimited} | ${r.widestWindow} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.cpuMs / 1000).toFixed(2)} s | ${withBaseline ? `${(baseline.wallMs / r.wallMs).toFixed(1)}x` : '– (no baseline run)'} | ${(lb / 1000).toFixed(2)} s | ${(r.wallMs / lb).toFixed(2)} |`,
    );
  }
  console.log(
    `critical path alone (unbounded concurrency): ${criticalPath} round trips = ${criticalPath * LATENCY_MS} ms`,
  );
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const scenario = (id: string) => only === null || only === id;

if (scenario('max'))
  await benchEstate(
    'maximum-size org',
    'max',
    quick ? [DEFAULT_CLIENT_OPTIONS.concurrency] : [DEFAULT_CLIENT_OPTIONS.concurrency, 16],
  );
if (scenario('ten'))
  await benchEstate(
    '10-org estate',
    'ten',
    quick ? [DEFAULT_CLIENT_OPTIONS.concurrency] : [DEFAULT_CLIENT_OPTIONS.concurrency, 16],
  );

// Buckets one quarter of Atlas's: the collection must still complete, waiting out every Retry-After
// (a request failing for a 429 would end the run with exit 3, and the bench with it).
if (scenario('quarter'))
  await benchEstate(
    "maximum-size org, buckets one quarter of Atlas's",
    'max',
    [DEFAULT_CLIENT_OPTIONS.concurrency],
    QUARTER,
    false,
  );

// The org at Atlas's limits with database access: 250 projects x 100 database users x 3 dedicated
// clusters, each cluster's access history read (`--include access-history`), against the sequential
// baseline run for real in the same process, like the scenarios above.
if (scenario('max-db'))
  await benchEstate(
    'maximum-size org with database access and access history',
    'max-db',
    [DEFAULT_CLIENT_OPTIONS.concurrency],
    'atlas',
    true,
    ['access-history'],
  );
