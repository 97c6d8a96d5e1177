import { apiKey, org } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'key with an access list', org: () => org({ apiKeys: [apiKey()] }) }],
  invalid: [
    {
      name: 'key without access list, named by its public key when it has no description',
      org: () => org({ apiKeys: [apiKey({ publicKey: 'abcdefgh', description: null, accessList: [] })] }),
      fires: ['abcdefgh'],
      message: ['no IP access list'],
    },
  ],
};
