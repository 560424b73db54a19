import { DataType } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BINARY_PROBE_BYTES, isBinary } from '../src/content-rule.js';
import { SearchIndex, scanSearch } from '../src/index.js';
import type { SearchOptions } from '../src/types.js';
import { MapBackend } from './support/map-backend.js';
import { TestHost } from './support/search-host.js';

describe('the binary rule', () => {
  it('is a NUL byte among the first 8 KiB, nothing else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * BINARY_PROBE_BYTES }),
        fc.option(fc.nat(), { nil: undefined }),
        (size, nulAt) => {
          const bytes = new Uint8Array(size).fill(0xe9); // Latin-1 'é': not UTF-8, still text
          const at = nulAt === undefined || size === 0 ? undefined : nulAt % size;
          if (at !== undefined) bytes[at] = 0;
          expect(isBinary(bytes)).toBe(at !== undefined && at < BINARY_PROBE_BYTES);
        },
      ),
    );
  });

  it('is applied alike by the index and the scan (property)', async () => {
    const piece = fc.oneof(
      fc.constantFrom('zebra ', 'Quokka\n', 'café ', 'select * from t;\n', '\u0000', '\u00ff\u00fe'),
      fc.string({ maxLength: 8 }),
    );
    const documents = fc.array(
      fc.record({
        parts: fc.array(piece, { maxLength: 12 }),
        // Pushes the pieces past the probe, or a content past the limit.
        padding: fc.constantFrom(0, BINARY_PROBE_BYTES, 2 * 1024),
        name: fc.constantFrom('a.txt', 'zebra.bin', 'b.log', 'quokka.cfg'),
      }),
      { minLength: 1, maxLength: 8 },
    );
    const queries = fc.constantFrom<[string, SearchOptions]>(
      ['zebra', {}],
      ['quokka', { caseSensitive: true }],
      ['select', { mode: 'words' }],
      ['z.b', { mode: 'regex' }],
      ['\u0000', {}],
    );
    await fc.assert(
      fc.asyncProperty(documents, queries, async (docs, [query, options]) => {
        const host = new TestHost(new MapBackend(), 2 * 1024 + 200);
        for (const [i, doc] of docs.entries()) {
          const text = doc.parts.join('');
          const content = doc.padding === 0 ? text : 'x'.repeat(doc.padding) + text;
          await host.put({ name: `${i}-${doc.name}`, dataType: DataType.OTHER, content });
        }
        const index = await SearchIndex.open(host);
        const all = { limit: 1000, ...options };
        expect(await index.search(query, all)).toEqual(await scanSearch(host, query, all));
        await index.close();
        const reopened = await SearchIndex.open(host);
        expect(await reopened.search(query, all)).toEqual(await scanSearch(host, query, all));
        await reopened.close();
      }),
      { numRuns: 60 },
    );
  });
});
