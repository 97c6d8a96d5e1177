/** HTML renderer: lays the report model out with the Handlebars templates from reports/. */

import { defaultTemplates, type ReportTemplates } from '../../templates/templates.js';
import type { ReportModel } from '../model.js';
import { rosterByOrg, summaryView } from './summary-view.js';

/** Roster sections start expanded only when the whole roster is small enough to scan. */
const OPEN_ROSTER_MAX_ROWS = 60;

/** The change and resolved-finding tables start expanded only when short enough to scan. */
const OPEN_CHANGES_MAX_ROWS = 60;

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
    invitationsNotCollected: model.organizations
      .filter((o) => o.optionalNotCollected.includes('projectInvitations'))
      .map((o) => o.name),
  });
}
