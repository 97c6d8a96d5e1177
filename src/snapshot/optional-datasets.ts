/**
 * Datasets a user may add to a snapshot with `--include` (they need more than a read-only role, or
 * are costly). Defined with the snapshot, not with the collector, because they say what a snapshot
 * holds: the collector, the simulator's expected snapshot and the library options all name them.
 * `access-history`: each dedicated cluster's database access history over `--since` days (needs
 * Project Cluster Log Viewer or Project Database Access Admin in every project).
 */
export type OptionalDataset = 'project-invitations' | 'access-history';
export const OPTIONAL_DATASETS: readonly OptionalDataset[] = ['project-invitations', 'access-history'];
