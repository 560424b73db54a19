import { createHash } from 'node:crypto';
import type { DataType, Entry, Metadata, StorageBackend } from '@datalake/model';
import { CorruptDataError, compareByPath } from '@datalake/model';
import type { SearchHost } from '../../src/index.js';

export interface TestDocument {
  name: string;
  dataType: DataType;
  subpath?: string;
  content: string | Uint8Array;
  metadata?: Metadata;
  createdAt?: string;
  updatedAt?: string | null;
}

let nextId = 0;

/** A tiny catalog over a backend, playing the lake's part for search tests. */
export class TestHost implements SearchHost {
  readonly catalog = new Map<string, Entry>();
  readonly notices: string[] = [];
  reads = 0;
  /** Calls of `getEntry`, to tell how much a step looked at. */
  lookups = 0;
  private ordered: Entry[] | undefined;
  private version = 0;

  /** `maxIndexedBytes`: as the lake's option (undefined: the default). */
  constructor(
    readonly backend: StorageBackend,
    readonly maxIndexedBytes?: number,
  ) {}

  entries(): Iterable<Entry> {
    return this.catalog.values();
  }

  /** Like the lake's: one shared array until the catalog changes (through `put` or `drop`). */
  entriesInPathOrder(): readonly Entry[] {
    this.ordered ??= [...this.catalog.values()].sort(compareByPath);
    return this.ordered;
  }

  getEntry(id: string): Entry | undefined {
    this.lookups++;
    return this.catalog.get(id);
  }

  /** Like the lake's: changes with every `put` and `drop`. */
  catalogVersion(): number {
    return this.version;
  }

  async readBytes(entry: Entry): Promise<Uint8Array> {
    this.reads++;
    const result = await this.backend.get(entry.filePath);
    if (!result) throw new CorruptDataError(`content of entry ${entry.id} at "${entry.filePath}" is missing`);
    const chunks: Uint8Array[] = [];
    for await (const chunk of result.body) chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  }

  notice(message: string): void {
    this.notices.push(message);
  }

  /** Stores (or replaces, when `id` is given) a document; returns its entry and bytes. */
  async put(doc: TestDocument, id = `id-${nextId++}`): Promise<{ entry: Entry; bytes: Uint8Array }> {
    const bytes = typeof doc.content === 'string' ? new TextEncoder().encode(doc.content) : doc.content;
    const subpath = doc.subpath ?? '';
    const filePath = [doc.dataType, subpath, doc.name].filter((part) => part !== '').join('/');
    const previous = this.catalog.get(id);
    if (previous && previous.filePath !== filePath) await this.backend.delete(previous.filePath);
    await this.backend.put(filePath, bytes);
    const entry: Entry = {
      id,
      name: doc.name,
      dataType: doc.dataType,
      metadata: doc.metadata ?? {},
      createdAt: doc.createdAt ?? previous?.createdAt ?? '2024-01-01T00:00:00.000Z',
      updatedAt: doc.updatedAt ?? (previous ? new Date().toISOString() : null),
      filePath,
      subpath,
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    this.catalog.set(id, entry);
    this.ordered = undefined;
    this.version++;
    return { entry, bytes };
  }

  async drop(id: string): Promise<void> {
    const entry = this.catalog.get(id);
    if (!entry) return;
    this.catalog.delete(id);
    this.ordered = undefined;
    this.version++;
    await this.backend.delete(entry.filePath);
  }
}
