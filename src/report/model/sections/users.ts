import { compareText } from '../../../domain/compare-text.js';
import { nonHumanUser } from '../../../domain/identities.js';
import { identityKey } from '../../../domain/keys.js';
import type { IdentityKind } from '../../../domain/subject.js';
import { subjectStats } from '../finding-rows.js';
import { daysBetween, projectRoleLines } from '../shared.js';
import type { SectionBuilder } from './context.js';

/** Users and invitations (Atlas lists both as users): one roster row each. */
export const userSection: SectionBuilder = (ctx, out) => {
  const { org } = ctx;
  const notEvaluated = ctx.notEvaluated('user');
  for (const u of org.users) {
    const kind: IdentityKind = u.status === 'ACTIVE' ? 'user' : 'invitation';
    // What manages a user that is not a person, e.g. "Atlas Charts"; null for a person.
    const managedBy = nonHumanUser(u.username)?.label ?? null;
    const key = identityKey(org.id, 'user', u.id);
    const st = subjectStats(ctx.findings, key);
    out.roster.push({
      key,
      orgId: org.id,
      orgName: org.name,
      kind,
      subjectType: 'user',
      id: u.id,
      name: u.username,
      displayName: [u.firstName, u.lastName].filter((x): x is string => !!x).join(' '),
      identityType: managedBy === null ? 'person' : 'non-human',
      managedBy,
      status: u.status,
      orgRoles: [...u.orgRoles].sort(compareText),
      projectRoles: projectRoleLines(u.projectRoles, ctx.projectNames),
      teams: [...(ctx.userTeams.get(u.id) ?? [])].map((t) => ctx.teamNames.get(t) ?? t).sort(compareText),
      createdAt: u.createdAt ?? u.invitationCreatedAt,
      lastActivity: u.lastAuth,
      daysSinceActivity: daysBetween(u.lastAuth, ctx.asOf),
      expiresAt: u.invitationExpiresAt,
      findingCount: st.count,
      openFindingCount: st.open,
      maxSeverity: st.max,
      findingRules: st.rules,
      notEvaluated,
    });
  }
};
