import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REVIEW_REFERENCES } from '../../src/review/verify.js';
import {
  type FrameworkCatalogue,
  frameworkCatalogueSchema,
  resolveReference,
} from '../../src/rules/frameworks.js';

const RULES = join(import.meta.dirname, '../../rules');
const FRAMEWORKS = join(RULES, 'frameworks');

const catalogues: FrameworkCatalogue[] = readdirSync(FRAMEWORKS)
  .filter((n) => n.endsWith('.json'))
  .sort()
  .map((n) => {
    const c = frameworkCatalogueSchema.parse(JSON.parse(readFileSync(join(FRAMEWORKS, n), 'utf8')));
    expect(`${c.id}.json`).toBe(n);
    return c;
  });
const rules = readdirSync(RULES)
  .filter((n) => n.endsWith('.json') && n !== 'rule.schema.json')
  .map((n) => JSON.parse(readFileSync(join(RULES, n), 'utf8')) as { id: string; references: string[] });
const refsOf = (id: string) => rules.find((r) => r.id === id)?.references ?? [];

describe('framework catalogues', () => {
  it('offer the four framework profiles, each with unique control ids', () => {
    expect(catalogues.filter((c) => c.selectable).map((c) => c.id)).toEqual([
      'cis-v8',
      'iso27001',
      'pci-dss-4',
      'soc2',
    ]);
    for (const c of catalogues) expect(new Set(c.controls.map((x) => x.id)).size).toBe(c.controls.length);
  });

  it('know every control each rule cites, and every control the review itself cites', () => {
    const problems = [
      ...rules.flatMap((r) => r.references.map((ref) => ({ where: r.id, ref }))),
      ...REVIEW_REFERENCES.map((ref) => ({ where: 'review', ref })),
    ]
      .map(({ where, ref }) => ({ where, resolved: resolveReference(ref, catalogues) }))
      .filter((x) => 'problem' in x.resolved);
    expect(problems).toEqual([]);
  });

  it('reject a control that is not in the catalogue and a prefix no catalogue has', () => {
    expect(resolveReference('PCI DSS v4.0 9.9.9', catalogues)).toEqual({
      problem: expect.stringContaining('has no control "9.9.9"'),
    });
    expect(resolveReference('SOX 404', catalogues)).toEqual({
      problem: expect.stringContaining('names no known framework'),
    });
    expect(resolveReference('PCI DSS v4.0 8.2.6', catalogues)).toMatchObject({
      framework: 'pci-dss-4',
      control: '8.2.6',
    });
  });

  it('map rules by what each control requires', () => {
    // An IP access list on a credential is not a network security control between networks (1.4.1).
    for (const id of [
      'api-key-no-access-list',
      'service-account-no-access-list',
      'api-access-list-not-required',
    ]) {
      expect(refsOf(id)).not.toContain('PCI DSS v4.0 1.4.1');
    }
    // MFA: PCI DSS 8.4.x, SOC 2 CC6.1, ISO A.8.5.
    expect(refsOf('mfa-not-required')).toEqual(
      expect.arrayContaining(['PCI DSS v4.0 8.4.2', 'SOC 2 CC6.1', 'ISO/IEC 27001:2022 A.8.5']),
    );
    // Inactive accounts: PCI DSS 8.2.6, ISO A.5.18, CIS 5.3.
    for (const id of ['stale-last-auth', 'never-signed-in', 'idle-privileged-user']) {
      expect(refsOf(id)).toEqual(
        expect.arrayContaining(['PCI DSS v4.0 8.2.6', 'ISO/IEC 27001:2022 A.5.18', 'CIS Controls v8 5.3']),
      );
    }
    // The review itself: PCI DSS 7.2.4 and 7.2.5.1, SOC 2 CC6.2 and CC6.3, ISO A.5.18 and A.8.2.
    expect([...REVIEW_REFERENCES]).toEqual(
      expect.arrayContaining([
        'PCI DSS v4.0 7.2.4',
        'PCI DSS v4.0 7.2.5.1',
        'SOC 2 CC6.2',
        'SOC 2 CC6.3',
        'ISO/IEC 27001:2022 A.5.18',
        'ISO/IEC 27001:2022 A.8.2',
      ]),
    );
  });
});
