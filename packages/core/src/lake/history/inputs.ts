import { ValidationError } from '@datalake/model';
import type { ChangeNote } from './types.js';
import { MAX_NOTE_CHARS } from './versions.js';

/** The `author` and `message` of a write, checked: text of at most `MAX_NOTE_CHARS` characters. */
export function normaliseNote(input: { author?: unknown; message?: unknown } | undefined): ChangeNote {
  const note: ChangeNote = {};
  for (const field of ['author', 'message'] as const) {
    const value = input?.[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`);
    if (value.length > MAX_NOTE_CHARS)
      throw new ValidationError(`${field} is longer than ${MAX_NOTE_CHARS} characters`);
    note[field] = value.normalize('NFC');
  }
  return note;
}

/** A moment given as a `Date` or an ISO-8601 string, in milliseconds. */
export function parseMoment(value: unknown, name = 'asOf'): number {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time))
    throw new ValidationError(
      `${name} must be a Date or an ISO-8601 timestamp; got ${JSON.stringify(value)}`,
      {
        details: { [name]: String(value) },
      },
    );
  return time;
}

/** A version number: a whole number from 1. */
export function parseVersion(value: unknown, name = 'version'): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1)
    throw new ValidationError(`${name} must be a whole number from 1; got ${JSON.stringify(value)}`, {
      details: { [name]: value as never },
    });
  return number;
}
