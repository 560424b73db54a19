import type { Entry } from '../model/entry.js';
import type { SearchHost } from './host.js';
import { scanSearch } from './scan.js';
import type { IndexCheckReport, IndexReport, SearchIndexOptions, SearchOptions, SearchResult } from './types.js';

export class SearchIndex {
  private constructor(private readonly host: SearchHost) {}
  static async open(host: SearchHost, _options: SearchIndexOptions = {}): Promise<SearchIndex> {
    return new SearchIndex(host);
  }
  async upsert(_entry: Entry, _content: Uint8Array | null): Promise<void> {}
  async remove(_id: string): Promise<void> {}
  async sync(): Promise<void> {}
  search(query: string, options?: SearchOptions): Promise<SearchResult> {
    return scanSearch(this.host, query, options);
  }
  async flush(): Promise<void> {}
  async rebuild(): Promise<IndexReport> {
    return { documents: 0, indexedBytes: 0, segments: 0, indexBytes: 0, durationMs: 0 };
  }
  async check(): Promise<IndexCheckReport> {
    const entries = [...this.host.entries()];
    return { ok: true, entries: entries.length, covered: 0, uncovered: [], segments: 0, corruptSegments: [], indexBytes: 0 };
  }
  async close(): Promise<void> {}
}
