import { compareText } from '../../../domain/compare-text.js';
import { identityKey } from '../../../domain/keys.js';
import type { RosterRow } from '../../model.js';
import { subjectStats } from '../finding-rows.js';
import { accessListLines, daysBetween, projectRoleLines } from '../shared.js';
import type { OrgContext } from './context.js';
import type { Sections } from './index.js';

/** What the roster and the programmatic-identity rows say of an API key or a service account. */
export interface ProgrammaticIdentity {
  kind: 'apiKey' | 'serviceAccount';
  /** The key's id or the service account's client id. */
  id: string;
  /** Public key or service account name. */
  name: string;
  description: string | null;
  orgRoles: readonly string[];
  projectRoles: Array<{ projectId: string; roles: string[] }>;
  accessList: ReadonlyArray<{ cidrBlock: string | null; ipAddress: string | null }>;
  /** False when the snapshot could not read the access list (its rows then say so). */
  accessListCollected: boolean;
  managedBy: string | null;
  status: RosterRow['status'];
  /** Secrets held (an API key has none of its own). */
  secrets: number;
  /** The roster's creation date (an API key's: its oldest access list entry). */
  rosterCreatedAt: string | null;
  /** The programmatic section's creation date (null where Atlas does not give one). */
  createdAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** Adds an API key's or a service account's roster row and programmatic-identity row. */
export function pushProgrammatic(ctx: OrgContext, out: Sections, p: ProgrammaticIdentity): void {
  const { org } = ctx;
  const key = identityKey(org.id, p.kind, p.id);
  const st = subjectStats(ctx.findings, key);
  const orgRoles = [...p.orgRoles].sort(compareText);
  const projectRoles = projectRoleLines(p.projectRoles, ctx.projectNames);
  // Field by field in the order the JSON report has always written them.
  out.roster.push({
    key,
    orgId: org.id,
    orgName: org.name,
    kind: p.kind,
    subjectType: p.kind,
    id: p.id,
    name: p.name,
    displayName: p.description ?? '',
    identityType: 'programmatic',
    managedBy: p.managedBy,
    status: p.status,
    orgRoles,
    projectRoles,
    teams: [],
    createdAt: p.rosterCreatedAt,
    lastActivity: p.lastUsedAt,
    daysSinceActivity: daysBetween(p.lastUsedAt, ctx.asOf),
    expiresAt: p.expiresAt,
    findingCount: st.count,
    openFindingCount: st.open,
    maxSeverity: st.max,
    findingRules: st.rules,
    notEvaluated: ctx.notEvaluated(p.kind),
  });
  out.programmatic.push({
    key,
    orgId: org.id,
    orgName: org.name,
    kind: p.kind,
    id: p.id,
    name: p.name,
    description: p.description ?? '',
    orgRoles,
    projectRoles,
    accessList: accessListLines(p.accessList),
    accessListCollected: p.accessListCollected,
    managedBy: p.managedBy,
    secrets: p.secrets,
    createdAt: p.createdAt,
    lastUsedAt: p.lastUsedAt,
    expiresAt: p.expiresAt,
    findingCount: st.count,
    maxSeverity: st.max,
  });
}
