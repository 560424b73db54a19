import type { PutResult } from '@datalake/core';
import { stampOf, type WriteClock } from '../etag.js';
import type { TempFile } from '../temp-file.js';
import type { WriteAheadJournal } from './journal.js';

export interface LoggedCreate {
  journal: WriteAheadJournal;
  key: string;
  body: Uint8Array;
  /** The write's modification time (ns), drawn from the write clock. */
  stampNs: bigint;
  /** Waits for an appended record to be durable (failing too when an earlier deferred record was lost). */
  durably(appended: Promise<void>): Promise<void>;
  /** Writes the body to a new temp file stamped by `clock`. */
  writeTemp(clock: WriteClock): Promise<TempFile>;
  /** Links the temp file into place, failing when the key exists. */
  place(temp: TempFile): Promise<void>;
  /** Removes a temp file that was not placed. */
  discard(temp: TempFile): Promise<void>;
}

/**
 * A conditional create made durable by the journal, its object file written while the journal is
 * flushed: the record carries the body, so the file only has to exist before it is linked into
 * place, and that still waits for the record to be durable (an OS crash never leaves a torn object
 * behind a durable record of it). A record whose write then fails is cancelled, so recovery never
 * replays it. `undefined` when the file system kept another modification time than the one drawn
 * (the record is cancelled, nothing is placed, and the caller writes the usual way).
 */
export async function createWhileLogging(create: LoggedCreate): Promise<PutResult | undefined> {
  const { journal, key, stampNs } = create;
  const stamp = (stampNs / 1000n).toString();
  const cancel = () => journal.append({ op: 'cancel', key, stamp });
  const release = journal.hold();
  try {
    const logged = create.durably(journal.append({ op: 'put', key, stamp, body: create.body, create: true }));
    // Handled here as well: it may fail while the temp file is still being written.
    logged.catch(() => undefined);
    let temp: TempFile;
    try {
      temp = await create.writeTemp({ next: () => stampNs } as WriteClock);
    } catch (error) {
      await logged.catch(() => undefined);
      await create.durably(cancel()).catch(() => undefined);
      throw error;
    }
    try {
      await logged;
      if (stampOf(temp.stat.etag) !== stamp) {
        await create.discard(temp);
        await create.durably(cancel());
        return undefined;
      }
      await create.place(temp).catch((error: unknown) => {
        // Logged but not done: recovery must not replay it.
        cancel().catch(() => undefined);
        throw error;
      });
    } catch (error) {
      await create.discard(temp);
      throw error;
    }
    return { etag: temp.stat.etag, size: temp.stat.size };
  } finally {
    release();
  }
}
