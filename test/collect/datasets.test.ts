/**
 * The dataset table is what `doctor` probes and what the README tells users to grant: every row's least
 * role must be the spec's x-rolesRequirements of its operation (the operations test checks that), and the
 * README's least-role table must be exactly the rows rendered here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS, type Dataset, leastRoleText } from '../../src/collect/datasets.js';
import { PACKAGE_ROOT } from '../../src/version.js';

const PER: Record<Dataset['scope'], string> = {
  caller: 'credentials',
  org: 'organization',
  team: 'team',
  project: 'project',
  apiKey: 'API key',
  serviceAccount: 'service account',
  databaseUser: 'X.509-managed database user',
  cluster: 'dedicated cluster',
};

/** The README rows, in the dataset table's order. */
function leastRoleRows(): string[] {
  return DATASETS.map((d) => {
    const api = d.api === 'atlas-v2' ? 'Atlas v2' : 'Cloud Manager v1.0';
    const label = d.optional ? `${d.label} (\`--include ${d.optional}\`)` : d.label;
    return `| ${api} | ${label} | ${PER[d.scope]} | ${leastRoleText(d)} | \`${d.operation.method} ${d.operation.path}\` |`;
  });
}

describe('datasets', () => {
  it('the README least-role table is generated from the dataset table', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const block = /<!-- least-roles:start -->\n([\s\S]*?)<!-- least-roles:end -->/.exec(readme)?.[1] ?? '';
    const rows = block
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| API') && !l.startsWith('|---'));
    // On failure, paste the expected rows into README.md between the markers.
    expect(rows.join('\n')).toBe(leastRoleRows().join('\n'));
  });

  it('ids are unique per API, and every operation is read at most once per API', () => {
    for (const api of ['atlas-v2', 'cloud-manager'] as const) {
      const of = DATASETS.filter((d) => d.api === api);
      expect(new Set(of.map((d) => d.id)).size).toBe(of.length);
      expect(new Set(of.map((d) => d.operation.path)).size).toBe(of.length);
    }
  });

  it('one read-only role covers every default Atlas v2 dataset: Organization Read Only', () => {
    const needed = new Set(
      DATASETS.filter((d) => d.api === 'atlas-v2' && d.optional === null).flatMap((d) => d.operation.roles),
    );
    expect([...needed].sort()).toEqual([
      'Organization Member',
      'Organization Read Only',
      'Project Read Only',
    ]);
  });
});
