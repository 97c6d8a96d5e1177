import { compareText } from '../../../domain/compare-text.js';
import { identityKey } from '../../../domain/keys.js';
import { subjectStats } from '../finding-rows.js';
import { accessListLines, daysBetween, earliest, latest, projectRoleLines } from '../shared.js';
import type { SectionBuilder } from './context.js';

/** Service accounts (system-managed ones included): a roster row and a programmatic-identity row each. */
export const serviceAccountSection: SectionBuilder = (ctx, out) => {
  const { org } = ctx;
  const notEvaluated = ctx.notEvaluated('serviceAccount');
  for (const sa of org.serviceAccounts) {
    const managedBy = sa.systemManaged ? 'Atlas' : null;
    const key = identityKey(org.id, 'serviceAccount', sa.clientId);
    const st = subjectStats(ctx.findings, key);
    const lastUsed = latest(sa.secrets.map((s) => s.lastUsedAt));
    const expires = earliest(sa.secrets.map((s) => s.expiresAt));
    const orgRoles = [...sa.orgRoles].sort(compareText);
    const projectRoles = projectRoleLines(sa.projectRoles, ctx.projectNames);
    out.roster.push({
      key,
      orgId: org.id,
      orgName: org.name,
      kind: 'serviceAccount',
      subjectType: 'serviceAccount',
      id: sa.clientId,
      name: sa.name,
      displayName: sa.description ?? '',
      identityType: 'programmatic',
      managedBy,
      status: sa.secrets.length === 0 ? 'NO_SECRETS' : 'ACTIVE',
      orgRoles,
      projectRoles,
      teams: [],
      createdAt: sa.createdAt,
      lastActivity: lastUsed,
      daysSinceActivity: daysBetween(lastUsed, ctx.asOf),
      expiresAt: expires,
      findingCount: st.count,
      openFindingCount: st.open,
      maxSeverity: st.max,
      findingRules: st.rules,
      notEvaluated,
    });
    out.programmatic.push({
      key,
      orgId: org.id,
      orgName: org.name,
      kind: 'serviceAccount',
      id: sa.clientId,
      name: sa.name,
      description: sa.description ?? '',
      orgRoles,
      projectRoles,
      accessList: accessListLines(sa.accessList),
      accessListCollected: org.coverage.serviceAccountAccess,
      managedBy,
      secrets: sa.secrets.length,
      createdAt: sa.createdAt,
      lastUsedAt: lastUsed,
      expiresAt: expires,
      findingCount: st.count,
      maxSeverity: st.max,
    });
  }
};
