import { apiKey, org, projectRole } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'known roles', org: () => org({ apiKeys: [apiKey()] }) }],
  invalid: [
    {
      name: 'unknown project role on a key',
      org: () =>
        org({
          apiKeys: [
            apiKey({
              description: 'deploy',
              projectRoles: [projectRole('dd0000000000000000000001', 'GROUP_ROOT')],
            }),
          ],
        }),
      fires: ['deploy'],
      message: ['GROUP_ROOT'],
    },
  ],
};
