/**
 * Cross-checks between two Atlas listings of the same grants. The snapshot keeps one source per grant
 * (the org API key listing for keys, each service account's own project listing for service accounts);
 * the per-project listings are read only to compare, and every disagreement becomes a collection note,
 * printed by `collect` and shown in the report's completeness section. Pure functions of wire data.
 */
import { compareText } from '../domain/compare-text.js';
import type { ApiKey, Project, ServiceAccount } from '../snapshot/schema.js';
import type * as wire from './wire-types.js';

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort(compareText);
const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = sortedUnique(a);
  const y = sortedUnique(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};
const list = (roles: readonly string[]): string =>
  roles.length > 0 ? sortedUnique(roles).join(', ') : 'none';
const projectLabel = (p: Project): string => `project ${p.name} (${p.id})`;

/**
 * Which service accounts are system-managed: those the `includeSystemManaged=true` listing has and the
 * default listing (user-managed only, per the spec) does not. An account only the default listing has
 * is a disagreement between the two reads: it is noted and kept as user-managed.
 */
export function systemManagedIds(
  withSystemManaged: readonly string[],
  userManaged: readonly string[],
): { ids: Set<string>; notes: string[] } {
  const full = new Set(withSystemManaged);
  const plain = new Set(userManaged);
  const ids = new Set([...full].filter((id) => !plain.has(id)));
  const notes = sortedUnique([...plain].filter((id) => !full.has(id))).map(
    (id) =>
      `service account ${id} is listed without includeSystemManaged but not with includeSystemManaged=true; it is not in the snapshot`,
  );
  return { ids, notes };
}

/**
 * Org API keys' project roles (GET /orgs/{orgId}/apiKeys, the snapshot's source) against each project's
 * key listing (GET /groups/{groupId}/apiKeys, which returns only keys assigned to that project).
 */
export function crossCheckProjectApiKeys(
  orgKeys: readonly ApiKey[],
  perProject: ReadonlyArray<{ project: Project; keys: readonly wire.ApiKeyUserDetails[] }>,
  orgId: string,
): string[] {
  const byId = new Map(orgKeys.map((k) => [k.id, k]));
  const notes: string[] = [];
  for (const { project, keys } of perProject) {
    const listed = new Map<string, string[]>();
    for (const k of keys) {
      // The project listing carries every role of the key; only this project's are compared.
      const roles = (k.roles ?? [])
        .filter((r) => r.groupId === project.id && r.roleName)
        .map((r) => r.roleName as string);
      listed.set(k.id, roles);
      const orgKey = byId.get(k.id);
      const name = orgKey?.publicKey ?? k.publicKey;
      if (!orgKey) {
        const belongs = (k.roles ?? []).some((r) => r.orgId === orgId);
        notes.push(
          `${projectLabel(project)} lists API key ${name} (${k.id}) with ${list(roles)}, but the organization's API key listing does not${belongs ? '' : ' (the key holds no role in this organization)'}`,
        );
        continue;
      }
      const orgRoles = orgKey.projectRoles.find((p) => p.projectId === project.id)?.roles ?? [];
      if (!sameSet(roles, orgRoles)) {
        notes.push(
          `${projectLabel(project)}: API key ${name} has ${list(roles)} per the project's API key listing but ${list(orgRoles)} per the organization's`,
        );
      }
    }
    for (const k of orgKeys) {
      const orgRoles = k.projectRoles.find((p) => p.projectId === project.id)?.roles ?? [];
      if (orgRoles.length > 0 && !listed.has(k.id)) {
        notes.push(
          `${projectLabel(project)}: API key ${k.publicKey} has ${list(orgRoles)} per the organization's API key listing, but the project's listing does not show the key`,
        );
      }
    }
  }
  return notes.sort(compareText);
}

/**
 * Service accounts' project roles (GET /orgs/{orgId}/serviceAccounts/{clientId}/groups, the snapshot's
 * source) against each project's service account listing (GET /groups/{groupId}/serviceAccounts).
 */
export function crossCheckProjectServiceAccounts(
  accounts: readonly ServiceAccount[],
  perProject: ReadonlyArray<{ project: Project; accounts: readonly wire.GroupServiceAccount[] }>,
): string[] {
  const byId = new Map(accounts.map((a) => [a.clientId, a]));
  const notes: string[] = [];
  for (const { project, accounts: listedAccounts } of perProject) {
    const listed = new Set<string>();
    for (const a of listedAccounts) {
      listed.add(a.clientId);
      const roles = a.roles ?? [];
      const account = byId.get(a.clientId);
      if (!account) {
        notes.push(
          `${projectLabel(project)} lists service account ${a.clientId} with ${list(roles)}, but the organization's service account listing does not`,
        );
        continue;
      }
      const own = account.projectRoles.find((p) => p.projectId === project.id)?.roles ?? [];
      if (!sameSet(roles, own)) {
        notes.push(
          `${projectLabel(project)}: service account ${account.name} (${a.clientId}) has ${list(roles)} per the project's service account listing but ${list(own)} per its own project listing`,
        );
      }
    }
    for (const account of accounts) {
      const own = account.projectRoles.find((p) => p.projectId === project.id)?.roles ?? [];
      if (own.length > 0 && !listed.has(account.clientId)) {
        notes.push(
          `${projectLabel(project)}: service account ${account.name} (${account.clientId}) has ${list(own)} per its own project listing, but the project's listing does not show it`,
        );
      }
    }
  }
  return notes.sort(compareText);
}
