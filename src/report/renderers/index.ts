/**
 * The renderer registry (docs/architecture.md, principle 4): every output format, each a function of the one
 * report model that returns bytes and touches no file, clock or env. `audit --format X` prints entry
 * X; `report` and `run` give each entry a `--X <file>` flag and write the `outDir` ones with
 * `--out-dir`; the goldens and the hostile-strings test iterate this table. A new format is its
 * renderer, one line here and a golden.
 */
import type { ReportModel } from '../model.js';
// The html, xlsx and email renderers load exceljs and handlebars (a third of a second of start-up):
// their modules are imported when they render, so `audit --format text` does not pay for them.
import { renderCsv, renderCsvChunks } from './csv.js';
import { renderGithub } from './github.js';
import { renderJson, renderJsonChunks } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif, renderSarifChunks } from './sarif.js';
import { renderText } from './text.js';

/** Output format names; also the `--format` values and the `report` flag names (`--html`, ...). */
export const REPORT_FORMATS = [
  'html',
  'xlsx',
  'json',
  'csv',
  'junit',
  'markdown',
  'text',
  'github',
  'sarif',
  'email',
] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** How the HTML and XLSX lay the findings out: by severity and rule (the default), or by control. */
export const GROUP_BY = ['rule', 'control'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** Options `report` passes to every renderer; those that have no use for one ignore it. */
export interface RenderOptions {
  /** `control`: the HTML findings grouped by control, and a Controls sheet in the XLSX. */
  groupBy?: GroupBy | undefined;
}

/** One renderer and how its output is named and described. */
export interface Renderer {
  format: ReportFormat;
  /** IANA media type of the output (the email step attaches files with it). */
  mediaType: string;
  /** Default file name with `--out-dir`; its extension is the format's. */
  defaultFile: string;
  /** Whether `--out-dir` writes it (the formats made for a terminal or a CI step are asked for by name). */
  outDir: boolean;
  /** Bytes, not text: never printed to a terminal. */
  binary: boolean;
  /** What the file is, for --help. */
  description: string;
  render(model: ReportModel, options?: RenderOptions): string | Uint8Array | Promise<string | Uint8Array>;
  /** The same output in pieces, where it can be too large to hold as one string; `report` writes files with it. */
  chunks?(model: ReportModel, options?: RenderOptions): Iterable<string>;
}

export const RENDERERS: Record<ReportFormat, Renderer> = {
  text: {
    format: 'text',
    mediaType: 'text/plain; charset=utf-8',
    defaultFile: 'access-review.txt',
    outDir: false,
    binary: false,
    description: 'terminal summary, most severe first',
    render: renderText,
  },
  json: {
    format: 'json',
    mediaType: 'application/json',
    defaultFile: 'access-review.json',
    outDir: true,
    binary: false,
    description: 'versioned report model (also a --baseline)',
    render: renderJson,
    chunks: renderJsonChunks,
  },
  junit: {
    format: 'junit',
    mediaType: 'application/xml',
    defaultFile: 'access-review-junit.xml',
    outDir: true,
    binary: false,
    description: 'JUnit XML for CI (failures are the findings that fail the gate)',
    render: renderJunit,
  },
  markdown: {
    format: 'markdown',
    mediaType: 'text/markdown; charset=utf-8',
    defaultFile: 'access-review.md',
    outDir: true,
    binary: false,
    description: 'Markdown summary and findings for CI logs and PR comments',
    render: renderMarkdown,
  },
  github: {
    format: 'github',
    mediaType: 'text/plain; charset=utf-8',
    defaultFile: 'access-review-github.txt',
    outDir: false,
    binary: false,
    description: 'GitHub Actions workflow annotations',
    render: renderGithub,
  },
  sarif: {
    format: 'sarif',
    mediaType: 'application/sarif+json',
    defaultFile: 'access-review.sarif',
    outDir: false,
    binary: false,
    description: 'SARIF 2.1.0 for code scanning',
    render: renderSarif,
    chunks: renderSarifChunks,
  },
  html: {
    format: 'html',
    mediaType: 'text/html; charset=utf-8',
    defaultFile: 'access-review.html',
    outDir: true,
    binary: false,
    description: 'self-contained HTML report',
    render: async (model, options) => (await import('./html.js')).renderHtml(model, undefined, options),
  },
  xlsx: {
    format: 'xlsx',
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    defaultFile: 'access-review.xlsx',
    outDir: true,
    binary: true,
    description:
      'review workbook (Summary, Findings, [Changes, Resolved findings,] Review, Roles, Teams, Programmatic identities, Project invitations, Database users, Custom roles, Network access, Rules, Waivers)',
    render: async (model, options) => (await import('./xlsx.js')).renderXlsx(model, options),
  },
  csv: {
    format: 'csv',
    mediaType: 'text/csv; charset=utf-8',
    defaultFile: 'access-review-roster.csv',
    outDir: true,
    binary: false,
    description: 'review roster (formula-safe)',
    render: renderCsv,
    chunks: renderCsvChunks,
  },
  email: {
    format: 'email',
    mediaType: 'text/html; charset=utf-8',
    defaultFile: 'access-review-email.html',
    outDir: false,
    binary: false,
    description: 'email summary (the HTML body `--email-to` sends)',
    render: async (model) => (await import('./email-summary.js')).renderEmailSummary(model).html,
  },
};

/** The formats `--out-dir` writes, in registry order. */
export const OUT_DIR_FORMATS: readonly ReportFormat[] = REPORT_FORMATS.filter((f) => RENDERERS[f].outDir);

/** Renders one format; always resolves to bytes or text. */
export async function renderReport(
  format: ReportFormat,
  model: ReportModel,
  options: RenderOptions = {},
): Promise<string | Uint8Array> {
  return RENDERERS[format].render(model, options);
}
