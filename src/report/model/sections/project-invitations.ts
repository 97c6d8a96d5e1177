import { compareText } from '../../../domain/compare-text.js';
import { daysBetween } from '../shared.js';
import type { SectionBuilder } from './context.js';

/**
 * Invitations made through the deprecated project-invite endpoint (when collected): their own table,
 * not the roster, because a decision on one has no revocation in the plan yet.
 */
export const projectInvitationSection: SectionBuilder = (ctx, out) => {
  const { org, asOf } = ctx;
  for (const inv of org.projectInvitations) {
    out.projectInvitations.push({
      orgId: org.id,
      orgName: org.name,
      id: inv.id,
      projectId: inv.projectId,
      projectName: ctx.projectNames.get(inv.projectId) ?? inv.projectId,
      username: inv.username,
      roles: [...inv.roles].sort(compareText),
      createdAt: inv.createdAt,
      expiresAt: inv.expiresAt,
      inviterUsername: inv.inviterUsername,
      daysPending: daysBetween(inv.createdAt, asOf),
      expired: inv.expiresAt !== null && Date.parse(inv.expiresAt) <= asOf.getTime(),
    });
  }
};
