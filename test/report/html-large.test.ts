/**
 * Large estates in the HTML report: each rule's findings, each organization's roster and each
 * project's database users are listed up to HTML_ROWS_PER_SECTION rows, the Database access section up
 * to HTML_ROWS_PER_SECTION projects and the Teams table up to HTML_ROWS_PER_LIST rows, then the section
 * says how many more there are and where all of them are; the counts stay whole. Below the limit nothing changes
 * (the goldens hold that).
 */
import { describe, expect, it } from 'vitest';
import { buildReportModel, type ReportModel, type RosterRow } from '../../src/report/model.js';
import { HTML_ROWS_PER_LIST, HTML_ROWS_PER_SECTION, renderHtml } from '../../src/report/renderers/html.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';

const repeat = <T>(rows: readonly T[], n: number): T[] =>
  Array.from({ length: n }, (_, i) => rows[i % rows.length]!);

/** The fixture model with its first rule, first organization and first project grown past the limit. */
function largeModel(extra: { findings: number; roster: number; users: number }): ReportModel {
  const snapshot = fixtureSnapshot({ hostile: false });
  const base = buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
  });
  const m: ReportModel = { ...base };
  const [group, ...groups] = m.findings;
  const [rule, ...rules] = group!.rules;
  const findings = repeat(rule!.findings, HTML_ROWS_PER_SECTION + extra.findings);
  m.findings = [{ ...group!, rules: [{ ...rule!, findings, count: findings.length }, ...rules] }, ...groups];
  const firstOrg = m.roster[0]!.orgId;
  const own = m.roster.filter((r) => r.orgId === firstOrg);
  m.roster = [
    ...repeat(own, HTML_ROWS_PER_SECTION + extra.roster),
    ...m.roster.filter((r) => r.orgId !== firstOrg),
  ];
  const at = m.databaseAccess.projects.findIndex((p) => p.users.length > 0);
  const project = m.databaseAccess.projects[at]!;
  const users = repeat(project.users, HTML_ROWS_PER_SECTION + extra.users);
  const projects = [...m.databaseAccess.projects];
  projects[at] = { ...project, users, counts: { ...project.counts, users: users.length } };
  m.databaseAccess = { ...m.databaseAccess, projects };
  return m;
}

const rowsOfRule = (html: string, ruleId: string): number => {
  const start = html.indexOf(`<code class="muted">${ruleId}</code>`);
  const end = html.indexOf('</table>', start);
  return (html.slice(start, end).match(/<tr( class="waived")?>\n\s*<td><bdi>/g) ?? []).length;
};

describe('HTML report of a large estate', () => {
  it('lists each rule, organization and project up to the limit and says how many more there are, and where', () => {
    const m = largeModel({ findings: 5, roster: 3, users: 10 });
    const html = renderHtml(m);
    const rule = m.findings[0]!.rules[0]!;
    expect(rowsOfRule(html, rule.ruleId)).toBe(HTML_ROWS_PER_SECTION);
    expect(html).toContain(
      `<strong>5 more findings of this rule</strong> are not listed here (the HTML lists the first ${HTML_ROWS_PER_SECTION}, at most ${HTML_ROWS_PER_SECTION} per rule): every finding is in the review workbook's Findings sheet and in the JSON report.`,
    );
    expect(html).toContain(
      `<code class="muted">${rule.ruleId}</code> <span class="count">${HTML_ROWS_PER_SECTION + 5}</span>`,
    );
    expect(html).toContain(
      `<strong>3 more identities of this organization</strong> are not listed here (the HTML lists ${HTML_ROWS_PER_SECTION}, those with the most severe findings first: at most ${HTML_ROWS_PER_SECTION} per organization and 2,000 in all)`,
    );
    expect(html).toContain(`${m.roster[0]!.orgName} <span class="count">${HTML_ROWS_PER_SECTION + 3}</span>`);
    expect(html).toContain(
      `<strong>10 more database users of this project</strong> are not listed here (the HTML lists ${HTML_ROWS_PER_SECTION}, those with the most severe findings first: at most ${HTML_ROWS_PER_SECTION} per project and 2,000 in all)`,
    );
  });

  it('grouped by control, each rule under each control is cut the same way', () => {
    const m = largeModel({ findings: 1, roster: 0, users: 0 });
    const html = renderHtml(m, undefined, { groupBy: 'control' });
    expect(html).toContain('<strong>1 more finding of this rule</strong> is not listed here');
  });

  it('the roster lists 2,000 rows in all: organizations past that show their count and the note only', () => {
    const m = largeModel({ findings: 0, roster: 0, users: 0 });
    const row = m.roster[0]!;
    const orgs = Math.ceil(HTML_ROWS_PER_LIST / HTML_ROWS_PER_SECTION) + 1;
    m.roster = Array.from({ length: orgs }, (_, o) =>
      Array.from({ length: HTML_ROWS_PER_SECTION }, () => ({
        ...row,
        orgId: `org-${o}`,
        orgName: `Org ${o}`,
      })),
    ).flat();
    const html = renderHtml(m);
    expect(html).toContain(`Org ${orgs - 2} <span class="count">${HTML_ROWS_PER_SECTION}</span>`);
    expect(html).toContain(
      `<strong>${HTML_ROWS_PER_SECTION} more identities of this organization</strong> are not listed here (the HTML lists 0, those with the most severe findings first: at most`,
    );
    expect(html.match(/more identities of this organization/g)).toHaveLength(1);
  });

  it('a cut roster keeps the identities with the most severe findings, in their order', () => {
    const m = largeModel({ findings: 0, roster: 0, users: 0 });
    const quiet: RosterRow = { ...m.roster[0]!, maxSeverity: null, findingCount: 0, openFindingCount: 0 };
    const rows = Array.from({ length: HTML_ROWS_PER_SECTION + 2 }, (_, i) => ({
      ...quiet,
      name: `quiet-${i}`,
    }));
    rows.push({
      ...quiet,
      name: 'late-critical',
      maxSeverity: 'critical',
      findingCount: 1,
      openFindingCount: 1,
    });
    m.roster = rows;
    const html = renderHtml(m);
    expect(html).toContain('late-critical');
    // The two quiet identities left out are the last ones; the kept ones stay in their order.
    expect(html).toContain(`quiet-${HTML_ROWS_PER_SECTION - 2}<`);
    expect(html).not.toContain(`quiet-${HTML_ROWS_PER_SECTION - 1}<`);
    expect(html.indexOf('quiet-0<')).toBeLessThan(html.indexOf('late-critical'));
    expect(html).toContain('<strong>3 more identities of this organization</strong>');
  });

  it('at the limit exactly, nothing is cut and nothing is said', () => {
    const html = renderHtml(largeModel({ findings: 0, roster: 0, users: 0 }));
    expect(html).not.toContain('more-rows"');
  });

  it('lists the most exposed projects and the first teams, and says how many more there are', () => {
    const m = largeModel({ findings: 0, roster: 0, users: 0 });
    const project = m.databaseAccess.projects.find((p) => p.counts.worldOpen === 0)!;
    const quiet = { ...project, counts: { ...project.counts, worldOpen: 0, wide: 0, privileged: 0 } };
    const projects = Array.from({ length: HTML_ROWS_PER_SECTION + 4 }, (_, i) => ({
      ...quiet,
      projectId: `p${i}`,
      projectName: `quiet-project-${i}`,
    }));
    // The last project is the one open to the world: a cut list must keep it.
    projects.push({
      ...quiet,
      projectId: 'open',
      projectName: 'world-open-project',
      counts: { ...quiet.counts, worldOpen: 1 },
    });
    m.databaseAccess = { ...m.databaseAccess, projects };
    const team = m.teams[0]!;
    m.teams = Array.from({ length: HTML_ROWS_PER_LIST + 3 }, (_, i) => ({ ...team, name: `team-${i}` }));
    const html = renderHtml(m);
    expect(html).toContain('world-open-project');
    expect(html).toContain(`quiet-project-${HTML_ROWS_PER_SECTION - 2}<`);
    expect(html).not.toContain(`quiet-project-${HTML_ROWS_PER_SECTION - 1}<`);
    expect(html.match(/<details class="db-project"/g)).toHaveLength(HTML_ROWS_PER_SECTION);
    expect(html).toContain(
      `<strong>5 more projects</strong> are not listed here (the HTML lists ${HTML_ROWS_PER_SECTION}, the most exposed first: open to the world, then wide entries, then the most privileged users: at most ${HTML_ROWS_PER_SECTION}): their database users, custom roles and IP access lists are in the review workbook's Database users, Custom roles and Network access sheets and in the JSON report, and the counts above include them.`,
    );
    expect(html).toContain(`team-${HTML_ROWS_PER_LIST - 1}<`);
    expect(html).not.toContain(`team-${HTML_ROWS_PER_LIST}<`);
    expect(html).toContain(
      `<strong>3 more teams</strong> are not listed here (the HTML lists ${HTML_ROWS_PER_LIST}, those with findings first: at most 2,000): every team is in the review workbook's Teams sheet and in the JSON report.`,
    );
    expect(html).toContain(`Teams <span class="count">${HTML_ROWS_PER_LIST + 3}</span>`);
  });
});
