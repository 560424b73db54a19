import { DATA_TYPES, type DataType, isDataType, type JsonValue } from '@datalake/core';
import { Option } from 'commander';
import { UsageError } from './errors.js';
import { formatBytes } from './output.js';

/** Option parsers for commander: each throws `UsageError` (exit code 2) on a bad value. */

export function parseDataType(value: string): DataType {
  const lower = value.toLowerCase();
  if (!isDataType(lower)) throw new UsageError(`unknown type "${value}" (one of: ${DATA_TYPES.join(', ')})`);
  return lower;
}

export function collectDataTypes(value: string, previous: DataType[] = []): DataType[] {
  return [...previous, ...value.split(',').map((part) => parseDataType(part.trim()))];
}

export function parsePositiveInteger(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1)
      throw new UsageError(`${name} must be a positive integer, got "${value}"`);
    return number;
  };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** `1048576`, `512k`, `10MiB`, `1g`. */
export function parseSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()];
  if (!match || unit === undefined)
    throw new UsageError(`"${value}" is not a size (examples: 500000, 512k, 10MiB)`);
  return Math.floor(Number(match[1]) * unit);
}

/** The default of `--max-size`: larger content is refused (ingest: reported and skipped). */
export const DEFAULT_MAX_SIZE = 256 * 1024 ** 2;

/** `--max-size <size>`, its default shown as `256 MiB` in the help. */
export function maxSizeOption(description: string): Option {
  return new Option('--max-size <size>', description)
    .argParser(parseSize)
    .default(DEFAULT_MAX_SIZE, formatBytes(DEFAULT_MAX_SIZE));
}

/**
 * Metadata given on the command line, in the order given: `--meta key=value` (the value is a
 * string, exactly as typed) and `--meta-json key=<JSON>` (the value is parsed as JSON).
 */
export type MetadataPairs = Array<[key: string, value: JsonValue]>;

/** `--meta key=value`: the value is always the string after the first `=`. */
export function collectMetadata(value: string, previous: MetadataPairs = []): MetadataPairs {
  const [key, text] = splitPair('--meta', value);
  return [...previous, [key, text]];
}

/** `--meta-json key=<JSON>`: `42`, `true`, `null`, `"1.0"`, `[1,2]`, `{"a":1}`. */
export function collectJsonMetadata(value: string, previous: MetadataPairs = []): MetadataPairs {
  const [key, text] = splitPair('--meta-json', value);
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    throw new UsageError(
      `--meta-json ${key}: "${text}" is not valid JSON (for a string value, use --meta ${key}=${text})`,
    );
  }
  return [...previous, [key, parsed]];
}

/** The metadata object of `--meta` and `--meta-json` together; a key given twice is a usage error. */
export function metadataOf(
  ...lists: Array<MetadataPairs | undefined>
): Record<string, JsonValue> | undefined {
  const pairs = lists.flatMap((list) => list ?? []);
  if (pairs.length === 0) return undefined;
  const seen = new Set<string>();
  for (const [key] of pairs) {
    if (seen.has(key)) throw new UsageError(`metadata key "${key}" is given more than once`);
    seen.add(key);
  }
  // fromEntries defines own properties: a key such as "__proto__" stays an ordinary key.
  return Object.fromEntries(pairs);
}

function splitPair(option: string, value: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`${option} must be key=value, got "${value}"`);
  return [value.slice(0, at), value.slice(at + 1)];
}

/** ISO-8601 date or date-time, for `--after` / `--before`. */
export function parseDate(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(`"${value}" is not a date (use ISO-8601, e.g. 2024-05-01 or 2024-05-01T12:00:00Z)`);
  return new Date(time).toISOString();
}

export function collectStrings(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
