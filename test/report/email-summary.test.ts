/** The email body at estate size (real audit of a generated 20-org estate) and the stage's purity rules. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { EMAIL_TOP_FINDINGS, renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { auditedEstate } from '../helpers/estate-audit.js';

describe('email summary', () => {
  it('stays under 100 KB for a 20-org estate, inline styles only, every org listed', async () => {
    const now = new Date('2026-05-01T00:00:00.000Z');
    const estate = generateEstate({ seed: 42, now, ...PRESETS.large, orgs: 20, usersPerOrg: 500 });
    const { snapshot, audit } = await auditedEstate(estate, now);
    const model = buildReportModel({ snapshot, snapshotSha256: '0'.repeat(64), audit, generatedAt: now });
    const email = renderEmailSummary(model);
    expect(Buffer.byteLength(email.html)).toBeLessThan(100 * 1024);
    expect(email.html).not.toMatch(/<style|<script|<link|<img/i);
    expect(email.html).not.toMatch(/class="/);
    for (const o of snapshot.organizations) expect(email.html).toContain(o.name);
    expect(email.text).toContain(`Findings: ${model.summary.findings.open} open`);
    if (model.summary.findings.open > EMAIL_TOP_FINDINGS) {
      expect(email.html).toContain(`${model.summary.findings.open - EMAIL_TOP_FINDINGS} more open findings`);
    }
  });
});

describe('report stage purity (docs/architecture.md, principle 4: renderers touch no file, clock or env)', () => {
  const dir = join(import.meta.dirname, '..', '..', 'src', 'report');
  // Every file of the model and the renderers, those in their subfolders (model/, renderers/xlsx/) too.
  const under = (sub: string) =>
    readdirSync(join(dir, sub), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(dir, sub, f));
  const files = [join(dir, 'model.ts'), ...under('model'), ...under('renderers')];
  for (const file of files) {
    it(`${file.slice(dir.length + 1)} has no I/O, clock or env`, () => {
      const src = readFileSync(file, 'utf8');
      expect(src).not.toMatch(/from 'node:fs|from 'fs'|nodemailer|src\/atlas|\.\.\/atlas/);
      expect(src).not.toMatch(/Date\.now\(|new Date\(\)|process\.env|process\.cwd/);
    });
  }
});
