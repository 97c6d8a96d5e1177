/**
 * Compliance framework catalogues (rules/frameworks/*.json): each framework's control ids and titles,
 * and the prefix rule files use to cite them ("PCI DSS v4.0 8.2.6"). Rule files keep the mapping
 * (their `references`); a catalogue is what a reference is checked against, so a cited control that
 * does not exist, or a misspelt prefix, is an error rather than a silently wrong audit trail.
 */
import { z } from 'zod';

export const frameworkCatalogueSchema = z.strictObject({
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
});
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
