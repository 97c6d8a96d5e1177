/**
 * Typed reads: a caller names an operation (and, for the user listings, a version) and gets its data
 * validated against the operation's wire schema. Data that does not fit is a CollectionError (exit 3).
 */
import type { AtlasClient } from './client.js';
import { type Operation, parseWire, type WireOf } from './operations.js';
import { type PageRequest, type PageResult, readAllPages } from './paginate.js';

/** A listing's request; `version` defaults to the operation's `defaultVersion`. */
export type ListRequest<O extends Operation> = Omit<PageRequest, 'operation' | 'version'> & {
  operation: O;
  version?: string | null;
};

/** Every page of a listing, each item validated (`$.results[i]`) and typed. */
export async function readList<O extends Operation>(
  client: AtlasClient,
  request: ListRequest<O>,
): Promise<Omit<PageResult, 'items'> & { items: WireOf<O>[] }> {
  const { operation } = request;
  const version = versionOf(operation, request.version);
  const result = await readAllPages(client, { ...request, version });
  const items = result.items.map((item, index) => parseWire(operation, version, item, `$.results[${index}]`));
  return { ...result, items };
}

/** One object (a non-paginated operation), validated and typed. */
export async function readOne<O extends Operation>(
  client: AtlasClient,
  operation: O,
  pathParams: Record<string, string>,
  scopeId: string | null,
  requested?: string | null,
  query?: URLSearchParams,
): Promise<WireOf<O>> {
  const version = versionOf(operation, requested);
  const url = client.urlFor(operation, pathParams, query);
  const { body } = await client.getJson(operation, url, version, scopeId);
  return parseWire(operation, version, body);
}

function versionOf(operation: Operation, requested: string | null | undefined): string | null {
  if (operation.versions === null) return null;
  return requested ?? operation.defaultVersion;
}
