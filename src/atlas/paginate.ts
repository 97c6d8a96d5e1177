import { z } from 'zod';
import { AtlasApiError } from '../errors.js';
import type { Completeness } from '../snapshot/schema.js';
import { formatJsonPath } from '../util/validate.js';
import type { AtlasClient } from './client.js';
import { endpointName, type Operation } from './operations.js';

/** Atlas's maximum page size (spec: itemsPerPage 1..500). */
export const MAX_ITEMS_PER_PAGE = 500;

/**
 * Bounds of one listing. Atlas documents at most 500 users, API keys or database users per org or
 * project, 250 teams, projects or members per team (docs/atlas-api-notes.md §9), and support can raise them: 20 times
 * the largest is still far above any real list, and far below what would exhaust memory. A server that
 * sends more, or endless pages, fails the collection instead of the machine.
 */
export const MAX_ITEMS_PER_LISTING = 20 * 500;
/** Pages per listing: the items cap at the smallest page size a server may coerce to (10), doubled. */
export const MAX_PAGES_PER_LISTING = 2_000;

const linkSchema = z.object({ href: z.string(), rel: z.string() });
/** Envelope shared by every `Paginated*View` in the spec: only `results` is required. */
const pageSchema = z.object({
  results: z.array(z.unknown()),
  links: z.array(linkSchema).optional(),
  totalCount: z.number().int().nonnegative().optional(),
});

export interface PageRequest {
  operation: Operation;
  pathParams: Record<string, string>;
  /** Accept version (null for the legacy v1.0 API). */
  version: string | null;
  /** Rate-limit bucket scope (org id or project id). */
  scopeId: string | null;
  /** Extra query parameters (e.g. repeated `orgMembershipStatuses`). */
  query?: Array<[string, string]>;
  itemsPerPage?: number;
  /** Identity of an item for de-duplication across pages (items shift when the list changes mid-read). */
  key: (item: unknown) => string | null;
  /** Called after each page (progress output). */
  onPage?: (info: { endpoint: string; page: number; items: number }) => void;
  /**
   * Tells apart two listings of one endpoint in the completeness record and notes, e.g.
   * `includeSystemManaged=true` -> `GET /api/atlas/v2/orgs/<id>/serviceAccounts (includeSystemManaged=true)`.
   */
  variant?: string;
}

export interface PageResult {
  items: unknown[];
  completeness: Completeness;
  /** Anything odd: duplicates dropped, totalCount disagreement. */
  notes: string[];
}

/**
 * Reads every page of a list. Follows the `rel: "next"` link; stops when there is no `next` link, or on
 * a short page (unless the API's own `totalCount` says more items remain and it links a next page);
 * never stops on `totalCount` alone (the spec calls it an estimate). A `next` link that
 * was already visited is a server bug that would loop forever: it fails the collection (fail closed),
 * rather than returning a list that may be incomplete.
 *
 * A `next` link to another origin (an Ops Manager behind a different central URL writes its own host into
 * links) is never followed, so credentials only go to the configured base URL: the next page is read
 * from the base URL instead, with the link's `pageNum` and this request's path and query, and a note
 * says so. A link without a usable `pageNum` cannot be rebuilt and fails the collection.
 */
export async function paginate(client: AtlasClient, request: PageRequest): Promise<PageResult> {
  const { operation } = request;
  const endpoint = endpointName(operation);
  const recordName = endpointForRecord(operation, request.pathParams, request.variant);
  const itemsPerPage = request.itemsPerPage ?? MAX_ITEMS_PER_PAGE;
  const query = new URLSearchParams();
  query.set('itemsPerPage', String(itemsPerPage));
  query.set('pageNum', '1');
  if (operation.includeCount) query.set('includeCount', 'true');
  for (const [name, value] of request.query ?? []) query.append(name, value);
  let url: URL | null = client.urlFor(operation, request.pathParams, query);

  const visited = new Set<string>();
  const byKey = new Map<string, unknown>();
  const unkeyed: unknown[] = [];
  let duplicates = 0;
  let pages = 0;
  let totalCount: number | null = null;
  const foreignOrigins = new Set<string>();
  let rebuiltPages = 0;

  while (url) {
    visited.add(url.href);
    const { body } = await client.getJson(operation, url, request.version, request.scopeId);
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AtlasApiError({
        endpoint,
        status: 200,
        errorCode: null,
        detail: `unexpected response body at ${formatJsonPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`,
      });
    }
    const page = parsed.data;
    pages += 1;
    if (page.totalCount !== undefined) totalCount = page.totalCount;
    const before = byKey.size + unkeyed.length;
    for (const item of page.results) {
      const key = request.key(item);
      if (key === null) unkeyed.push(item);
      else if (byKey.has(key)) duplicates += 1;
      else byKey.set(key, item);
    }
    const fail = (detail: string) => new AtlasApiError({ endpoint, status: 200, errorCode: null, detail });
    // A full page of items already read: a server repeating a page under new links would never end.
    if (page.results.length >= itemsPerPage && byKey.size + unkeyed.length === before && pages > 1)
      throw fail(`page ${pages} is a full page of items already read: the list does not advance`);
    if (byKey.size + unkeyed.length > MAX_ITEMS_PER_LISTING)
      throw fail(
        `more than ${MAX_ITEMS_PER_LISTING} items in one listing (20 times Atlas's documented limits): refusing to read on`,
      );
    if (pages >= MAX_PAGES_PER_LISTING && page.links?.some((l) => l.rel === 'next'))
      throw fail(`more than ${MAX_PAGES_PER_LISTING} pages in one listing: refusing to read on`);
    request.onPage?.({ endpoint, page: pages, items: page.results.length });

    const next = page.links?.find((link) => link.rel === 'next');
    if (!next) break;
    // A short page normally ends the list. But a server that caps the page size below what was asked
    // (MongoDB's API guidelines allow coercing itemsPerPage down) still links the next page: when it
    // does, and its own count says items remain, the link is followed rather than the rest dropped.
    const itemsSoFar = byKey.size + unkeyed.length;
    if (page.results.length < itemsPerPage && !(totalCount !== null && itemsSoFar < totalCount)) break;
    let nextUrl: URL;
    try {
      nextUrl = new URL(next.href, url);
    } catch {
      throw fail(`page ${pages} links a next page that is not a URL`);
    }
    // Credentials in a link can never be right, and must not be retried or sent anywhere.
    if (nextUrl.username !== '' || nextUrl.password !== '')
      throw fail(`page ${pages} links a next page with credentials in its URL; not followed`);
    if (nextUrl.origin !== client.options.baseUrl.origin) {
      foreignOrigins.add(nextUrl.origin);
      nextUrl = onBaseUrl(url, nextUrl, endpoint, pages);
      rebuiltPages += 1;
    }
    if (visited.has(nextUrl.href)) {
      throw new AtlasApiError({
        endpoint,
        status: 200,
        errorCode: null,
        detail: `pagination loop: page ${pages} links back to an already read page (${nextUrl.pathname}${nextUrl.search})`,
      });
    }
    url = nextUrl;
  }

  const items = [...byKey.values(), ...unkeyed];
  const notes: string[] = [];
  if (rebuiltPages > 0) {
    notes.push(
      `${recordName}: ${rebuiltPages} next link(s) pointed at another origin (${[...foreignOrigins].sort().join(', ')}); not followed: the page(s) were read from the configured base URL by pageNum`,
    );
  }
  if (duplicates > 0) notes.push(`${recordName}: ${duplicates} duplicate item(s) across pages were dropped`);
  if (totalCount !== null && totalCount !== items.length) {
    notes.push(`${recordName}: read ${items.length} item(s) but the API reported totalCount ${totalCount}`);
  }
  return {
    items,
    completeness: { endpoint: recordName, itemsRead: items.length, totalCount, pages },
    notes,
  };
}

/** `GET /api/atlas/v2/orgs/5f.../teams/{teamId}/users` style: ids filled in for the record. */
function endpointForRecord(operation: Operation, params: Record<string, string>, variant?: string): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
  return `${operation.method} ${path}${variant ? ` (${variant})` : ''}`;
}

/**
 * The page a foreign-origin `next` link names, on the URL just read (so on the configured base URL, with
 * this request's path and query): only its `pageNum` is taken from the link.
 */
function onBaseUrl(current: URL, link: URL, endpoint: string, page: number): URL {
  const pageNum = link.searchParams.get('pageNum');
  if (pageNum === null || !/^[1-9]\d{0,8}$/.test(pageNum)) {
    throw new AtlasApiError({
      endpoint,
      status: 200,
      errorCode: null,
      detail: `page ${page} links the next page on another origin (${link.origin}) without a pageNum to read it from the configured base URL`,
    });
  }
  const rebuilt = new URL(current);
  rebuilt.searchParams.set('pageNum', pageNum);
  return rebuilt;
}
