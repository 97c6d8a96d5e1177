import { dbOrg, networkEntry } from '../../builders/database-access.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    {
      name: 'a /1 block, an address and a security group',
      org: () =>
        dbOrg({
          networkAccess: [
            networkEntry({ cidrBlock: '0.0.0.0/1' }),
            networkEntry({ cidrBlock: null, ipAddress: '198.51.100.7' }),
            networkEntry({ cidrBlock: null, awsSecurityGroup: 'sg-0123456789abcdef0' }),
          ],
        }),
    },
  ],
  invalid: [
    {
      name: '0.0.0.0/0 and ::/0',
      org: () =>
        dbOrg({
          networkAccess: [networkEntry({ cidrBlock: '0.0.0.0/0' }), networkEntry({ cidrBlock: '::/0' })],
        }),
      fires: ['0.0.0.0/0', '::/0'],
      message: ['lets every address reach its clusters'],
    },
  ],
};
