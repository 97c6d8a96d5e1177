import type { CommandFactory } from './define.js';

export type { CommandFactory } from './define.js';

/**
 * One command of the registry: what the top-level `--help` lists, and how to load the module.
 * A command module (and the libraries it needs: exceljs, handlebars, nodemailer, json-rules-engine,
 * the simulator) is imported only when its command is run or its own help is asked for, so
 * `--help`, `rules list` and `audit` do not pay for the others (README "Performance").
 */
export interface CommandEntry {
  /** The command's name: the first word of `command`. */
  name: string;
  /** The yargs command string, exactly as the module declares it (a test holds them equal). */
  command: string;
  /** The one-line description of the top-level help, exactly as the module declares it. */
  describe: string;
  load(): Promise<CommandFactory>;
}

/**
 * The command registry. Each command lives in its own file in this folder and is listed here once,
 * in the order of the top-level help.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'doctor',
    command: 'doctor',
    describe:
      'Check, before collecting, that the credentials can read every dataset of each organization: the role to grant for each refusal, access-list refusals, clock skew',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
  {
    name: 'collect',
    command: 'collect',
    describe:
      'Snapshot users, teams, projects, API keys, service accounts and settings of Atlas organizations',
    load: async () => (await import('./collect.js')).collectCommand,
  },
  {
    name: 'audit',
    command: 'audit <snapshot>',
    describe: 'Audit a snapshot file against the rules, policy and waivers; exit 1 on violations (CI gate)',
    load: async () => (await import('./audit.js')).auditCommand,
  },
  {
    name: 'rules',
    command: 'rules <command>',
    describe: 'Inspect the rule catalogue, validate a rules folder, list facts',
    load: async () => (await import('./rules.js')).rulesCommand,
  },
  {
    name: 'email',
    command: 'email <snapshot>',
    describe: 'Audit a snapshot and email the review (summary, XLSX workbook and HTML report attached)',
    load: async () => (await import('./email.js')).emailCommand,
  },
  {
    name: 'report',
    command: 'report <snapshot>',
    describe:
      'Audit a snapshot and write the reports (HTML, XLSX, JSON, CSV, JUnit, Markdown, text, GitHub, SARIF, email body); exit 1 on violations',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    name: 'run',
    command: 'run',
    describe:
      'Collect, audit and report in one step (the quarterly job and the CI gate); exit 1 on violations',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    name: 'demo',
    command: 'demo',
    describe: 'Run the whole pipeline against the bundled Atlas simulator (no Atlas account needed)',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'diff',
    command: 'diff <old> <new>',
    describe: 'Show what changed between two snapshots: joiners, leavers, role changes and escalations',
    load: async () => (await import('./diff.js')).diffCommand,
  },
  {
    name: 'review',
    command: 'review <command>',
    describe:
      'Read back a filled review workbook (sign-off + revocation plan), apply the plan, verify revocations later',
    load: async () => (await import('./review.js')).reviewCommand,
  },
  {
    name: 'evidence',
    command: 'evidence <command>',
    describe:
      'Sign evidence: make a signing key pair, sign or check evidence files, pack and verify a review cycle',
    load: async () => (await import('./evidence.js')).evidenceCommand,
  },
  {
    name: 'simulate',
    command: 'simulate',
    describe: 'Run a local Atlas Admin API simulator with a seeded estate (for demos and trials)',
    load: async () => (await import('./simulate.js')).simulateCommand,
  },
];

/** Every command module, loaded (for tests and tools that read every builder). */
export async function loadAllCommands(): Promise<CommandFactory[]> {
  return Promise.all(COMMANDS.map((entry) => entry.load()));
}
