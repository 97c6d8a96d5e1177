/**
 * The Handlebars environment of the HTML report and the email summary, compiled once from reports/
 * (found through PACKAGE_ROOT so it works from src/ under tsx/vitest and from dist/).
 *
 * It sits in its own layer, below report and review (the HTML report, the email body and the
 * sign-off page all use it), so report keeps "no node:fs": this module reads the package's own static
 * templates (like src/version.ts reads package.json), never user data, once at start-up. Renderers
 * receive the compiled templates and stay free of I/O; tests can pass their own.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { coverageText } from '../rules/requirements.js';
import { PACKAGE_ROOT } from '../version.js';

/** Compiled templates of the report stage. */
export interface ReportTemplates {
  /** The full HTML report page. */
  report: Handlebars.TemplateDelegate;
  /** The email body (wraps the summary partial). */
  email: Handlebars.TemplateDelegate;
}

/** Template sources, by name: `report`, `email`, and `partials/<name>` (CSS files are partials too). */
export type TemplateSources = Record<string, string>;

const SEVERITY_COLOURS: Record<string, { fg: string; bg: string; border: string }> = {
  critical: { fg: '#ffffff', bg: '#9f1239', border: '#881337' },
  high: { fg: '#ffffff', bg: '#c2410c', border: '#9a3412' },
  medium: { fg: '#422006', bg: '#facc15', border: '#ca8a04' },
  low: { fg: '#ffffff', bg: '#2563eb', border: '#1d4ed8' },
};

/**
 * Registers the helpers the templates use (the report's, the email's and the sign-off's). All return
 * plain strings, which Handlebars escapes.
 */
export function registerHelpers(hb: typeof Handlebars): void {
  // Date part of an ISO timestamp; an em dash for null so empty cells read as "none".
  hb.registerHelper('date', (iso: unknown) =>
    typeof iso === 'string' && iso.length >= 10 ? iso.slice(0, 10) : '—',
  );
  hb.registerHelper('datetime', (iso: unknown) =>
    typeof iso === 'string' ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '—',
  );
  hb.registerHelper('join', (list: unknown, sep: unknown) =>
    Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : '',
  );
  hb.registerHelper('sevFg', (s: unknown) => SEVERITY_COLOURS[String(s)]?.fg ?? '#111827');
  hb.registerHelper('sevBg', (s: unknown) => SEVERITY_COLOURS[String(s)]?.bg ?? '#e5e7eb');
  hb.registerHelper('sevBorder', (s: unknown) => SEVERITY_COLOURS[String(s)]?.border ?? '#d1d5db');
  /** Rules in a list of NotEvaluatedGroup (each rule is in one group per org). */
  hb.registerHelper('groupRules', (groups: unknown) =>
    Array.isArray(groups)
      ? groups.reduce((n: number, g: { rules?: unknown[] }) => n + (g.rules?.length ?? 0), 0)
      : 0,
  );
  hb.registerHelper('coverageText', (parts: unknown) => (Array.isArray(parts) ? coverageText(parts) : ''));
  hb.registerHelper('upper', (s: unknown) => String(s ?? '').toUpperCase());
  hb.registerHelper('lower', (s: unknown) => String(s ?? '').toLowerCase());
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper(
    'gt',
    (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a > b,
  );
  hb.registerHelper('plural', (n: unknown, one: unknown, many: unknown) => (n === 1 ? one : many));
  hb.registerHelper('orDash', (v: unknown) => (v === null || v === undefined || v === '' ? '—' : v));
  hb.registerHelper('signed', (n: unknown) => (typeof n === 'number' && n > 0 ? `+${n}` : String(n)));
}

/**
 * Compiles templates from sources. `strict` makes a misspelt field a render error instead of an
 * empty cell, and `knownHelpersOnly` keeps templates to the helpers above.
 */
function compileTemplates(sources: TemplateSources): ReportTemplates {
  const hb = Handlebars.create();
  registerHelpers(hb);
  for (const [name, src] of Object.entries(sources)) {
    if (name.startsWith('partials/')) hb.registerPartial(name.slice('partials/'.length), src);
  }
  // The report's only script is admitted by the CSP through the sha256 of these exact bytes.
  const script = sources['partials/report-js'] ?? '';
  const scriptHash = `sha256-${createHash('sha256').update(script).digest('base64')}`;
  hb.registerHelper('scriptHash', () => scriptHash);
  const get = (name: string): string => {
    const src = sources[name];
    if (src === undefined) throw new Error(`internal: report template ${name} is missing from reports/`);
    return src;
  };
  const options: CompileOptions = { strict: true, preventIndent: true };
  const report = hb.compile(get('report'), options);
  const email = hb.compile(get('email'), options);
  return { report, email };
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

/** Reads reports/*.hbs and reports/partials/*.{hbs,css} from a directory. */
export function readTemplateSources(dir: string): TemplateSources {
  const sources: TemplateSources = {};
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.hbs')) sources[f.slice(0, -'.hbs'.length)] = readFileSync(join(dir, f), 'utf8');
  }
  const partials = join(dir, 'partials');
  for (const f of readdirSync(partials)) {
    const m = /^(.+)\.(hbs|css|js)$/.exec(f);
    if (m) sources[`partials/${m[1]}`] = readFileSync(join(partials, f), 'utf8');
  }
  return sources;
}

let cached: ReportTemplates | undefined;

/** The templates shipped in the package's reports/ folder, compiled on first use and then reused. */
export function defaultTemplates(): ReportTemplates {
  cached ??= compileTemplates(readTemplateSources(join(PACKAGE_ROOT, 'reports')));
  return cached;
}
