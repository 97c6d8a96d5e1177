/** HTML renderer: lays the report model out with the Handlebars templates from reports/. */

import { controlCounts } from '../../audit/controls.js';
import { compareText } from '../../domain/compare-text.js';
import { severityRank } from '../../domain/severity.js';
import { defaultTemplates, type ReportTemplates } from '../../templates/templates.js';
import { historyStatusText } from '../model/sections/database-access.js';
import type { DatabaseUserRow, ReportModel, RuleFindingGroup } from '../model.js';
import type { RenderOptions } from './index.js';
import { controlLabel, frameworkLines } from './shared.js';
import { rosterByOrg, summaryView } from './summary-view.js';

/** Roster sections start expanded only when the whole roster is small enough to scan. */
const OPEN_ROSTER_MAX_ROWS = 60;

/** The change and resolved-finding tables start expanded only when short enough to scan. */
const OPEN_CHANGES_MAX_ROWS = 60;

/** Projects with at most this many database users start expanded; the world-open ones always do. */
const OPEN_DB_PROJECT_MAX_USERS = 25;

/** "used", "unused in the window", or why it cannot be told: never an empty cell that reads as "never used". */
function useText(u: DatabaseUserRow): string {
  if (u.use === 'used') return 'used';
  if (u.use === 'unused') return 'no sign-in in the window';
  return `last use unknown (${u.useNote})`;
}

/** The Database access section's projects, with the words the template shows. */
function databaseProjectsView(model: ReportModel) {
  const coverage = new Map(model.organizations.map((o) => [o.id, o.coverage]));
  return model.databaseAccess.projects.map((p) => ({
    p,
    open: p.counts.worldOpen > 0 || p.users.length <= OPEN_DB_PROJECT_MAX_USERS,
    usersCollected: coverage.get(p.orgId)?.databaseUsers ?? false,
    networkCollected: coverage.get(p.orgId)?.networkAccess ?? false,
    users: p.users.map((u) => ({ u, useText: useText(u) })),
    clusters: p.clusters.map((c) => ({ c, statusText: historyStatusText(c) })),
  }));
}

const statusClass = (status: string) => status.replace(/ /g, '-');

/**
 * `--group-by control`: each control with findings once, its rules (most severe first, as the model
 * groups them) and their findings; a finding also names the other controls it is listed under.
 */
function controlGroupsView(model: ReportModel) {
  const byRule = new Map<string, RuleFindingGroup>();
  for (const g of model.findings) for (const r of g.rules) byRule.set(r.ruleId, r);
  return model.controls
    .filter((c) => c.findings > 0)
    .map((c) => {
      const here = `${c.framework} ${c.control}`;
      const groups = c.rules
        .flatMap((r) => byRule.get(r.id) ?? [])
        .sort(
          (a, b) => severityRank(b.severity) - severityRank(a.severity) || compareText(a.ruleId, b.ruleId),
        );
      return {
        c,
        statusClass: statusClass(c.status),
        rules: groups.map((g) => ({
          g,
          findings: g.findings.map((f) => ({
            ...f,
            also: f.controls
              .map(controlLabel)
              .filter((l) => l !== here)
              .join(', '),
          })),
        })),
      };
    });
}

/** The Controls table and its counts (`--group-by control`). */
function controlsView(model: ReportModel) {
  const counts = controlCounts(model.controls);
  return {
    controlRows: model.controls.map((c) => ({ ...c, statusClass: statusClass(c.status) })),
    controlCounts: Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([status, count]) => ({ status, count })),
    controlGroups: controlGroupsView(model),
  };
}

/** Renders the self-contained HTML report (inline CSS, no scripts). */
export function renderHtml(
  model: ReportModel,
  templates: ReportTemplates = defaultTemplates(),
  options: RenderOptions = {},
): string {
  const byControl = options.groupBy === 'control';
  return templates.report({
    ...summaryView(model),
    frameworkLines: frameworkLines(model),
    groupByControl: byControl,
    ...(byControl ? controlsView(model) : {}),
    rosterByOrg: rosterByOrg(model),
    openRoster: model.roster.length <= OPEN_ROSTER_MAX_ROWS,
    // The call-out repeats the escalation rows (they lead m.changes.rows) so no reader can miss them.
    escalations: model.changes?.rows.filter((r) => r.escalation !== '') ?? [],
    openChanges:
      model.changes !== null &&
      model.changes.rows.length + model.changes.resolved.length <= OPEN_CHANGES_MAX_ROWS,
    databaseProjects: databaseProjectsView(model),
    databaseNotCollected: model.organizations
      .filter((o) => !o.coverage.databaseUsers || !o.coverage.networkAccess)
      .map((o) => o.name),
    invitationsNotCollected: model.organizations
      .filter((o) => o.optionalNotCollected.includes('projectInvitations'))
      .map((o) => o.name),
  });
}
