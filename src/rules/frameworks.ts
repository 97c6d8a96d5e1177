/**
 * Compliance framework catalogues (rules/frameworks/*.json): each framework's control ids and titles,
 * and the prefix rule files use to cite them ("PCI DSS v4.0 8.2.6"). Rule files keep the mapping
 * (their `references`); a catalogue is what a reference is checked against, so a cited control that
 * does not exist, or a misspelt prefix, is an error rather than a silently wrong audit trail.
 */
import * as z from 'zod';
import { UsageError } from '../errors.js';
import { once } from '../util/validate.js';

/** The catalogue's schemas, built on first use (src/util/validate.ts `once`). */
const schemas = once(() => {
  /**
   * One param a framework states a figure for, e.g. PCI DSS 8.2.6's 90 days of inactivity. Presets only
   * set day limits, where fewer days is stricter: several frameworks give the lowest value.
   */
  const presetParamSchema = z.strictObject({
    /** Rule id; a rules folder without that rule (or param) simply does not get the setting. */
    rule: z.string().min(1),
    param: z.string().min(1),
    value: z.number().int().positive(),
    /** The control that states the figure (an id of this catalogue). */
    control: z.string().min(1),
    /** Why the control governs this rule's param. */
    why: z.string().min(1),
  });

  /** A rule param a framework's figure could seem to govern but the preset leaves, and why. */
  const presetLeftSchema = z.strictObject({
    rule: z.string().min(1),
    param: z.string().min(1),
    why: z.string().min(1),
  });

  const catalogue = z.strictObject({
    /** `--framework` value, e.g. `pci-dss-4`. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    name: z.string().min(1),
    /** False for sources that rules cite but that are not offered as `--framework` profiles. */
    selectable: z.boolean(),
    /** How rule references name the framework: the text before the control id. */
    referencePrefix: z.string().min(1),
    /** Where the ids and titles come from. */
    source: z.string().min(1),
    /** How often the framework requires the review itself, where it says so. */
    reviewCadence: z
      .strictObject({ maxDays: z.number().int().positive(), control: z.string(), text: z.string() })
      .nullable(),
    controls: z.array(z.strictObject({ id: z.string().min(1), title: z.string().min(1) })).min(1),
    /**
     * What `--framework <id>` sets: rule params where the framework states a figure (the policy file
     * wins over them), and the rule params deliberately left at their defaults.
     */
    preset: z
      .strictObject({ params: z.array(presetParamSchema), leftAlone: z.array(presetLeftSchema).default([]) })
      .default({ params: [], leftAlone: [] }),
  });
  return { catalogue };
});

/** One catalogue file (rules/frameworks/<id>.json). */
export const frameworkCatalogueSchema = z.lazy(() => schemas().catalogue);
export type FrameworkCatalogue = z.infer<typeof frameworkCatalogueSchema>;

/** A rule reference resolved against the catalogues. */
export interface ControlRef {
  framework: string;
  control: string;
  title: string;
}

/**
 * Resolves one reference ("SOC 2 CC6.2") to its framework and control. Returns a problem text instead
 * when no catalogue's prefix matches or the control is not in that catalogue.
 */
export function resolveReference(
  reference: string,
  catalogues: readonly FrameworkCatalogue[],
): ControlRef | { problem: string } {
  // The longest matching prefix wins, so "PCI DSS v4.0" is not mistaken for a shorter one.
  const candidates = catalogues
    .filter((c) => reference.startsWith(`${c.referencePrefix} `))
    .sort((a, b) => b.referencePrefix.length - a.referencePrefix.length);
  const catalogue = candidates[0];
  if (catalogue === undefined) {
    const known = catalogues.map((c) => JSON.stringify(c.referencePrefix)).sort();
    return {
      problem: `reference ${JSON.stringify(reference)} names no known framework (known: ${known.join(', ')})`,
    };
  }
  const id = reference.slice(catalogue.referencePrefix.length + 1);
  const control = catalogue.controls.find((c) => c.id === id);
  if (control === undefined) {
    return {
      problem: `${catalogue.name} has no control ${JSON.stringify(id)} (reference ${JSON.stringify(reference)})`,
    };
  }
  return { framework: catalogue.id, control: control.id, title: control.title };
}

/**
 * The catalogues the `--framework` values name, in the order given (repeats dropped). An unknown or
 * not selectable id is a UsageError (exit 2) listing the selectable ids.
 */
export function selectFrameworks(
  ids: readonly string[],
  catalogues: readonly FrameworkCatalogue[],
): FrameworkCatalogue[] {
  const selectable = catalogues.filter((c) => c.selectable);
  const chosen: FrameworkCatalogue[] = [];
  for (const id of ids) {
    const c = selectable.find((x) => x.id === id);
    if (c === undefined)
      throw new UsageError(
        `unknown framework ${JSON.stringify(id)} (choose from: ${selectable
          .map((x) => x.id)
          .sort()
          .join(', ')})`,
        { hint: "run `atlas-access-review rules list --framework <id>` to see a framework's controls" },
      );
    if (!chosen.includes(c)) chosen.push(c);
  }
  return chosen;
}

/**
 * The controls a rule's references name, in the rule's order: only those of `frameworks` when given
 * (the `--framework` selection), else every catalogue's. A reference no catalogue knows is left out
 * (a custom rule may cite a framework the tool has no catalogue of; its text stays in `references`).
 */
export function controlsOf(
  references: readonly string[],
  catalogues: readonly FrameworkCatalogue[],
  frameworks: readonly string[] | null,
): ControlRef[] {
  const out: ControlRef[] = [];
  for (const ref of references) {
    const r = resolveReference(ref, catalogues);
    if ('problem' in r) continue;
    if (frameworks !== null && !frameworks.includes(r.framework)) continue;
    if (!out.some((c) => c.framework === r.framework && c.control === r.control)) out.push(r);
  }
  return out;
}
