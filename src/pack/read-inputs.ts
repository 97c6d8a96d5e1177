/**
 * Reads the files of one review cycle for `evidence pack`: each under its fixed entry name (chain.ts),
 * its evidence signature (`FILE.sig`) beside it when there is one, and the files of the report folder
 * and the rules folder under `report/` and `rules/`. Missing or unreadable files are InputErrors (exit 2).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { signaturePath } from '../evidence/store.js';
import { exists, readInputBytes } from '../util/files.js';
import type { PackSource } from './build.js';
import { CAMPAIGN_DIR, CHAIN_FILES } from './chain.js';
import { entryNameProblem, PACK_LIMITS } from './zip.js';

/** The files of a cycle, as paths given on the command line (relative to `cwd`). */
export interface PackPaths {
  snapshot: string;
  reportDir?: string | undefined;
  /** Report files named one by one (what `run` wrote), packed as `report/<file name>`. */
  reportFiles?: readonly string[] | undefined;
  /** A review campaign's files (`run --split-by reviewer`): packed under report/campaign/. */
  campaignFiles?: readonly string[] | undefined;
  signoff?: string | undefined;
  /** The filled workbook; with `campaign`, the folder of the campaign's returned workbooks. */
  workbook?: string | undefined;
  /** campaign.json of the campaign the sign-off was merged from. */
  campaign?: string | undefined;
  plan?: string | undefined;
  applyLog?: string | undefined;
  verify?: string | undefined;
  previous?: string | undefined;
  nextSnapshot?: string | undefined;
  roster?: string | undefined;
  policy?: string | undefined;
  waivers?: string | undefined;
  rules?: string | undefined;
}

/** A folder is read at most this deep (a report folder has attachments one level down at most). */
const MAX_DEPTH = 4;

async function filesUnder(dir: string, depth = 0): Promise<string[]> {
  if (depth > MAX_DEPTH)
    throw new UsageError(`${dir} is nested more than ${MAX_DEPTH} folders deep; not packed`);
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(path, depth + 1)));
    else if (e.isFile()) out.push(path);
    // Symbolic links and other kinds are not evidence this tool wrote: left out.
  }
  return out;
}

type AddSource = (role: PackSource['role'], name: string, shown: string, withSig: boolean) => Promise<void>;

/**
 * Where the decisions came from: the filled workbook as `workbook.xlsx`, or a campaign's campaign.json
 * (with its signature) and every workbook of its folder (the reviewers' returned ones and the
 * follow-ups of reassigned rows) under `campaign/`. The sign-off names each by sha256 (chain.ts).
 */
async function addDecisions(paths: PackPaths, cwd: string, add: AddSource): Promise<void> {
  if (paths.workbook === undefined) {
    if (paths.campaign !== undefined)
      throw new UsageError(
        '--campaign needs --workbook <folder>: the folder of the returned campaign workbooks',
      );
    return;
  }
  const info = await stat(resolve(cwd, paths.workbook)).catch(() => null);
  if (paths.campaign === undefined) {
    if (info?.isDirectory())
      throw new UsageError(
        `--workbook ${paths.workbook} is a folder: give --campaign <campaign.json> with it`,
      );
    await add('workbook', CHAIN_FILES.workbook, paths.workbook, false);
    return;
  }
  if (!info?.isDirectory())
    throw new UsageError(
      `--workbook ${paths.workbook} is not a folder: with --campaign it is the campaign's folder`,
    );
  await add('campaign', CHAIN_FILES.campaign, paths.campaign, true);
  const dir = resolve(cwd, paths.workbook);
  const workbooks = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && isWorkbookName(e.name))
    .map((e) => e.name)
    .sort();
  if (workbooks.length === 0) throw new UsageError(`--workbook ${paths.workbook} holds no campaign workbook`);
  for (const name of workbooks)
    await add('workbook', `${CAMPAIGN_DIR}/${name}`, join(paths.workbook, name), false);
}

/** A reviewer's workbook (`review-….xlsx`) or a follow-up of reassigned rows (`reassigned-….xlsx`). */
function isWorkbookName(name: string): boolean {
  return /^(review|reassigned)-[^/\\]+\.xlsx$/i.test(name);
}

export async function readPackSources(paths: PackPaths, cwd: string): Promise<PackSource[]> {
  const sources: PackSource[] = [];
  const add: AddSource = async (role, name, shown, withSig) => {
    const problem = entryNameProblem(name);
    if (problem)
      throw new UsageError(`cannot pack ${shown}: its name ${JSON.stringify(name)} has ${problem}`);
    const path = resolve(cwd, shown);
    sources.push({
      name,
      role,
      source: shown,
      bytes: await readInputBytes(path, shown, PACK_LIMITS.entryBytes),
    });
    if (withSig && (await exists(signaturePath(path))))
      sources.push({
        name: `${name}.sig`,
        role: 'signature',
        source: signaturePath(shown),
        bytes: await readInputBytes(signaturePath(path), signaturePath(shown), 64 * 1024),
      });
  };
  const folder = async (role: 'report' | 'rules', prefix: string, shown: string) => {
    const dir = resolve(cwd, shown);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory())
      throw new UsageError(`--${role === 'report' ? 'report-dir' : 'rules'} ${shown} is not a folder`);
    const files = await filesUnder(dir);
    if (files.length === 0)
      throw new UsageError(`--${role === 'report' ? 'report-dir' : 'rules'} ${shown} holds no files`);
    for (const f of files)
      await add(
        role,
        `${prefix}/${relative(dir, f).split('\\').join('/')}`,
        join(shown, relative(dir, f)),
        false,
      );
  };
  const F = CHAIN_FILES;
  await add('snapshot', F.snapshot, paths.snapshot, true);
  if (paths.previous) await add('previous-snapshot', F.previous, paths.previous, true);
  if (paths.nextSnapshot) await add('next-snapshot', F.nextSnapshot, paths.nextSnapshot, true);
  if (paths.signoff) await add('signoff', F.signoff, paths.signoff, true);
  await addDecisions(paths, cwd, add);
  if (paths.plan) await add('plan', F.plan, paths.plan, true);
  if (paths.applyLog) await add('apply-log', F.applyLog, paths.applyLog, true);
  if (paths.verify) await add('verify', F.verify, paths.verify, false);
  const ext = (p: string) => extname(p).toLowerCase();
  if (paths.roster) await add('roster', `roster${ext(paths.roster)}`, paths.roster, false);
  if (paths.policy) await add('policy', `policy${ext(paths.policy)}`, paths.policy, false);
  if (paths.waivers) await add('waivers', `waivers${ext(paths.waivers)}`, paths.waivers, false);
  if (paths.reportDir) await folder('report', 'report', paths.reportDir);
  for (const f of paths.reportFiles ?? []) await add('report', `report/${basename(f)}`, f, false);
  // campaign.json with its signature when the split signed it.
  for (const f of paths.campaignFiles ?? []) await add('report', `report/campaign/${basename(f)}`, f, true);
  if (paths.rules) await folder('rules', 'rules', paths.rules);
  return sources;
}
