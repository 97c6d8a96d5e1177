/**
 * The Roles sheet: every role on the workbook's Review rows, with what it grants in one plain
 * sentence (src/domain/role-texts.ts) and how many of the rows hold it, so a reviewer deciding Keep or
 * Revoke knows what the access is. A role outside the built-in catalogue says so: a custom database
 * role or a role Atlas added since may grant anything.
 */
import { compareText } from '../../../domain/compare-text.js';
import { atlasRoleText, databaseRoleText } from '../../../domain/role-texts.js';
import type { ReportModel, RosterRow } from '../../model.js';
import type { SheetSpec } from './sheet-engine.js';

/** One role on the rows. */
interface RoleLine {
  scope: 'Organization' | 'Project' | 'Database';
  role: string;
  grants: string;
  rows: number;
}

const SCOPE_ORDER: Record<RoleLine['scope'], number> = { Organization: 0, Project: 1, Database: 2 };

/**
 * The roles of a Project roles line (`Project name: ROLE_A, ROLE_B`, see projectRoleLines): after the
 * last `: ` (a project name may hold one, a role name never). A database user's roles are
 * `role@db[.collection]`, followed by ` (only <scopes>)` when scoped.
 */
function rolesOfLine(line: string, database: boolean): string[] {
  let roles = line.slice(line.lastIndexOf(': ') + 2);
  if (database) {
    const only = roles.indexOf(' (only ');
    if (only >= 0) roles = roles.slice(0, only);
  }
  return roles
    .split(', ')
    .map((r) => (database ? r.slice(0, r.indexOf('@') < 0 ? r.length : r.indexOf('@')) : r))
    .filter((r) => r !== '');
}

/** Every role on the rows, with the number of rows holding it, in scope then name order. */
function rolesOnRows(rows: readonly RosterRow[]): RoleLine[] {
  const counts = new Map<string, { scope: RoleLine['scope']; role: string; rows: number }>();
  const add = (scope: RoleLine['scope'], role: string, seen: Set<string>): void => {
    const key = `${scope}\u0000${role}`;
    if (seen.has(key)) return;
    seen.add(key);
    const c = counts.get(key);
    if (c) c.rows++;
    else counts.set(key, { scope, role, rows: 1 });
  };
  for (const r of rows) {
    const seen = new Set<string>();
    const database = r.kind === 'databaseUser';
    for (const role of r.orgRoles) add('Organization', role, seen);
    for (const line of r.projectRoles)
      for (const role of rolesOfLine(line, database)) add(database ? 'Database' : 'Project', role, seen);
  }
  return [...counts.values()]
    .map((c) => ({
      ...c,
      grants: c.scope === 'Database' ? databaseRoleText(c.role) : atlasRoleText(c.role),
    }))
    .sort((a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] || compareText(a.role, b.role));
}

export function rolesSheet(model: ReportModel): SheetSpec<RoleLine> {
  return {
    name: 'Roles',
    rows: rolesOnRows(model.roster),
    columns: [
      { header: 'Scope', width: 14, value: (l) => l.scope },
      { header: 'Role', width: 34, value: (l) => l.role },
      { header: 'What it grants', width: 100, value: (l) => l.grants },
      { header: 'Rows holding it', width: 14, kind: 'number', value: (l) => l.rows },
    ],
    styleRow(row) {
      row.getCell(3).alignment = { wrapText: true, vertical: 'top' };
    },
  };
}
