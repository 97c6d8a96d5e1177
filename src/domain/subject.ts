/** The kinds of subject a rule iterates and a finding is about. */
export const SUBJECT_KINDS = [
  'org',
  'user',
  'team',
  'project',
  'apiKey',
  'serviceAccount',
  'databaseUser',
  'customRole',
  'networkAccessEntry',
] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/**
 * What a finding is about. `id` is the Atlas id (clientId for service accounts, orgId for orgs);
 * database access has no Atlas ids, so its kinds use `databaseAccessId` (src/domain/keys.ts).
 */
export interface SubjectRef {
  type: SubjectKind;
  id: string;
  /** Human name: username, team/project/org name, API key description or public key, service account name. */
  name: string;
}

/** Kind of a roster row. Invitations are users in the snapshot but are reviewed differently. */
export type IdentityKind = 'user' | 'invitation' | 'apiKey' | 'serviceAccount';
