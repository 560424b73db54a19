import { DataType } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import { MapBackend } from './support/map-backend.js';

/** Words only contents hold (names are `doc-<n>.txt`), so that a query matches contents alone. */
const WORDS = Array.from({ length: 40 }, (_, k) => `kw${k}x`);

const textArb = fc
  .array(fc.nat({ max: WORDS.length - 1 }), { minLength: 1, maxLength: 30 })
  .map((picks) => picks.map((pick) => WORDS[pick] as string).join(' '));

const operationArb = fc.oneof(
  fc.record({ op: fc.constant('store' as const), text: textArb }),
  fc.record({ op: fc.constant('bulk' as const), texts: fc.array(textArb, { minLength: 20, maxLength: 90 }) }),
  fc.record({ op: fc.constant('update' as const), target: fc.nat(), text: textArb }),
  fc.record({ op: fc.constant('delete' as const), target: fc.nat() }),
  fc.record({ op: fc.constant('search' as const), word: fc.nat({ max: WORDS.length - 1 }), cut: fc.nat(2) }),
);

describe('search between writes', () => {
  it('answers like a scan of the current contents however stores, updates, deletes and searches interleave (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operationArb, { minLength: 1, maxLength: 40 }), async (operations) => {
        const lake = await DataLake.open(new MapBackend(), { onNotice: () => {} });
        const contents = new Map<string, string>();
        let serial = 0;
        const store = async (text: string) => {
          const entry = await lake.store({
            name: `doc-${serial++}.txt`,
            content: text,
            dataType: DataType.DOCUMENTATION,
            subpath: `live/${serial % 7}`,
          });
          contents.set(entry.id, text);
        };
        const expectScanResult = async (query: string) => {
          const result = await lake.search(query, { limit: 1000 });
          const found = result.hits.map((hit) => hit.entry.id).sort();
          const scanned = [...contents]
            .filter(([, text]) => text.toLowerCase().includes(query.toLowerCase()))
            .map(([id]) => id)
            .sort();
          expect(found).toEqual(scanned);
        };
        try {
          for (const operation of operations) {
            const ids = [...contents.keys()];
            switch (operation.op) {
              case 'store':
                await store(operation.text);
                break;
              case 'bulk':
                for (const text of operation.texts) await store(text);
                break;
              case 'update': {
                const id = ids[operation.target % Math.max(1, ids.length)];
                if (id === undefined) break;
                await lake.update(id, { content: operation.text });
                contents.set(id, operation.text);
                break;
              }
              case 'delete': {
                const id = ids[operation.target % Math.max(1, ids.length)];
                if (id === undefined) break;
                await lake.delete(id);
                contents.delete(id);
                break;
              }
              case 'search': {
                const word = WORDS[operation.word] as string;
                await expectScanResult(word.slice(0, word.length - operation.cut));
                break;
              }
            }
          }
          for (const word of WORDS.slice(0, 8)) await expectScanResult(word);
        } finally {
          await lake.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 300_000);
});
