import { createHash, randomBytes } from 'node:crypto';
import type { StorageBackend } from '@datalake/model';
import { ConflictError, DataLakeError, pathProblem } from '@datalake/model';
import { QUARANTINE_PREFIX } from './paths.js';
import { encodeJson } from './record.js';

/** What is written next to each quarantined object, at `.quarantine/<run>/.reasons/<sha256 of key>.json`. */
export interface QuarantineNote {
  format: 1;
  /** Where the object was. Moving it back there restores it. */
  key: string;
  /** Where it is now. */
  movedTo: string;
  /** The problem kind (see `FsckProblemKind`) and what was wrong. */
  kind: string;
  reason: string;
  at: string;
}

/**
 * One run's quarantine folder, `.quarantine/<run>/`: objects are moved there by key (`<run>/<original
 * key>`), each with a note saying where it came from and why. Nothing is ever deleted: an object is
 * copied first, and the original removed only if it is still the version that was judged.
 */
export class Quarantine {
  readonly prefix: string;

  constructor(
    private readonly backend: StorageBackend,
    run = runName(),
  ) {
    this.prefix = `${QUARANTINE_PREFIX}${run}/`;
  }

  /**
   * Moves the object at `key` into the quarantine; returns where it went, or `undefined` if it was
   * already gone. `etag`: the version that was judged; a newer one is put back and `ConflictError` thrown.
   */
  async move(key: string, etag: string, note: { kind: string; reason: string }): Promise<string | undefined> {
    const object = await this.backend.get(key);
    if (!object) return undefined;
    const target = this.targetOf(key);
    // Copied whatever the version (a body must be read to be released), then judged by its etag.
    await this.backend.put(target, object.body, { contentLength: object.size });
    const changed = () =>
      new ConflictError(`${JSON.stringify(key)} changed while it was checked; check again`, {
        details: { key },
      });
    if (object.etag !== etag) {
      await this.undo(target);
      throw changed();
    }
    const noteKey = `${this.prefix}.reasons/${sha256(key)}.json`;
    const body: QuarantineNote = {
      format: 1,
      key,
      movedTo: target,
      kind: note.kind,
      reason: note.reason,
      at: new Date().toISOString(),
    };
    await this.backend.put(noteKey, encodeJson(body));
    try {
      await this.backend.delete(key, { ifMatch: object.etag });
    } catch (error) {
      await this.undo(target, noteKey);
      if (error instanceof DataLakeError && error.code === 'PRECONDITION_FAILED') throw changed();
      throw error;
    }
    return target;
  }

  /** `.quarantine/<run>/<key>`, or a hashed name when that would be longer than a key may be. */
  private targetOf(key: string): string {
    const target = `${this.prefix}${key}`;
    return pathProblem(target) === undefined ? target : `${this.prefix}.long-keys/${sha256(key)}`;
  }

  private async undo(...keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.backend.delete(key);
      } catch (error) {
        if (!(error instanceof DataLakeError)) throw error;
      }
    }
  }
}

/** A run's folder name: UTC time to the millisecond, then random hex (runs started together stay apart). */
function runName(now = new Date()): string {
  const time = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${time}-${randomBytes(3).toString('hex')}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
