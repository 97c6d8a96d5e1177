/**
 * The HTML report's layout in headless Debian chromium at a laptop (1400), a desktop (1920) and a
 * narrow window (800): the page never scrolls sideways (wide tables scroll inside their own box), no
 * table cell's content spills out of the cell, the tables fit the page at 1400 and 1920, and names, ids
 * and CIDRs are never broken in the middle. Every section is opened first, so closed ones count too.
 * Screenshots are written to $AAR_LAYOUT_PNG_DIR (default: a temporary folder) for a person to look at.
 * Skipped when /usr/bin/chromium is absent, like chromium.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/renderers/html.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const title = available
  ? 'HTML report layout in headless chromium'
  : `HTML report layout in headless chromium (SKIPPED: ${CHROMIUM} not installed)`;

/** What the page measures in the browser (no DOM lib in the test tsconfig: plain data back). */
interface Layout {
  innerWidth: number;
  scrollWidth: number;
  /** Cells whose content is wider or taller than the cell's box. */
  spilling: string[];
  /** Tables wider than their box (they scroll inside it). */
  scrolling: string[];
  /** Names, ids and CIDRs (elements with class `tok`) laid out on more than one line. */
  broken: string[];
  /** How many tokens were checked. */
  tokens: number;
}

/** Runs in the page: serialised by playwright, so it refers to nothing outside itself. */
function measure(): Layout {
  const g = globalThis as unknown as {
    document: {
      documentElement: { scrollWidth: number };
      createRange(): { selectNodeContents(n: unknown): void; getClientRects(): { length: number } };
      querySelectorAll(s: string): Iterable<{
        scrollWidth: number;
        clientWidth: number;
        scrollHeight: number;
        clientHeight: number;
        textContent: string | null;
        getClientRects(): { length: number };
        closest(s: string): { id?: string } | null;
      }>;
    };
    innerWidth: number;
  };
  const label = (e: { textContent: string | null }) => (e.textContent ?? '').trim().slice(0, 60);
  const spilling: string[] = [];
  for (const td of g.document.querySelectorAll('table.data td, table.data th'))
    if (td.scrollWidth > td.clientWidth + 1) spilling.push(label(td));
  const scrolling: string[] = [];
  for (const box of g.document.querySelectorAll('.table-scroll'))
    if (box.scrollWidth > box.clientWidth + 1) scrolling.push(label(box).slice(0, 30));
  const broken: string[] = [];
  let tokens = 0;
  for (const t of g.document.querySelectorAll('.tok')) {
    tokens++;
    // Lines the token's text is laid out on (an inline-block has one box whatever it holds).
    const range = g.document.createRange();
    range.selectNodeContents(t);
    if (range.getClientRects().length > 1) broken.push(label(t));
  }
  return {
    innerWidth: g.innerWidth,
    scrollWidth: g.document.documentElement.scrollWidth,
    spilling,
    scrolling,
    broken,
    tokens,
  };
}

describe.skipIf(!available)(title, () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'aar-layout-'));
  const pngDir = process.env.AAR_LAYOUT_PNG_DIR ?? dir;
  mkdirSync(pngDir, { recursive: true });
  const render = (hostile: boolean) => {
    const snapshot = fixtureSnapshot({ hostile });
    return renderHtml(
      buildReportModel({
        snapshot,
        snapshotSha256: FIXED_SHA,
        audit: fixtureAudit(snapshot),
        generatedAt: FIXED_NOW,
        ...(hostile ? {} : { previous: previousReview() }),
      }),
    );
  };
  const files = {
    plain: join(dir, 'plain.html'),
    hostile: join(dir, 'hostile.html'),
  };

  beforeAll(async () => {
    writeFileSync(files.plain, render(false));
    writeFileSync(files.hostile, render(true));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function layout(file: string, width: number, png: string): Promise<Layout> {
    const page = await browser.newPage({ viewport: { width, height: 1000 } });
    await page.goto(pathToFileURL(file).href);
    // Open every section: a closed <details> hides its table from the measurement.
    await page.evaluate(() => {
      const d = globalThis as unknown as {
        document: { querySelectorAll(s: string): Iterable<{ open: boolean }> };
      };
      for (const e of d.document.querySelectorAll('details')) e.open = true;
    });
    const result = await page.evaluate(measure);
    await page.screenshot({ fullPage: true, path: join(pngDir, png) });
    await page.close();
    return result;
  }

  for (const width of [800, 1400, 1920])
    it(`at ${width} px the page does not scroll sideways and no cell spills, names unbroken`, async () => {
      for (const [name, file] of Object.entries(files)) {
        const l = await layout(file, width, `report-${name}-${width}.png`);
        expect(l.innerWidth).toBe(width);
        expect(l.scrollWidth, `${name} at ${width}`).toBeLessThanOrEqual(width);
        expect(l.spilling, `${name} at ${width}`).toEqual([]);
        expect(l.broken, `${name} at ${width}`).toEqual([]);
        expect(l.tokens).toBeGreaterThan(20);
        // At laptop and desktop widths the tables of an ordinary estate fit the page.
        if (width >= 1400 && name === 'plain') expect(l.scrolling, `${name} at ${width}`).toEqual([]);
      }
    });
});
