/**
 * Reading reviewer decisions back from a review workbook the tool wrote (docs/review.md, `review import`).
 *
 * Two steps, both free of file I/O: `readReviewWorkbook` (src/review/workbook-reader.ts, streaming
 * the few XML parts it needs) turns XLSX bytes into plain cell values, and `checkReviewWorkbook`
 * checks them against the snapshot the workbook claims to describe. Every problem is collected with its sheet, row and column so a reviewer can fix them all in
 * one pass; the CLI exits 2 when there is any.
 *
 * Layout contract: src/review/workbook-contract.ts, shared with the writer (Summary "Snapshot sha256"
 * row, workbook properties `snapshot-sha256:<hex>`, Review sheet headers, decisions). Columns are found by header text, not position, so a
 * reviewer who hides or reorders columns does not break the import.
 */

import type ExcelJS from 'exceljs';
import { compareText } from '../domain/compare-text.js';
import { databaseRoleText } from '../domain/database-roles.js';
import { identityKey } from '../domain/keys.js';
import type { IdentityKind } from '../domain/subject.js';
import { teamsOfUsers } from '../domain/team-membership.js';
import type { DatabaseUser, Organization, Project, Snapshot } from '../snapshot/schema.js';
import { emailDomainOf, isDomainAllowed, isMailbox, normaliseAddress, visibleText } from '../util/address.js';
import { neutraliseFormula } from '../util/text-safety.js';
import {
  CAMPAIGN_DECISIONS,
  CAMPAIGN_ID_LABEL,
  type Decision,
  databaseUserRowKey,
  HEADERS,
  INPUT_HEADERS,
  networkAccessEntryValue,
  networkAccessRowKey,
  PREDECIDED_REVOKE,
  REASSIGN_DECISION,
  REVIEW_DECISIONS,
  REVIEW_SHEET,
  SUMMARY_SHA_LABEL,
  SUMMARY_SHEET,
} from '../workbook/contract.js';
import {
  type CellData,
  type ReviewSheetContents,
  readWorkbookContents,
  type WorkbookContents,
} from './workbook-reader.js';
import type { WorkbookLimits } from './xlsx-package.js';

/** At most this many problems are printed; the rest are counted. */
const MAX_LISTED_PROBLEMS = 50;

export type { CellData, WorkbookContents } from './workbook-reader.js';

/**
 * Reads a review workbook (src/review/workbook-reader.ts) keeping, of the Review sheet's data rows, only
 * the cells of columns whose header reads as a contract header (any look-alike included, so duplicates
 * are still found): the evidence columns are a reviewer's, never the import's, and holding them for
 * 70,000 rows cost a third of the reader's memory.
 */
export function readReviewWorkbook(
  bytes: Uint8Array,
  file: string,
  limits?: WorkbookLimits,
): Promise<WorkbookContents> {
  const contract = new Set(Object.values(HEADERS).map(headerKey));
  return readWorkbookContents(bytes, file, limits, { keepColumn: (h) => contract.has(headerKey(h)) });
}

/** Reduces an exceljs cell value (rich text, hyperlink, formula result, error) to a plain value. */
export function plainCell(v: ExcelJS.CellValue): CellData {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    // Excel turns a typed email into a hyperlink cell: { text, hyperlink }.
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    // A hyperlink over rich text: { text: { richText }, hyperlink }.
    const inner: unknown = 'text' in v ? (v as { text: unknown }).text : undefined;
    if (inner && typeof inner === 'object' && 'richText' in inner && Array.isArray(inner.richText))
      return (inner.richText as Array<{ text: string }>).map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
      // A formula typed by a reviewer counts by its cached result; none (never calculated) is blank.
      const r = 'result' in v ? v.result : undefined;
      if (r === undefined || r === null) return null;
      if (typeof r === 'object' && !(r instanceof Date)) return null;
      return r as CellData;
    }
    if ('error' in v) return `#ERROR ${String(v.error)}`;
  }
  return String(v);
}

/** One problem found in the workbook. `row`/`column` are null when the problem is not one cell. */
export interface ReviewProblem {
  sheet: string;
  /** 1-based row number as Excel shows it. */
  row: number | null;
  /** Column letter as Excel shows it (A, B, ... AA). */
  column: string | null;
  /** Header of that column, when known. */
  header: string | null;
  code:
    | 'missing-sheet'
    | 'missing-column'
    | 'no-fingerprint'
    | 'snapshot-mismatch'
    | 'identity-unknown'
    | 'identity-duplicate'
    | 'identity-missing'
    | 'name-mismatch'
    | 'decision-blank'
    | 'decision-unknown'
    | 'decision-not-allowed'
    | 'reviewer-blank'
    | 'self-review'
    | 'date-blank'
    | 'date-invalid'
    | 'date-out-of-range'
    | 'comment-required'
    | 'justification-required'
    | 'reassign-target'
    | 'reviewer-not-assigned'
    | 'identity-foreign'
    | 'campaign-mismatch'
    | 'workbook-missing'
    | 'sheet-hidden'
    | 'sheet-duplicate'
    | 'column-duplicate'
    | 'column-hidden'
    | 'formula'
    | 'number-format'
    | 'conditional-format'
    | 'package-part'
    | 'workbook-unreadable';
  message: string;
}

/** Formats a problem as `Review!R12 (Decision): message`, the way a spreadsheet user finds a cell. */
export function formatProblem(p: ReviewProblem): string {
  const cell =
    p.column !== null && p.row !== null ? `${p.column}${p.row}` : p.row !== null ? `row ${p.row}` : '';
  const where = `${p.sheet}${cell ? `!${cell}` : ''}${p.header ? ` (${p.header})` : ''}`;
  return `${where}: ${p.message}`;
}

/**
 * The problems as printed lines (`<file>: <problem>`), at most MAX_LISTED_PROBLEMS of them and a count
 * of the rest: a forged workbook with a million bad rows must not print a million lines.
 */
export function formatProblemLines(problems: readonly ReviewProblem[], file: string): string[] {
  const lines = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `${file}: ${formatProblem(p)}`);
  const rest = problems.length - MAX_LISTED_PROBLEMS;
  if (rest > 0) lines.push(`${file}: ... and ${rest} more problem${rest === 1 ? '' : 's'} (not listed)`);
  return lines;
}

/** An identity's access at review time, kept in the sign-off so `verify` needs no older snapshot. */
interface IdentityAccess {
  orgRoles: string[];
  projectRoles: Array<{ projectId: string; projectName: string; roles: string[] }>;
  teams: Array<{ id: string; name: string }>;
}

/**
 * A database user as reviewed: where it lives and the roles it held, so the plan can address it
 * (`/groups/{projectId}/databaseUsers/{databaseName}/{username}`) and write the roles a Modify keeps.
 */
interface DatabaseUserAccess {
  projectId: string;
  projectName: string;
  /** `admin` (SCRAM) or `$external` (every external kind). */
  databaseName: DatabaseUser['databaseName'];
  username: string;
  authKind: DatabaseUser['authKind'];
  roles: DatabaseUser['roles'];
}

/** An entry of a project's IP access list as reviewed: what its removal's path needs. */
interface NetworkAccessTarget {
  projectId: string;
  projectName: string;
  /** The security group, CIDR block or address (`entryValue` of the DELETE). */
  entryValue: string;
}

/** Subject types of Review sheet rows: org identities, database users and flagged access list entries. */
type ReviewSubjectType = 'user' | 'apiKey' | 'serviceAccount' | 'databaseUser' | 'networkAccessEntry';
/** Kinds of Review sheet rows (the Kind column). */
type ReviewKind = IdentityKind | 'databaseUser' | 'networkAccessEntry';

/** A reviewable identity of the snapshot (the rows the workbook must have). */
export interface SnapshotIdentity {
  key: string;
  orgId: string;
  orgName: string;
  subjectType: ReviewSubjectType;
  kind: ReviewKind;
  /** Atlas id; for a database user `<projectId>/<databaseName>/<username>` (src/domain/keys.ts). */
  id: string;
  /** Username, API key public key or service account name (the workbook's Name column). */
  name: string;
  /** Set for database users only. */
  databaseUser?: DatabaseUserAccess;
  /** Set for network access entries only. */
  networkAccess?: NetworkAccessTarget;
  /**
   * Other names that may be a person's address: an API key's or service account's description (the
   * snapshot has no owner or creator for them). A reviewer whose address one of these is, is
   * reviewing their own key.
   */
  ownerHints?: string[];
  status: string;
  access: IdentityAccess;
}

/** One checked decision row. */
export interface ReviewDecision extends SnapshotIdentity {
  decision: Decision;
  reviewer: string;
  /** YYYY-MM-DD (UTC). */
  reviewedOn: string;
  comment: string | null;
  /** Workbook row, for the evidence trail. */
  row: number;
}

/** A campaign row a reviewer handed to another reviewer (Decision `Reassign`, the address in Comment). */
export interface ReassignedRow {
  key: string;
  identity: SnapshotIdentity;
  /** The reviewer who reassigned it (the Reviewer column) and the one it moves to (Comment), normalised. */
  from: string;
  to: string;
  /** The Reviewed on date: when it was reassigned. */
  reviewedOn: string;
  row: number;
}

/** Result of {@link checkReviewWorkbook}: decisions are complete only when `problems` is empty. */
export interface ReviewCheck {
  /** sha256 the workbook claims (Summary sheet, else properties); null when it has none. */
  workbookSnapshotSha256: string | null;
  decisions: ReviewDecision[];
  /** Campaign workbooks only: rows reassigned to another reviewer. */
  reassigned: ReassignedRow[];
  /** Campaign workbooks only: rows with no decision yet (their keys, in sheet order). */
  undecided: string[];
  problems: ReviewProblem[];
}

/**
 * How {@link checkReviewWorkbook} checks one workbook's rows. Without options: a workbook of the whole
 * snapshot (`review import`). `review merge` checks each reviewer's workbook with `scope` and `campaign`.
 */
export interface ReviewCheckOptions {
  /**
   * The rows this workbook must hold, exactly: a campaign reviewer's rows. Default: every identity of
   * the snapshot. `all` is every identity of the snapshot (computed once for many workbooks), to tell
   * another reviewer's row from one that is not in the snapshot.
   */
  scope?: {
    rows: ReadonlyMap<string, SnapshotIdentity>;
    all: ReadonlyMap<string, SnapshotIdentity>;
  };
  /**
   * A campaign workbook: a row with no Decision is undecided (not a problem), `Reassign` is a
   * decision, and the Reviewer column must name `reviewer` (normalised address).
   */
  campaign?: {
    reviewer: string;
    /** The domains a Reassign may hand a row to (src/campaign/campaign.ts reassignDomains); any when absent. */
    reassignDomains?: readonly string[];
  };
  /**
   * Why a Keep of this identity needs a justification in Comment (policy `review.keepNeedsJustification`:
   * privileged access or open findings); null when it needs none.
   */
  keepNeedsComment?: (identity: SnapshotIdentity) => string | null;
  /**
   * The roster's other addresses of a subject (its email and aliases; none when the roster does not
   * know it): a reviewer, or a Reassign's new reviewer, who is the subject under an alias reviews their
   * own access, as routing already knows (src/campaign/routing.ts).
   */
  aliasesOf?: (name: string) => readonly string[];
}

function orgIdentities(org: Organization): SnapshotIdentity[] {
  const projectNames = new Map(org.projects.map((p) => [p.id, p.name]));
  const teamNames = new Map(org.teams.map((t) => [t.id, t.name]));
  const projectRoles = (grants: Array<{ projectId: string; roles: string[] }>) =>
    grants
      .map((g) => ({
        projectId: g.projectId,
        projectName: projectNames.get(g.projectId) ?? g.projectId,
        roles: [...g.roles].sort(compareText),
      }))
      .sort((a, b) => compareText(a.projectName, b.projectName) || compareText(a.projectId, b.projectId));
  const userTeams = teamsOfUsers(org);
  const out: SnapshotIdentity[] = [];
  const base = { orgId: org.id, orgName: org.name };
  for (const u of org.users)
    out.push({
      ...base,
      key: identityKey(org.id, 'user', u.id),
      subjectType: 'user',
      kind: u.status === 'ACTIVE' ? 'user' : 'invitation',
      id: u.id,
      name: u.username,
      status: u.status,
      access: {
        orgRoles: [...u.orgRoles].sort(compareText),
        projectRoles: projectRoles(u.projectRoles),
        teams: [...(userTeams.get(u.id) ?? [])]
          .map((id) => ({ id, name: teamNames.get(id) ?? id }))
          .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id)),
      },
    });
  for (const k of org.apiKeys)
    out.push({
      ...base,
      key: identityKey(org.id, 'apiKey', k.id),
      subjectType: 'apiKey',
      kind: 'apiKey',
      id: k.id,
      name: k.publicKey,
      ownerHints: k.description ? [k.description] : [],
      status: 'ACTIVE',
      access: {
        orgRoles: [...k.orgRoles].sort(compareText),
        projectRoles: projectRoles(k.projectRoles),
        teams: [],
      },
    });
  for (const s of org.serviceAccounts)
    out.push({
      ...base,
      key: identityKey(org.id, 'serviceAccount', s.clientId),
      subjectType: 'serviceAccount',
      kind: 'serviceAccount',
      id: s.clientId,
      name: s.name,
      ownerHints: s.description ? [s.description] : [],
      status: s.secrets.length === 0 ? 'NO_SECRETS' : 'ACTIVE',
      access: {
        orgRoles: [...s.orgRoles].sort(compareText),
        projectRoles: projectRoles(s.projectRoles),
        teams: [],
      },
    });
  return out;
}

/**
 * The database users of an org's projects, one row each (identity: org, project, `databaseName`,
 * `username`). Their roles are shown as project roles `role@db[.collection]`, so the sign-off and
 * `review verify` show them like any other access.
 */
function databaseUserIdentities(org: Organization): SnapshotIdentity[] {
  const row = (p: Project, u: DatabaseUser): SnapshotIdentity => {
    const roles = [...u.roles].sort(
      (a, b) =>
        compareText(a.databaseName, b.databaseName) ||
        compareText(a.collectionName ?? '', b.collectionName ?? '') ||
        compareText(a.roleName, b.roleName),
    );
    const { key, id } = databaseUserRowKey(org.id, p.id, u.databaseName, u.username);
    return {
      key,
      orgId: org.id,
      orgName: org.name,
      subjectType: 'databaseUser',
      kind: 'databaseUser',
      id,
      name: u.username,
      status: 'ACTIVE',
      access: {
        orgRoles: [],
        projectRoles: [{ projectId: p.id, projectName: p.name, roles: roles.map(databaseRoleText) }],
        teams: [],
      },
      databaseUser: {
        projectId: p.id,
        projectName: p.name,
        databaseName: u.databaseName,
        username: u.username,
        authKind: u.authKind,
        roles,
      },
    };
  };
  return org.projects.flatMap((p) => p.databaseUsers.map((u) => row(p, u)));
}

/**
 * The project IP access list entries a Review row may name (rows the report writes for flagged
 * entries only, so none is required), keyed like the Identity key column.
 */
export function snapshotNetworkAccessRows(snapshot: Snapshot): Map<string, SnapshotIdentity> {
  const out = new Map<string, SnapshotIdentity>();
  for (const o of snapshot.organizations)
    for (const p of o.projects)
      for (const e of p.networkAccess) {
        const entryValue = networkAccessEntryValue(e);
        if (entryValue === null) continue;
        const { key, id } = networkAccessRowKey(o.id, p.id, entryValue);
        out.set(key, {
          key,
          orgId: o.id,
          orgName: o.name,
          subjectType: 'networkAccessEntry',
          kind: 'networkAccessEntry',
          id,
          name: entryValue,
          status: 'ACTIVE',
          access: { orgRoles: [], projectRoles: [], teams: [] },
          networkAccess: { projectId: p.id, projectName: p.name, entryValue },
        });
      }
  return out;
}

/** Every reviewable identity of a snapshot, keyed like the workbook's Identity key column. */
export function snapshotIdentities(snapshot: Snapshot): Map<string, SnapshotIdentity> {
  return new Map(
    snapshot.organizations
      .flatMap((o) => [...orgIdentities(o), ...databaseUserIdentities(o)])
      .map((i) => [i.key, i]),
  );
}

/** 1 -> A, 27 -> AA. */
function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function text(v: CellData | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  const t = String(v).trim();
  return t === '' ? null : t;
}

/**
 * A Comment that can justify a Keep: some letter or digit a reader sees. Blank, zero-width characters
 * (`\u200b`, a BOM), or punctuation alone (`.`, `-`, `…`) say nothing (docs/review.md, "Decisions an
 * auditor trusts"); whether the words are a good reason is the auditor's call.
 */
function isJustification(comment: string | null): boolean {
  return comment !== null && /[\p{L}\p{N}]/u.test(visibleText(comment));
}

/** Strips a `mailto:` from links. */
function cleanName(t: string): string {
  return t.slice(0, 7).toLowerCase() === 'mailto:' ? t.slice(7).trim() : t.trim();
}

/** Header or sheet name as a reader sees it: NFKC, invisible characters gone, spaces collapsed, any case. */
function headerKey(h: string): string {
  return visibleText(h).split(/\s+/).filter(Boolean).join(' ').toLowerCase();
}

/** True for number formats that show a text value as it is: none, General and Text (`@`). */
function isPlainFormat(fmt: string | null): boolean {
  if (fmt === null) return true;
  const f = fmt.trim().toLowerCase();
  return f === '' || f === 'general' || f === '@';
}

const DATE_CODES = new Set('yYmMdDhHsS0'.split(''));
const DATE_SEPARATORS = new Set(['-', '/', '.', ',', ':', ' ']);

/**
 * True for a number format made only of date and time codes and separators (an optional `[$-locale]`
 * and an optional text section `;@`, as Excel writes them): it shows the date the cell holds. Quoted
 * literals, more sections, colours and conditions are refused, since they can show other text.
 */
export function isDateFormat(fmt: string | null): boolean {
  if (fmt === null) return true;
  const sections = fmt.split(';');
  if (sections.length > 2 || (sections.length === 2 && sections[1]!.trim() !== '@')) return false;
  const f = sections[0]!;
  let sawDay = false;
  for (let i = 0; i < f.length; ) {
    const ch = f[i]!;
    const rest = f.slice(i, i + 5).toUpperCase();
    if (rest === 'AM/PM') i += 5;
    else if (rest.startsWith('A/P')) i += 3;
    else if (ch === '[') {
      const close = f.indexOf(']', i);
      if (close < 0 || f[i + 1] !== '$' || f[i + 2] !== '-') return false;
      i = close + 1;
    } else if (ch === '\\' && i + 1 < f.length && DATE_SEPARATORS.has(f[i + 1]!)) i += 2;
    else if (DATE_CODES.has(ch) || DATE_SEPARATORS.has(ch)) {
      if ('yYdD'.includes(ch)) sawDay = true;
      i += 1;
    } else return false;
  }
  return sawDay;
}

/** The parts of a range list such as `S2:S40 T5` or `$S:$S`: first and last column, top row (1 if none). */
function rangeParts(ref: string): Array<{ first: number; last: number; top: number }> {
  const cell = (cellRef: string): { col: number; row: number } => {
    let col = 0;
    let row = 0;
    for (const ch of cellRef.toUpperCase()) {
      const code = ch.charCodeAt(0);
      if (code >= 65 && code <= 90 && row === 0) col = col * 26 + (code - 64);
      else if (code >= 48 && code <= 57) row = row * 10 + (code - 48);
    }
    return { col, row };
  };
  return ref
    .split(' ')
    .filter(Boolean)
    .map((part) => {
      const [a, b] = part.split(':');
      const start = cell(a ?? '');
      const end = b === undefined ? start : cell(b);
      return {
        first: Math.min(start.col, end.col),
        last: Math.max(start.col, end.col),
        top: Math.max(1, Math.min(start.row || 1, end.row || 1)),
      };
    });
}

/**
 * Reads a review date: a date cell, an Excel serial number, or text `YYYY-MM-DD`. Excel dates carry no
 * time zone; exceljs reads them as UTC, so the UTC calendar date is the date the reviewer typed.
 */
export function reviewDate(v: CellData | undefined): string | null | 'invalid' {
  if (v === null || v === undefined) return null;
  let d: Date | null = null;
  if (v instanceof Date) d = v;
  else if (typeof v === 'number' && v > 0 && v < 2958466) d = new Date(Math.round((v - 25569) * 86_400_000));
  else if (typeof v === 'string') {
    const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?\s*$/.exec(v);
    if (m) d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (d && d.toISOString().slice(0, 10) !== `${m![1]}-${m![2]}-${m![3]}`) d = null;
  }
  if (!d || Number.isNaN(d.getTime())) return 'invalid';
  return d.toISOString().slice(0, 10);
}

function fingerprint(v: string | null): string | null {
  if (!v) return null;
  const m = /snapshot-sha256:([a-f0-9]{64})/i.exec(v) ?? /^([a-f0-9]{64})$/i.exec(v.trim());
  return m ? m[1]!.toLowerCase() : null;
}

function formulaProblem(formula: string): { code: 'formula'; message: string } {
  const shown = formula.length > 60 ? `${formula.slice(0, 60)}...` : formula;
  return {
    code: 'formula',
    message: `holds a formula (=${shown}); its stored result may not be what the spreadsheet shows: type the value itself`,
  };
}

function numFmtProblem(numFmt: string | null): { code: 'number-format'; message: string } {
  return {
    code: 'number-format',
    message: `has the number format ${JSON.stringify(numFmt)}, which can show something other than the cell's value; set it to General`,
  };
}

/** Records one problem (`header` defaults to none). */
type Report = (p: Omit<ReviewProblem, 'header'> & { header?: string | null }) => void;

/** Phase 0: the package and the sheets; what a spreadsheet shows must be what is read. */
function checkPackageAndSheets(contents: WorkbookContents, problem: Report): void {
  for (const p of contents.packageProblems ?? [])
    problem({ sheet: p.part, row: null, column: null, code: 'package-part', message: p.message });
  for (const wanted of [SUMMARY_SHEET, REVIEW_SHEET]) {
    for (const sheet of contents.sheets ?? []) {
      if (sheet.name === wanted && sheet.state !== 'visible')
        problem({
          sheet: wanted,
          row: null,
          column: null,
          code: 'sheet-hidden',
          message: `the sheet is ${sheet.state}; the sheet reviewers see must be the one that is read`,
        });
      else if (sheet.name !== wanted && headerKey(sheet.name) === headerKey(wanted))
        problem({
          sheet: wanted,
          row: null,
          column: null,
          code: 'sheet-duplicate',
          message: `another sheet, ${JSON.stringify(sheet.name)}, looks like this one; remove it`,
        });
    }
  }
}

/** Phase 1: which snapshot the workbook belongs to (Summary sheet row, else the workbook properties). */
function checkSnapshotClaim(
  contents: WorkbookContents,
  sha256: string,
  problem: Report,
): { claimed: string | null; sameSnapshot: boolean } {
  let claimed: string | null = null;
  let claimedAt: { sheet: string; row: number | null; column: string | null } = {
    sheet: SUMMARY_SHEET,
    row: null,
    column: null,
  };
  if (contents.summary === null) {
    problem({
      sheet: SUMMARY_SHEET,
      row: null,
      column: null,
      code: 'missing-sheet',
      message: 'sheet not found',
    });
  } else {
    const r = contents.summary.find((x) => text(x.label) === SUMMARY_SHA_LABEL);
    if (r) {
      claimed = fingerprint(text(r.value));
      claimedAt = { sheet: SUMMARY_SHEET, row: r.row, column: 'B' };
    }
  }
  const propSha = fingerprint(contents.properties.subject) ?? fingerprint(contents.properties.keywords);
  if (claimed === null && propSha !== null) {
    claimed = propSha;
    claimedAt = { sheet: 'workbook properties', row: null, column: null };
  }
  if (claimed === null) {
    problem({
      ...claimedAt,
      code: 'no-fingerprint',
      message: `no snapshot sha256 found ("${SUMMARY_SHA_LABEL}" row of the Summary sheet, or the workbook properties); was this workbook written by \`report --xlsx\`?`,
    });
  } else if (claimed !== sha256 || (propSha !== null && propSha !== claimed)) {
    problem({
      ...claimedAt,
      header: claimedAt.column ? SUMMARY_SHA_LABEL : null,
      code: 'snapshot-mismatch',
      message:
        propSha !== null && propSha !== claimed
          ? `the Summary sheet says snapshot ${claimed} but the workbook properties say ${propSha}`
          : `workbook is for snapshot ${claimed}, not ${sha256} (the --snapshot file)`,
    });
  }
  return { claimed, sameSnapshot: claimed === sha256 && (propSha === null || propSha === claimed) };
}

/**
 * The column of each contract header. Headers are compared as a reader sees them, so a copy named
 * "Decision\u200b" or "decision" is the same column: two of them is a problem, never a silent choice
 * of one. `duplicated` is true when any header heads more than one column.
 */
function contractColumns(
  review: ReviewSheetContents,
  problem: Report,
): { col: Map<string, number>; duplicated: boolean } {
  const byKey = new Map<string, number[]>();
  for (const [c, h] of [...review.headers].sort((a, b) => a[0] - b[0])) {
    const list = byKey.get(headerKey(h)) ?? [];
    list.push(c);
    byKey.set(headerKey(h), list);
  }
  const col = new Map<string, number>();
  let duplicated = false;
  for (const h of Object.values(HEADERS)) {
    const cols = byKey.get(headerKey(h)) ?? [];
    if (cols[0] !== undefined) col.set(h, cols[0]);
    if (cols.length > 1) {
      duplicated = true;
      for (const c of cols)
        problem({
          sheet: REVIEW_SHEET,
          row: 1,
          column: columnLetter(c),
          header: h,
          code: 'column-duplicate',
          message: `"${h}" heads ${cols.length} columns (${cols.map(columnLetter).join(', ')}); keep exactly one`,
        });
    }
  }
  return { col, duplicated };
}

/** Header cells with a formula or a number format, and hidden input columns. */
function checkHeaderRow(
  review: ReviewSheetContents,
  col: ReadonlyMap<string, number>,
  problem: Report,
): void {
  for (const [c, m] of review.headerMeta) {
    const at = {
      sheet: REVIEW_SHEET,
      row: 1,
      column: columnLetter(c),
      header: review.headers.get(c) ?? null,
    };
    if (m.formula !== null) problem({ ...at, ...formulaProblem(m.formula) });
    else if (!isPlainFormat(m.numFmt)) problem({ ...at, ...numFmtProblem(m.numFmt) });
  }
  for (const h of INPUT_HEADERS) {
    const c = col.get(h);
    const info = c === undefined ? undefined : review.columns.get(c);
    // A column narrower than one character shows nothing: hidden in all but name.
    if (c !== undefined && info && (info.hidden || (info.width !== null && info.width < 1)))
      problem({
        sheet: REVIEW_SHEET,
        row: 1,
        column: columnLetter(c),
        header: h,
        code: 'column-hidden',
        message: `the column is ${info.hidden ? 'hidden' : `${info.width} characters wide`}; input columns must be visible`,
      });
  }
}

/** Conditional formats that apply a number format to a column the import reads. */
function checkConditionalFormats(
  review: ReviewSheetContents,
  col: ReadonlyMap<string, number>,
  problem: Report,
): void {
  const readColumns = new Map<number, string>();
  for (const h of Object.values(HEADERS)) {
    const c = col.get(h);
    if (c !== undefined) readColumns.set(c, h);
  }
  for (const cf of review.conditionalNumFmts) {
    const parts = rangeParts(cf.ref);
    const hit = [...readColumns.keys()]
      .sort((a, b) => a - b)
      .find((c) => parts.some((p) => c >= p.first && c <= p.last));
    if (hit !== undefined)
      problem({
        sheet: REVIEW_SHEET,
        row: parts.find((p) => hit >= p.first && hit <= p.last)!.top,
        column: columnLetter(hit),
        header: readColumns.get(hit)!,
        code: 'conditional-format',
        message: `a conditional format on ${cf.ref} applies the number format ${JSON.stringify(cf.numFmt)}, which can show something other than the cells' values; remove it`,
      });
  }
}

/**
 * Phase 2: the Review sheet's header row against the contract. Returns the column of every header,
 * or null when a header is duplicated or missing (rows cannot be read then).
 */
function checkReviewColumns(review: ReviewSheetContents, problem: Report): Map<string, number> | null {
  const { col, duplicated } = contractColumns(review, problem);
  checkHeaderRow(review, col, problem);
  checkConditionalFormats(review, col, problem);
  if (duplicated) return null;
  const missing = Object.values(HEADERS).filter((h) => !col.has(h));
  for (const h of missing)
    problem({
      sheet: REVIEW_SHEET,
      row: 1,
      column: null,
      header: h,
      code: 'missing-column',
      message: `no column headed "${h}" in row 1`,
    });
  return missing.length > 0 ? null : col;
}

/** What rows are checked against: the snapshot's identities and the bounds of a review date. */
interface RowContext {
  identities: ReadonlyMap<string, SnapshotIdentity>;
  /** Rows that may be there but need not be (flagged network access entries). */
  optional: ReadonlyMap<string, SnapshotIdentity>;
  sameSnapshot: boolean;
  /** The snapshot's collection date and today, YYYY-MM-DD. */
  collected: string;
  today: string;
  col: (h: string) => number;
  options: ReviewCheckOptions;
}

type ReviewRow = ReviewSheetContents['rows'][number];
type CellReport = (h: string, code: ReviewProblem['code'], message: string) => void;

const ALLOWED_DECISIONS = new Map(REVIEW_DECISIONS.map((d) => [d.toLowerCase(), d]));
/** Campaign workbooks add Reassign (src/workbook/contract.ts). */
const CAMPAIGN_ALLOWED = new Map<string, Decision | typeof REASSIGN_DECISION>([
  ...ALLOWED_DECISIONS,
  [REASSIGN_DECISION.toLowerCase(), REASSIGN_DECISION],
]);

/** A formula or a number format can make a cell show something else than the value read. */
function checkRowCells(meta: ReviewRow['meta'], col: (h: string) => number, at: CellReport): void {
  for (const h of Object.values(HEADERS)) {
    const m = meta.get(col(h));
    if (!m) continue;
    const honest =
      h === HEADERS.reviewedOn ? isDateFormat(m.numFmt) || isPlainFormat(m.numFmt) : isPlainFormat(m.numFmt);
    if (m.formula !== null) {
      const f = formulaProblem(m.formula);
      at(h, f.code, f.message);
    } else if (!honest) {
      const f = numFmtProblem(m.numFmt);
      at(h, f.code, f.message);
    }
  }
}

/** The reviewer of a row: present, and not the identity reviewed. */
function checkReviewer(
  raw: string | null,
  subjectNames: readonly string[],
  predecided: string | undefined,
  decision: Decision | null | undefined,
  at: CellReport,
): string | null {
  const reviewer = raw === null ? null : cleanName(raw);
  // Self-review compares addresses as a reader sees them (NFKC, invisible characters removed,
  // `Name <addr>`, any case), against the username, or a key's or account's name and description.
  const reviewerKey = reviewer === null ? '' : normaliseAddress(reviewer);
  if (reviewer === null || reviewerKey === '')
    at(
      HEADERS.reviewer,
      'reviewer-blank',
      // The workbook pre-fills Revoke for these; it is a proposal until a reviewer signs for it.
      predecided && decision === 'Revoke'
        ? `no reviewer: the Revoke was pre-filled (${predecided}); confirm it with your name and a date`
        : 'no reviewer',
    );
  else if (subjectNames.some((n) => normaliseAddress(n) === reviewerKey))
    at(
      HEADERS.reviewer,
      'self-review',
      `${reviewer} reviewed their own access; another reviewer must decide this row`,
    );
  return reviewer;
}

/** The review date of a row: present, a date, not before the snapshot and not in the future. */
function checkReviewDate(v: CellData | undefined, ctx: RowContext, at: CellReport): string | null {
  const date = reviewDate(v);
  const { collected, today } = ctx;
  if (date === null) at(HEADERS.reviewedOn, 'date-blank', 'no review date');
  else if (date === 'invalid') at(HEADERS.reviewedOn, 'date-invalid', 'not a date (use YYYY-MM-DD)');
  else if (date < collected || date > today)
    at(
      HEADERS.reviewedOn,
      'date-out-of-range',
      `${date} is ${date < collected ? `before the snapshot was collected (${collected})` : `in the future (today is ${today})`}`,
    );
  return date === 'invalid' ? null : date;
}

/** What one row of the Review sheet says, once checked. */
type RowOutcome =
  | { kind: 'decision'; decision: ReviewDecision }
  | { kind: 'reassign'; reassigned: ReassignedRow }
  | { kind: 'undecided' }
  | null;

/** The Decision cell: one of the allowed decisions (Reassign in campaign workbooks), or null (problem reported). */
/**
 * A campaign workbook's Decision cell as `review merge` reads it (case-insensitive, trimmed), or null
 * when it is none of the campaign's decisions: `review status` counts a row decided only then, so it
 * never calls complete what the merge refuses.
 */
export function campaignDecision(raw: string): Decision | typeof REASSIGN_DECISION | null {
  return CAMPAIGN_ALLOWED.get(raw.trim().toLowerCase()) ?? null;
}

function readDecision(
  cells: ReviewRow['cells'],
  ctx: RowContext,
  at: CellReport,
): Decision | typeof REASSIGN_DECISION | null {
  const rawDecision = text(cells.get(ctx.col(HEADERS.decision)));
  const campaign = ctx.options.campaign !== undefined;
  const choices = (campaign ? CAMPAIGN_DECISIONS : REVIEW_DECISIONS).join(', ');
  if (rawDecision === null) {
    at(HEADERS.decision, 'decision-blank', `no decision (choose ${choices})`);
    return null;
  }
  const decision = campaign
    ? campaignDecision(rawDecision)
    : ALLOWED_DECISIONS.get(rawDecision.toLowerCase());
  if (decision) return decision;
  if (rawDecision.toLowerCase() === REASSIGN_DECISION.toLowerCase())
    at(
      HEADERS.decision,
      'decision-not-allowed',
      `${REASSIGN_DECISION} hands a row to another reviewer of a review campaign; it belongs to \`review merge\` (workbooks from \`report --split-by reviewer\`), not to review import: choose ${choices}`,
    );
  else at(HEADERS.decision, 'decision-unknown', `"${rawDecision}" is not a decision (choose ${choices})`);
  return null;
}

/** A campaign workbook's Reviewer column names the reviewer it was written (or reassigned) for. */
function checkAssignedReviewer(reviewer: string | null, ctx: RowContext, at: CellReport): void {
  const assigned = ctx.options.campaign?.reviewer;
  if (assigned === undefined || reviewer === null || normaliseAddress(reviewer) === '') return;
  if (normaliseAddress(reviewer) !== normaliseAddress(assigned))
    at(
      HEADERS.reviewer,
      'reviewer-not-assigned',
      `names ${reviewer}, but this workbook is ${assigned}'s; another reviewer's decision belongs in their own workbook (or Reassign the row to them)`,
    );
}

/**
 * The new reviewer a Reassign's Comment names, normalised; null unless it is one plain mailbox
 * (src/util/address.ts isMailbox): `review remind` mails it and `review merge` names a file after it,
 * so a list, a display name with a comma, a formula or a control character is no reviewer.
 */
export function reassignTarget(comment: string | null, domains?: readonly string[]): string | null {
  const target = comment === null ? '' : normaliseAddress(cleanName(comment));
  return isMailbox(target) && reassignDomainProblem(target, domains) === null ? target : null;
}

/**
 * Why `target` may not be handed a row in a campaign whose Reassigns stay within `domains` (a
 * subdomain of one counts); null when it may, or when no domains are given. A returned workbook is
 * anyone's to edit, and `review remind` mails the new reviewer their rows: a Reassign to an outside
 * address would send the organization's access data there.
 */
function reassignDomainProblem(target: string, domains: readonly string[] | undefined): string | null {
  if (domains === undefined || isDomainAllowed(emailDomainOf(target), domains)) return null;
  return `reassigns the row to ${target}, outside the campaign's domains (${domains.length > 0 ? domains.join(', ') : 'none'}): review remind would mail them its rows; choose a reviewer in them, or list the domain in the policy's review.reassignDomains and split again`;
}

/** A Reassign names, in Comment, another reviewer who is not the row's subject. */
function checkReassignTarget(
  comment: string | null,
  reviewer: string | null,
  subjectNames: readonly string[],
  domains: readonly string[] | undefined,
  at: CellReport,
): string | null {
  const target = reassignTarget(comment);
  if (target === null) {
    at(
      HEADERS.comment,
      'reassign-target',
      "a Reassign needs the new reviewer's email address (alone) in Comment",
    );
    return null;
  }
  const outside = reassignDomainProblem(target, domains);
  if (outside !== null) {
    at(HEADERS.comment, 'reassign-target', outside);
    return null;
  }
  if (reviewer !== null && normaliseAddress(reviewer) === target) {
    at(HEADERS.comment, 'reassign-target', `reassigns the row to ${target}, who already has it`);
    return null;
  }
  if (subjectNames.some((n) => normaliseAddress(n) === target)) {
    at(HEADERS.comment, 'reassign-target', `${target} is the row's own identity; choose another reviewer`);
    return null;
  }
  return target;
}

/** A campaign row with no Decision, or with only the Revoke the workbook pre-filled and no reviewer or date. */
function isOpenCampaignRow(
  cells: ReviewRow['cells'],
  identity: SnapshotIdentity | undefined,
  ctx: RowContext,
): boolean {
  const decision = text(cells.get(ctx.col(HEADERS.decision)));
  if (decision === null) return true;
  const unsigned =
    text(cells.get(ctx.col(HEADERS.reviewer))) === null &&
    text(cells.get(ctx.col(HEADERS.reviewedOn))) === null;
  return (
    unsigned &&
    identity !== undefined &&
    PREDECIDED_REVOKE[identity.status] !== undefined &&
    decision.toLowerCase() === 'revoke'
  );
}

/** Phase 4: one identified row's decision, reviewer, date and comment; what the row says when all are valid. */
function checkDecisionRow(
  { row, cells }: ReviewRow,
  identity: SnapshotIdentity | undefined,
  name: string | null,
  ctx: RowContext,
  at: CellReport,
): RowOutcome {
  // A campaign row nobody decided yet is open, not a problem: `review merge` lists it. So is a
  // pre-filled Revoke nobody confirmed (no reviewer, no date): a proposal, not a decision.
  if (ctx.options.campaign && isOpenCampaignRow(cells, identity, ctx)) return { kind: 'undecided' };
  const decision = readDecision(cells, ctx, at);
  const names = identity ? [identity.name, ...(identity.ownerHints ?? [])] : name ? [name] : [];
  const aliasesOf = ctx.options.aliasesOf;
  const subjectNames = aliasesOf ? [...names, ...names.flatMap((n) => aliasesOf(n))] : names;
  const predecided = identity ? PREDECIDED_REVOKE[identity.status] : undefined;
  const reviewer = checkReviewer(
    text(cells.get(ctx.col(HEADERS.reviewer))),
    subjectNames,
    predecided,
    decision === REASSIGN_DECISION ? null : decision,
    at,
  );
  checkAssignedReviewer(reviewer, ctx, at);
  const date = checkReviewDate(cells.get(ctx.col(HEADERS.reviewedOn)), ctx, at);
  const comment = text(cells.get(ctx.col(HEADERS.comment)));
  if (decision === REASSIGN_DECISION) {
    const to = checkReassignTarget(
      comment,
      reviewer,
      subjectNames,
      ctx.options.campaign?.reassignDomains,
      at,
    );
    if (!identity || !reviewer || !date || !to) return null;
    return {
      kind: 'reassign',
      reassigned: {
        key: identity.key,
        identity,
        from: normaliseAddress(reviewer),
        to,
        reviewedOn: date,
        row,
      },
    };
  }
  // An access list entry is kept or removed; there is nothing in it to modify.
  const modifyEntry = decision === 'Modify' && identity?.kind === 'networkAccessEntry';
  if (modifyEntry)
    at(
      HEADERS.decision,
      'decision-not-allowed',
      'a network access entry is kept or removed: choose Keep or Revoke (remove it from the access list)',
    );
  // A Modify says what to change only in its comment; without one the plan cannot be written.
  else if (decision === 'Modify' && comment === null)
    at(HEADERS.comment, 'comment-required', 'a Modify decision needs a comment saying what to change');
  const why =
    decision === 'Keep' && identity && !isJustification(comment)
      ? ctx.options.keepNeedsComment?.(identity)
      : null;
  if (why)
    at(
      HEADERS.comment,
      'justification-required',
      `Keep of ${identity!.kind} ${identity!.name} needs a justification in Comment (${why}; policy review.keepNeedsJustification)`,
    );
  if (identity && decision && reviewer && date && !modifyEntry && !why)
    return {
      kind: 'decision',
      decision: { ...identity, decision, reviewer, reviewedOn: date, comment, row },
    };
  return null;
}

/** What the data rows hold: decisions, reassignments, undecided rows, and the row of every key seen. */
interface RowsRead {
  decisions: ReviewDecision[];
  reassigned: ReassignedRow[];
  undecided: string[];
  seen: Map<string, number>;
}

/** The identity a row's key names, or a problem: not in the snapshot, or another reviewer's row. */
function rowIdentity(key: string, ctx: RowContext, at: CellReport): SnapshotIdentity | undefined {
  const identity = ctx.identities.get(key) ?? ctx.optional.get(key);
  if (identity || !ctx.sameSnapshot) return identity;
  const other = ctx.options.scope?.all.get(key);
  if (other)
    at(
      HEADERS.key,
      'identity-foreign',
      `${other.kind} ${other.name} (${key}) is not one of this workbook's rows (the campaign assigned it to another reviewer); rows must not be added or moved`,
    );
  else at(HEADERS.key, 'identity-unknown', `identity ${key} is not in the snapshot`);
  return undefined;
}

/** Phase 3: every data row read, identified against the snapshot (or the campaign's rows) and checked. */
function checkRows(review: ReviewSheetContents, ctx: RowContext, problem: Report): RowsRead {
  const read: RowsRead = { decisions: [], reassigned: [], undecided: [], seen: new Map() };
  for (const r of review.rows) {
    const { row, cells, meta } = r;
    const at: CellReport = (h, code, message) =>
      problem({ sheet: REVIEW_SHEET, row, column: columnLetter(ctx.col(h)), header: h, code, message });
    checkRowCells(meta, ctx.col, at);
    const key = text(cells.get(ctx.col(HEADERS.key)));
    if (key === null) {
      at(
        HEADERS.key,
        'identity-unknown',
        'row has no identity key; rows must not be added to the Review sheet',
      );
      continue;
    }
    const first = read.seen.get(key);
    if (first !== undefined) {
      at(HEADERS.key, 'identity-duplicate', `identity ${key} already appears in row ${first}`);
      continue;
    }
    read.seen.set(key, row);
    const identity = rowIdentity(key, ctx, at);
    const name = text(cells.get(ctx.col(HEADERS.name)));
    if (identity && name !== null && name !== identity.name && name !== neutraliseFormula(identity.name))
      at(HEADERS.name, 'name-mismatch', `says "${name}" but the snapshot has "${identity.name}" for ${key}`);
    const outcome = checkDecisionRow(r, identity, name, ctx, at);
    if (outcome?.kind === 'decision') read.decisions.push(outcome.decision);
    else if (outcome?.kind === 'reassign') read.reassigned.push(outcome.reassigned);
    else if (outcome?.kind === 'undecided' && identity) read.undecided.push(key);
  }
  return read;
}

/** Phase 5: every identity of the snapshot has a row (only when the workbook is for this snapshot). */
function checkMissingIdentities(ctx: RowContext, seen: ReadonlyMap<string, number>, problem: Report): void {
  if (!ctx.sameSnapshot) return;
  for (const [key, identity] of ctx.identities)
    if (!seen.has(key))
      problem({
        sheet: REVIEW_SHEET,
        row: null,
        column: columnLetter(ctx.col(HEADERS.key)),
        header: HEADERS.key,
        code: 'identity-missing',
        message: `no row for ${identity.kind} ${identity.name} (${key}) of ${identity.orgName}${ctx.options.scope ? ' (the campaign assigned it to this workbook)' : ''}`,
      });
}

/** Problems in reading order: Summary first, then by sheet, row, column and message. */
function sortProblems(problems: ReviewProblem[]): ReviewProblem[] {
  return problems.sort(
    (a, b) =>
      compareText(a.sheet === SUMMARY_SHEET ? '0' : a.sheet, b.sheet === SUMMARY_SHEET ? '0' : b.sheet) ||
      (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? '').length - (b.column ?? '').length ||
      compareText(a.column ?? '', b.column ?? '') ||
      compareText(a.message, b.message),
  );
}

/**
 * Checks a read workbook against the snapshot (by its sha256) and returns the decisions and every
 * problem. `now` bounds review dates (none in the future); the snapshot's collection date is the lower
 * bound (a review cannot predate the data it reviewed).
 */
export function checkReviewWorkbook(
  contents: WorkbookContents,
  snapshot: { snapshot: Snapshot; sha256: string },
  now: Date,
  options: ReviewCheckOptions = {},
): ReviewCheck {
  const problems: ReviewProblem[] = [];
  const problem: Report = (p) => problems.push({ header: null, ...p });
  checkPackageAndSheets(contents, problem);
  const { claimed, sameSnapshot } = checkSnapshotClaim(contents, snapshot.sha256, problem);
  const none = { workbookSnapshotSha256: claimed, decisions: [], reassigned: [], undecided: [] };
  if (contents.review === null) {
    problem({
      sheet: REVIEW_SHEET,
      row: null,
      column: null,
      code: 'missing-sheet',
      message: 'sheet not found',
    });
    return { ...none, problems };
  }
  const col = checkReviewColumns(contents.review, problem);
  if (col === null) return { ...none, problems };
  const ctx: RowContext = {
    identities: options.scope?.rows ?? snapshotIdentities(snapshot.snapshot),
    // A campaign lists every row it assigned, flagged access list entries included: none is optional.
    optional: options.scope ? new Map() : snapshotNetworkAccessRows(snapshot.snapshot),
    sameSnapshot,
    collected: snapshot.snapshot.collectedAt.slice(0, 10),
    today: now.toISOString().slice(0, 10),
    col: (h) => col.get(h)!,
    options,
  };
  const { decisions, reassigned, undecided, seen } = checkRows(contents.review, ctx, problem);
  // A campaign workbook imported alone (`review import`) holds one reviewer's rows: the rest of the
  // snapshot is in the other reviewers' workbooks. `review merge` passes the rows the campaign
  // assigned (`scope`) and checks that none is missing.
  const campaignWorkbook =
    options.scope === undefined &&
    (contents.summary?.some((x) => text(x.label) === CAMPAIGN_ID_LABEL) ?? false);
  if (!campaignWorkbook) checkMissingIdentities(ctx, seen, problem);
  return {
    workbookSnapshotSha256: claimed,
    decisions,
    reassigned,
    undecided,
    problems: sortProblems(problems),
  };
}
