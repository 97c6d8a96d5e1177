import { auditCommand } from './audit.js';
import { collectCommand } from './collect.js';
import type { CommandFactory } from './define.js';
import { demoCommand } from './demo.js';
import { diffCommand } from './diff.js';
import { doctorCommand } from './doctor.js';
import { emailCommand } from './email.js';
import { evidenceCommand } from './evidence.js';
import { reportCommand } from './report.js';
import { reviewCommand } from './review.js';
import { rulesCommand } from './rules.js';
import { runCommand } from './run.js';
import { simulateCommand } from './simulate.js';

export type { CommandFactory } from './define.js';

/**
 * The command registry. Each command lives in its own file in this folder and is listed here once.
 */
export const commands: CommandFactory[] = [
  doctorCommand,
  collectCommand,
  auditCommand,
  rulesCommand,
  emailCommand,
  reportCommand,
  runCommand,
  demoCommand,
  diffCommand,
  reviewCommand,
  evidenceCommand,
  simulateCommand,
];
