/**
 * What a section builder reads about one organization, and the section lists it appends to. One
 * builder per subject kind (src/report/model/sections/index.ts lists them), so a new identity kind is
 * one builder and one registry line.
 */
import type { DatabaseSubjectKind } from '../../../domain/database-access.js';
import type { SubjectKind } from '../../../domain/subject.js';
import type { Organization } from '../../../snapshot/schema.js';
import type { FindingIndex } from '../finding-rows.js';
import type { Sections } from './index.js';

/** One organization, with the lookups its builders share. */
export interface OrgContext {
  org: Organization;
  /** The clock day counts are taken at. */
  asOf: Date;
  findings: FindingIndex;
  projectNames: Map<string, string>;
  teamNames: Map<string, string>;
  usernames: Map<string, string>;
  /** Team ids per user, from both sides: the users endpoint's teamIds and the team-users endpoint. */
  userTeams: Map<string, Set<string>>;
  /** Rules of a subject kind not evaluated in this org, as "<reason>: <rule>, <rule>". */
  notEvaluated(kind: SubjectKind | DatabaseSubjectKind): string[];
  /** What "wide" means for an access list entry: the wide-CIDR rule's effective prefix lengths. */
  minPrefix: { ipv4: number; ipv6: number };
}

/** Builds one subject kind's rows of one organization, appending to the estate's lists. */
export type SectionBuilder = (ctx: OrgContext, out: Sections) => void;
