import { type Organization, SNAPSHOT_SCHEMA_VERSION, type Snapshot } from '../snapshot/schema.js';

/** Wraps generated organizations in a snapshot as `collect` would write it, without the HTTP part (benchmarks, the build's code-cache training). */
export function snapshotOf(organizations: Organization[], now: Date): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt: now.toISOString(),
    tool: { name: 'bench', version: '0' },
    source: {
      baseUrl: 'sim',
      api: 'atlas-v2',
      apiVersion: '2025-02-19',
      auth: 'service-account',
      keepPii: false,
    },
    collector: null,
    organizations,
    stats: { requests: 0, retries: 0, durationMs: 0 },
  };
}
