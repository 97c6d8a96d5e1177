/** HTML renderer: lays the report model out with the Handlebars templates from reports/. */

import { defaultTemplates, type ReportTemplates } from '../../templates/templates.js';
import { historyStatusText } from '../model/sections/database-access.js';
import type { DatabaseUserRow, ReportModel } from '../model.js';
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

/** Renders the self-contained HTML report (inline CSS, no scripts). */
export function renderHtml(model: ReportModel, templates: ReportTemplates = defaultTemplates()): string {
  return templates.report({
    ...summaryView(model),
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
