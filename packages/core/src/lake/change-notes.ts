import { randomBytes } from 'node:crypto';
import { CHANGES_PREFIX, isPlausibleId, isReservedKey } from './paths.js';

export { CHANGES_PREFIX };

/*
 * The change journal: every committed store, update and delete leaves a small note under
 * `.changes/` naming the entries it changed, so other instances over the same storage catch up by
 * reading the notes written since they last looked instead of listing every record.
 */
/** Milliseconds since the epoch, zero-padded so that key order is time order (good until year 5138). */
const STAMP_DIGITS = 14;
const NOTE_KEY = /^\.changes\/(\d{14})-([0-9a-f]{8})-([0-9a-f]{8})\.json$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface NoteName {
  key: string;
  /** The writer's clock when it wrote the note. */
  stamp: number;
  /** The writing instance's tag (a reader skips its own notes). */
  writer: string;
}

/** A short tag for an instance, used in the names of the notes it writes. */
export function writerOfInstance(instance: string): string {
  return instance
    .replace(/[^0-9a-f]/g, '')
    .slice(0, 8)
    .padEnd(8, '0');
}

/** The key of a new note: `.changes/<stamp>-<writer>-<random>.json`. */
export function noteKey(stamp: number, writer: string): string {
  return `${stampKey(stamp)}-${writer}-${randomBytes(4).toString('hex')}.json`;
}

/** A key that sorts just before every note written at `stamp` or later. */
export function stampKey(stamp: number): string {
  return `${CHANGES_PREFIX}${String(Math.max(0, Math.floor(stamp))).padStart(STAMP_DIGITS, '0')}`;
}

/** The parts of a note key, or undefined for any other key (which the journal ignores). */
export function parseNoteKey(key: string): NoteName | undefined {
  const match = NOTE_KEY.exec(key);
  if (!match) return undefined;
  return { key, stamp: Number(match[1]), writer: match[2] as string };
}

interface NoteBody {
  format: 1;
  ids: string[];
  /**
   * Bookkeeping objects that changed (keys under a reserved prefix, such as access tokens), for
   * whoever follows them (`DataLake.followKeys`). Absent when none; readers that predate it ignore it.
   */
  keys?: string[];
}

/** What one note names. */
export interface NoteContent {
  ids: string[];
  keys: string[];
}

export function encodeNote(ids: readonly string[], keys: readonly string[] = []): Uint8Array {
  const body: NoteBody = { format: 1, ids: [...ids], ...(keys.length > 0 ? { keys: [...keys] } : {}) };
  return encoder.encode(JSON.stringify(body));
}

/** The entry ids a note names, or undefined when it is not a note this lake could have written. */
export function decodeNote(bytes: Uint8Array): string[] | undefined {
  return decodeNoteContent(bytes)?.ids;
}

/** The entry ids and bookkeeping keys a note names, or undefined when it is not a note this lake could have written. */
export function decodeNoteContent(bytes: Uint8Array): NoteContent | undefined {
  try {
    const body = JSON.parse(decoder.decode(bytes)) as Partial<NoteBody> | null;
    if (body?.format !== 1 || !Array.isArray(body.ids) || !body.ids.every(isPlausibleId)) return undefined;
    const keys = body.keys ?? [];
    if (!Array.isArray(keys) || !keys.every(isNotableKey)) return undefined;
    return { ids: body.ids, keys };
  } catch {
    return undefined;
  }
}

/** A key a note may name: an object of the lake's own bookkeeping, never an entry's content. */
export function isNotableKey(key: unknown): key is string {
  return (
    typeof key === 'string' && key.length <= 1024 && isReservedKey(key) && !key.startsWith(CHANGES_PREFIX)
  );
}
