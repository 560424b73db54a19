import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TextFolder } from '../src/document.js';
import { SearchIndex } from '../src/index.js';
import { SegmentBuilder } from '../src/segment-builder.js';
import { PersistedSegment } from '../src/segment-format.js';
import { decodeContent, foldCase, forEachWord } from '../src/text.js';
import { TrigramCollector } from '../src/trigrams.js';
import { type WordPattern, type WordPatternKind, wordPatterns } from '../src/word-patterns.js';
import { MapBackend } from './support/map-backend.js';
import { escapeRegex, expectSameAsScan } from './support/pages.js';
import { corpusSample } from './support/search-corpus.js';
import { type TestDocument, TestHost } from './support/search-host.js';

/** Every candidate goes through the word filter, however few there are. */
const ALWAYS = { wordFilterMinCandidates: 0 };

describe('word patterns of a query', () => {
  it('say on which sides a run of word characters may continue in the text', () => {
    expect(wordPatterns(['connectionstring'])).toEqual([{ kind: 'contains', text: 'connectionstring' }]);
    expect(wordPatterns(['end sub'])).toEqual([
      { kind: 'suffix', text: 'end' },
      { kind: 'prefix', text: 'sub' },
    ]);
    expect(wordPatterns(['a.bc.d', '(x)'])).toEqual([
      { kind: 'suffix', text: 'a' },
      { kind: 'exact', text: 'bc' },
      { kind: 'prefix', text: 'd' },
      { kind: 'exact', text: 'x' },
    ]);
    expect(wordPatterns(['--', ''])).toEqual([]);
    expect(wordPatterns(['σίσυφος λ'])).toEqual([
      { kind: 'suffix', text: 'σίσυφος' },
      { kind: 'prefix', text: 'λ' },
    ]);
  });
});

describe('the word filter answers exactly like scanSearch', () => {
  const docs = corpusSample(12, 48 * 1024);
  let texts: string[] = [];
  let host: TestHost;
  let index: SearchIndex;
  beforeAll(async () => {
    texts = docs.map((doc) => (typeof doc.content === 'string' ? doc.content : decodeContent(doc.content)));
    host = new TestHost(new MapBackend());
    const entries = [];
    for (const doc of docs) entries.push(await host.put(doc));
    index = await SearchIndex.open(host, { ...ALWAYS, flushBytes: 128 * 1024, maxSegments: 4 });
    // A few documents stay in the unflushed buffer, the others are in segments.
    for (const { entry, bytes } of entries.slice(0, 3)) await index.upsert({ ...entry }, bytes);
  });

  const pieceArb = fc
    .record({ doc: fc.nat(), start: fc.nat(), length: fc.integer({ min: 1, max: 24 }) })
    .map(({ doc, start, length }) => {
      const text = texts[doc % texts.length] as string;
      const at = text.length === 0 ? 0 : start % text.length;
      return text.slice(at, at + length) || 'a';
    });
  const optionsArb = fc.record({ caseSensitive: fc.boolean(), limit: fc.constantFrom(1, 3, 1000) });

  it('for substrings drawn from the corpus, page by page', async () => {
    await fc.assert(
      fc.asyncProperty(pieceArb, optionsArb, async (piece, options) => {
        await expectSameAsScan(index, host, piece, options);
      }),
      { numRuns: 150 },
    );
  });

  it('for regular expressions built from corpus pieces', async () => {
    const regexArb = fc
      .tuple(pieceArb, pieceArb, fc.constantFrom('plain', 'dot', 'wild'))
      .map(([a, b, shape]) => {
        if (shape === 'dot') return `${escapeRegex(a)}.${escapeRegex(b)}`;
        if (shape === 'wild') return `${escapeRegex(a)}\\w*${escapeRegex(b)}`;
        return escapeRegex(a);
      });
    await fc.assert(
      fc.asyncProperty(regexArb, optionsArb, async (pattern, options) => {
        await expectSameAsScan(index, host, pattern, { ...options, mode: 'regex' });
      }),
      { numRuns: 80 },
    );
  });
});

/** Texts of a few words, separators, runs too long to be words, other scripts and case. */
const textArb = fc
  .array(
    fc.oneof(
      fc.constantFrom('conn', 'Connection', 'String', 'str', 'ing', 'İd', 'σίσυφος', 'ΣΊΣ', 'x_y', '42'),
      fc.constantFrom(' ', '.', '-', '\n', '(', ')', 'é'),
      fc.constantFrom('a'.repeat(63), `${'b'.repeat(60)}ConnectionString`, 'Ω'.repeat(70)),
    ),
    { minLength: 0, maxLength: 30 },
  )
  .map((parts) => parts.join(''));

describe('the word filter on generated documents', () => {
  it('keeps every match, in every field, while documents are added, updated and flushed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: textArb, content: textArb, note: textArb, target: fc.nat(9) }), {
          minLength: 1,
          maxLength: 16,
        }),
        fc.array(fc.record({ from: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.boolean(),
        async (changes, cuts, caseSensitive) => {
          const host = new TestHost(new MapBackend());
          const index = await SearchIndex.open(host, { ...ALWAYS, flushBytes: 512, maxSegments: 2 });
          const all: string[] = [];
          for (const [i, change] of changes.entries()) {
            const doc: TestDocument = {
              name: `${change.name.replace(/[\n/]/g, '') || 'n'}-${i}.txt`,
              dataType: 'other',
              content: change.content,
              metadata: { note: change.note },
            };
            const { entry, bytes } = await host.put(doc, `id-${change.target}`);
            await index.upsert(entry, bytes);
            all.push(doc.name, change.content, change.note);
            if (i % 5 === 4) await index.flush();
          }
          const source = all.join('\n');
          for (const { from, length } of cuts) {
            const at = source.length === 0 ? 0 : from % source.length;
            const query = source.slice(at, at + length) || 'conn';
            await expectSameAsScan(index, host, query, { caseSensitive, limit: 2 });
            await expectSameAsScan(index, host, escapeRegex(query), {
              caseSensitive,
              limit: 2,
              mode: 'regex',
            });
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('the word filter spares reading contents', () => {
  /**
   * Near misses hold every trigram of "connectionstring" where the trigram index places a match
   * ("onstring" starts 16 bytes after "connectionstrin"), but no word of theirs holds it.
   */
  async function lakeOfNearMisses(options: { wordFilterMinCandidates?: number }) {
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, options);
    for (let i = 0; i < 30; i++) {
      const doc: TestDocument = {
        name: `miss-${i}.cs`,
        dataType: 'other',
        content: `xconnectionstrin\nonstring ${i}\n`,
      };
      const { entry, bytes } = await host.put(doc);
      await index.upsert(entry, bytes);
    }
    const hit = await host.put({ name: 'hit.cs', dataType: 'other', content: 'db.ConnectionString = "x";' });
    await index.upsert(hit.entry, hit.bytes);
    // A run of word characters too long to be a word: its document is never ruled out by its words.
    const long = await host.put({
      name: 'long.txt',
      dataType: 'other',
      content: `${'z'.repeat(70)}ConnectionString\n`,
    });
    await index.upsert(long.entry, long.bytes);
    return { host, index, hit: hit.entry, long: long.entry };
  }

  it('reads only candidates whose words can hold the query, buffered and persisted', async () => {
    const { host, index, hit, long } = await lakeOfNearMisses(ALWAYS);
    for (const stage of ['buffered', 'persisted']) {
      if (stage === 'persisted') await index.flush();
      host.reads = 0;
      const result = await index.search('ConnectionString', { limit: 20 });
      expect(result.hits.map((h) => h.entry.id).sort()).toEqual([hit.id, long.id].sort());
      expect(host.reads).toBe(2);
      host.reads = 0;
      const exact = await index.search('.ConnectionString ', { limit: 20 });
      expect(exact.hits.map((h) => h.entry.id)).toEqual([hit.id]);
      // "connectionstring" must be a whole word here; the long run lacks the trigrams around it.
      expect(host.reads).toBe(1);
      await expectSameAsScan(index, host, 'ConnectionString', { limit: 1 });
      await expectSameAsScan(index, host, 'connectionstrin', { limit: 4 });
      await expectSameAsScan(index, host, 'connection.string', { limit: 1 });
    }
  });

  it('is skipped below wordFilterMinCandidates: then every trigram candidate is read', async () => {
    const { host, index } = await lakeOfNearMisses({ wordFilterMinCandidates: 64 });
    await index.flush();
    host.reads = 0;
    const result = await index.search('ConnectionString', { limit: 20 });
    expect(result.hits).toHaveLength(2);
    expect(host.reads).toBe(32);
  });
});

describe('words matching a pattern, in a builder and in its written segment', () => {
  const collector = new TrigramCollector();
  const folder = new TextFolder();
  const wordTextArb = fc.string({
    unit: fc.constantFrom('a', 'b', 'ab', 'é', 'Σ', '😀', '1', '_', ' ', '.', '\n'),
    maxLength: 30,
  });
  const patternArb = fc.record({
    kind: fc.constantFrom<WordPatternKind>('contains', 'prefix', 'suffix', 'exact'),
    text: fc.string({
      unit: fc.constantFrom('a', 'b', 'é', 'σ', '😀', '1', '_'),
      minLength: 1,
      maxLength: 4,
    }),
  });

  /** The documents with a word matching the pattern, from the texts' words as `forEachWord` finds them. */
  function expected(texts: string[], pattern: WordPattern): number[] {
    const docs: number[] = [];
    texts.forEach((text, doc) => {
      let found = false;
      forEachWord(foldCase(text), (word) => {
        const { kind, text: part } = pattern;
        if (kind === 'contains' && word.includes(part)) found = true;
        if (kind === 'prefix' && word.startsWith(part)) found = true;
        if (kind === 'suffix' && word.endsWith(part)) found = true;
        if (kind === 'exact' && word === part) found = true;
      });
      if (found) docs.push(doc);
    });
    return docs;
  }

  it('agree with the words of the texts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wordTextArb, { maxLength: 8 }), patternArb, async (texts, pattern) => {
        const builder = new SegmentBuilder();
        texts.forEach((text, i) => {
          const entry = { id: `d${i}`, sha256: '0'.repeat(64), name: '', metadata: {} };
          builder.add(entry, folder.fold(entry, new TextEncoder().encode(text)), collector);
        });
        const backend = new MapBackend();
        await backend.put('.index/segments/w.seg', builder.encode());
        const segment = await PersistedSegment.open(backend, '.index/segments/w.seg');
        const want = expected(texts, pattern);
        for (const source of [builder, segment]) {
          expect([...((await source.wordDocs(pattern, 1000)) ?? [])]).toEqual(want);
          expect([...(await source.completeDocs())]).toEqual(texts.map((_, i) => i));
        }
      }),
      { numRuns: 200 },
    );
  });
});
