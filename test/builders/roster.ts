/** Roster exports for tests: CSV text in the Workday-like default headers `--roster` reads. */

export interface RosterRow {
  email: string;
  status?: string;
  type?: string;
  endDate?: string;
  manager?: string;
  aliases?: string[];
}

/** A CSV roster with the default headers; `status` defaults to Active, `type` to Employee. */
export function rosterCsv(rows: readonly RosterRow[]): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = rows.map((r) =>
    [
      r.email,
      r.status ?? 'Active',
      r.type ?? 'Employee',
      r.endDate ?? '',
      r.manager ?? '',
      (r.aliases ?? []).join(';'),
    ]
      .map(q)
      .join(','),
  );
  return ['Work Email,Worker Status,Worker Type,End Date,Manager Email,Aliases', ...lines, ''].join('\n');
}
