import { compareText } from '../../../domain/compare-text.js';
import { identityKey } from '../../../domain/keys.js';
import { subjectStats } from '../finding-rows.js';
import { accessListLines, daysBetween, earliest, latest, projectRoleLines } from '../shared.js';
import type { SectionBuilder } from './context.js';

/** Organization API keys: a roster row and a programmatic-identity row each. */
export const apiKeySection: SectionBuilder = (ctx, out) => {
  const { org } = ctx;
  const notEvaluated = ctx.notEvaluated('apiKey');
  for (const k of org.apiKeys) {
    const key = identityKey(org.id, 'apiKey', k.id);
    const st = subjectStats(ctx.findings, key);
    const lastUsed = latest(k.accessList.map((a) => a.lastUsedAt));
    const orgRoles = [...k.orgRoles].sort(compareText);
    const projectRoles = projectRoleLines(k.projectRoles, ctx.projectNames);
    out.roster.push({
      key,
      orgId: org.id,
      orgName: org.name,
      kind: 'apiKey',
      subjectType: 'apiKey',
      id: k.id,
      name: k.publicKey,
      displayName: k.description ?? '',
      identityType: 'programmatic',
      managedBy: null,
      status: 'ACTIVE',
      orgRoles,
      projectRoles,
      teams: [],
      createdAt: earliest(k.accessList.map((a) => a.createdAt)),
      lastActivity: lastUsed,
      daysSinceActivity: daysBetween(lastUsed, ctx.asOf),
      expiresAt: null,
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
      kind: 'apiKey',
      id: k.id,
      name: k.publicKey,
      description: k.description ?? '',
      orgRoles,
      projectRoles,
      accessList: accessListLines(k.accessList),
      accessListCollected: true,
      managedBy: null,
      secrets: 0,
      createdAt: null,
      lastUsedAt: lastUsed,
      expiresAt: null,
      findingCount: st.count,
      maxSeverity: st.max,
    });
  }
};
