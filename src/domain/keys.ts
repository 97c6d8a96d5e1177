/**
 * Stable keys. Baselines, diffs, waivers, the roster and the review workbook match records across
 * runs by these strings, so their shape is part of every stored file's contract.
 */
import type { DatabaseSubjectKind } from './database-access.js';
import type { SubjectKind } from './subject.js';

/** Stable identity of a finding across runs: used by baselines and diffs. */
export function findingKey(ruleId: string, orgId: string, subjectType: string, subjectId: string): string {
  return `${ruleId}|${orgId}|${subjectType}|${subjectId}`;
}

/** Identity key shared by the roster, the review workbook and findings. */
export function identityKey(
  orgId: string,
  subjectType: SubjectKind | DatabaseSubjectKind,
  id: string,
): string {
  return `${orgId}:${subjectType}:${id}`;
}

/**
 * Id of a database user, custom role or network access entry within its org: database access has no
 * Atlas ids, so the project id and the names that identify it within the project (a database user:
 * `databaseName` and `username`; a custom role: its name; an access list entry: its value).
 */
export function databaseAccessId(projectId: string, ...names: string[]): string {
  // Concatenated, not `[projectId, ...names].join('/')`: one id per database user of the estate.
  let id = projectId;
  for (const n of names) id += `/${n}`;
  return id;
}
