import { dbOrg, networkEntry } from '../../builders/database-access.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    {
      name: 'commented entry',
      org: () => dbOrg({ networkAccess: [networkEntry({ comment: 'office VPN' })] }),
    },
  ],
  invalid: [
    {
      name: 'no comment, and a blank one',
      org: () =>
        dbOrg({
          networkAccess: [
            networkEntry({ cidrBlock: '198.51.100.0/24', comment: null }),
            networkEntry({ cidrBlock: '203.0.113.0/24', comment: '   ' }),
          ],
        }),
      fires: ['198.51.100.0/24', '203.0.113.0/24'],
      message: ['has no comment'],
    },
  ],
};
