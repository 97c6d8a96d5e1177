/**
 * Facts from the HR / identity-provider roster (`--roster`), shared by every subject kind that stands
 * for a person: organization users, and OIDC and LDAP database users (their address comes from
 * src/domain/database-identity.ts). Without a roster none of these facts
 * means anything, so each declares the `roster` input: a rule reading one is "not evaluated: no
 * roster" rather than passed (src/rules/requirements.ts).
 */
import { databaseIdentity } from '../../domain/database-identity.js';
import type { RosterPerson } from '../../roster/roster.js';
import { clock as clockFact, type Derived, type FactSpec, type FactType, f } from './spec.js';

/** The person an address (username or alias) belongs to, case-insensitively; undefined when none. */
export type RosterLookup = (address: string) => RosterPerson | undefined;

const DAY_MS = 86_400_000;

const fromRoster = <T extends FactType, N extends boolean>(spec: FactSpec<T, N>): FactSpec<T, N> => ({
  ...spec,
  inputs: ['roster'],
});

/** The roster facts, declared once for every kind that spreads them into its declaration. */
export const ROSTER_FACTS = {
  inRoster: fromRoster(
    f(
      'boolean',
      'The roster has a person whose email or alias is this identity’s address (case-insensitive)',
    ),
  ),
  rosterEmail: fromRoster(f('string', 'The matched person’s email in the roster; null when not in it', true)),
  rosterStatus: fromRoster(
    f(
      'string',
      'The matched person’s status: active, terminated or on-leave; null when not in the roster',
      true,
    ),
  ),
  employmentType: fromRoster(
    f('string', 'employee or contractor; null when not in the roster or the roster has no type', true),
  ),
  rosterEndDate: fromRoster(
    f('string', 'Last day of employment or contract (UTC ISO, end of that day); null when none', true),
  ),
  daysPastRosterEndDate: fromRoster(
    clockFact(
      f(
        'number',
        'Days begun since the end of rosterEndDate: 1 on the first day after it, 0 on it, negative before; null when none',
        true,
      ),
    ),
  ),
  rosterManager: fromRoster(f('string', 'The matched person’s manager (address); null when none', true)),
  rosterDepartment: fromRoster(f('string', 'The matched person’s department; null when none', true)),
} as const;

type RosterFactValues = Derived<typeof ROSTER_FACTS>['facts'];

/** Days begun since `iso` (1 from the first millisecond after it); null when `iso` is null. */
function daysPast(iso: string | null, now: Date): number | null {
  if (iso === null) return null;
  const days = Math.ceil((now.getTime() - Date.parse(iso)) / DAY_MS);
  return days === 0 ? 0 : days; // no -0 in outputs
}

/**
 * The roster facts of an identity known by `addresses` (the first that the roster knows wins). With
 * no roster the values are placeholders that no rule reads: every roster rule is not evaluated.
 */
export function rosterFacts(
  roster: RosterLookup | null,
  addresses: readonly (string | null)[],
  now: Date,
): RosterFactValues {
  let person: RosterPerson | undefined;
  if (roster !== null)
    for (const a of addresses) {
      if (a === null) continue;
      person = roster(a);
      if (person !== undefined) break;
    }
  return {
    inRoster: person !== undefined,
    rosterEmail: person?.email ?? null,
    rosterStatus: person?.status ?? null,
    employmentType: person?.employmentType ?? null,
    rosterEndDate: person?.endDate ?? null,
    daysPastRosterEndDate: daysPast(person?.endDate ?? null, now),
    rosterManager: person?.manager ?? null,
    rosterDepartment: person?.department ?? null,
  };
}

/**
 * The addresses an OIDC or LDAP database user is joined to the roster by: the one its identity states
 * (src/domain/database-identity.ts); none for groups, SCRAM, X.509 and AWS IAM users, and for an
 * identity that states no address (a CN is never turned into a guessed address).
 */
export function databaseUserRosterAddresses(user: {
  username: string;
  authKind: string;
  databaseName?: string;
}): string[] {
  const address = databaseIdentity(user)?.address ?? null;
  return address === null ? [] : [address];
}
