import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseRoster, rosterIndex, rosterPolicySchema } from '../../src/roster/roster.js';

const policy = (p: unknown = undefined) => rosterPolicySchema.parse(p);
const thrown = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
};

describe('parseRoster (CSV)', () => {
  const csv = [
    'Email,Employment Status,Termination Date,Manager Email,Department,Worker Type,Aliases',
    'Ada@Example.com,Active,,boss@example.com,Eng,Employee,ada.l@example.com;ADA@old.example.com',
    'bob@example.com,Terminated,2026-10-01,boss@example.com,Eng,Employee,',
    'carol@example.com,On Leave,,boss@example.com,Ops,Contractor,',
    'dan@example.com,Active,2026-11-30,,Ops,Consultant,',
  ].join('\r\n');

  it('maps common headers by name, normalises addresses, statuses, types and dates', () => {
    const r = parseRoster(`\uFEFF${csv}`, 'hr.csv', policy());
    expect(r.columns).toEqual({
      email: 'Email',
      status: 'Employment Status',
      endDate: 'Termination Date',
      manager: 'Manager Email',
      department: 'Department',
      employmentType: 'Worker Type',
      aliases: 'Aliases',
    });
    expect(r.people.map((p) => [p.row, p.email, p.status, p.employmentType, p.endDate])).toEqual([
      [2, 'ada@example.com', 'active', 'employee', null],
      [3, 'bob@example.com', 'terminated', 'employee', '2026-10-01T23:59:59.999Z'],
      [4, 'carol@example.com', 'on-leave', 'contractor', null],
      // A bare date is the person's last day: they are still employed until its end.
      [5, 'dan@example.com', 'active', 'contractor', '2026-11-30T23:59:59.999Z'],
    ]);
    expect(r.people[0]?.aliases).toEqual(['ada.l@example.com', 'ada@old.example.com']);
    expect(r.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('joins usernames and aliases case-insensitively', () => {
    const find = rosterIndex(parseRoster(csv, 'hr.csv', policy()));
    expect(find(' ADA.L@example.com ')?.email).toBe('ada@example.com');
    expect(find('BOB@example.com')?.status).toBe('terminated');
    expect(find('nobody@example.com')).toBeUndefined();
  });

  it('follows the policy column mapping and extra status words', () => {
    const text = 'Mail Address,State\nx@example.com,Gone\n';
    const r = parseRoster(
      text,
      'hr.csv',
      policy({ columns: { email: 'mail address', status: 'State' }, statusValues: { terminated: ['gone'] } }),
    );
    expect(r.people[0]).toMatchObject({ email: 'x@example.com', status: 'terminated' });
  });

  it('refuses, naming the row: a duplicate address, an unknown status, a bad date, a missing email', () => {
    expect(thrown(() => parseRoster('email,status\na@x.io,active\nA@X.IO,active\n', 'hr.csv')).message).toBe(
      'hr.csv: row 3: address "a@x.io" also belongs to row 2',
    );
    expect(
      thrown(() => parseRoster('email,status,aliases\na@x.io,active,\nb@x.io,active,a@x.io\n', 'hr.csv'))
        .message,
    ).toBe('hr.csv: row 3: address "a@x.io" also belongs to row 2');
    expect(thrown(() => parseRoster('email,status\na@x.io,maybe\n', 'hr.csv')).message).toBe(
      'hr.csv: row 2: status "maybe" is not a known status',
    );
    expect(
      thrown(() => parseRoster('email,status,end date\na@x.io,active,31/12/2026\n', 'hr.csv')).message,
    ).toBe('hr.csv: row 2: end date "31/12/2026" is not an ISO date (YYYY-MM-DD)');
    expect(thrown(() => parseRoster('email,status\n,active\n', 'hr.csv')).message).toBe(
      'hr.csv: row 2: no email in column "email"',
    );
  });

  it('refuses a file without a mapped column, naming the columns it has', () => {
    const e = thrown(() => parseRoster('name,status\nada,active\n', 'hr.csv'));
    expect(e.message).toMatch(
      /^hr\.csv: row 1: no email column \(tried "email", .*; columns: "name", "status"\)$/,
    );
    expect(
      thrown(() =>
        parseRoster('email,status\na@x.io,active\n', 'hr.csv', policy({ columns: { manager: 'Boss' } })),
      ).message,
    ).toBe(
      'hr.csv: row 1: the policy maps roster manager to column "Boss", which the file does not have (columns: "email", "status")',
    );
  });

  it('refuses malformed CSV and an empty roster', () => {
    expect(thrown(() => parseRoster('email,status\na@x.io,active,extra\n', 'hr.csv')).message).toMatch(
      /^hr\.csv: row 2: not valid CSV/,
    );
    expect(thrown(() => parseRoster('email,status\n', 'hr.csv')).message).toBe(
      'hr.csv: no people (a header row and at least one row expected)',
    );
  });
});

describe('parseRoster (JSON)', () => {
  it('reads Okta-style nested profiles and Graph-style value arrays', () => {
    const okta = JSON.stringify([
      { status: 'ACTIVE', profile: { email: 'a@x.io', managerEmail: 'm@x.io', employeeType: 'Contractor' } },
      { status: 'DEPROVISIONED', profile: { email: 'b@x.io' } },
    ]);
    const r = parseRoster(okta, 'okta.json');
    expect(r.people.map((p) => [p.row, p.email, p.status, p.manager, p.employmentType])).toEqual([
      [1, 'a@x.io', 'active', 'm@x.io', 'contractor'],
      [2, 'b@x.io', 'terminated', null, null],
    ]);
    const graph = JSON.stringify({
      value: [{ userPrincipalName: 'C@x.io', accountEnabled: false, otherMails: ['c2@x.io'] }],
    });
    expect(parseRoster(graph, 'entra.json').people[0]).toMatchObject({
      email: 'c@x.io',
      status: 'terminated',
      aliases: ['c2@x.io'],
    });
  });

  it('names the JSON index at fault', () => {
    expect(thrown(() => parseRoster('[{"email":"a@x.io","status":"active"}, 3]', 'r.json')).message).toBe(
      'r.json: $[1]: expected an object per person',
    );
    expect(thrown(() => parseRoster('{"email":', 'r.json')).message).toMatch(/^r\.json: not valid JSON/);
  });
});

describe('roster facts for database users', () => {
  it('joins OIDC and LDAP users by the address their identity states, never a group', async () => {
    const { databaseUserRosterAddresses, rosterFacts } = await import('../../src/rules/facts/roster.js');
    const { parseRoster: parse, rosterIndex: index } = await import('../../src/roster/roster.js');
    const lookup = index(
      parse(
        'Email,Status,Worker Type,End Date\nalice@example.com,Terminated,,\nbob@example.com,Active,Contractor,2026-05-31\n',
        'hr.csv',
      ),
    );
    const now = new Date('2026-06-01T12:00:00Z');
    const oidc = databaseUserRosterAddresses({ username: '65aa/Alice@Example.com', authKind: 'oidc-user' });
    expect(rosterFacts(lookup, oidc, now)).toMatchObject({ inRoster: true, rosterStatus: 'terminated' });
    const ldap = databaseUserRosterAddresses({
      username: 'uid=bob,ou=people,dc=example,dc=com',
      authKind: 'ldap-user',
    });
    expect(rosterFacts(lookup, ldap, now)).toMatchObject({
      inRoster: true,
      employmentType: 'contractor',
      daysPastRosterEndDate: 1,
    });
    expect(
      databaseUserRosterAddresses({ username: '65aa/alice@example.com', authKind: 'oidc-group' }),
    ).toEqual([]);
    expect(
      databaseUserRosterAddresses({ username: 'CN=Alice,DC=example,DC=com', authKind: 'ldap-user' }),
    ).toEqual([]);
    expect(rosterFacts(lookup, [], now).inRoster).toBe(false);
  });
});
