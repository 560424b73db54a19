import { randomBytes } from 'node:crypto';
import { AUDIT_PREFIX, collectBody, PutMode, type StorageBackend, ValidationError } from '@datalake/core';

/** One audited action: every write, delete and admin action, whether it succeeded or not. */
export interface AuditRecord {
  /** ISO-8601 time the action finished. */
  time: string;
  /** The token that asked (`null`: anonymous or the lake's own command line). */
  tokenId: string | null;
  /** `store`, `update`, `delete`, `token.create`, `token.revoke`, `reindex`. */
  action: string;
  /** The entry acted on, as far as it is known. */
  entry?: { id?: string; filePath?: string };
  /** The token acted on (token actions). */
  target?: string;
  /** `ok`, or the error code the request got. */
  outcome: string;
  /** The HTTP status answered. */
  status: number;
  requestId?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  cursor?: string;
}

interface Waiting {
  record: AuditRecord;
  done: () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The audit log, kept in the lake under `.audit/<yyyy-mm-dd>/` so it works on every backend and
 * survives restarts. Records are written by group commit: each `record` call resolves once its
 * record is stored, and records that arrive while a write is under way go together in the next
 * object (`<time>-<instance>-<seq>.jsonl`, one JSON record per line). A busy server writes one
 * object per batch instead of one per request; an idle one writes at once.
 */
export class AuditLog {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | undefined;
  private sequence = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    private readonly backend: StorageBackend,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Stores the record; resolves when it is written (a failed write is reported to `onError`, not thrown). */
  record(record: AuditRecord): Promise<void> {
    return new Promise((done) => {
      this.waiting.push({ record, done });
      this.writing ??= this.drain();
    });
  }

  /** Waits until every record given so far is written. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The records of one UTC day, oldest first, `limit` (about) at a time. */
  async read(day: string, options: { limit?: number; cursor?: string } = {}): Promise<AuditPage> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day)))
      throw new ValidationError(`day must be a date as YYYY-MM-DD, got ${JSON.stringify(day)}`);
    const limit = options.limit ?? 100;
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const keys = (await this.keysOf(`${AUDIT_PREFIX}${day}/`)).filter(
      (key) => after === undefined || key > after,
    );
    const records: AuditRecord[] = [];
    let last: string | undefined;
    for (const key of keys) {
      if (records.length >= limit) return { records, cursor: encodeCursor(last as string) };
      const object = await this.backend.get(key);
      if (object) records.push(...parseLines(decoder.decode(await collectBody(object.body))));
      last = key;
    }
    return { records };
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.backend.put(
          this.nextKey(),
          encoder.encode(batch.map((item) => `${JSON.stringify(item.record)}\n`).join('')),
          { mode: PutMode.create },
        );
      } catch (error) {
        this.onError(error);
      }
      for (const item of batch) item.done();
    }
    this.writing = undefined;
  }

  private nextKey(): string {
    const now = new Date().toISOString(); // 2026-12-02T19:02:12.345Z
    const day = now.slice(0, 10);
    const time = now.slice(11, 23).replace(/[:.]/g, '');
    const sequence = String(this.sequence++).padStart(8, '0');
    return `${AUDIT_PREFIX}${day}/${time}-${this.instance}-${sequence}.jsonl`;
  }

  private async keysOf(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.backend.list(prefix, cursor ? { cursor } : {});
      for (const object of page.objects) keys.push(object.key);
      cursor = page.cursor;
    } while (cursor);
    return keys;
  }
}

function parseLines(text: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      // A torn object (a crash mid-write on a backend without atomic puts) loses only its bad line.
    }
  }
  return records;
}

const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key.startsWith(AUDIT_PREFIX)) throw new ValidationError('invalid audit cursor');
  return key;
}
