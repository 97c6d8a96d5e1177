/** HTML renderer: lays the report model out with the Handlebars templates from reports/. */

import { controlCounts } from '../../audit/controls.js';
import { compareText } from '../../domain/compare-text.js';
import { type Severity, severityRank } from '../../domain/severity.js';
import { defaultTemplates, type ReportTemplates } from '../../templates/templates.js';
import { groupDigits } from '../../util/numbers.js';
import { historyStatusText } from '../model/sections/database-access.js';
import type { DatabaseProjectRow, DatabaseUserRow, ReportModel, RuleFindingGroup } from '../model.js';
import type { RenderOptions } from './index.js';
import { controlLabel, frameworkLines } from './shared.js';
import { rosterByOrg, summaryView } from './summary-view.js';

/** Roster sections start expanded only when the whole roster is small enough to scan. */
const OPEN_ROSTER_MAX_ROWS = 60;

/** The change and resolved-finding tables start expanded only when short enough to scan. */
const OPEN_CHANGES_MAX_ROWS = 60;

/** Projects with at most this many database users start expanded; the world-open ones always do. */
const OPEN_DB_PROJECT_MAX_USERS = 25;

/**
 * Rows the HTML lists per rule, per organization of the roster and per project's database users, and
 * in all for the roster, for the database users and for the teams; projects the Database access section
 * lists (HTML_ROWS_PER_SECTION). A 50,000-user report listed every one: 157 MB that
 * no browser opens and no mail server takes. Past a limit the table's note says how many more there
 * are and where every row is: the review workbook, the JSON report and the CSV roster (docs/report.md,
 * "Large estates"). Counts stay whole.
 */
export const HTML_ROWS_PER_SECTION = 200;
export const HTML_ROWS_PER_LIST = 2000;

/** Rows a list may still show: shared by the sections of one list (the roster, the database users). */
interface RowBudget {
  left: number;
}

/**
 * The rows a section shows: all of them within the section's limit (`perSection`) and what is left of
 * the list's budget; past that, the heaviest by `weight` (then the first), kept in their order. Returns
 * them with how many are left out.
 */
function firstRows<T>(
  rows: readonly T[],
  budget?: RowBudget,
  weight: (row: T) => number = () => 0,
  perSection = HTML_ROWS_PER_SECTION,
): { rows: readonly T[]; more: number } {
  const limit = Math.min(perSection, budget?.left ?? Number.POSITIVE_INFINITY);
  let shown = rows;
  if (rows.length > limit) {
    const keep = new Set(
      rows
        .map((r, i) => ({ i, w: weight(r) }))
        .sort((a, b) => b.w - a.w || a.i - b.i)
        .slice(0, limit)
        .map((x) => x.i),
    );
    shown = rows.filter((_, i) => keep.has(i));
  }
  if (budget) budget.left -= shown.length;
  return { rows: shown, more: rows.length - shown.length };
}

/** Identities with the most severe open findings, then the most of them, are the ones a cut section keeps. */
const byFindings = (r: { maxSeverity: Severity | null; findingCount: number }): number =>
  (r.maxSeverity ? severityRank(r.maxSeverity) * 1e6 : 0) + r.findingCount;

/** The findings by severity and rule, each rule's list cut at HTML_ROWS_PER_SECTION. */
function findingGroupsView(model: ReportModel) {
  return model.findings.map((g) => ({
    ...g,
    rules: g.rules.map((r) => {
      const { rows, more } = firstRows(r.findings);
      return { ...r, findings: rows, more, shownCount: rows.length };
    }),
  }));
}

/** The roster by organization, each cut by firstRows (`total` is the organization's count). */
function rosterView(model: ReportModel) {
  const budget = { left: HTML_ROWS_PER_LIST };
  return rosterByOrg(model).map((o) => {
    const { rows, more } = firstRows(o.rows, budget, byFindings);
    return { ...o, rows, total: o.rows.length, more, shownCount: rows.length };
  });
}

/** "used", "unused in the window", or why it cannot be told: never an empty cell that reads as "never used". */
function useText(u: DatabaseUserRow): string {
  if (u.use === 'used') return 'used';
  if (u.use === 'unused') return 'no sign-in in the window';
  return `last use unknown (${u.useNote})`;
}

/** A project's database users for the HTML, cut by firstRows. */
function usersShown(users: readonly DatabaseUserRow[], budget: RowBudget) {
  const { rows, more } = firstRows(users, budget, byFindings);
  return { users: rows.map((u) => ({ u, useText: useText(u) })), moreUsers: more, shownUsers: rows.length };
}

/**
 * Projects a cut Database access section keeps: open to the world, then wider than the policy allows,
 * then the most privileged users, then the most users.
 */
const byExposure = (p: DatabaseProjectRow): number =>
  (p.counts.worldOpen > 0 ? 4e9 : 0) +
  (p.counts.wide > 0 ? 2e9 : 0) +
  Math.min(p.counts.privileged, 99_999) * 1e4 +
  Math.min(p.counts.users, 9_999);

/**
 * The Database access section's projects, with the words the template shows: at most
 * HTML_ROWS_PER_SECTION projects (the most exposed, by {@link byExposure}), each with its users cut by
 * firstRows; `moreProjects` is how many are not listed.
 */
function databaseProjectsView(model: ReportModel) {
  const coverage = new Map(model.organizations.map((o) => [o.id, o.coverage]));
  const budget = { left: HTML_ROWS_PER_LIST };
  const { rows: projects, more } = firstRows(model.databaseAccess.projects, undefined, byExposure);
  const view = projects.map((p) => ({
    p,
    open: p.counts.worldOpen > 0 || p.users.length <= OPEN_DB_PROJECT_MAX_USERS,
    usersCollected: coverage.get(p.orgId)?.databaseUsers ?? false,
    networkCollected: coverage.get(p.orgId)?.networkAccess ?? false,
    ...usersShown(p.users, budget),
    clusters: p.clusters.map((c) => ({ c, statusText: historyStatusText(c) })),
  }));
  return { databaseProjects: view, moreProjects: more };
}

/** The Teams table, cut at HTML_ROWS_PER_LIST rows (teams with findings first); `moreTeams` is the rest. */
function teamsView(model: ReportModel) {
  const { rows, more } = firstRows(model.teams, undefined, (t) => t.findingCount, HTML_ROWS_PER_LIST);
  return { teams: rows, moreTeams: more };
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
        rules: groups.map((g) => {
          const { rows, more } = firstRows(g.findings);
          const findings = rows.map((f) => ({
            ...f,
            also: f.controls
              .map(controlLabel)
              .filter((l) => l !== here)
              .join(', '),
          }));
          return { g, more, shownCount: rows.length, findings };
        }),
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
    rosterByOrg: rosterView(model),
    findingGroups: findingGroupsView(model),
    htmlRowsPerSection: HTML_ROWS_PER_SECTION,
    htmlProjects: groupDigits(HTML_ROWS_PER_SECTION),
    htmlRowsPerList: groupDigits(HTML_ROWS_PER_LIST),
    openRoster: model.roster.length <= OPEN_ROSTER_MAX_ROWS,
    // The call-out repeats the escalation rows (they lead m.changes.rows) so no reader can miss them.
    escalations: model.changes?.rows.filter((r) => r.escalation !== '') ?? [],
    openChanges:
      model.changes !== null &&
      model.changes.rows.length + model.changes.resolved.length <= OPEN_CHANGES_MAX_ROWS,
    ...databaseProjectsView(model),
    ...teamsView(model),
    databaseNotCollected: model.organizations
      .filter((o) => !o.coverage.databaseUsers || !o.coverage.networkAccess)
      .map((o) => o.name),
    invitationsNotCollected: model.organizations
      .filter((o) => o.optionalNotCollected.includes('projectInvitations'))
      .map((o) => o.name),
  });
}
