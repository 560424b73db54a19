import type { Entry } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextFolder } from '../src/document.js';
import { SegmentBuilder } from '../src/segment-builder.js';
import { PersistedSegment } from '../src/segment-format.js';
import { mergeSegments } from '../src/segment-merge.js';
import { TrigramCollector } from '../src/trigrams.js';
import { MapBackend } from './support/map-backend.js';

const collector = new TrigramCollector();
const folder = new TextFolder();

interface Indexed {
  entry: Entry;
  content: Uint8Array;
}

function indexed(id: number, content: string): Indexed {
  const entry = {
    id: `doc-${id}`,
    sha256: id.toString(16).padStart(64, '0'),
    name: `n${id}.txt`,
    metadata: {},
  } as unknown as Entry;
  return { entry, content: new TextEncoder().encode(content) };
}

function builderOf(docs: Indexed[]): SegmentBuilder {
  const builder = new SegmentBuilder();
  for (const { entry, content } of docs) builder.add(entry, folder.fold(entry, content), collector);
  return builder;
}

const textArb = fc.string({
  unit: fc.constantFrom('a', 'b', 'c', 'é', ' ', '\n', '_', '😀', 'x'),
  maxLength: 40,
});

describe('mergeSegments', () => {
  it('writes byte for byte the segment a builder writes for the documents kept', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(textArb, fc.boolean()), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        async (groups) => {
          const backend = new MapBackend();
          let id = 0;
          const kept: Indexed[] = [];
          const inputs = [];
          for (const [g, group] of groups.entries()) {
            const docs = group.map(([text]) => indexed(id++, text));
            const key = `.index/segments/test-${g}.seg`;
            await backend.put(key, builderOf(docs).encode());
            const segment = await PersistedSegment.open(backend, key);
            const renumber = new Int32Array(docs.length).fill(-1);
            group.forEach(([, keep], i) => {
              if (!keep) return;
              renumber[i] = kept.length;
              kept.push(docs[i] as Indexed);
            });
            inputs.push({ raw: await segment.readRaw(), renumber });
          }
          const merged = mergeSegments(builderOf(kept).docs, inputs);
          expect(Buffer.from(merged).equals(Buffer.from(builderOf(kept).encode()))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
