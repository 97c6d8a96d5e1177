import { apiKey, org } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'read-only key', org: () => org({ apiKeys: [apiKey()] }) }],
  invalid: [
    {
      name: 'owner key',
      org: () =>
        org({ apiKeys: [apiKey({ description: 'ci', orgRoles: ['ORG_MEMBER', 'ORG_OWNER'] }), apiKey()] }),
      fires: ['ci'],
      message: ['holds ORG_OWNER'],
    },
  ],
};
