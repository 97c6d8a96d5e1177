/**
 * The one-page sign-off HTML, rendered with Handlebars from reports/signoff.hbs and the report's
 * stylesheet partial (reports/partials/report-css.css), so it looks like the report it signs off.
 *
 * Like src/templates/templates.ts, reading the package's own static templates (never user data) is the one
 * file access here; rendering itself is a pure function of the sign-off record.
 */
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { databaseRoleText } from '../domain/database-roles.js';
import { readTemplateSources, registerHelpers, type TemplateSources } from '../templates/templates.js';
import { PACKAGE_ROOT } from '../version.js';
import type { Signer, Signoff } from './signoff.js';
import { formatSignal } from './trust.js';

export type SignoffTemplate = Handlebars.TemplateDelegate;

/** Compiles the sign-off template from sources (`signoff` and `partials/*`), strict and with the helpers of the report's. */
function compileSignoffTemplate(sources: TemplateSources): SignoffTemplate {
  const hb = Handlebars.create();
  registerHelpers(hb);
  for (const [name, src] of Object.entries(sources))
    if (name.startsWith('partials/')) hb.registerPartial(name.slice('partials/'.length), src);
  const src = sources.signoff;
  if (src === undefined) throw new Error('internal: reports/signoff.hbs is missing');
  return hb.compile(src, { strict: true, preventIndent: true });
}

let cached: SignoffTemplate | undefined;

/** The template shipped in reports/, compiled on first use. */
function defaultSignoffTemplate(): SignoffTemplate {
  cached ??= compileSignoffTemplate(readTemplateSources(join(PACKAGE_ROOT, 'reports')));
  return cached;
}

/** What each kind of Review row is called on the page, in the order the page lists them. */
const KIND_LABELS: Readonly<Record<string, string>> = {
  user: 'Users',
  invitation: 'Invitations',
  apiKey: 'API keys',
  serviceAccount: 'Service accounts',
  databaseUser: 'Database users',
  networkAccessEntry: 'Network access entries',
};
const KIND_ORDER = Object.keys(KIND_LABELS);

/**
 * The decision counts by kind of subject, labelled and in {@link KIND_ORDER} (a kind the page does not
 * know is listed last under its own name). Empty for sign-offs written before `byKind` existed.
 */
function kindRows(s: Signoff) {
  const rank = (kind: string) => {
    const i = KIND_ORDER.indexOf(kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...(s.byKind ?? [])]
    .sort((a, b) => rank(a.kind) - rank(b.kind) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
    .map((k) => ({ ...k, label: KIND_LABELS[k.kind] ?? k.kind }));
}

/**
 * What the sign-off found of an evidence file's signature, for the template's `signer` partial: the
 * key and the signer's clock, `{}` when nothing was checked, or null (nothing said) for sign-offs
 * written before it was recorded.
 */
function signerView(signer: Signer | undefined): Partial<NonNullable<Signer>> | null {
  return signer === undefined ? null : (signer ?? {});
}

/**
 * Each Revoke and Modify with where its subject lives: a database user's project, authentication
 * database and roles, an access list entry's project. Without them the page would list two
 * `0.0.0.0/0` entries (or two `svc-app` users) of different projects alike, and an empty access cell.
 */
function actionRows(s: Signoff) {
  return s.actions.map((a) => ({
    ...a,
    place: a.databaseUser
      ? `project ${a.databaseUser.projectName}, ${a.databaseUser.databaseName} (${a.databaseUser.authKind})`
      : a.networkAccess
        ? `access list of project ${a.networkAccess.projectName}`
        : null,
    databaseRoles: a.databaseUser ? a.databaseUser.roles.map(databaseRoleText) : [],
  }));
}

/** Renders the one-page sign-off HTML (self-contained, no scripts). */
export function renderSignoffHtml(s: Signoff, template: SignoffTemplate = defaultSignoffTemplate()): string {
  const names = s.snapshot.organizations.map((o) => o.name);
  const orgNames = names.length <= 3 ? names.join(', ') : `${names.length} organizations`;
  return template({
    s,
    orgNames,
    byKind: kindRows(s),
    actions: actionRows(s),
    snapshotSigner: signerView(s.snapshot.signature),
    campaignSigner: s.campaign ? signerView(s.campaign.signature) : null,
    // What the terminal warned of when the sign-off was written, for whoever reads only this page.
    signals: (s.signals ?? []).map(formatSignal),
    closedUndecided: s.campaign?.closedUndecided ?? null,
  });
}
