import type { StorageBackend } from '@datalake/model';
import { PutMode } from '@datalake/model';
import { encodeNote, noteKey } from './change-notes.js';

/**
 * Appends notes to the change journal by group commit: ids noted while a note is being written
 * share the next one, so many concurrent writes cost few extra objects. `note` resolves once a note
 * naming the id is stored. A note that cannot be written does not undo the change it names (that
 * change is committed already): the failure is reported, and other instances pick the change up at
 * their next full refresh.
 */
export class ChangeWriter {
  private waiting: string[] = [];
  private waitingKeys: string[] = [];
  /** The batch that takes ids now (it starts when the write in flight ends). */
  private next: Promise<void> | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly backend: StorageBackend,
    private readonly writer: string,
    private readonly onFailure: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  note(id: string): Promise<void> {
    this.waiting.push(id);
    return this.batch();
  }

  /** Notes a changed bookkeeping object (a key under a reserved prefix); resolves once stored. */
  noteKey(key: string): Promise<void> {
    this.waitingKeys.push(key);
    return this.batch();
  }

  private batch(): Promise<void> {
    if (!this.next) {
      const write = () => this.writeWaiting();
      this.next = this.writing ? this.writing.then(write, write) : Promise.resolve().then(write);
    }
    return this.next;
  }

  /** Waits for the notes in flight. */
  async flush(): Promise<void> {
    while (this.next || this.writing) await Promise.allSettled([this.next, this.writing]);
  }

  private async writeWaiting(): Promise<void> {
    this.next = undefined;
    const ids = [...new Set(this.waiting)];
    const keys = [...new Set(this.waitingKeys)];
    this.waiting = [];
    this.waitingKeys = [];
    const write = this.backend
      // A note of entries is a hint: it needs no flush of its own, and becomes durable with the next
      // write that does. A note naming bookkeeping keys (a revoked token) is flushed: other instances
      // must not miss it for the minutes until their next full reload.
      .put(noteKey(this.now(), this.writer), encodeNote(ids, keys), {
        mode: PutMode.create,
        deferDurability: keys.length === 0,
      })
      .then(
        () => {},
        (error: unknown) => this.onFailure(error),
      );
    this.writing = write;
    await write;
    if (this.writing === write) this.writing = undefined;
  }
}
