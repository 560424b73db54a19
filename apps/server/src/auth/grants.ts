import { DATA_TYPES, type DataType, isDataType, normaliseSubpath, ValidationError } from '@datalake/core';

export const ACTIONS = ['read', 'write', 'delete', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Actions on a resource: entries of one data type and/or below one folder. `pathPrefix` is a folder
 * below the type folder, matched by whole segments as `subpath` is in `list` (`finance` covers
 * `macro/finance/...` and `schema/finance/2023/...`, not `macro/financer/...`). `admin` allows every
 * action, token management and the audit log, and is only granted without a scope.
 */
export interface Grant {
  actions: Action[];
  dataType?: DataType;
  pathPrefix?: string;
}

/** Where an entry is, as far as grants are concerned. */
export interface Location {
  dataType: DataType;
  subpath: string;
}

/** A grant's resource: the part of the lake it covers. */
export interface Scope {
  dataType?: DataType;
  pathPrefix?: string;
}

/** Checks and normalises grants given by an admin (API or CLI); `ValidationError` names the problem. */
export function normaliseGrants(value: unknown): Grant[] {
  if (!Array.isArray(value)) throw new ValidationError('grants must be an array');
  if (value.length > 100) throw new ValidationError('a token holds at most 100 grants');
  return value.map((grant, index) => normaliseGrant(grant, `grants[${index}]`));
}

export function normaliseGrant(value: unknown, what = 'grant'): Grant {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError(`${what} must be an object`);
  const { actions, dataType, pathPrefix, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ValidationError(`${what} has unknown properties: ${unknown.join(', ')}`);
  if (!Array.isArray(actions) || actions.length === 0)
    throw new ValidationError(`${what}.actions must name at least one of ${ACTIONS.join(', ')}`);
  for (const action of actions) {
    if (!(ACTIONS as readonly unknown[]).includes(action))
      throw new ValidationError(`${what}.actions: unknown action ${JSON.stringify(action)}`);
  }
  const grant: Grant = { actions: [...new Set(actions as Action[])].sort() };
  if (dataType !== undefined && dataType !== null) {
    if (!isDataType(dataType))
      throw new ValidationError(`${what}.dataType must be one of ${DATA_TYPES.join(', ')}`);
    grant.dataType = dataType;
  }
  if (pathPrefix !== undefined && pathPrefix !== null && pathPrefix !== '') {
    grant.pathPrefix = normaliseSubpath(pathPrefix);
  }
  if (grant.actions.includes('admin') && (grant.dataType || grant.pathPrefix))
    throw new ValidationError(`${what}: admin is granted on the whole lake only (no dataType or pathPrefix)`);
  return grant;
}

export function inScope(scope: Scope, location: Location): boolean {
  if (scope.dataType !== undefined && scope.dataType !== location.dataType) return false;
  return scope.pathPrefix === undefined || isWithin(location.subpath, scope.pathPrefix);
}

/** Whether folder `subpath` is `folder` or below it. */
export function isWithin(subpath: string, folder: string): boolean {
  return subpath === folder || subpath.startsWith(`${folder}/`);
}

/**
 * What a caller may do: the union of its grants. Default deny: no grant, no access. A caller that
 * cannot read an entry is never told it exists.
 */
export class Access {
  readonly isAdmin: boolean;
  /** The scopes the caller may read. `write` and `delete` do not include reading: a write-only token can deliver, not look. */
  readonly readScopes: readonly Scope[];

  constructor(
    /** The token's id, or null for anonymous access. */
    readonly tokenId: string | null,
    readonly grants: readonly Grant[],
  ) {
    this.isAdmin = grants.some((grant) => grant.actions.includes('admin'));
    this.readScopes = this.isAdmin
      ? [{}]
      : grants.filter((grant) => grant.actions.includes('read')).map(scopeOf);
  }

  /** True when every entry is readable (no filtering needed). */
  get readsEverything(): boolean {
    return this.readScopes.some((scope) => scope.dataType === undefined && scope.pathPrefix === undefined);
  }

  allows(action: Action, location: Location): boolean {
    if (this.isAdmin) return true;
    return this.grants.some((grant) => grant.actions.includes(action) && inScope(grant, location));
  }

  canRead(entry: Location): boolean {
    return this.allows('read', entry);
  }

  /** Entries of `entries` the caller may read. */
  visible<T extends Location>(entries: readonly T[]): T[] {
    return this.readsEverything ? [...entries] : entries.filter((entry) => this.canRead(entry));
  }

  /** Whether the caller may write, delete... anywhere at all (to answer 403 rather than 404). */
  mayEver(action: Action): boolean {
    return this.isAdmin || this.grants.some((grant) => grant.actions.includes(action));
  }
}

function scopeOf(grant: Grant): Scope {
  return {
    ...(grant.dataType ? { dataType: grant.dataType } : {}),
    ...(grant.pathPrefix !== undefined ? { pathPrefix: grant.pathPrefix } : {}),
  };
}

/** A scope's filter in the lake's terms (`dataType`, `subpath`), for narrowing list and search. */
export interface Narrowed {
  dataTypes?: DataType[];
  subpath?: string;
}

/**
 * Intersects a request's filter (types, folder) with one read scope: `undefined` when they are
 * disjoint, else the narrower filter, which holds exactly the entries both hold.
 */
export function intersect(request: Narrowed, scope: Scope): Narrowed | undefined {
  let dataTypes = request.dataTypes;
  if (scope.dataType !== undefined) {
    if (dataTypes && !dataTypes.includes(scope.dataType)) return undefined;
    dataTypes = [scope.dataType];
  }
  let subpath = request.subpath;
  if (scope.pathPrefix !== undefined) {
    if (subpath === undefined || isWithin(scope.pathPrefix, subpath)) subpath = scope.pathPrefix;
    else if (!isWithin(subpath, scope.pathPrefix)) return undefined;
  }
  return {
    ...(dataTypes ? { dataTypes } : {}),
    ...(subpath !== undefined ? { subpath } : {}),
  };
}
