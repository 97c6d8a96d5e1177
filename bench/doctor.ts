/**
 * doctor benchmark (README, "Performance"): the preflight of the 10-org estate against the simulator over real HTTP
 * on 127.0.0.1, with 0 and 50 ms added latency per request, against the baseline of a full collection
 * of the same estate at the same settings, in the same process. Prints requests and wall time of each,
 * and the ratio doctor / collect. The target is under 3 s for 10 orgs.
 * Run: npm run bench:doctor
 */

import { ServiceAccountAuth } from '../src/atlas/auth/service-account.js';
import { AtlasClient, DEFAULT_CLIENT_OPTIONS, defaultDeps } from '../src/atlas/client.js';
import { collectSnapshot } from '../src/collect/collect.js';
import { runDoctor } from '../src/collect/doctor.js';
import { generateEstate, PRESETS } from '../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, startSimulator } from '../src/sim/server.js';

const NOW = new Date('2026-11-25T00:00:00Z');
const sa = DEFAULT_CREDENTIALS.serviceAccounts[0]!;

function client(baseUrl: string): AtlasClient {
  const url = new URL(baseUrl);
  let c: AtlasClient | undefined;
  const auth = new ServiceAccountAuth(
    sa.clientId,
    sa.clientSecret,
    url,
    (r) => c!.sendTokenRequest(r),
    defaultDeps.now,
  );
  c = new AtlasClient({ ...DEFAULT_CLIENT_OPTIONS, baseUrl: url, userAgent: 'bench' }, auth, defaultDeps);
  return c;
}

async function main(): Promise<void> {
  const estate = generateEstate({ seed: 42, now: NOW, ...PRESETS.ten });
  const orgIds = estate.organizations.map((o) => o.id);
  console.log(
    `estate: ${orgIds.length} orgs (preset ten), default concurrency ${DEFAULT_CLIENT_OPTIONS.concurrency}`,
  );
  for (const latencyMs of [0, 50]) {
    const sim = await startSimulator({ organizations: estate.organizations, latencyMs });
    try {
      const d = client(sim.baseUrl);
      let started = performance.now();
      const report = await runDoctor({
        client: d,
        api: 'atlas-v2',
        usersVersion: '2025-02-19',
        orgs: orgIds,
        credentialId: sa.clientId,
        now: () => Date.now(),
      });
      const doctorMs = performance.now() - started;
      const c = client(sim.baseUrl);
      started = performance.now();
      await collectSnapshot({
        client: c,
        api: 'atlas-v2',
        usersVersion: '2025-02-19',
        orgs: orgIds,
        keepPii: false,
        now: () => new Date(),
      });
      const collectMs = performance.now() - started;
      console.log(
        `+${latencyMs} ms/request: doctor ${report.requests} requests ${(doctorMs / 1000).toFixed(2)} s (ok=${report.ok}); ` +
          `collect ${c.stats.requests} requests ${(collectMs / 1000).toFixed(2)} s; doctor/collect = ${(doctorMs / collectMs).toFixed(2)} ` +
          `(${((report.requests / c.stats.requests) * 100).toFixed(0)}% of the requests)`,
      );
    } finally {
      await sim.close();
    }
  }
}

await main();
