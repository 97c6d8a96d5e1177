/**
 * Renders the HTML report in headless Debian chromium (CI installs it) to PNG and PDF and checks that
 * it rendered: sizes, title, key text through the DOM, and that nothing from the hostile fixture ran.
 * Skipped, with the reason in the test name, when /usr/bin/chromium is absent.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { renderHtml } from '../../src/report/renderers/html.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot, HOSTILE } from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const title = available
  ? 'HTML report in headless chromium'
  : `HTML report in headless chromium (SKIPPED: ${CHROMIUM} not installed; apt-get install chromium)`;

describe.skipIf(!available)(title, () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'aar-chromium-'));
  const snapshot = fixtureSnapshot({ hostile: true });
  const model = buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
  });

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders the report to PNG and PDF with its content and no script from data', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(model));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    expect(await page.title()).toBe(model.meta.title);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).toContain('Action required');
    expect(body).toContain(model.verdict.headline);
    expect(body).toContain('Review roster');
    // Hostile names appear as text, e.g. the org name that is a <script> element.
    expect(body).toContain(HOSTILE.script);
    // One script, the report's own sort and filter; nothing from data became one.
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    expect(dialogs).toEqual([]);
    // Self-contained: the only request is the file itself.
    expect(requests).toEqual([pathToFileURL(file).href]);
    // Severity sections are real <details> with counts in their summaries.
    expect(await page.locator('details.sev').count()).toBe(model.findings.length);
    // Closed sections are hidden on screen but printed: a printed report must be complete.
    // (The not-evaluated statement stands open between the heading and the collapsed rule table.)
    const coverageTable = page.locator('#coverage ~ details').first().locator('table');
    expect(await coverageTable.isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print' });
    expect(await coverageTable.isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    const png = await page.screenshot({ fullPage: true, path: join(dir, 'report.png') });
    expect(png.byteLength).toBeGreaterThan(50_000);
    const pdf = await page.pdf({ format: 'A4', printBackground: true, path: join(dir, 'report.pdf') });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.byteLength).toBeGreaterThan(20_000);
    await page.close();
  });

  it('renders "Changes since the last review" with the escalation called out (PNG of the section)', async () => {
    const current = fixtureSnapshot();
    const withChanges = buildReportModel({
      snapshot: current,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(current),
      generatedAt: FIXED_NOW,
      previous: previousReview(),
    });
    const file = join(dir, 'report-previous.html');
    writeFileSync(file, renderHtml(withChanges));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const heading = page.locator('h2#changes');
    expect(await heading.textContent()).toContain('Changes since the last review');
    // The section sits after the findings and before the roster.
    const ids: string[] = [];
    for (const h of await page.locator('h2[id]').all()) ids.push((await h.getAttribute('id')) ?? '');
    const order = ids.join(',');
    expect(order).toMatch(/findings,changes,roster/);
    const callout = page.locator('.escalations');
    expect(await callout.isVisible()).toBe(true);
    expect(await callout.textContent()).toContain('carol@contractor.example');
    // Escalated rows are shaded, and the change table is open at this size.
    const escalated = page.locator('tr.escalation').first();
    expect(await escalated.isVisible()).toBe(true);
    // No DOM lib in the test tsconfig: reach getComputedStyle through globalThis, as above.
    const bg = await escalated
      .locator('td')
      .first()
      .evaluate(
        (td) =>
          (
            globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
          ).getComputedStyle(td).backgroundColor,
      );
    expect(bg).toBe('rgb(255, 241, 242)');
    expect(await page.locator('tr.resolved').count()).toBe(1);
    expect(await page.locator('span.badge.new').count()).toBe(1);
    // A screenshot of just the section, from its heading to the roster's.
    const top = (await heading.boundingBox())!.y;
    const end = (await page.locator('h2#roster').boundingBox())!.y;
    const clip = { x: 0, y: Math.floor(top) - 8, width: 1280, height: Math.ceil(end - top) };
    expect(clip.height).toBeGreaterThan(200);
    const png = await page.screenshot({ clip, fullPage: true, path: join(dir, 'changes.png') });
    expect(png.byteLength).toBeGreaterThan(20_000);
    await page.close();
  });

  it('sorts and filters the roster with its own script under the CSP, and reads the same without script', async () => {
    const file = join(dir, 'sortable.html');
    writeFileSync(file, renderHtml(model));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await page.locator('#roster-tables details').evaluateAll((all) => {
      for (const d of all) d.setAttribute('open', '');
    });
    const table = page.locator('#roster-tables table').first();
    // The first cell as the script sorts it: its whole text, trimmed.
    const names = async () =>
      (await table.locator('tbody tr:not([hidden]) td:first-child').allTextContents()).map((t) => t.trim());
    const before = await names();
    await table.locator('th button', { hasText: 'Identity' }).click();
    await table.locator('th button', { hasText: 'Identity' }).click();
    const descending = await names();
    expect(descending).toEqual(
      [...before].sort((a, b) => b.localeCompare(a, undefined, { numeric: true, sensitivity: 'base' })),
    );
    expect(await table.locator('th[aria-sort="descending"]').count()).toBe(1);
    const filter = page.locator('input[data-filter="roster-tables"]');
    expect(await filter.isVisible()).toBe(true);
    const target = before[0]!;
    await filter.fill(target);
    const shown = await page.locator('#roster-tables tbody tr:not([hidden])').allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    for (const row of shown) expect(row.toLowerCase()).toContain(target.toLowerCase());
    // The CSP admitted the script (a refusal would be a console error) and nothing else ran.
    expect(problems).toEqual([]);
    await page.close();

    // Without script: no filter box to type into, rows in the model's order.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await plain.goto(pathToFileURL(file).href);
    expect(await plain.locator('input[data-filter]').first().isVisible()).toBe(false);
    await plain
      .locator('#roster-tables details')
      .first()
      .evaluate((d) => d.setAttribute('open', ''));
    expect(await plain.locator('#roster-tables table').first().locator('th button').count()).toBe(0);
    await context.close();
  });

  it('renders the email body', async () => {
    const file = join(dir, 'email.html');
    writeFileSync(file, renderEmailSummary(model).html);
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).toContain('Top open findings');
    expect(body).toContain(model.verdict.headline);
    expect(await page.locator('script').count()).toBe(0);
    const png = await page.screenshot({ fullPage: true });
    expect(png.byteLength).toBeGreaterThan(20_000);
    await page.close();
  });
});
