import { createHash } from 'node:crypto';
import {
  CLAIMS_PREFIX,
  DATA_TYPES,
  type DataType,
  isDataType,
  METADATA_PREFIX,
  pathProblem,
  ValidationError,
} from '@datalake/model';

// The layout's reserved prefixes are owned by `@datalake/model` (`layout.ts`); core re-exports them.
export {
  AUDIT_PREFIX,
  AUTH_PREFIX,
  CATALOG_PREFIX,
  CHANGES_PREFIX,
  CLAIMS_PREFIX,
  INDEX_PREFIX,
  isReservedKey,
  METADATA_PREFIX,
  QUARANTINE_PREFIX,
  RESERVED_PREFIXES,
  SETTINGS_KEY,
  SETTINGS_PREFIX,
  SNAPSHOT_KEY,
  VERSIONS_PREFIX,
} from '@datalake/model';

/** Ids are UUIDs; anything that could not be a metadata key names no entry. */
export function isPlausibleId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(id);
}

export function metadataKey(id: string): string {
  return `${METADATA_PREFIX}${id}.json`;
}

/** The claim object of a content path: a flat, fixed-length key whatever the path's depth or characters. */
export function claimKey(filePath: string): string {
  return `${CLAIMS_PREFIX}${createHash('sha256').update(filePath).digest('hex')}`;
}

/** The id a `.metadata/<id>.json` key names, or undefined for any other key. */
export function idFromMetadataKey(key: string): string | undefined {
  if (!key.startsWith(METADATA_PREFIX) || !key.endsWith('.json')) return undefined;
  const id = key.slice(METADATA_PREFIX.length, -'.json'.length);
  return id.length > 0 && !id.includes('/') ? id : undefined;
}

/** Whether `key` is a claim key (`.claims/` and 64 hex digits). */
export function isClaimKey(key: string): boolean {
  return (
    key.length === CLAIMS_PREFIX.length + 64 &&
    key.startsWith(CLAIMS_PREFIX) &&
    /^[0-9a-f]{64}$/.test(key.slice(CLAIMS_PREFIX.length))
  );
}

export function assertDataType(value: unknown): asserts value is DataType {
  if (!isDataType(value)) {
    throw new ValidationError(
      `dataType must be one of ${DATA_TYPES.join(', ')}; got ${JSON.stringify(value)}`,
      {
        details: { dataType: value },
      },
    );
  }
}

/** A file name: one path segment, NFC-normalised. Names starting with a dot are ordinary names. */
export function normaliseName(name: unknown): string {
  if (typeof name !== 'string') throw new ValidationError('name must be a string');
  const normalised = name.normalize('NFC');
  if (normalised.includes('/')) {
    throw new ValidationError(`name ${JSON.stringify(name)} contains "/": put folders in subpath`, {
      details: { name },
    });
  }
  const problem = pathProblem(normalised);
  if (problem)
    throw new ValidationError(`name ${JSON.stringify(name)} is invalid: it ${problem}`, {
      details: { name },
    });
  return normalised;
}

/** A folder below the type folder: '' for none, else '/'-separated segments, NFC-normalised. */
export function normaliseSubpath(subpath: unknown): string {
  if (subpath === undefined || subpath === null || subpath === '') return '';
  if (typeof subpath !== 'string') throw new ValidationError('subpath must be a string');
  const normalised = subpath.normalize('NFC');
  const problem = pathProblem(normalised);
  if (problem) {
    throw new ValidationError(`subpath ${JSON.stringify(subpath)} is invalid: it ${problem}`, {
      details: { subpath },
    });
  }
  return normalised;
}

export function contentKey(dataType: DataType, subpath: string, name: string): string {
  return subpath ? `${dataType}/${subpath}/${name}` : `${dataType}/${name}`;
}

/** Splits a content path (`<type>/<subpath>/<name>`) into its parts, or undefined if it cannot be one. */
export function parseContentPath(
  filePath: string,
): { dataType: DataType; subpath: string; name: string } | undefined {
  if (typeof filePath !== 'string' || pathProblem(filePath) !== undefined) return undefined;
  const segments = filePath.split('/');
  if (segments.length < 2) return undefined;
  const [dataType] = segments;
  if (!isDataType(dataType)) return undefined;
  return { dataType, subpath: segments.slice(1, -1).join('/'), name: segments.at(-1) as string };
}
