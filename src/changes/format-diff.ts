/**
 * Formatters of a SnapshotDiff: text (terminal), markdown (PR comments, CI summaries) and JSON. Plain
 * functions in one registry fed one data object (docs/architecture.md, principle 3); prose is made here
 * and nowhere else.
 */

import { terminalSafe as safe, terminalJson } from '../util/terminal.js';
import { escapeMarkdown } from '../util/text-safety.js';
import type { Change, ChangeKind, SnapshotDiff } from './diff.js';

export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** Human title of each change kind (section headings, table cells), in CHANGE_KINDS order. */
export const CHANGE_KIND_TITLES: Record<ChangeKind, string> = {
  'org-added': 'New organization',
  'org-removed': 'Organization no longer collected',
  'org-renamed': 'Organization renamed',
  'org-settings-changed': 'Security setting changed',
  'user-joined': 'Joiner',
  'user-left': 'Leaver',
  'invitation-sent': 'New invitation',
  'invitation-removed': 'Invitation withdrawn or deleted',
  'user-status-changed': 'Status changed',
  'user-org-roles-changed': 'Org roles changed',
  'user-project-roles-changed': 'Project roles changed',
  'user-teams-changed': 'Team membership changed',
  'team-added': 'New team',
  'team-removed': 'Team removed',
  'team-renamed': 'Team renamed',
  'team-project-roles-changed': 'Team project roles changed',
  'project-added': 'New project',
  'project-removed': 'Project removed',
  'project-renamed': 'Project renamed',
  'api-key-added': 'New API key',
  'api-key-removed': 'API key removed',
  'api-key-roles-changed': 'API key roles changed',
  'api-key-access-list-changed': 'API key access list changed',
  'service-account-added': 'New service account',
  'service-account-removed': 'Service account removed',
  'service-account-roles-changed': 'Service account roles changed',
  'service-account-secrets-changed': 'Service account secrets changed',
  'database-access-not-compared': 'Database access not compared',
  'database-user-added': 'New database user',
  'database-user-removed': 'Database user removed',
  'database-user-roles-changed': 'Database user roles changed',
  'network-access-added': 'New IP access list entry',
  'network-access-removed': 'IP access list entry removed',
};

/** One line describing a change, without the kind title. */
function describeChange(c: Change): string {
  const parts: string[] = [];
  switch (c.kind) {
    case 'user-joined':
    case 'invitation-sent':
      parts.push(`status ${c.to}`);
      break;
    case 'user-left':
    case 'invitation-removed':
      parts.push(`was ${c.from}`);
      break;
    case 'user-status-changed':
      parts.push(`${c.from} -> ${c.to}${c.label ? ` (${c.label})` : ''}`);
      if (c.previousId) parts.push(`matched by username; invitation id ${c.previousId}`);
      break;
    case 'org-settings-changed':
      parts.push(`${c.label}: ${c.from ?? 'unset'} -> ${c.to ?? 'unset'}`);
      break;
    default:
      if (c.from !== null || c.to !== null) parts.push(`${c.from ?? ''} -> ${c.to ?? ''}`);
  }
  if (c.added.length > 0) parts.push(`+ ${c.added.join(', ')}`);
  if (c.removed.length > 0) parts.push(`- ${c.removed.join(', ')}`);
  return parts.join('; ');
}

function header(d: SnapshotDiff): string[] {
  const side = (s: SnapshotDiff['old']) =>
    `${s.file ?? 'snapshot'} collected ${s.collectedAt}${s.sha256 ? ` sha256 ${s.sha256.slice(0, 12)}` : ''}`;
  return [`old: ${safe(side(d.old))}`, `new: ${safe(side(d.new))}`];
}

function summaryLine(d: SnapshotDiff): string {
  const s = d.summary;
  return `${s.total} change${s.total === 1 ? '' : 's'}: ${s.joiners} joiner${s.joiners === 1 ? '' : 's'}, ${s.leavers} leaver${s.leavers === 1 ? '' : 's'}, ${s.escalations} privilege escalation${s.escalations === 1 ? '' : 's'}`;
}

/** Plain text, one line per change, escalations marked `!!`. */
export function formatDiffText(d: SnapshotDiff): string {
  const lines = [...header(d), summaryLine(d), ''];
  for (const o of d.organizations) {
    lines.push(`${safe(o.orgName)} (${o.orgId}): ${o.status}`);
    for (const c of o.changes) {
      const mark = c.escalations.length > 0 ? '!!' : '  ';
      lines.push(
        `${mark} ${CHANGE_KIND_TITLES[c.kind]}: ${safe(c.subject.name)} — ${safe(describeChange(c))}`,
      );
      if (c.escalations.length > 0)
        lines.push(`     privilege escalation: ${safe(c.escalations.join(', '))}`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Markdown: a summary table and one table of changes per org; every Atlas value escaped. */
export function formatDiffMarkdown(d: SnapshotDiff): string {
  const e = (t: string) => escapeMarkdown(t);
  const lines = [
    '## Changes since the last review',
    '',
    `- ${e(header(d)[0]!)}`,
    `- ${e(header(d)[1]!)}`,
    `- **${e(summaryLine(d))}**`,
    '',
  ];
  const escalations = d.organizations.flatMap((o) => o.changes.filter((c) => c.escalations.length > 0));
  if (escalations.length > 0) {
    lines.push('### Privilege escalations', '');
    for (const c of escalations)
      lines.push(`- **${e(c.orgName)}** · ${e(c.subject.name)}: ${e(c.escalations.join(', '))}`);
    lines.push('');
  }
  for (const o of d.organizations) {
    lines.push(`### ${e(o.orgName)} (${o.status})`, '');
    if (o.changes.length === 0) {
      lines.push('No changes.', '');
      continue;
    }
    lines.push('| Change | Subject | Details | Escalation |', '|---|---|---|---|');
    for (const c of o.changes)
      lines.push(
        `| ${CHANGE_KIND_TITLES[c.kind]} | ${e(c.subject.name)} | ${e(describeChange(c))} | ${c.escalations.length > 0 ? `**${e(c.escalations.join(', '))}**` : ''} |`,
      );
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The diff as versioned JSON (2-space, trailing newline). */
export function formatDiffJson(d: SnapshotDiff): string {
  return `${terminalJson(d)}\n`;
}

export const DIFF_FORMATTERS: Record<DiffFormat, (d: SnapshotDiff) => string> = {
  text: formatDiffText,
  json: formatDiffJson,
  markdown: formatDiffMarkdown,
};

/** One row of a "Changes since the last review" table (HTML section, XLSX Changes sheet). */
export interface ChangeRow {
  orgId: string;
  orgName: string;
  kind: Change['kind'];
  /** Human title of the kind, e.g. "Joiner", "Org roles changed". */
  change: string;
  subjectType: Change['subject']['type'];
  subjectId: string;
  subjectName: string;
  /** One-line description (status, added and removed items). */
  details: string;
  /** Privileged grants, joined with ", "; empty when none. */
  escalation: string;
}

/**
 * The diff flattened into table rows in output order (org, then change kind, then subject). This is
 * what the report stage lays out for `report --previous <snapshot>`: escalations first is a sort the
 * caller can apply; rows are plain strings so a renderer escapes them like any Atlas value.
 */
export function diffTableRows(d: SnapshotDiff): ChangeRow[] {
  return d.organizations.flatMap((o) =>
    o.changes.map((c) => ({
      orgId: o.orgId,
      orgName: o.orgName,
      kind: c.kind,
      change: CHANGE_KIND_TITLES[c.kind],
      subjectType: c.subject.type,
      subjectId: c.subject.id,
      subjectName: c.subject.name,
      details: describeChange(c),
      escalation: c.escalations.join(', '),
    })),
  );
}
