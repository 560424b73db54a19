import { ValidationError } from './errors.js';

/** S3's limit on key length, in UTF-8 bytes. Every backend accepts keys up to this length. */
export const MAX_KEY_BYTES = 1024;
/** Longest single '/'-separated segment, in UTF-8 bytes (most file systems stop at 255). */
export const MAX_SEGMENT_BYTES = 255;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** UTF-8 length, without encoding when the string is short enough to be within any limit. */
function utf8Length(text: string): number {
  return text.length * 3 <= MAX_SEGMENT_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
}

/**
 * Why a '/'-separated relative path is unsafe, or `undefined` when it is fine. Shared by
 * backend keys and user-supplied names and subpaths so the rules live in one place.
 */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  const characterProblem = forbiddenCharacterProblem(path);
  if (characterProblem) return characterProblem;
  if (path.normalize('NFC') !== path) return 'is not in Unicode NFC form';
  if (path.startsWith('/')) return 'is absolute (starts with "/")';
  if (/^[A-Za-z]:/.test(path)) return 'looks like a Windows drive path';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
    if (segment.trim() !== segment) return 'has a segment with leading or trailing white space';
    if (utf8Length(segment) > MAX_SEGMENT_BYTES)
      return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  if (utf8Length(path) > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`;
  return undefined;
}

/** Throws `ValidationError` unless `key` is a valid storage key. */
export function assertValidKey(key: string): void {
  const problem = typeof key === 'string' ? pathProblem(key) : 'is not a string';
  if (problem)
    throw new ValidationError(`invalid storage key ${JSON.stringify(key)}: it ${problem}`, {
      details: { key },
    });
}

/** Characters no key may hold anywhere: control characters, backslashes, unpaired surrogates. */
function forbiddenCharacterProblem(text: string): string | undefined {
  if (FORBIDDEN_CHARACTERS.test(text)) return 'contains a control character';
  if (text.includes('\\')) return 'contains a backslash';
  if (!text.isWellFormed()) return 'contains an unpaired UTF-16 surrogate';
  return undefined;
}

/**
 * Throws `ValidationError` unless `prefix` is usable for listing: `''`, or a string that some valid key
 * starts with (`'logs/app'` matches `logs/app.log`, `'a/.'` matches `a/.env`, `'a/'` matches `a/x`).
 */
export function assertValidPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string');
  if (prefix === '') return;
  const problem = pathProblem(`${prefix}x`);
  if (problem) {
    throw new ValidationError(
      `invalid list prefix ${JSON.stringify(prefix)}: no valid key starts with it (it ${problem})`,
      {
        details: { prefix },
      },
    );
  }
}
