/** Paging of list endpoints (docs/atlas-api-notes.md §5): `itemsPerPage`, `pageNum`, `includeCount`, links. */
import type { WireObject } from './wire.js';

export interface Paging {
  itemsPerPage: number;
  pageNum: number;
  includeCount: boolean;
}

/** itemsPerPage 1..500 (default 100), pageNum >= 1, includeCount true|false; else the 400's detail and parameter. */
export function parsePaging(query: URLSearchParams): Paging | { error: string; param: string } {
  const int = (
    name: string,
    fallback: number,
    min: number,
    max: number,
  ): number | { error: string; param: string } => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw)) return { error: `${name} must be an integer, got ${raw}.`, param: name };
    const value = Number(raw);
    if (value < min || value > max)
      return { error: `${name} must be between ${min} and ${max}, got ${raw}.`, param: name };
    return value;
  };
  const itemsPerPage = int('itemsPerPage', 100, 1, 500);
  if (typeof itemsPerPage !== 'number') return itemsPerPage;
  const pageNum = int('pageNum', 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof pageNum !== 'number') return pageNum;
  const rawCount = query.get('includeCount');
  if (rawCount !== null && rawCount !== 'true' && rawCount !== 'false') {
    return { error: `includeCount must be true or false, got ${rawCount}.`, param: 'includeCount' };
  }
  return { itemsPerPage, pageNum, includeCount: rawCount !== 'false' };
}

/**
 * One page of `items` with `links` (previous, self, next) and `totalCount`. `totalCount` is left out only
 * when asked (`includeCount=false`) where the operation has the parameter (`hasIncludeCount`).
 */
export function page(
  items: readonly WireObject[],
  paging: Paging,
  url: URL,
  baseUrl: string,
  hasIncludeCount: boolean,
): WireObject {
  const start = (paging.pageNum - 1) * paging.itemsPerPage;
  const slice = items.slice(start, start + paging.itemsPerPage);
  const href = (n: number) => {
    const q = new URLSearchParams(url.searchParams);
    q.set('pageNum', String(n));
    q.set('itemsPerPage', String(paging.itemsPerPage));
    return `${baseUrl}${url.pathname}?${q.toString()}`;
  };
  const links = [];
  if (paging.pageNum > 1) links.push({ href: href(paging.pageNum - 1), rel: 'previous' });
  links.push({ href: href(paging.pageNum), rel: 'self' });
  if (start + paging.itemsPerPage < items.length) links.push({ href: href(paging.pageNum + 1), rel: 'next' });
  return {
    links,
    results: slice,
    ...(hasIncludeCount && !paging.includeCount ? {} : { totalCount: items.length }),
  };
}
