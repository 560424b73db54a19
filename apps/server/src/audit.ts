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

/** Audit objects written at once at most: a record never waits for a whole write ahead of it. */
const MAX_WRITES_IN_FLIGHT = 4;

/**
 * The audit log, kept in the lake under `.audit/<yyyy-mm-dd>/` so it works on every backend and
 * survives restarts. Records are written by group commit: each `record` call resolves once its
 * record is stored. Records that arrive in one turn of the event loop go together in one object
 * (`<time>-<instance>-<seq>.jsonl`, one JSON record per line), and up to a few such objects are
 * written at once, so a busy server writes one object per batch, and a request's answer waits
 * for about one small write rather than for the batch ahead of it too.
 */
export class AuditLog {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
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
      this.schedule();
    });
  }

  /** Waits until every record given so far is written. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0 || this.waiting.length > 0 || this.scheduled)
      await Promise.race([...this.inFlight, new Promise((resolve) => setImmediate(resolve))]);
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

  /** Starts a write at the end of this turn of the event loop, when fewer than the maximum are under way. */
  private schedule(): void {
    if (this.scheduled || this.inFlight.size >= MAX_WRITES_IN_FLIGHT) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startWrite();
    });
  }

  private startWrite(): void {
    if (this.waiting.length === 0 || this.inFlight.size >= MAX_WRITES_IN_FLIGHT) return;
    const batch = this.waiting;
    this.waiting = [];
    const write = this.backend
      .put(this.nextKey(), encoder.encode(batch.map((item) => `${JSON.stringify(item.record)}\n`).join('')), {
        mode: PutMode.create,
      })
      .then(
        () => {},
        (error: unknown) => this.onError(error),
      )
      .finally(() => {
        this.inFlight.delete(write);
        for (const item of batch) item.done();
        if (this.waiting.length > 0) this.schedule();
      });
    this.inFlight.add(write);
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
