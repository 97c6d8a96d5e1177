import { earliest, latest } from '../shared.js';
import type { SectionBuilder } from './context.js';
import { pushProgrammatic } from './programmatic.js';

/** Service accounts (system-managed ones included): a roster row and a programmatic-identity row each. */
export const serviceAccountSection: SectionBuilder = (ctx, out) => {
  for (const sa of ctx.org.serviceAccounts)
    pushProgrammatic(ctx, out, {
      kind: 'serviceAccount',
      id: sa.clientId,
      name: sa.name,
      description: sa.description,
      orgRoles: sa.orgRoles,
      projectRoles: sa.projectRoles,
      accessList: sa.accessList,
      accessListCollected: ctx.org.coverage.serviceAccountAccess,
      managedBy: sa.systemManaged ? 'Atlas' : null,
      status: sa.secrets.length === 0 ? 'NO_SECRETS' : 'ACTIVE',
      secrets: sa.secrets.length,
      rosterCreatedAt: sa.createdAt,
      createdAt: sa.createdAt,
      lastUsedAt: latest(sa.secrets.map((s) => s.lastUsedAt)),
      expiresAt: earliest(sa.secrets.map((s) => s.expiresAt)),
    });
};
