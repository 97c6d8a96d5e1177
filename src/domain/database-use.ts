/**
 * Which clusters a database user can reach and which access-history summaries are the user's: the one
 * reading the rules' facts (last use, unknown without history) and the report's rows (per cluster
 * successes and failures) share. Pure; plain shapes, as the rest of domain (no snapshot types).
 */

/** One access-history summary as far as attributing it goes: per username and authentication database. */
interface SummaryShape {
  username: string;
  authSource: string | null;
}

/** A cluster as far as reaching it and reading its history go. */
interface ClusterShape<S extends SummaryShape> {
  name: string;
  accessHistory: { summaries: readonly S[] };
}

/** A database user as far as its scopes and its summaries go. */
interface UserShape {
  username: string;
  databaseName: string;
  scopes: ReadonlyArray<{ type: string; name: string }>;
}

/** The summary type of a cluster type. */
type SummaryOf<C extends ClusterShape<SummaryShape>> = C['accessHistory']['summaries'][number];

/** Per cluster of a project: its summaries by username, built once (a project has thousands of users). */
export type SummariesByUser<C, S> = ReadonlyMap<C, ReadonlyMap<string, readonly S[]>>;

/** Indexes the access-history summaries of a project's clusters by username. */
export function summariesByUser<C extends ClusterShape<SummaryShape>>(
  clusters: readonly C[],
): SummariesByUser<C, SummaryOf<C>> {
  const out = new Map<C, Map<string, SummaryOf<C>[]>>();
  for (const c of clusters) {
    const byUser = new Map<string, SummaryOf<C>[]>();
    for (const s of c.accessHistory.summaries) {
      const list = byUser.get(s.username);
      if (list) list.push(s);
      else byUser.set(s.username, [s]);
    }
    out.set(c, byUser);
  }
  return out;
}

/** The clusters a user can reach: those its CLUSTER scopes name (in the project's order), or every cluster when unscoped. */
export function reachableClusters<C extends { name: string }>(
  user: UserShape,
  clusters: readonly C[],
): readonly C[] {
  if (user.scopes.length === 0) return clusters;
  const scoped = new Set(user.scopes.filter((s) => s.type === 'CLUSTER').map((s) => s.name));
  return clusters.filter((c) => scoped.has(c.name));
}

/** The user's summaries on `cluster`: its username's, in its authentication database (a summary without one counts). */
export function userSummaries<S extends SummaryShape, C>(
  user: UserShape,
  cluster: C,
  index: SummariesByUser<C, S>,
): S[] {
  return (index.get(cluster)?.get(user.username) ?? []).filter(
    (s) => s.authSource === null || s.authSource === user.databaseName,
  );
}
