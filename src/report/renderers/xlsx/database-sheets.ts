/**
 * The database access sheets: "Database users", "Custom roles" and "Network access", one
 * row per user, role and access list entry of every project. The users are also rows of the Review
 * sheet (kind `databaseUser`), where the decisions are taken; these sheets carry the detail.
 */

import { historyStatusText } from '../../model/sections/database-access.js';
import type { CustomRoleRow, DatabaseUserRow, NetworkAccessRow, ReportModel } from '../../model.js';
import type { SheetSpec } from './sheet-engine.js';

/** "used", "unused", or "unknown: <why>": a blank cell would read as "never used". */
function useCell(u: DatabaseUserRow): string {
  return u.use === 'unknown' ? `unknown: ${u.useNote}` : u.use;
}

function clusterCell(u: DatabaseUserRow): string {
  return u.clusters
    .map((c) =>
      c.status === 'collected'
        ? `${c.cluster}: ${c.lastSuccessAt ?? 'no sign-in'}${c.failures > 0 ? ` (${c.failures} failed)` : ''}`
        : `${c.cluster}: history ${historyStatusText({ historyStatus: c.status, reason: null })}`,
    )
    .join('; ');
}

export function databaseUsersSheet(model: ReportModel): SheetSpec<DatabaseUserRow> {
  return {
    name: 'Database users',
    rows: model.databaseAccess.projects.flatMap((p) => p.users),
    frozenColumns: 1,
    columns: [
      { header: 'Username', width: 32, value: (u) => u.username },
      { header: 'Organization', width: 24, value: (u) => u.orgName },
      { header: 'Project', width: 24, value: (u) => u.projectName },
      { header: 'Auth', width: 14, value: (u) => u.authKind },
      { header: 'Auth database', width: 12, value: (u) => u.databaseName },
      { header: 'Roles', width: 40, value: (u) => u.roles.join(', ') },
      { header: 'Privileged roles', width: 28, value: (u) => u.privilegedRoles.join(', ') || null },
      {
        header: 'Scoped to',
        width: 24,
        value: (u) => (u.scopes.length > 0 ? u.scopes.join(', ') : 'all clusters'),
      },
      { header: 'Last use', width: 30, value: useCell },
      { header: 'Last sign-in', width: 17, kind: 'date', value: (u) => u.lastSuccessAt },
      { header: 'Per cluster', width: 44, value: clusterCell },
      { header: 'Delete after', width: 17, kind: 'date', value: (u) => u.deleteAfterDate },
      { header: 'Certificate expires', width: 17, kind: 'date', value: (u) => u.certificateExpiresAt },
      { header: 'Description', width: 30, value: (u) => u.description },
      { header: 'Findings', width: 10, kind: 'number', value: (u) => u.findingCount },
      { header: 'Max severity', width: 12, kind: 'severity', value: (u) => u.maxSeverity },
      { header: 'Identity key', width: 40, value: (u) => u.key },
    ],
  };
}

export function customRolesSheet(model: ReportModel): SheetSpec<CustomRoleRow> {
  return {
    name: 'Custom roles',
    rows: model.databaseAccess.projects.flatMap((p) => p.customRoles),
    columns: [
      { header: 'Role', width: 28, value: (r) => r.roleName },
      { header: 'Organization', width: 24, value: (r) => r.orgName },
      { header: 'Project', width: 24, value: (r) => r.projectName },
      { header: 'Actions', width: 60, value: (r) => r.actions.join(', ') },
      { header: 'Inherits', width: 32, value: (r) => r.inheritedRoles.join(', ') },
      { header: 'Privileged roles', width: 28, value: (r) => r.privilegedRoles.join(', ') || null },
      { header: 'Findings', width: 10, kind: 'number', value: (r) => r.findingCount },
    ],
  };
}

const EXPOSURE_TEXT: Record<NetworkAccessRow['exposure'], string> = {
  world: 'open to the world',
  wide: 'wide',
  narrow: 'narrow',
  'security-group': 'security group',
};

export function networkAccessSheet(model: ReportModel): SheetSpec<NetworkAccessRow> {
  return {
    name: 'Network access',
    rows: model.databaseAccess.projects.flatMap((p) => p.networkAccess),
    columns: [
      { header: 'Entry', width: 28, value: (n) => n.entry },
      { header: 'Exposure', width: 18, value: (n) => EXPOSURE_TEXT[n.exposure] },
      { header: 'Organization', width: 24, value: (n) => n.orgName },
      { header: 'Project', width: 24, value: (n) => n.projectName },
      { header: 'Comment', width: 36, value: (n) => n.comment },
      { header: 'Delete after', width: 17, kind: 'date', value: (n) => n.deleteAfterDate },
      { header: 'Findings', width: 10, kind: 'number', value: (n) => n.findingCount },
      { header: 'Max severity', width: 12, kind: 'severity', value: (n) => n.maxSeverity },
    ],
    styleRow(row, n) {
      if (n.exposure === 'world') row.getCell(2).font = { bold: true, color: { argb: 'FF9F1239' } };
    },
  };
}
