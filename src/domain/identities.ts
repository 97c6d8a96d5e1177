/**
 * Users of an org's user list that are not people. Atlas creates some members itself: Atlas Charts adds
 * a `charts+<id>@mongodb.com` user to an organization whose project uses Charts. Such a user never signs
 * in, holds no team, and is on MongoDB's domain, so the person-centred rules (stale or never signed in,
 * idle owner, no team, outside domain, direct grants) say nothing true about it. It still holds roles,
 * so it stays on the review roster, marked non-human.
 */

/** A kind of non-human user, with how to recognise it by its username. */
export interface NonHumanUserPattern {
  /** Stable id, shown in facts and reports. */
  kind: string;
  /** What created it, in words. */
  label: string;
  pattern: RegExp;
}

const NON_HUMAN_USER_PATTERNS: readonly NonHumanUserPattern[] = [
  { kind: 'atlas-charts', label: 'Atlas Charts', pattern: /^charts\+[^@\s]+@mongodb\.com$/i },
];

/** The pattern a username matches, or null for a person. */
export function nonHumanUser(username: string): NonHumanUserPattern | null {
  return NON_HUMAN_USER_PATTERNS.find((p) => p.pattern.test(username)) ?? null;
}
