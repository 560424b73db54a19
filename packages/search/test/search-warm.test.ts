import type { GetOptions } from '@datalake/model';
import { describe, expect, it, vi } from 'vitest';
import { SEGMENT_PREFIX, SearchIndex, scanSearch } from '../src/index.js';
import { PersistedSegment } from '../src/segment-format.js';
import { MapBackend } from './support/map-backend.js';
import { TestHost } from './support/search-host.js';

/** A backend that counts range reads of index segments (posting lists). */
class CountingBackend extends MapBackend {
  segmentReads = 0;

  override async get(key: string, options: GetOptions = {}) {
    if (key.startsWith(SEGMENT_PREFIX) && options.range) this.segmentReads++;
    return super.get(key, options);
  }
}

describe('segments just written', () => {
  it('have the lists of recent queries ready: the next search reads none, and answers like a scan', async () => {
    const backend = new CountingBackend();
    const host = new TestHost(backend);
    // Every search looks words up too (see wordFilterMinCandidates): their lists are warmed as well.
    const index = await SearchIndex.open(host, {
      flushBytes: 4096,
      maxSegments: 2,
      wordFilterMinCandidates: 0,
    });
    const queries = ['marker m7q', 'quartz', 'entry 3'];
    let next = 0;
    const addBatch = async () => {
      for (let i = 0; i < 12; i++, next++) {
        const content = `marker m${next % 10}q entry ${next}\n${'quartz ledger '.repeat(20 + (next % 7))}\n`;
        const { entry, bytes } = await host.put({ name: `${next}.txt`, dataType: 'other', content });
        await index.upsert(entry, bytes);
      }
    };
    await addBatch();
    for (let round = 0; round < 6; round++) {
      for (const query of queries) await index.search(query);
      await addBatch(); // flushes (and, every other time, merges) segments
      await index.flush();
      backend.segmentReads = 0;
      for (const query of queries) {
        const indexed = await index.search(query, { limit: 1000 });
        expect(indexed).toEqual(await scanSearch(host, query, { limit: 1000 }));
      }
      expect(backend.segmentReads).toBe(0);
    }
  });
});

describe('candidate lists of recent queries', () => {
  it('are ready in segments just written: the next search looks up no trigram in them, and answers like a scan', async () => {
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { flushBytes: 4096, maxSegments: 2 });
    const queries = ['m3q', 'entry 1', 'quartz ledger'];
    const weights = vi.spyOn(PersistedSegment.prototype, 'trigramWeight');
    let next = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 12; i++, next++) {
        const content = `marker m${next % 10}q entry ${next}\n${'quartz ledger '.repeat(20 + (next % 7))}\n`;
        const { entry, bytes } = await host.put({ name: `${next}.txt`, dataType: 'other', content });
        await index.upsert(entry, bytes);
      }
      await index.flush(); // writes a segment and, every other time, merges
      weights.mockClear();
      for (const query of queries) {
        const indexed = await index.search(query, { limit: 1000 });
        expect(indexed).toEqual(await scanSearch(host, query, { limit: 1000 }));
      }
      // The first round's queries were new; from then on every segment was written after them.
      if (round > 0) expect(weights).not.toHaveBeenCalled();
    }
    weights.mockRestore();
  });
});
