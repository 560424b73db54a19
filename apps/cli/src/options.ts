import { DATA_TYPES, type DataType, isDataType, type JsonValue } from '@datalake/core';
import { UsageError } from './errors.js';

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
};
Object.assign(SIZE_UNITS, { mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 });

/** `1048576`, `512k`, `10MiB`, `1g`. */
export function parseSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()];
  if (!match || unit === undefined)
    throw new UsageError(`"${value}" is not a size (examples: 500000, 512k, 10MiB)`);
  return Math.floor(Number(match[1]) * unit);
}

/** `key=value` pairs; a value that parses as JSON (number, true, null, {...}) is stored as that JSON. */
export function collectMetadata(
  value: string,
  previous: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`metadata must be key=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: parseMetadataValue(value.slice(at + 1)) };
}

function parseMetadataValue(text: string): JsonValue {
  if (/^(?:-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|true|false|null|\{.*\}|\[.*\])$/is.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
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
