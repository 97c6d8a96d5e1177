/**
 * The identities besides people: API keys, service accounts (user- and system-managed), their IP access
 * lists and project grants, project invitations and the user Atlas Charts creates. All clean: planters
 * (planters.ts) turn some of them into violations.
 */
import type {
  AccessListEntry,
  ApiKey,
  Project,
  ProjectInvitation,
  ProjectRole,
  ServiceAccount,
  Team,
} from '../snapshot/schema.js';
import { byKey, DAY, iso, type Rng } from './estate-random.js';
import { COMPANY_EMAIL_DOMAINS } from './estate-terms.js';
import {
  FIRST_NAMES,
  KEY_PURPOSES,
  LAST_NAMES,
  SERVICE_ACCOUNT_GRANTS,
  TEAM_GRANTS,
} from './estate-words.js';
import { type EstateState, uniqueUsername, type WorkUser } from './org-work.js';

export function generateApiKeys(
  rng: Rng,
  state: EstateState,
  count: number,
  orgCreated: number,
  projects: Project[],
): ApiKey[] {
  const keys: ApiKey[] = [];
  for (let i = 0; i < count; i++) {
    const created = orgCreated + rng.int(1, 800) * DAY;
    let publicKey = '';
    do {
      publicKey = '';
      for (let c = 0; c < 8; c++) publicKey += String.fromCharCode(97 + rng.int(0, 25));
    } while (state.publicKeys.has(publicKey));
    state.publicKeys.add(publicKey);
    const projectRoles: ProjectRole[] = [];
    const projectCount = Math.min(projects.length, rng.int(0, 2));
    const chosen = new Set<string>();
    for (let p = 0; p < projectCount; p++) {
      const project = rng.pick(projects);
      if (chosen.has(project.id)) continue;
      chosen.add(project.id);
      projectRoles.push({
        projectId: project.id,
        roles: [rng.pick(['GROUP_READ_ONLY', 'GROUP_DATA_ACCESS_READ_ONLY', 'GROUP_CLUSTER_MANAGER'])],
      });
    }
    const accessList: AccessListEntry[] = [];
    const entries = rng.int(1, 3);
    for (let e = 0; e < entries; e++) accessList.push(accessListEntry(rng, state.now, created));
    const key: ApiKey = {
      id: state.ids.next(created),
      publicKey,
      description: `${KEY_PURPOSES[i % KEY_PURPOSES.length]}${i >= KEY_PURPOSES.length ? `-${i}` : ''}`,
      orgRoles: [rng.chance(0.7) ? 'ORG_READ_ONLY' : 'ORG_MEMBER'],
      projectRoles: projectRoles.sort(byKey((p) => p.projectId)),
      accessList: dedupeAccessList(accessList),
    };
    keys.push(key);
  }
  return keys;
}

function accessListEntry(rng: Rng, now: number, keyCreated: number): AccessListEntry {
  const created = keyCreated + Math.floor(rng.next() * Math.max(1, now - keyCreated) * 0.5);
  const used = rng.chance(0.8);
  const lastUsedAt = used ? now - rng.int(0, 20) * DAY - rng.int(0, DAY - 1) : null;
  const isCidr = rng.chance(0.3);
  const ip = rng.pick(['203.0.113', '198.51.100', '192.0.2']) + `.${rng.int(1, 254)}`;
  const cidrBlock = isCidr ? `10.${rng.int(0, 255)}.0.0/16` : `${ip}/32`;
  return {
    cidrBlock,
    ipAddress: isCidr ? null : ip,
    createdAt: iso(created),
    lastUsedAt: lastUsedAt === null ? null : iso(Math.max(lastUsedAt, created)),
    lastUsedAddress: used
      ? isCidr
        ? `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
        : ip
      : null,
    // The spec gives `count` a minimum of 1; an entry never used reports none.
    count: used ? rng.int(1, 50_000) : null,
  };
}

function dedupeAccessList(entries: AccessListEntry[]): AccessListEntry[] {
  const seen = new Map<string, AccessListEntry>();
  for (const e of entries) if (!seen.has(e.cidrBlock ?? '')) seen.set(e.cidrBlock ?? '', e);
  return [...seen.values()].sort(byKey((e) => e.cidrBlock ?? ''));
}

export function generateServiceAccounts(
  rng: Rng,
  state: EstateState,
  count: number,
  maxValidityHours: number,
): ServiceAccount[] {
  const now = state.now;
  const validity = maxValidityHours * 3_600_000;
  const accounts: ServiceAccount[] = [];
  for (let i = 0; i < count; i++) {
    const created = now - rng.int(20, 900) * DAY;
    const secrets = [];
    const secretCount = rng.int(1, 2);
    for (let s = 0; s < secretCount; s++) {
      // Clean secrets: issued within the last 60 days (validity >= 182 days) and used recently,
      // or issued within 20 days and not used yet.
      const issued = Math.max(created, now - rng.int(1, 60) * DAY);
      const fresh = now - issued < 20 * DAY;
      const lastUsed = fresh && rng.chance(0.3) ? null : Math.max(issued, now - rng.int(0, 20) * DAY);
      secrets.push({
        id: state.ids.next(issued),
        createdAt: iso(issued),
        expiresAt: iso(issued + validity),
        lastUsedAt: lastUsed === null ? null : iso(lastUsed),
      });
    }
    accounts.push({
      clientId: `mdb_sa_id_${state.ids.next(created)}`,
      name: `${KEY_PURPOSES[(i + 3) % KEY_PURPOSES.length]}-sa${i >= KEY_PURPOSES.length ? `-${i}` : ''}`,
      description: rng.chance(0.8)
        ? `Service account for ${KEY_PURPOSES[(i + 3) % KEY_PURPOSES.length]}`
        : null,
      createdAt: iso(created),
      orgRoles: [rng.chance(0.7) ? 'ORG_READ_ONLY' : 'ORG_MEMBER'],
      secrets: secrets.sort(byKey((x) => x.id)),
      // Filled from the population stream (completeServiceAccounts).
      projectRoles: [],
      accessList: [],
      systemManaged: false,
    });
  }
  return accounts;
}

/** Up to `max` project grants on distinct projects, sorted by project id. */
function projectGrants(
  rng: Rng,
  projects: readonly Project[],
  max: number,
  grants: readonly (readonly string[])[],
): ProjectRole[] {
  const chosen = new Map<string, string[]>();
  const count = Math.min(projects.length, rng.int(0, max));
  for (let i = 0; i < count; i++) {
    const project = rng.pick(projects);
    if (!chosen.has(project.id)) chosen.set(project.id, [...rng.pick(grants)].sort());
  }
  return [...chosen].map(([projectId, roles]) => ({ projectId, roles })).sort(byKey((p) => p.projectId));
}

/**
 * What the org listing of service accounts does not say: their project roles and IP access lists
 * (the `service-account-no-access-list` planter empties one afterwards).
 */
export function completeServiceAccounts(
  rng: Rng,
  state: EstateState,
  accounts: ServiceAccount[],
  projects: readonly Project[],
): void {
  for (const sa of accounts) {
    sa.projectRoles = projectGrants(rng, projects, 2, SERVICE_ACCOUNT_GRANTS);
    const created = Date.parse(sa.createdAt ?? '');
    const entries: AccessListEntry[] = [];
    for (let e = rng.int(1, 2); e > 0; e--) entries.push(accessListEntry(rng, state.now, created));
    sa.accessList = dedupeAccessList(entries);
  }
}

/**
 * Service accounts Atlas manages for MCP integrations: listed only with `includeSystemManaged=true`.
 * Clean by construction: fresh secrets, recently used; no access list (Atlas manages them).
 */
export function systemManagedServiceAccounts(
  rng: Rng,
  state: EstateState,
  count: number,
  maxValidityHours: number,
  projects: readonly Project[],
): ServiceAccount[] {
  const now = state.now;
  const out: ServiceAccount[] = [];
  for (let i = 0; i < count; i++) {
    const created = now - rng.int(20, 300) * DAY;
    const issued = Math.max(created, now - rng.int(1, 30) * DAY);
    const direction = i % 2 === 0 ? 'ingress' : 'egress';
    out.push({
      clientId: `mdb_sa_id_${state.ids.next(created)}`,
      name: `mcp-${direction}${i >= 2 ? `-${i}` : ''}`,
      description: `Managed by Atlas for the MCP ${direction} integration`,
      createdAt: iso(created),
      orgRoles: ['ORG_MEMBER'],
      secrets: [
        {
          id: state.ids.next(issued),
          createdAt: iso(issued),
          expiresAt: iso(issued + maxValidityHours * 3_600_000),
          lastUsedAt: iso(Math.max(issued, now - rng.int(0, 5) * DAY)),
        },
      ],
      projectRoles: projectGrants(rng, projects, 1, [['GROUP_READ_ONLY']]),
      accessList: [],
      systemManaged: true,
    });
  }
  return out;
}

/**
 * Invitations sent through the deprecated project-invite endpoint, which the org users listing does not
 * show: 1-2 per org, recent (no rule judges them; they are listed for review).
 */
export function generateProjectInvitations(
  rng: Rng,
  state: EstateState,
  projects: readonly Project[],
  inviter: string,
): ProjectInvitation[] {
  if (projects.length === 0) return [];
  const out: ProjectInvitation[] = [];
  for (let i = rng.int(1, 2); i > 0; i--) {
    const sent = state.now - rng.int(1, 20) * DAY - rng.int(0, DAY - 1);
    const project = rng.pick(projects);
    out.push({
      id: state.ids.next(sent),
      projectId: project.id,
      username: uniqueUsername(
        rng,
        state,
        rng.pick(FIRST_NAMES),
        rng.pick(LAST_NAMES),
        COMPANY_EMAIL_DOMAINS,
      ),
      roles: [...rng.pick(TEAM_GRANTS)].sort(),
      createdAt: iso(sent),
      expiresAt: iso(sent + 30 * DAY),
      inviterUsername: inviter,
    });
  }
  return out;
}

/**
 * The user Atlas Charts creates (`charts+<project id>@mongodb.com`). An existing plain member becomes
 * it, so the org keeps its size (the max preset sits at Atlas's 500-user limit): one outside every
 * owner team and every planted violation, whose teams keep other members (no team becomes empty). It
 * never signs in and reads one project's data directly; the person-centred rules must not judge it.
 */
export function addChartsUser(
  rng: Rng,
  state: EstateState,
  active: readonly WorkUser[],
  teams: Team[],
  projects: readonly Project[],
): void {
  const candidates = active.filter(
    (w) =>
      !w.privileged &&
      !w.reserved &&
      w.user.orgRoles.length === 1 &&
      w.user.orgRoles[0] === 'ORG_MEMBER' &&
      !state.planted.some((p) => p.subjectId === w.user.id) &&
      teams.every((t) => !t.memberIds.includes(w.user.id) || t.memberIds.length >= 2),
  );
  if (candidates.length === 0 || projects.length === 0) return;
  const { user } = rng.pick(candidates);
  const project = rng.pick(projects);
  state.usernames.delete(user.username);
  user.username = `charts+${project.id}@mongodb.com`;
  state.usernames.add(user.username);
  user.firstName = 'MongoDB';
  user.lastName = 'Charts';
  user.lastAuth = null;
  user.teamIds = [];
  user.projectRoles = [{ projectId: project.id, roles: ['GROUP_DATA_ACCESS_READ_ONLY'] }];
  for (const t of teams) t.memberIds = t.memberIds.filter((id) => id !== user.id);
}
