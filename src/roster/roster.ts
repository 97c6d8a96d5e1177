/**
 * The HR / identity-provider roster: who works here, in what status, until when, and who their
 * manager is. Read from a CSV or JSON export whose columns are mapped by header (the policy's
 * `roster` section; defaults cover common HR and IdP exports), so access can be judged against
 * employment: a terminated person still active in Atlas, a contractor past their end date, an Atlas
 * user nobody in HR knows.
 *
 * Pure: takes the file's text, returns data or throws an InputError naming the file and the row.
 */
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import * as z from 'zod';
import { InputError } from '../errors.js';
import { once } from '../util/validate.js';

/** A person's employment status, normalised from the export's own words. */
const ROSTER_STATUSES = ['active', 'terminated', 'on-leave'] as const;
type RosterStatus = (typeof ROSTER_STATUSES)[number];
const EMPLOYMENT_TYPES = ['employee', 'contractor'] as const;
type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];

/** The roster fields and, for each, the headers tried in order (case-insensitive, trimmed). */
const ROSTER_FIELDS = [
  'email',
  'status',
  'endDate',
  'manager',
  'department',
  'employmentType',
  'aliases',
] as const;
type RosterField = (typeof ROSTER_FIELDS)[number];

/**
 * Header names of common exports (Workday, BambooHR, Okta, Microsoft Entra ID, Google Workspace).
 * A policy that names a column replaces the list for that field.
 */
const DEFAULT_ROSTER_HEADERS: Readonly<Record<RosterField, readonly string[]>> = {
  email: [
    'email',
    'work email',
    'email address',
    'primary email',
    'mail',
    'userprincipalname',
    'login',
    'profile.email',
  ],
  status: [
    'status',
    'employment status',
    'worker status',
    'employee status',
    'accountenabled',
    'profile.status',
  ],
  endDate: [
    'end date',
    'termination date',
    'terminationdate',
    'contract end date',
    'end_date',
    'employeeleavedatetime',
  ],
  manager: [
    'manager email',
    'manager',
    'manageremail',
    'manager.email',
    'supervisor email',
    'profile.manageremail',
  ],
  department: ['department', 'dept', 'profile.department'],
  employmentType: ['employment type', 'worker type', 'employee type', 'employeetype', 'profile.employeetype'],
  aliases: ['aliases', 'alias', 'othermails', 'proxyaddresses', 'secondary email', 'profile.secondemail'],
};

/** Words that mean each status or employment type (case-insensitive); the policy may add its own. */
const DEFAULT_STATUS_VALUES: Readonly<Record<RosterStatus, readonly string[]>> = {
  active: ['active', 'enabled', 'true', 'employed', 'current', 'provisioned', 'staged'],
  terminated: ['terminated', 'inactive', 'disabled', 'false', 'deprovisioned', 'left', 'offboarded'],
  'on-leave': ['on leave', 'on-leave', 'leave', 'leave of absence', 'loa', 'suspended'],
};
const DEFAULT_EMPLOYMENT_TYPE_VALUES: Readonly<Record<EmploymentType, readonly string[]>> = {
  employee: [
    'employee',
    'full-time',
    'full time',
    'part-time',
    'part time',
    'regular',
    'permanent',
    'member',
  ],
  contractor: [
    'contractor',
    'contingent',
    'contingent worker',
    'consultant',
    'vendor',
    'temporary',
    'temp',
    'guest',
  ],
};

/** This module's schemas, built on first use (src/util/validate.ts `once`). */
const schemas = once(() => {
  const section = z.strictObject({
    /** Header of the column holding each field; absent: the defaults are tried. */
    columns: z.partialRecord(z.enum(ROSTER_FIELDS), z.string().min(1)).default({}),
    /** Extra words meaning each status (added to the defaults). */
    statusValues: z.partialRecord(z.enum(ROSTER_STATUSES), z.array(z.string().min(1))).default({}),
    /** Extra words meaning each employment type (added to the defaults). */
    employmentTypeValues: z.partialRecord(z.enum(EMPLOYMENT_TYPES), z.array(z.string().min(1))).default({}),
    /** Separator between aliases in one cell (CSV); JSON arrays need none. */
    aliasSeparator: z.string().min(1).default(';'),
  });
  const withDefault = section.default({
    columns: {},
    statusValues: {},
    employmentTypeValues: {},
    aliasSeparator: ';',
  });
  return { section, withDefault };
});

/** The policy's `roster` section: column names and value words, each optional (absent: the defaults). */
export const rosterPolicySchema = z.lazy(() => schemas().withDefault);
/** The same section where it is given (the policy file's optional `roster`). */
export const rosterSectionSchema = z.lazy(() => schemas().section);
export type RosterPolicy = z.infer<typeof rosterPolicySchema>;

/** One person of the roster. Addresses are lower-cased and trimmed. */
export interface RosterPerson {
  /** 1-based data row (CSV: the header is row 1, so the first person is row 2; JSON: index + 1). */
  row: number;
  email: string;
  status: RosterStatus;
  /** Last day of employment or contract (UTC ISO date-time); null when none. */
  endDate: string | null;
  manager: string | null;
  department: string | null;
  employmentType: EmploymentType | null;
  aliases: string[];
}

export interface Roster {
  file: string;
  /** sha256 of the file's bytes, for every output that used it. */
  sha256: string;
  people: RosterPerson[];
  /** The header each field was read from; absent fields have none. */
  columns: Partial<Record<RosterField, string>>;
}

/** Larger exports are refused rather than parsed: the biggest HR systems export far fewer people. */
const MAX_ROSTER_PEOPLE = 1_000_000;

/** Normalised form of an address for joining (case-insensitive, trimmed). */
function normaliseAddress(value: string): string {
  return value.trim().toLowerCase();
}

/** Parses a roster export. `format` follows the file name unless given. */
export function parseRoster(
  bytes: Uint8Array | string,
  file: string,
  policy: RosterPolicy = rosterPolicySchema.parse(undefined),
  format: 'csv' | 'json' = /\.json$/i.test(file) ? 'json' : 'csv',
): Roster {
  const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { records, firstRow, where } =
    format === 'json' ? readJsonRecords(text, file) : readCsvRecords(text, file);
  if (records.length > MAX_ROSTER_PEOPLE) {
    throw new InputError(file, '$', `${records.length} rows; more than ${MAX_ROSTER_PEOPLE} is not a roster`);
  }
  const headers = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const columns = mapColumns(headers, policy, file);
  const people = records.map((record, i) => readPerson(record, firstRow + i, columns, policy, file, where));
  checkUnique(people, file, where);
  return { file, sha256, people, columns };
}

type RawRecord = Record<string, unknown>;
interface Records {
  records: RawRecord[];
  /** Row number of the first record. */
  firstRow: number;
  /** How a row is named in errors. */
  where: (row: number) => string;
}

function readCsvRecords(text: string, file: string): Records {
  let records: RawRecord[];
  try {
    records = parseCsv(text, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      trim: true,
    }) as RawRecord[];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    throw new InputError(
      file,
      e.lines ? `row ${e.lines}` : '$',
      `not valid CSV: ${e.message ?? String(error)}`,
    );
  }
  if (records.length === 0)
    throw new InputError(file, '$', 'no people (a header row and at least one row expected)');
  return { records, firstRow: 2, where: (row) => `row ${row}` };
}

function readJsonRecords(text: string, file: string): Records {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(file, '$', `not valid JSON: ${(error as Error).message}`);
  }
  // Exports wrap the list differently: a bare array, or { "users": [...] } / { "people": [...] } / { "value": [...] } (Graph).
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object'
      ? (['people', 'users', 'employees', 'workers', 'value', 'data'] as const)
          .map((k) => (data as Record<string, unknown>)[k])
          .find(Array.isArray)
      : undefined;
  if (!Array.isArray(list)) {
    throw new InputError(
      file,
      '$',
      'expected an array of people (or an object with a "people", "users" or "value" array)',
    );
  }
  if (list.length === 0) throw new InputError(file, '$', 'no people');
  const records = list.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      throw new InputError(file, `$[${i}]`, 'expected an object per person');
    }
    return flatten(item as RawRecord);
  });
  return { records, firstRow: 1, where: (row) => `$[${row - 1}]` };
}

/** Nested objects (Okta's `profile.email`) become dotted keys; arrays stay arrays. */
function flatten(record: RawRecord, prefix = ''): RawRecord {
  const out: RawRecord = {};
  for (const [k, v] of Object.entries(record)) {
    if (v && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v as RawRecord, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

function mapColumns(
  headers: string[],
  policy: RosterPolicy,
  file: string,
): Partial<Record<RosterField, string>> {
  const byLower = new Map(headers.map((h) => [h.toLowerCase(), h]));
  const columns: Partial<Record<RosterField, string>> = {};
  for (const field of ROSTER_FIELDS) {
    const named = policy.columns[field];
    if (named !== undefined) {
      const header = byLower.get(named.trim().toLowerCase());
      if (header === undefined) {
        throw new InputError(
          file,
          'row 1',
          `the policy maps roster ${field} to column ${JSON.stringify(named)}, which the file does not have (columns: ${headers.map((h) => JSON.stringify(h)).join(', ')})`,
        );
      }
      columns[field] = header;
      continue;
    }
    const found = DEFAULT_ROSTER_HEADERS[field].map((h) => byLower.get(h)).find((h) => h !== undefined);
    if (found !== undefined) columns[field] = found;
  }
  for (const required of ['email', 'status'] as const) {
    if (columns[required] === undefined) {
      throw new InputError(
        file,
        'row 1',
        `no ${required} column (tried ${DEFAULT_ROSTER_HEADERS[required].map((h) => JSON.stringify(h)).join(', ')}; columns: ${headers.map((h) => JSON.stringify(h)).join(', ')})`,
        { hint: `map it in the policy: roster: { columns: { ${required}: "<header>" } }` },
      );
    }
  }
  return columns;
}

function cell(record: RawRecord, column: string | undefined): string | null {
  if (column === undefined) return null;
  const v = record[column];
  if (v === undefined || v === null) return null;
  const text = (Array.isArray(v) ? v.join(';') : String(v)).trim();
  return text === '' ? null : text;
}

function matchWord<K extends string>(
  value: string,
  defaults: Readonly<Record<K, readonly string[]>>,
  extra: Partial<Record<K, string[]>>,
): K | undefined {
  const v = value.trim().toLowerCase();
  for (const key of Object.keys(defaults) as K[]) {
    const words = [...defaults[key], ...(extra[key] ?? [])].map((w) => w.toLowerCase());
    if (words.includes(v)) return key;
  }
  return undefined;
}

const ADDRESS = /^[^\s@]+@[^\s@]+$/;

function readPerson(
  record: RawRecord,
  row: number,
  columns: Partial<Record<RosterField, string>>,
  policy: RosterPolicy,
  file: string,
  where: (row: number) => string,
): RosterPerson {
  const at = where(row);
  const email = cell(record, columns.email);
  if (email === null) throw new InputError(file, at, `no email in column ${JSON.stringify(columns.email)}`);
  const address = normaliseAddress(email);
  if (!ADDRESS.test(address))
    throw new InputError(file, at, `email ${JSON.stringify(email)} is not an address`);
  const statusText = cell(record, columns.status);
  if (statusText === null)
    throw new InputError(file, at, `no status in column ${JSON.stringify(columns.status)}`);
  const status = matchWord(statusText, DEFAULT_STATUS_VALUES, policy.statusValues);
  if (status === undefined) {
    throw new InputError(file, at, `status ${JSON.stringify(statusText)} is not a known status`, {
      hint: 'map it in the policy: roster: { statusValues: { active: [...], terminated: [...], on-leave: [...] } }',
    });
  }
  const typeText = cell(record, columns.employmentType);
  const employmentType =
    typeText === null
      ? null
      : (matchWord(typeText, DEFAULT_EMPLOYMENT_TYPE_VALUES, policy.employmentTypeValues) ?? null);
  if (typeText !== null && employmentType === null) {
    throw new InputError(file, at, `employment type ${JSON.stringify(typeText)} is not a known type`, {
      hint: 'map it in the policy: roster: { employmentTypeValues: { employee: [...], contractor: [...] } }',
    });
  }
  const manager = cell(record, columns.manager);
  const aliasesRaw = columns.aliases === undefined ? undefined : record[columns.aliases];
  const aliases = (
    Array.isArray(aliasesRaw)
      ? aliasesRaw.map(String)
      : (cell(record, columns.aliases)?.split(policy.aliasSeparator) ?? [])
  )
    // Entra's proxyAddresses carry a scheme prefix ("SMTP:a@b").
    .map((a) => normaliseAddress(a.replace(/^smtp:/i, '')))
    .filter((a) => a !== '' && a !== address);
  for (const alias of aliases) {
    if (!ADDRESS.test(alias))
      throw new InputError(file, at, `alias ${JSON.stringify(alias)} is not an address`);
  }
  return {
    row,
    email: address,
    status,
    endDate: readDate(cell(record, columns.endDate), file, at),
    manager: manager === null ? null : normaliseAddress(manager),
    department: cell(record, columns.department),
    employmentType,
    aliases: [...new Set(aliases)].sort(),
  };
}

/** Accepts ISO dates and date-times; a bare date means the end of that day in UTC (the person works that day). */
function readDate(text: string | null, file: string, at: string): string | null {
  if (text === null) return null;
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = dateOnly
    ? Date.parse(`${text}T23:59:59.999Z`)
    : /^\d{4}-\d{2}-\d{2}T/.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (Number.isNaN(ms))
    throw new InputError(file, at, `end date ${JSON.stringify(text)} is not an ISO date (YYYY-MM-DD)`);
  return new Date(ms).toISOString();
}

/** Every address (email or alias) names one person: a repeat would join one Atlas user to two people. */
function checkUnique(people: RosterPerson[], file: string, where: (row: number) => string): void {
  const seen = new Map<string, number>();
  for (const p of people) {
    for (const address of [p.email, ...p.aliases]) {
      const first = seen.get(address);
      if (first !== undefined && first !== p.row) {
        throw new InputError(
          file,
          where(p.row),
          `address ${JSON.stringify(address)} also belongs to ${where(first)}`,
        );
      }
      seen.set(address, p.row);
    }
  }
}

/** The person an address (username or alias) belongs to, case-insensitively. */
export function rosterIndex(roster: Roster): (address: string) => RosterPerson | undefined {
  const index = new Map<string, RosterPerson>();
  for (const p of roster.people) for (const a of [p.email, ...p.aliases]) index.set(a, p);
  return (address) => index.get(normaliseAddress(address));
}
