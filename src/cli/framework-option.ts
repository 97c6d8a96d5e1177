/** The `--framework` option, in a module of its own so `rules list` does not load the audit's options. */
import type { Argv } from 'yargs';

/**
 * `--framework`: repeatable (and comma-separated); the ids are checked against the catalogues when the
 * inputs are read (src/rules/frameworks.ts selectFrameworks), so the list of choices lives in the data.
 * Not `--profile`, which names an Atlas CLI credentials profile.
 */
export function frameworkOption<T>(y: Argv<T>): Argv<T & { framework?: string[] | undefined }> {
  return y.option('framework', {
    type: 'string',
    requiresArg: true,
    describe:
      'Hold the audit to a framework: its preset thresholds (the policy wins) and its control ids on every finding: soc2, iso27001, pci-dss-4, cis-v8 (repeatable)',
    coerce: (v: string | string[]) => {
      const ids = [v]
        .flat()
        .flatMap((x) => String(x).split(','))
        .map((x) => x.trim())
        .filter((x) => x !== '');
      // `--framework "$FRAMEWORK"` with the variable unset must not audit without the framework: the
      // empty id is kept, and selectFrameworks refuses it as unknown (exit 2, naming the choices).
      return ids.length === 0 ? [''] : ids;
    },
  }) as unknown as Argv<T & { framework?: string[] | undefined }>;
}
