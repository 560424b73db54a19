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
    this.waiting = [];
    const write = this.backend
      .put(noteKey(this.now(), this.writer), encodeNote(ids), { mode: PutMode.create })
      .then(
        () => {},
        (error: unknown) => this.onFailure(error),
      );
    this.writing = write;
    await write;
    if (this.writing === write) this.writing = undefined;
  }
}
