import { dbOrg, networkEntry } from '../../builders/database-access.js';
import type { RuleCases } from '../tester.js';

const entries =
  (...cidrs: string[]) =>
  () =>
    dbOrg({ networkAccess: cidrs.map((cidrBlock) => networkEntry({ cidrBlock })) });

export const cases: RuleCases = {
  valid: [
    {
      name: 'at the limit: exactly /16 and /48',
      org: entries('10.0.0.0/16', '2001:db8::/48'),
      atLimit: ['minPrefixLength', 'minPrefixLengthIpv6'],
    },
    {
      name: 'single addresses and a security group',
      org: () =>
        dbOrg({
          networkAccess: [
            networkEntry({ cidrBlock: null, ipAddress: '198.51.100.7' }),
            networkEntry({ cidrBlock: null, awsSecurityGroup: 'sg-0123456789abcdef0' }),
          ],
        }),
    },
    { name: 'open to the world is the other rule', org: entries('0.0.0.0/0', '::/0') },
    {
      name: 'at the limit of a policy of /8: exactly /8',
      org: entries('10.0.0.0/8'),
      policy: { rules: { 'network-access-wide-cidr': { params: { minPrefixLength: 8 } } } },
    },
  ],
  invalid: [
    {
      name: 'a /15 and a /47',
      org: entries('10.0.0.0/15', '2001:db8::/47'),
      fires: ['10.0.0.0/15', '2001:db8::/47'],
      message: ['(limit /16 IPv4, /48 IPv6)'],
    },
    {
      name: 'a policy of /24: a /23',
      org: entries('192.0.2.0/23'),
      policy: { rules: { 'network-access-wide-cidr': { params: { minPrefixLength: 24 } } } },
      fires: ['192.0.2.0/23'],
      message: ['opens a /23 block'],
    },
  ],
};
