/**
 * Reporters for the `audit` command: plain functions in one registry, each fed the one AuditResult
 * (knip-style). They return text and touch no file, clock or env.
 */
import type { EvidenceSummary } from '../../evidence/summary.js';
import type { AuditResult } from '../types.js';
import { renderGithub } from './github.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

/** Where the audited snapshot came from, for headers and SARIF locations. */
export interface SnapshotMeta {
  file: string;
  sha256: string;
  collectedAt: string;
  toolName: string;
  toolVersion: string;
  /**
   * Ids of every organization in the snapshot (with or without findings): SARIF names the set in
   * `automationDetails.id`. When absent, the orgs that have findings stand in.
   */
  orgIds?: string[];
  /** Whether the snapshot (and sign-off) were signature-checked; every format says which. */
  evidence: EvidenceSummary;
}

export type AuditReporter = (result: AuditResult, snapshot: SnapshotMeta) => string;

export const AUDIT_FORMATS = ['text', 'json', 'junit', 'markdown', 'github', 'sarif'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export const auditReporters: Record<AuditFormat, AuditReporter> = {
  text: renderText,
  json: renderJson,
  junit: renderJunit,
  markdown: renderMarkdown,
  github: renderGithub,
  sarif: renderSarif,
};
