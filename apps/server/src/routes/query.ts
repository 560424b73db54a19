import { type DataType, normaliseSubpath, type SearchOptions, type SearchResult } from '@datalake/core';
import { type Access, intersect, type Narrowed } from '../auth/grants.js';
import type { ServerContext } from '../context.js';

/** Rounds of lake queries a filtered search page may take before it answers with a shorter page. */
const MAX_ROUNDS = 64;

/**
 * A search as the caller may see it: exactly the full lake's answer without the entries it cannot
 * read. One read scope (the usual token) narrows the lake's own filters, so the lake does all the
 * work. Several scopes that the filters cannot express query the lake page by page, asking each
 * time for just the hits still missing, so the lake's cursor stays exact.
 */
export async function searchAs(
  context: ServerContext,
  access: Access,
  query: string,
  options: SearchOptions,
): Promise<SearchResult> {
  if (access.readsEverything) return context.lake.search(query, options);
  const request: Narrowed = {
    ...(options.dataType !== undefined ? { dataTypes: [options.dataType].flat() as DataType[] } : {}),
    ...(options.subpath !== undefined && options.subpath !== ''
      ? { subpath: normaliseSubpath(options.subpath) }
      : {}),
  };
  const narrowed = access.readScopes
    .map((scope) => intersect(request, scope))
    .filter((scope): scope is Narrowed => scope !== undefined);
  if (narrowed.length === 0) {
    await context.lake.search(query, { ...options, limit: 1 }); // Invalid queries fail the same way.
    return { hits: [] };
  }
  if (narrowed.length === 1)
    return context.lake.search(query, { ...options, ...lakeFilter(narrowed[0] as Narrowed) });

  const limit = options.limit ?? 50;
  const hits: SearchResult['hits'] = [];
  let cursor = options.cursor;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await context.lake.search(query, {
      ...options,
      ...lakeFilter(common(narrowed, request)),
      limit: limit - hits.length,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    hits.push(...page.hits.filter((hit) => access.canRead(hit.entry)));
    if (page.cursor === undefined) return { hits };
    cursor = page.cursor;
    if (hits.length >= limit) break;
  }
  return { hits, cursor };
}

/** The tightest single lake filter that holds every one of several scopes. */
function common(scopes: readonly Narrowed[], request: Narrowed): Narrowed {
  const typed = scopes.every((scope) => scope.dataTypes !== undefined);
  const dataTypes = typed
    ? [...new Set(scopes.flatMap((scope) => scope.dataTypes as DataType[]))]
    : request.dataTypes;
  const subpaths = new Set(scopes.map((scope) => scope.subpath));
  const subpath = subpaths.size === 1 ? [...subpaths][0] : request.subpath;
  return { ...(dataTypes ? { dataTypes } : {}), ...(subpath !== undefined ? { subpath } : {}) };
}

function lakeFilter(scope: Narrowed): Pick<SearchOptions, 'dataType' | 'subpath'> {
  return {
    ...(scope.dataTypes ? { dataType: scope.dataTypes } : {}),
    ...(scope.subpath !== undefined ? { subpath: scope.subpath } : {}),
  };
}
