/**
 * Team membership as the union of both sources Atlas offers: each user's `teamIds` (users endpoint)
 * and each team's member list (team-users endpoint). Either may lag the other, so an audit that
 * trusted one would miss access the other grants.
 */

/** The parts of an organization membership is read from (structural, so any layer may pass one). */
export interface MembershipSource {
  users: ReadonlyArray<{ id: string; teamIds: readonly string[] }>;
  teams: ReadonlyArray<{ id: string; memberIds: readonly string[] }>;
}

/** userId -> ids of the teams the user belongs to by either source. Members absent from `users` are included. */
export function teamsOfUsers(org: MembershipSource): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (userId: string, teamId: string): void => {
    const s = out.get(userId);
    if (s) s.add(teamId);
    else out.set(userId, new Set([teamId]));
  };
  for (const u of org.users) {
    if (!out.has(u.id)) out.set(u.id, new Set());
    for (const t of u.teamIds) add(u.id, t);
  }
  for (const t of org.teams) for (const m of t.memberIds) add(m, t.id);
  return out;
}
