/**
 * Database access changes between two snapshots: database users added and removed, role
 * changes with escalations to any privileged database role called out, and IP access list entries
 * added and removed, a new world-open entry called out as an escalation.
 *
 * A snapshot read from schema 2 has no database data (its coverage parts are false after the upgrade):
 * then one `database-access-not-compared` change says "not collected last time" instead of listing
 * every current user as added. The same holds per dataset (users, access list) and in reverse.
 */
import { compareText } from '../domain/compare-text.js';
import {
  databaseUserId,
  networkAccessEntryId,
  networkEntryText,
  networkExposure,
  privilegedGrants,
} from '../domain/database-access.js';
import { databaseRoleText } from '../domain/database-roles.js';
import type { DatabaseUser, Organization, Project } from '../snapshot/schema.js';

/** The database change kinds, in the order the diff lists them (appended to CHANGE_KINDS). */
export const DATABASE_CHANGE_KINDS = [
  'database-access-not-compared',
  'database-user-added',
  'database-user-removed',
  'database-user-roles-changed',
  'network-access-added',
  'network-access-removed',
] as const;
type DatabaseChangeKind = (typeof DATABASE_CHANGE_KINDS)[number];

/** What one database change records (the diff adds org and kind). */
export interface DatabaseChange {
  kind: DatabaseChangeKind;
  subject: { type: 'org' | 'databaseUser' | 'networkAccessEntry'; id: string; name: string };
  from?: string;
  to?: string;
  added?: string[];
  removed?: string[];
  escalations?: string[];
}

interface UserEntry {
  project: Project;
  user: DatabaseUser;
}

function usersOf(org: Organization): Map<string, UserEntry> {
  const out = new Map<string, UserEntry>();
  for (const project of org.projects)
    for (const user of project.databaseUsers)
      out.set(databaseUserId(project.id, user.databaseName, user.username), { project, user });
  return out;
}

/** Privileged built-in roles a user holds, as `Project: role` (directly or through a custom role). */
function privilegedOf(e: UserEntry): string[] {
  const roles = e.user.roles.flatMap((r) => privilegedGrants(r, e.project.customRoles));
  return [...new Set(roles.map((r) => `${e.project.name}: ${r}`))].sort(compareText);
}

function minus(a: readonly string[], b: readonly string[]): string[] {
  const bs = new Set(b);
  return [...new Set(a.filter((x) => !bs.has(x)))].sort(compareText);
}

function userSubject(id: string, e: UserEntry): DatabaseChange['subject'] {
  return { type: 'databaseUser', id, name: `${e.user.username} (${e.project.name}, ${e.user.databaseName})` };
}

function notCompared(org: Organization, dataset: string, side: 'last time' | 'this time'): DatabaseChange {
  return {
    kind: 'database-access-not-compared',
    subject: { type: 'org', id: org.id, name: org.name },
    from: side === 'last time' ? 'not collected' : 'collected',
    to: side === 'last time' ? 'collected' : 'not collected',
    added: [`${dataset}: not collected ${side}, not compared`],
  };
}

function diffUsers(before: Organization, after: Organization): DatabaseChange[] {
  const out: DatabaseChange[] = [];
  const old = usersOf(before);
  const now = usersOf(after);
  for (const [id, e] of now) {
    const o = old.get(id);
    const roles = e.user.roles.map(databaseRoleText).sort(compareText);
    if (!o) {
      out.push({
        kind: 'database-user-added',
        subject: userSubject(id, e),
        added: roles,
        escalations: privilegedOf(e),
      });
      continue;
    }
    const oldRoles = o.user.roles.map(databaseRoleText);
    const added = minus(roles, oldRoles);
    const removed = minus(oldRoles, roles);
    // Escalation: a privileged role it did not hold before, whether granted directly or through a
    // custom role that now inherits one.
    const escalations = minus(privilegedOf(e), privilegedOf(o));
    if (added.length > 0 || removed.length > 0 || escalations.length > 0)
      out.push({
        kind: 'database-user-roles-changed',
        subject: userSubject(id, e),
        added,
        removed,
        escalations,
      });
  }
  for (const [id, o] of old)
    if (!now.has(id))
      out.push({
        kind: 'database-user-removed',
        subject: userSubject(id, o),
        removed: o.user.roles.map(databaseRoleText).sort(compareText),
      });
  return out;
}

function entriesOf(
  org: Organization,
): Map<string, { project: Project; entry: Project['networkAccess'][number] }> {
  const out = new Map<string, { project: Project; entry: Project['networkAccess'][number] }>();
  for (const project of org.projects)
    for (const entry of project.networkAccess)
      out.set(networkAccessEntryId(project.id, networkEntryText(entry)), { project, entry });
  return out;
}

function diffNetwork(before: Organization, after: Organization): DatabaseChange[] {
  const out: DatabaseChange[] = [];
  const old = entriesOf(before);
  const now = entriesOf(after);
  for (const [id, { project, entry }] of now) {
    if (old.has(id)) continue;
    const text = networkEntryText(entry);
    out.push({
      kind: 'network-access-added',
      subject: { type: 'networkAccessEntry', id, name: `${text} (${project.name})` },
      added: entry.comment ? [entry.comment] : [],
      escalations: networkExposure(entry) === 'world' ? [`${project.name}: ${text} open to the world`] : [],
    });
  }
  for (const [id, { project, entry }] of old)
    if (!now.has(id))
      out.push({
        kind: 'network-access-removed',
        subject: { type: 'networkAccessEntry', id, name: `${networkEntryText(entry)} (${project.name})` },
      });
  return out;
}

/** Database access changes of one organization present in both snapshots. */
export function diffDatabaseAccess(before: Organization, after: Organization): DatabaseChange[] {
  const out: DatabaseChange[] = [];
  const datasets = [
    { part: 'databaseUsers', words: 'database users', diff: diffUsers },
    { part: 'networkAccess', words: 'IP access list', diff: diffNetwork },
  ] as const;
  for (const d of datasets) {
    const was = before.coverage[d.part];
    const is = after.coverage[d.part];
    if (was && is) out.push(...d.diff(before, after));
    else if (is) out.push(notCompared(after, d.words, 'last time'));
    else if (was) out.push(notCompared(after, d.words, 'this time'));
  }
  return out;
}
