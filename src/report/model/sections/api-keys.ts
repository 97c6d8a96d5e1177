import { earliest, latest } from '../shared.js';
import type { SectionBuilder } from './context.js';
import { pushProgrammatic } from './programmatic.js';

/** Organization API keys: a roster row and a programmatic-identity row each. */
export const apiKeySection: SectionBuilder = (ctx, out) => {
  for (const k of ctx.org.apiKeys)
    pushProgrammatic(ctx, out, {
      kind: 'apiKey',
      id: k.id,
      name: k.publicKey,
      description: k.description,
      orgRoles: k.orgRoles,
      projectRoles: k.projectRoles,
      accessList: k.accessList,
      accessListCollected: true,
      managedBy: null,
      status: 'ACTIVE',
      secrets: 0,
      rosterCreatedAt: earliest(k.accessList.map((a) => a.createdAt)),
      createdAt: null,
      lastUsedAt: latest(k.accessList.map((a) => a.lastUsedAt)),
      expiresAt: null,
    });
};
