/**
 * The same estate one review later, for the demo's second quarter: a leaver, a joiner and a privilege
 * escalation in the first organization, so "Changes since the last review" has something to show.
 * Deterministic: the same estate and `now` give the same result.
 */
import { nonHumanUser } from '../domain/identities.js';
import type { Organization, User } from '../snapshot/schema.js';
import { COMPANY_EMAIL_DOMAINS } from './generate.js';

export interface EstateChanges {
  organizations: Organization[];
  /** What was changed, for the demo's output. */
  changes: string[];
}

/** A fresh 24-hex id derived from an existing one, not used anywhere in `taken`. */
function freshId(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const id = (BigInt(`0x${base}`) + BigInt(n) * 0x1000003n).toString(16).padStart(24, '0').slice(-24);
    if (!taken.has(id)) return id;
  }
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function nextQuarter(organizations: readonly Organization[], now: Date): EstateChanges {
  const [first, ...rest] = organizations;
  if (!first) return { organizations: [], changes: [] };
  const taken = new Set(
    organizations.flatMap((o) => [o.id, ...o.users.map((u) => u.id), ...o.teams.map((t) => t.id)]),
  );
  // People only: the user Atlas Charts creates neither leaves nor gets promoted.
  const members = first.users.filter(
    (u) => u.status === 'ACTIVE' && !u.orgRoles.includes('ORG_OWNER') && nonHumanUser(u.username) === null,
  );
  const leaver = members[0];
  const promoted = members[1];
  const changes: string[] = [];
  let users: User[] = first.users;
  let teams = first.teams;

  if (leaver) {
    users = users.filter((u) => u.id !== leaver.id);
    teams = teams.map((t) => ({ ...t, memberIds: t.memberIds.filter((id) => id !== leaver.id) }));
    changes.push(`${leaver.username} left ${first.name}`);
  }
  if (promoted) {
    users = users.map((u) => (u.id === promoted.id ? { ...u, orgRoles: ['ORG_OWNER'] } : u));
    changes.push(`${promoted.username} became ORG_OWNER of ${first.name}`);
  }
  const team = teams[0];
  const joinerId = freshId(first.users[0]?.id ?? first.id, taken);
  const iso = now.toISOString().replace('.000Z', 'Z');
  const joiner: User = {
    id: joinerId,
    username: `new.joiner@${COMPANY_EMAIL_DOMAINS[0]}`,
    firstName: 'New',
    lastName: 'Joiner',
    country: 'US',
    status: 'ACTIVE',
    orgRoles: ['ORG_MEMBER'],
    projectRoles: [],
    teamIds: team ? [team.id] : [],
    createdAt: iso,
    lastAuth: iso,
    invitationCreatedAt: null,
    invitationExpiresAt: null,
    inviterUsername: null,
  };
  users = [...users, joiner].sort(byId);
  if (team) {
    teams = teams.map((t) => (t.id === team.id ? { ...t, memberIds: [...t.memberIds, joinerId].sort() } : t));
  }
  changes.push(`${joiner.username} joined ${first.name}${team ? ` (team ${team.name})` : ''}`);
  return { organizations: [{ ...first, users, teams }, ...rest], changes };
}
