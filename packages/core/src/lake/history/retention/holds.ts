import type { StorageBackend } from '@datalake/model';
import {
  CorruptDataError,
  collectBody,
  PreconditionFailedError,
  PutMode,
  RETENTION_HOLDS_PREFIX,
  RetentionError,
  ValidationError,
} from '@datalake/model';
import { listAll } from '../../loader.js';
import { isPlausibleId } from '../../paths.js';
import { encodeJson } from '../../record.js';
import { RETRY_AFTER_PAUSE, retryWrite } from '../../write-protocol/retry.js';
import { normaliseNote, parseMoment } from '../inputs.js';
import type { EntryHolds, LegalHoldInput, RetainUntilInput, RetentionMode } from './types.js';

export const HOLDS_PREFIX = RETENTION_HOLDS_PREFIX;

function holdsKey(id: string): string {
  return `${HOLDS_PREFIX}${id}.json`;
}

/** The holds on entry `id` (none: an empty set), with the etag to change them by. */
export async function readHolds(
  backend: StorageBackend,
  id: string,
): Promise<{ holds: EntryHolds; etag?: string }> {
  const key = holdsKey(id);
  const object = await backend.get(key);
  if (!object) return { holds: { id, overrides: [] } };
  try {
    const holds = JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8')) as EntryHolds;
    if (holds.id !== id || !Array.isArray(holds.overrides)) throw new Error('not the holds of this entry');
    return { holds, etag: object.etag };
  } catch (cause) {
    // Damaged holds must not let a delete or purge through: they refuse until repaired.
    throw new CorruptDataError(`the holds of entry ${id} at ${key} are damaged`, {
      cause,
      details: { id, key },
    });
  }
}

/** Every entry's holds (those with none are not listed). */
export async function readAllHolds(backend: StorageBackend): Promise<Map<string, EntryHolds>> {
  const out = new Map<string, EntryHolds>();
  for (const key of (await listAll(backend, HOLDS_PREFIX)).keys()) {
    const id = key.slice(HOLDS_PREFIX.length, -'.json'.length);
    if (isPlausibleId(id)) out.set(id, (await readHolds(backend, id)).holds);
  }
  return out;
}

/** The hold that forbids deleting or purging the entry at `now`, as the error to throw. */
export function holdRefusal(holds: EntryHolds, now: number, what: string): RetentionError | undefined {
  if (holds.legalHold)
    return new RetentionError(
      `${what} is refused: entry ${holds.id} is under legal hold (${holds.legalHold.reason})`,
      {
        details: { id: holds.id, hold: 'legal', reason: holds.legalHold.reason },
      },
    );
  if (holds.retainUntil && Date.parse(holds.retainUntil.until) > now)
    return new RetentionError(
      `${what} is refused: entry ${holds.id} is retained until ${holds.retainUntil.until} (${holds.retainUntil.mode})`,
      { details: { id: holds.id, hold: holds.retainUntil.mode, until: holds.retainUntil.until } },
    );
  return undefined;
}

export async function setLegalHold(
  backend: StorageBackend,
  id: string,
  input: LegalHoldInput,
): Promise<EntryHolds> {
  if (!input || typeof input.reason !== 'string' || input.reason.trim() === '')
    throw new ValidationError('a legal hold needs a reason');
  const note = normaliseNote({ author: input.author });
  return changeHolds(backend, id, (holds) => ({
    ...holds,
    legalHold: { reason: input.reason, since: new Date().toISOString(), ...note },
  }));
}

export async function releaseLegalHold(backend: StorageBackend, id: string): Promise<EntryHolds> {
  return changeHolds(backend, id, ({ legalHold: _released, ...holds }) => holds);
}

/**
 * Sets, extends, shortens or removes a retain-until date. Extending is always allowed. A
 * compliance date can never be shortened; a governance one only with `override`, which is recorded.
 */
export async function setRetainUntil(
  backend: StorageBackend,
  id: string,
  input: RetainUntilInput,
): Promise<EntryHolds> {
  if (!input || typeof input !== 'object') throw new ValidationError('retainUntil needs an object argument');
  const until = input.until === null ? null : new Date(parseMoment(input.until, 'until')).toISOString();
  const mode: RetentionMode = input.mode ?? 'governance';
  if (mode !== 'governance' && mode !== 'compliance')
    throw new ValidationError(`mode must be governance or compliance; got ${JSON.stringify(input.mode)}`);
  const note = normaliseNote(input);
  return changeHolds(backend, id, (holds) => {
    const now = Date.now();
    const current = holds.retainUntil;
    const active = current && Date.parse(current.until) > now;
    const shorter = active && (until === null || Date.parse(until) < Date.parse(current.until));
    const weaker = active && current.mode === 'compliance' && mode === 'governance';
    const next: EntryHolds = { ...holds, overrides: [...holds.overrides] };
    if (active && (shorter || weaker)) {
      if (current.mode === 'compliance')
        throw new RetentionError(
          `entry ${id} is retained until ${current.until} in compliance mode: nobody can shorten that`,
          {
            details: { id, hold: 'compliance', until: current.until },
          },
        );
      if (!input.override)
        throw new RetentionError(
          `entry ${id} is retained until ${current.until} in governance mode: shortening it needs an explicit override`,
          { details: { id, hold: 'governance', until: current.until } },
        );
      next.overrides.push({ at: new Date(now).toISOString(), from: current.until, to: until, ...note });
    }
    if (until === null) delete next.retainUntil;
    else
      next.retainUntil = {
        until,
        mode,
        since: new Date(now).toISOString(),
        ...(note.author ? { author: note.author } : {}),
      };
    return next;
  });
}

async function changeHolds(
  backend: StorageBackend,
  id: string,
  change: (holds: EntryHolds) => EntryHolds,
): Promise<EntryHolds> {
  if (!isPlausibleId(id)) throw new ValidationError(`"${String(id)}" is not an entry id`);
  return retryWrite(id, async () => {
    const { holds, etag } = await readHolds(backend, id);
    const next = change(holds);
    try {
      await backend.put(holdsKey(id), encodeJson(next), {
        mode: etag ? PutMode.replace(etag) : PutMode.create,
      });
      return next;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return RETRY_AFTER_PAUSE;
      throw error;
    }
  });
}

/** Throws the `RetentionError` of the hold that forbids `what` on entry `id` now, if one does. */
export async function assertNoHold(backend: StorageBackend, id: string, what: string): Promise<void> {
  const refusal = holdRefusal((await readHolds(backend, id)).holds, Date.now(), what);
  if (refusal) throw refusal;
}
