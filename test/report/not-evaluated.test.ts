/**
 * "Not evaluated" in every report format. The fixture's second org came from Cloud Manager: two rules
 * could not run there (no sign-in data, no team data). Each format must say so in words, count it as
 * neither a finding nor a pass, and escape the org name (the hostile fixture names it with markup).
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { RENDERERS } from '../../src/report/renderers/index.js';
import {
  FIXED_NOW,
  FIXED_SHA,
  fixtureAudit,
  fixtureSnapshot,
  HOSTILE,
  ORG_B,
} from '../fixtures/report/estate.js';

function build(hostile = false, audit?: (a: AuditResult) => AuditResult): ReportModel {
  const snapshot = fixtureSnapshot({ hostile });
  const base = fixtureAudit(snapshot);
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: audit ? audit(base) : base,
    generatedAt: FIXED_NOW,
  });
}

async function text(format: keyof typeof RENDERERS, m: ReportModel): Promise<string> {
  const out = await RENDERERS[format].render(m);
  return typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
}

describe('report formats: rules not evaluated', () => {
  let model: ReportModel;
  let hostile: ReportModel;
  beforeAll(() => {
    model = build();
    hostile = build(true);
  });

  it('HTML: a plain statement in Rule coverage, one row per org x rule, a column per rule, the roster note', async () => {
    const html = await text('html', model);
    expect(html).toContain(
      '<p><strong>Not evaluated: 2 rules in 1 organization.</strong> The snapshot lacks the data these rules need there, so they were not run: they are neither findings nor passes, and their subjects in those organizations are not counted as checked or passed below.</p>',
    );
    expect(html).toContain(
      '<tr><td><bdi>Beta Labs</bdi></td><td><span class="badge medium">MEDIUM</span> Rule user-inactive<br><code class="muted tok">user-inactive</code></td><td>user</td><td><strong>not evaluated:</strong> no sign-in data</td></tr>',
    );
    expect(html).toContain('<td class="small"><bdi>Beta Labs</bdi>: no team data</td>');
    expect(html).toContain(
      '<p class="small"><strong>Not evaluated</strong> for these identities (the snapshot lacks the data): no sign-in data: user-inactive</p>',
    );
    expect(html).toContain(
      '<li style="margin:2px 0;">Beta Labs: the source API did not provide invitation data, team data, API key data, service account data, organization settings, sign-in data, database users, custom database roles, project IP access lists and cluster data; 2 rules not evaluated for lack of data (see Rule coverage).</li>',
    );
    // Escaped like every Atlas value.
    const h = await text('html', hostile);
    expect(h).toContain(
      '<tr><td><bdi>O&#x27;Brien &quot;the&quot; &#x60;admin&#x60; &amp; &lt;co&gt;</bdi></td>',
    );
    expect(h).not.toContain('<co>');
  });

  it('HTML and email: a pass with rules not evaluated is not "All clear"', async () => {
    const passing = build(false, (a) => ({
      ...a,
      findings: [],
      summary: {
        ...a.summary,
        total: 0,
        waived: 0,
        open: 0,
        bySeverity: { low: 0, medium: 0, high: 0, critical: 0 },
      },
      gate: { ...a.gate, failed: false, failing: 0 },
      waivers: { applied: [], expired: [], unused: [], expiringSoon: [] },
    }));
    expect(passing.verdict.headline).toBe(
      'PASS: no open findings; 2 rules not evaluated in 1 organization (no data for them)',
    );
    const email = renderEmailSummary(passing);
    for (const doc of [(await RENDERERS.html.render(passing)) as string, email.html]) {
      expect(doc).toContain('No findings in the rules that could run');
      expect(doc).not.toContain('All clear');
    }
    const clear = build(false, (a) => ({
      ...a,
      findings: [],
      notEvaluated: [],
      gate: { ...a.gate, failed: false, failing: 0 },
    }));
    expect((await RENDERERS.html.render(clear)) as string).toContain('All clear');
  });

  it('XLSX: Summary says it plainly, Rules has "Not evaluated in", Review has the identity column', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(
      Buffer.from((await RENDERERS.xlsx.render(model)) as Uint8Array) as unknown as ArrayBuffer,
    );
    const rows = (name: string) => {
      const out: ExcelJS.CellValue[][] = [];
      wb.getWorksheet(name)!.eachRow((r) => out.push((r.values as ExcelJS.CellValue[]).slice(1)));
      return out;
    };
    const summary = rows('Summary');
    expect(summary).toContainEqual(['Rules not evaluated', 2]);
    expect(summary).toContainEqual(['Rule checks not evaluated (rule x organization)', 2]);
    expect(summary).toContainEqual([
      'Not evaluated',
      'The snapshot lacks the data these rules need in these organizations, so they were not run: neither findings nor passes, and not counted as checked or passed on the Rules sheet.',
    ]);
    expect(summary).toContainEqual(['Beta Labs', 'not evaluated: no sign-in data: user-inactive']);
    expect(summary).toContainEqual([
      'Beta Labs',
      '2 identities · 0/0/0/1 · count mismatch · 2 rules not evaluated',
    ]);
    const rules = rows('Rules');
    const col = rules[0]!.indexOf('Not evaluated in');
    const inactive = rules.find((r) => r[0] === 'user-inactive')!;
    expect(inactive[col]).toBe('Beta Labs: not evaluated: no sign-in data');
    expect(inactive.slice(5, 8)).toEqual([6, 5, 1]); // checked, passed, failed: Beta Labs' users in none
    const review = rows('Review');
    const ne = review[0]!.indexOf('Not evaluated');
    const orgCol = review[0]!.indexOf('Organization');
    expect(review.filter((r) => r[orgCol] === 'Beta Labs').map((r) => r[ne])).toEqual([
      'no sign-in data: user-inactive',
      'no sign-in data: user-inactive',
    ]);
  });

  it('JSON: the model carries every row, the per-org groups and the counts', async () => {
    const doc = JSON.parse(await text('json', model));
    expect(doc.summary.notEvaluated).toEqual({ checks: 2, rules: 2, organizations: 1 });
    expect(doc.notEvaluated[0]).toEqual({
      orgId: ORG_B,
      orgName: 'Beta Labs',
      ruleId: 'user-inactive',
      ruleTitle: 'Rule user-inactive',
      severity: 'medium',
      subjectKind: 'user',
      missing: ['signIns'],
      reason: 'no sign-in data',
    });
    expect(JSON.parse(await text('json', hostile)).notEvaluated[0].orgName).toBe(HOSTILE.quotes);
  });

  it('CSV: the roster says which rules could not check each identity', async () => {
    const csv = await text('csv', model);
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    // The CSV's own Recommendation and Controls columns follow the roster columns.
    expect(header!.endsWith(',Rules,Not evaluated,Identity type,Recommendation,Controls')).toBe(true);
    const cellRe = '(?:"[^"]*"|[^,"]*)';
    const beta = lines.filter((l) => l.includes(',Beta Labs,'));
    expect(beta).toHaveLength(2);
    for (const l of beta)
      expect(l).toMatch(new RegExp(`,no sign-in data: user-inactive,person,Keep,${cellRe}$`));
    // Acme's rows: an empty Not evaluated cell before the identity type (quoted when it holds a comma).
    for (const l of lines.filter((x) => x.includes(',Acme Production,') && !x.includes(',databaseUser,')))
      expect(l).toMatch(new RegExp(`,,${cellRe},${cellRe},${cellRe}$`));
  });

  it('Markdown: a count under the verdict, the org evidence, and a Not evaluated table', async () => {
    const md = await text('markdown', model);
    expect(md).toContain(
      '**Not evaluated:** 2 rules in 1 organization (2 rule checks): the snapshot lacks the data they need, so they are neither findings nor passes (listed under Not evaluated below).',
    );
    expect(md).toContain('| Beta Labs | 2 | 1 | 0 | 0 | 0 | 1 | count mismatch; 2 not evaluated |');
    expect(md).toContain(
      '## Not evaluated (2)\n\nThese rules could not run in these organizations because the snapshot lacks the data they need. They are neither findings nor passes.\n\n| Organization | Rule | Status |\n|---|---|---|\n| Beta Labs | Rule user-inactive `user-inactive` | not evaluated: no sign-in data |\n',
    );
    const h = await text('markdown', hostile);
    expect(h).toContain('| O\'Brien "the" \\`admin\\` &amp; &lt;co&gt; | Rule user-inactive');
  });

  it('JUnit: each org x rule not evaluated is a skipped testcase; nothing passes that did not run', async () => {
    const xml = await text('junit', model);
    expect(xml).toContain(
      '    <testcase classname="team-no-members" name="Beta Labs: not evaluated" time="0">\n      <skipped message="not evaluated: no team data"/>\n    </testcase>',
    );
    expect(xml).toContain('<testsuite name="user-inactive" tests="3" failures="0" errors="0" skipped="2"');
    // A rule not evaluated anywhere gets no made-up "0 of 0 passed" case.
    const nowhere = build(false, (a) => ({
      ...a,
      findings: a.findings.filter((f) => f.ruleId !== 'team-no-members'),
      rules: a.rules.map((r) =>
        r.id === 'team-no-members' ? { ...r, subjectsChecked: 0, passed: 0, failed: 0 } : r,
      ),
    }));
    const x2 = await text('junit', nowhere);
    expect(x2).toContain('<testsuite name="team-no-members" tests="1" failures="0" errors="0" skipped="1"');
    expect(x2).not.toContain('name="0 of 0 team subjects passed"');
    expect(await text('junit', hostile)).toContain(
      'name="O&apos;Brien &quot;the&quot; `admin` &amp; &lt;co&gt;: not evaluated"',
    );
  });

  it('email summary: the organizations table, the attention list and the text part', () => {
    const email = renderEmailSummary(model);
    expect(email.html).toContain('<br><span style="color:#b45309;">2 rules not evaluated</span>');
    expect(email.html).toContain('2 rules not evaluated for lack of data (see Rule coverage).');
    expect(email.text).toContain(
      '  - Beta Labs: 2 identities; open critical 0, high 0, medium 0, low 1 (count mismatch); 1 not evaluated: no sign-in data; 1 not evaluated: no team data\n',
    );
    expect(email.text).toContain(
      '  - Beta Labs: the source API did not provide invitation data, team data, API key data, service account data, organization settings, sign-in data, database users, custom database roles, project IP access lists and cluster data; 2 rules not evaluated for lack of data (see Rule coverage).\n',
    );
    expect(email.text).toContain(
      'Verdict: FAIL: 3 open findings at or above high; 2 rules not evaluated in 1 organization',
    );
    expect(renderEmailSummary(hostile).html).not.toContain('<co>');
  });
});
