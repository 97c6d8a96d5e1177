/**
 * The shape of a fact declaration, and the types that tie a subject kind's computed facts to it.
 *
 * Each subject kind declares its facts once (`declareFacts`), and its derivation returns
 * `FactValues<typeof DECLARATION>`: a fact declared but not computed, computed but not declared, or
 * computed with another type than declared is a compile error, so declaration and computation cannot drift.
 */
import type { SubjectRef } from '../../domain/subject.js';
import type { CoveragePart } from '../../snapshot/schema.js';
import type { OrgView } from './org-view.js';

/** The value types a fact may have. `string[]` facts are sorted. */
export type FactType = 'number' | 'string' | 'boolean' | 'string[]';

/** Declaration of one derived fact. */
export interface FactSpec<T extends FactType = FactType, N extends boolean = boolean> {
  type: T;
  /** True when the fact may be null (unknown / not applicable); comparisons against null never fire. */
  nullable: N;
  description: string;
  /**
   * Coverage the value is derived from beyond the subject's own listing (src/snapshot/schema.ts
   * `coverageSchema`). Where an org lacks one, the value means nothing (a null `lastAuth` from an API
   * that reports no sign-ins is not "never signed in"), so a rule reading the fact is not evaluated
   * there (src/rules/requirements.ts).
   */
  requires?: readonly CoveragePart[];
  /**
   * True when the value compares a snapshot date with `now` (day counts, expiries): the instant it
   * turns is a limit, so every rule reading it proves its behaviour there (test/rules/tester.ts).
   */
  clock?: true;
  /**
   * Audit inputs beyond the snapshot the value is derived from (the roster). Without one, a rule
   * reading the fact is not evaluated anywhere (src/rules/requirements.ts).
   */
  inputs?: readonly InputPart[];
}

/** Optional audit inputs a fact may be derived from: `roster` is `--roster`. */
export const INPUT_PARTS = ['roster'] as const;
export type InputPart = (typeof INPUT_PARTS)[number];

export type FactValue = string | number | boolean | null | string[];
export type FactRecord = Record<string, FactValue>;

/** Every fact of one subject kind, by name. */
export type FactDeclaration = Readonly<Record<string, FactSpec>>;

interface FactTypeValues {
  number: number;
  string: string;
  boolean: boolean;
  'string[]': string[];
}

/** The value a fact declared by `S` must have. */
type ValueOf<S> =
  S extends FactSpec<infer T, infer N> ? FactTypeValues[T] | (N extends true ? null : never) : never;

/** The computed facts of a subject, exactly as `D` declares them. */
export type FactValues<D extends FactDeclaration> = { [K in keyof D]: ValueOf<D[K]> };

/** A fact of the given type and description; `nullable` when it may be null. */
export function f<T extends FactType, N extends boolean = false>(
  type: T,
  description: string,
  nullable?: N,
): FactSpec<T, N> {
  return { type, nullable: (nullable ?? false) as N, description };
}

/** The same fact, derived from the given coverage parts. */
export const needs = <T extends FactType, N extends boolean>(
  spec: FactSpec<T, N>,
  ...requires: CoveragePart[]
): FactSpec<T, N> => ({ ...spec, requires });

/** The same fact, computed by comparing a snapshot date with `now`. */
export const clock = <T extends FactType, N extends boolean>(spec: FactSpec<T, N>): FactSpec<T, N> => ({
  ...spec,
  clock: true,
});

export const NAME = f(
  'string',
  'Display name of the subject (username, team/project/org name, key description, ...)',
);

/** One subject of a kind as its derivation computes it (the org and kind are added by the registry). */
interface DerivedSubject<V extends FactRecord = FactRecord> {
  ref: SubjectRef;
  /** Strings a waiver's `subject` may match: id, name, username / public key / client id. */
  aliases: string[];
  facts: V;
  /**
   * Facts this subject's evidence cannot establish although its org's coverage holds them, with the
   * reason (a user's last use where one of the clusters it can reach has no access history). A rule
   * that reads one is "not evaluated" for this subject, never passed (src/rules/evaluate.ts).
   */
  unknown?: Partial<Record<keyof V & string, string>>;
}

/**
 * One derived subject of a declaration. Annotate the function that builds it with this type: an
 * object literal returned there is checked for excess properties (an undeclared fact), which a
 * literal returned from an unannotated callback is not.
 */
export type Derived<D extends FactDeclaration> = DerivedSubject<FactValues<D>>;

/** One subject kind: the facts it declares, and how they are computed for one organization. */
export interface SubjectDerivation<D extends FactDeclaration = FactDeclaration> {
  facts: D;
  derive(view: OrgView): DerivedSubject<FactValues<D>>[];
}

/** Ties a derivation to its declaration (the type parameter is inferred from `facts`). */
export function defineDerivation<D extends FactDeclaration>(d: SubjectDerivation<D>): SubjectDerivation<D> {
  return d;
}
