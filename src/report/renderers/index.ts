/**
 * The renderer registry (STYLE.md principle 6): every output format of the report, each a function of
 * the report model alone that returns bytes. The CLI iterates this table for flags, default file names
 * and writing; nothing else needs to know which formats exist.
 */
import type { ReportModel } from '../model.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderXlsx } from './xlsx.js';

/** Output format names; also the CLI flag names (`--html`, `--xlsx`, ...). */
export const REPORT_FORMATS = ['html', 'xlsx', 'json', 'csv', 'junit', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One renderer and how its output is named and described. */
export interface Renderer {
  format: ReportFormat;
  /** Default file name with `--out-dir`. */
  defaultFile: string;
  /** What the file is, for --help. */
  description: string;
  render(model: ReportModel): string | Uint8Array | Promise<string | Uint8Array>;
}

export const RENDERERS: Record<ReportFormat, Renderer> = {
  html: {
    format: 'html',
    defaultFile: 'access-review.html',
    description: 'self-contained HTML report',
    render: (m) => renderHtml(m),
  },
  xlsx: {
    format: 'xlsx',
    defaultFile: 'access-review.xlsx',
    description:
      'review workbook (Summary, Findings, [Changes, Resolved findings,] Review, Teams, Programmatic identities, Rules, Waivers)',
    render: renderXlsx,
  },
  json: {
    format: 'json',
    defaultFile: 'access-review.json',
    description: 'versioned report model',
    render: renderJson,
  },
  csv: {
    format: 'csv',
    defaultFile: 'access-review-roster.csv',
    description: 'review roster (formula-safe)',
    render: renderCsv,
  },
  junit: {
    format: 'junit',
    defaultFile: 'access-review-junit.xml',
    description: 'JUnit XML for CI',
    render: renderJunit,
  },
  markdown: {
    format: 'markdown',
    defaultFile: 'access-review.md',
    description: 'Markdown summary and findings for CI logs and PR comments',
    render: renderMarkdown,
  },
};

/** Renders one format; always resolves to bytes or text. */
export async function renderReport(format: ReportFormat, model: ReportModel): Promise<string | Uint8Array> {
  return RENDERERS[format].render(model);
}
