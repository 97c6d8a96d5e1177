import * as z from 'zod';
import { CollectionError } from '../errors.js';
import { formatJsonPath } from '../util/validate.js';
import type { AtlasClient } from './client.js';
import { endpointName, type Operation } from './operations.js';

/** Atlas's maximum page size (spec: itemsPerPage 1..500). */
const MAX_ITEMS_PER_PAGE = 500;

/**
 * Bounds of one listing. Atlas documents at most 500 users, API keys or database users per org or
 * project, 250 teams, projects or members per team (docs/atlas-api-notes.md §9), and support can raise them: 20 times
 * the largest is still far above any real list, and far below what would exhaust memory. A server that
 * sends more, or endless pages, fails the collection instead of the machine.
 */
export const MAX_ITEMS_PER_LISTING = 20 * 500;
/** Pages per listing: the items cap at the smallest page size a server may coerce to (10), doubled. */
const MAX_PAGES_PER_LISTING = 2_000;

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

/**
 * What a listing read, as evidence that it is complete: the endpoint with its ids filled in, the items
 * kept, the API's own `totalCount` (null when it sent none) and the pages read. The collector maps it
 * into the snapshot's completeness record; the HTTP layer knows nothing of snapshots.
 */
export interface ListingCompleteness {
  endpoint: string;
  itemsRead: number;
  totalCount: number | null;
  pages: number;
}

/** One page as the iterator yields it. */
export interface Page {
  /** 1 for the first page. */
  number: number;
  /** The page's `results` as sent (before de-duplication). */
  results: unknown[];
  /** The API's `totalCount` on this page, if it sent one. */
  totalCount: number | null;
}

export interface PageResult {
  /** Every item, de-duplicated by `key` (keyed items first, in the order read, then unkeyed ones). */
  items: unknown[];
  completeness: ListingCompleteness;
  /** Anything odd: duplicates dropped, totalCount disagreement, next links rebuilt on the base URL. */
  notes: string[];
}

/**
 * The pages of a list, as an async iterator (`for await (const page of paginate(client, request))`).
 * Follows the `rel: "next"` link; stops when there is no `next` link, or on a short page (unless the
 * API's own `totalCount` says more items remain and it links a next page); never stops on `totalCount`
 * alone (the spec calls it an estimate). A `next` link that was already visited is a server bug that
 * would loop forever: it fails the listing (fail closed), rather than returning a list that may be
 * incomplete. So do a full page of items already read (a server repeating a page under new links),
 * more than MAX_ITEMS_PER_LISTING items, more than MAX_PAGES_PER_LISTING pages, and a next link with
 * credentials in it.
 *
 * A `next` link to another origin (an Ops Manager behind a different central URL writes its own host
 * into links) is never followed, so credentials only go to the configured base URL: the next page is
 * read from the base URL instead, with the link's `pageNum` and this request's path and query, and
 * `listing.notes()` says so. A link without a usable `pageNum` cannot be rebuilt and fails the listing.
 */
export function paginate(client: AtlasClient, request: PageRequest): Listing {
  return new Listing(client, request);
}

/** Reads every page of a list: the items, the completeness evidence and the notes. */
export async function readAllPages(client: AtlasClient, request: PageRequest): Promise<PageResult> {
  const listing = paginate(client, request);
  for await (const _page of listing) {
    // Each page is folded into the listing's own de-duplicated items.
  }
  return listing.result();
}

/** A listing being read: iterate it for its pages; `result()` once it is done. */
export class Listing implements AsyncIterable<Page> {
  private readonly endpoint: string;
  private readonly itemsPerPage: number;
  private readonly byKey = new Map<string, unknown>();
  private readonly unkeyed: unknown[] = [];
  private duplicates = 0;
  private pages = 0;
  private totalCount: number | null = null;
  private readonly foreignOrigins = new Set<string>();
  private rebuiltPages = 0;
  private done = false;

  constructor(
    private readonly client: AtlasClient,
    private readonly request: PageRequest,
  ) {
    this.endpoint = endpointName(request.operation);
    this.itemsPerPage = request.itemsPerPage ?? MAX_ITEMS_PER_PAGE;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Page> {
    const { client, request } = this;
    const visited = new Set<string>();
    let url: URL | null = this.firstUrl();
    while (url) {
      visited.add(url.href);
      const { body } = await client.getJson(request.operation, url, request.version, request.scopeId);
      const page = this.parsePage(body);
      this.pages += 1;
      if (page.totalCount !== undefined) this.totalCount = page.totalCount;
      this.absorb(page);
      request.onPage?.({ endpoint: this.endpoint, page: this.pages, items: page.results.length });
      yield { number: this.pages, results: page.results, totalCount: page.totalCount ?? null };
      url = this.nextUrl(page, url);
      if (url && visited.has(url.href)) {
        throw this.fail(
          `pagination loop: page ${this.pages} links back to an already read page (${url.pathname}${url.search})`,
        );
      }
    }
    this.done = true;
  }

  /** The items, completeness and notes; only once every page has been read. */
  result(): PageResult {
    if (!this.done) throw new Error(`internal: ${this.endpoint} read before its last page`);
    const items = [...this.byKey.values(), ...this.unkeyed];
    const { operation, pathParams, variant } = this.request;
    const recordName = endpointForRecord(operation, pathParams, variant);
    return {
      items,
      completeness: {
        endpoint: recordName,
        itemsRead: items.length,
        totalCount: this.totalCount,
        pages: this.pages,
      },
      notes: this.notes(recordName, items.length),
    };
  }

  private firstUrl(): URL {
    const { operation } = this.request;
    const query = new URLSearchParams();
    query.set('itemsPerPage', String(this.itemsPerPage));
    query.set('pageNum', '1');
    if (operation.includeCount) query.set('includeCount', 'true');
    for (const [name, value] of this.request.query ?? []) query.append(name, value);
    return this.client.urlFor(operation, this.request.pathParams, query);
  }

  private parsePage(body: unknown): z.output<typeof pageSchema> {
    const parsed = pageSchema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new CollectionError({
      endpoint: this.endpoint,
      jsonPath: formatJsonPath(issue?.path ?? []),
      problem: issue?.message ?? 'invalid',
    });
  }

  /** Folds a page into the de-duplicated items and applies the guards against endless lists. */
  private absorb(page: z.output<typeof pageSchema>): void {
    const { results } = page;
    const count = () => this.byKey.size + this.unkeyed.length;
    const before = count();
    for (const item of results) {
      const key = this.request.key(item);
      if (key === null) this.unkeyed.push(item);
      else if (this.byKey.has(key)) this.duplicates += 1;
      else this.byKey.set(key, item);
    }
    // A full page of items already read: a server repeating a page under new links would never end.
    if (results.length >= this.itemsPerPage && count() === before && this.pages > 1)
      throw this.fail(`page ${this.pages} is a full page of items already read: the list does not advance`);
    if (count() > MAX_ITEMS_PER_LISTING)
      throw this.fail(
        `more than ${MAX_ITEMS_PER_LISTING} items in one listing (20 times Atlas's documented limits): refusing to read on`,
      );
    if (this.pages >= MAX_PAGES_PER_LISTING && page.links?.some((l) => l.rel === 'next'))
      throw this.fail(`more than ${MAX_PAGES_PER_LISTING} pages in one listing: refusing to read on`);
  }

  /** The URL of the next page, or null when this page ends the list. */
  private nextUrl(page: z.output<typeof pageSchema>, current: URL): URL | null {
    const next = page.links?.find((link) => link.rel === 'next');
    if (!next) return null;
    // A short page normally ends the list. But a server that caps the page size below what was asked
    // (MongoDB's API guidelines allow coercing itemsPerPage down) still links the next page: when it
    // does, and its own count says items remain, the link is followed rather than the rest dropped.
    const itemsSoFar = this.byKey.size + this.unkeyed.length;
    const more = this.totalCount !== null && itemsSoFar < this.totalCount;
    if (page.results.length < this.itemsPerPage && !more) return null;
    let url: URL;
    try {
      url = new URL(next.href, current);
    } catch {
      throw this.fail(`page ${this.pages} links a next page that is not a URL`);
    }
    // Credentials in a link can never be right, and must not be retried or sent anywhere.
    if (url.username !== '' || url.password !== '')
      throw this.fail(`page ${this.pages} links a next page with credentials in its URL; not followed`);
    if (url.origin === this.client.options.baseUrl.origin) return url;
    this.foreignOrigins.add(url.origin);
    this.rebuiltPages += 1;
    return this.onBaseUrl(current, url);
  }

  /**
   * The page a foreign-origin `next` link names, on the URL just read (so on the configured base URL,
   * with this request's path and query): only its `pageNum` is taken from the link.
   */
  private onBaseUrl(current: URL, link: URL): URL {
    const pageNum = link.searchParams.get('pageNum');
    if (pageNum === null || !/^[1-9]\d{0,8}$/.test(pageNum)) {
      throw this.fail(
        `page ${this.pages} links the next page on another origin (${link.origin}) without a pageNum to read it from the configured base URL`,
      );
    }
    const rebuilt = new URL(current);
    rebuilt.searchParams.set('pageNum', pageNum);
    return rebuilt;
  }

  private notes(recordName: string, itemsRead: number): string[] {
    const notes: string[] = [];
    if (this.rebuiltPages > 0) {
      const origins = [...this.foreignOrigins].sort().join(', ');
      notes.push(
        `${recordName}: ${this.rebuiltPages} next link(s) pointed at another origin (${origins}); not followed: the page(s) were read from the configured base URL by pageNum`,
      );
    }
    if (this.duplicates > 0)
      notes.push(`${recordName}: ${this.duplicates} duplicate item(s) across pages were dropped`);
    if (this.totalCount !== null && this.totalCount !== itemsRead)
      notes.push(
        `${recordName}: read ${itemsRead} item(s) but the API reported totalCount ${this.totalCount}`,
      );
    return notes;
  }

  private fail(problem: string): CollectionError {
    return new CollectionError({ endpoint: this.endpoint, jsonPath: null, problem });
  }
}

/** `GET /api/atlas/v2/orgs/5f.../teams/{teamId}/users` style: ids filled in for the record. */
function endpointForRecord(operation: Operation, params: Record<string, string>, variant?: string): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
  return `${operation.method} ${path}${variant ? ` (${variant})` : ''}`;
}
