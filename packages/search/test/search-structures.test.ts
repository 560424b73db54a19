import type { Entry } from '@datalake/model';
import { compareByPath, compareKeys } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextFolder } from '../src/document.js';
import { PathHeap } from '../src/path-heap.js';
import { PathWalk } from '../src/path-walk.js';
import { POSTING_CACHE_ENTRY_BYTES, PostingCache } from '../src/posting-cache.js';
import { readAhead } from '../src/read-ahead.js';
import { StoredDocs } from '../src/segment-docs.js';
import { TermDictionary } from '../src/term-dictionary.js';
import { decodeContent, foldCase, forEachWord, MAX_WORD_LENGTH, metadataText } from '../src/text.js';
import { TrigramPostings } from '../src/trigram-postings.js';
import { literalTrigramRuns, masksAlign, TrigramCollector } from '../src/trigrams.js';
import { scanWords, wordHash } from '../src/word-bytes.js';
import { COMPLETE_WORDS_TERM } from '../src/word-patterns.js';
import { WordPostings } from '../src/word-postings.js';

function entryAt(filePath: string): Entry {
  return {
    id: filePath,
    name: filePath,
    dataType: 'other',
    metadata: {},
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: null,
    filePath,
    subpath: '',
    size: 0,
    sha256: '',
  };
}

describe('PathHeap', () => {
  it('pops entries in UTF-8 path order, astral characters included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' })), (paths) => {
        const heap = new PathHeap(paths.map(entryAt));
        const popped: string[] = [];
        for (let entry = heap.pop(); entry; entry = heap.pop()) popped.push(entry.filePath);
        expect(popped).toEqual([...paths].sort(compareKeys));
        expect(heap.size).toBe(0);
      }),
    );
  });
});

describe('PathWalk', () => {
  it('yields the accepted entries after the cursor in UTF-8 path order, whatever the characters', () => {
    const pathArb = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme-ascii' }));
    fc.assert(
      fc.property(fc.uniqueArray(pathArb), pathArb, fc.boolean(), (paths, after, useCursor) => {
        const ordered = paths.map(entryAt).sort(compareByPath);
        const cursor = useCursor ? { filePath: after, score: 0 } : undefined;
        const accept = (entry: Entry) => entry.filePath.length % 3 !== 1;
        const walk = new PathWalk(ordered, cursor, accept);
        const walked: string[] = [];
        for (let entry = walk.next(); entry; entry = walk.next()) walked.push(entry.filePath);
        const expected = paths
          .filter((path) => (cursor === undefined || compareKeys(path, after) > 0) && path.length % 3 !== 1)
          .sort(compareKeys);
        expect(walked).toEqual(expected);
      }),
    );
  });
});

describe('WordPostings', () => {
  const utf8 = new TextEncoder();
  const decoder = new TextDecoder();

  it('returns, per word, the documents and counts in insertion order however reads and adds interleave', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            pairs: fc.array(
              fc.tuple(fc.constantFrom('a', 'b', 'ab', 'é', 'zz', 'q1', '𝔘', '\uff41', '_'), fc.nat(9)),
            ),
            readAfter: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (docs) => {
          const postings = new WordPostings();
          const expected = new Map<string, Array<[number, number]>>();
          const check = () => {
            for (const [word, list] of expected) {
              const [number] = postings.find(word, false);
              expect(postings.term(number as number)).toBe(word);
              expect([...postings.docs(number as number)]).toEqual(list.map(([doc]) => doc));
              expect([...postings.counts(number as number)]).toEqual(list.map(([, count]) => count));
            }
            const sorted: Array<[string, number[], number[]]> = [];
            postings.forEachSorted((word, docs, counts, from, to) =>
              sorted.push([
                decoder.decode(word),
                [...docs.subarray(from, to)],
                [...counts.subarray(from, to)],
              ]),
            );
            expect(sorted).toEqual(
              [...expected.keys()]
                .sort()
                .map((word) => [
                  word,
                  (expected.get(word) ?? []).map(([doc]) => doc),
                  (expected.get(word) ?? []).map(([, count]) => count),
                ]),
            );
            expect(postings.find('absent', false)).toEqual([]);
            expect(new Set(postings.find('a', true).map((n) => postings.term(n)))).toEqual(
              new Set([...expected.keys()].filter((word) => word.startsWith('a'))),
            );
          };
          docs.forEach(({ pairs, readAfter }, doc) => {
            const counts = new Map(pairs.filter(([, count]) => count > 0));
            const text = [...counts].flatMap(([word, count]) => Array<string>(count).fill(word)).join(' - ');
            expect(postings.addDocument(utf8.encode(text), doc)).toBe(
              [...counts.values()].reduce((sum, count) => sum + count, 0),
            );
            for (const [word, count] of counts)
              expected.set(word, [...(expected.get(word) ?? []), [doc, count]]);
            // No run of word characters is too long to be a word: the document's words are complete.
            expected.set(COMPLETE_WORDS_TERM, [...(expected.get(COMPLETE_WORDS_TERM) ?? []), [doc, 1]]);
            if (readAfter) check();
          });
          check();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('TrigramPostings', () => {
  it('lists, per trigram, the documents in ascending order with their masks however reads, adds and run sizes interleave', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            keys: fc.uniqueArray(fc.integer({ min: 0, max: (1 << 24) - 1 }), { maxLength: 40 }),
            commonKeys: fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 8 }),
            readAfter: fc.boolean(),
            /** Sorts what is pending into a run once at least this many postings wait (as a filling builder does). */
            sealAt: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
          }),
          { maxLength: 120 },
        ),
        fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
        (docs, runPostings) => {
          const postings = new TrigramPostings(16, runPostings);
          const expected = new Map<number, Array<[number, number]>>();
          const maskOf = (key: number, doc: number) => ((key * 31 + doc) & 0xff) | 1;
          const check = () => {
            for (const [key, list] of expected) {
              const { docs, masks } = postings.list(key);
              expect([...docs]).toEqual(list.map(([doc]) => doc));
              expect([...masks]).toEqual(list.map(([, mask]) => mask));
              expect(postings.count(key)).toBe(list.length);
            }
            expect(postings.count(1 << 24)).toBe(0);
            expect(postings.list(1 << 24).docs).toHaveLength(0);
          };
          docs.forEach(({ keys, commonKeys, readAfter, sealAt }, doc) => {
            const distinct = [...new Set([...keys, ...commonKeys.map((key) => key << 12)])];
            const masks = distinct.map((key) => maskOf(key, doc));
            if (doc % 2 === 0) postings.addAll(distinct, masks, doc);
            else
              distinct.forEach((key, i) => {
                postings.add(key, doc, masks[i] as number);
              });
            for (const key of distinct)
              expected.set(key, [...(expected.get(key) ?? []), [doc, maskOf(key, doc)]]);
            if (sealAt !== undefined) postings.sealPending(sealAt);
            if (readAfter) check();
          });
          check();
          const visited: number[] = [];
          postings.forEach((key, docs, masks, from, to) => {
            visited.push(key);
            expect([...docs.subarray(from, to)]).toEqual(expected.get(key)?.map(([doc]) => doc));
            expect([...masks.subarray(from, to)]).toEqual(expected.get(key)?.map(([, mask]) => mask));
          });
          expect(visited).toEqual([...expected.keys()].sort((a, b) => a - b));
          expect(postings.keyCount).toBe(expected.size);
          expect(postings.size).toBe([...expected.values()].reduce((sum, list) => sum + list.length, 0));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('TrigramCollector and position masks', () => {
  const utf8 = new TextEncoder();
  const collected = (collector: TrigramCollector) =>
    new Map(
      [...collector.keys.subarray(0, collector.count)].map((key, i) => [key, collector.masks[i] as number]),
    );
  const textArb = fc
    .array(fc.constantFrom('a', 'b', 'c', 'ab', 'é', '\n', ' '), { maxLength: 80 })
    .map((p) => p.join(''));

  it('collects each distinct trigram once, with a bit for each byte offset modulo 8', () => {
    const collector = new TrigramCollector();
    fc.assert(
      fc.property(textArb, (text) => {
        const bytes = utf8.encode(text);
        const expected = new Map<number, number>();
        for (let i = 0; i + 2 < bytes.length; i++) {
          const key =
            ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
          expected.set(key, (expected.get(key) ?? 0) | (1 << (i % 8)));
        }
        collector.collect(bytes);
        expect(collected(collector)).toEqual(expected);
        expect(collector.count).toBe(expected.size);
      }),
      { numRuns: 200 },
    );
  });

  it('never rules out text that holds the run, and rules out the same trigrams placed apart', () => {
    const collector = new TrigramCollector();
    fc.assert(
      fc.property(textArb, textArb, textArb, (before, run, after) => {
        collector.collect(utf8.encode(before + run + after));
        const maskOf = collected(collector);
        for (const placed of literalTrigramRuns([run])) {
          const runMasks = placed.map(({ key }) => maskOf.get(key) as number);
          expect(
            masksAlign(
              runMasks,
              placed.map(({ offset }) => offset),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    collector.collect(utf8.encode('abc--bcd'));
    const maskOf = collected(collector);
    const [run] = literalTrigramRuns(['abcd']);
    const runMasks = (run ?? []).map(({ key }) => maskOf.get(key) as number);
    expect(
      masksAlign(
        runMasks,
        (run ?? []).map(({ offset }) => offset),
      ),
    ).toBe(false);
  });
});

/** Pieces that exercise word boundaries: ASCII, accents, astral letters, lone surrogates, digits of
 * other scripts, ligatures, full-width letters and words at and beyond the length limit. */
const wordPieces = fc.constantFrom(
  'ab',
  'Z9_',
  'z9_',
  ' ',
  '-',
  'é',
  'Σ',
  'σ',
  '𝔘',
  '\ud800',
  '\udc00',
  '٣',
  '\n',
  'ﬀ',
  '\uff41',
  '\ufffd',
  'x'.repeat(63),
  'x'.repeat(64),
);

describe('forEachWord', () => {
  it('splits like a Unicode regular expression for runs of letters, digits and _', () => {
    const reference = (text: string) =>
      [...text.matchAll(/[\p{L}\p{N}_]+/gu)]
        .filter((match) => match[0].length <= MAX_WORD_LENGTH)
        .map((match) => [match[0], match.index]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme' }),
          fc.array(wordPieces).map((p) => p.join('')),
        ),
        (text) => {
          const words: Array<[string, number]> = [];
          forEachWord(text, (word, start) => words.push([word, start]));
          expect(words).toEqual(reference(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('scanWords', () => {
  const utf8 = new TextEncoder();
  const decoder = new TextDecoder();

  it('finds in UTF-8 bytes the words forEachWord finds in the string, with the hash of their bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: 'binary' }),
          fc.array(wordPieces).map((p) => p.join('')),
        ),
        (text) => {
          const expected: string[] = [];
          forEachWord(text, (word) => expected.push(word));
          const found: string[] = [];
          const count = scanWords(utf8.encode(text), {
            word(bytes, start, end, hash) {
              found.push(decoder.decode(bytes.subarray(start, end)));
              expect(hash).toBe(wordHash(bytes.subarray(start, end)));
            },
          });
          expect(found).toEqual(expected);
          expect(count).toBe(expected.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TermDictionary', () => {
  const utf8 = new TextEncoder();

  it('numbers each distinct word once and sorts words as their strings compare', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), { maxLength: 300 }),
        (words) => {
          const dictionary = new TermDictionary();
          const numbers = new Map<string, number>();
          for (const word of words) {
            const bytes = utf8.encode(word);
            const number = dictionary.intern(bytes, 0, bytes.length, wordHash(bytes));
            if (!numbers.has(word)) numbers.set(word, numbers.size);
            expect(number).toBe(numbers.get(word));
          }
          expect(dictionary.size).toBe(numbers.size);
          for (const [word, number] of numbers) {
            expect(dictionary.find(word)).toBe(number);
            expect(dictionary.term(number)).toBe(word);
          }
          expect([...dictionary.sorted()].map((number) => dictionary.term(number))).toEqual(
            [...numbers.keys()].sort(),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('StoredDocs', () => {
  it('gives back each document and recognises exactly its SHA-256', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(), fc.nat()), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (docs, other) => {
          const stored = new StoredDocs(docs.length);
          docs.forEach(([id, sha, words, size], doc) => {
            stored.set(doc, id, sha, 0, words, size);
          });
          docs.forEach(([id, sha, words, size], doc) => {
            const hex = Buffer.from(sha).toString('hex');
            expect([stored.id(doc), stored.sha256(doc), stored.words(doc), stored.textBytes(doc)]).toEqual([
              id,
              hex,
              words,
              size,
            ]);
            expect(stored.hasSha256(doc, hex)).toBe(true);
            const otherHex = Buffer.from(other).toString('hex');
            expect(stored.hasSha256(doc, otherHex)).toBe(otherHex === hex);
            expect(stored.hasSha256(doc, hex.slice(1))).toBe(false);
          });
        },
      ),
    );
  });
});

describe('TextFolder', () => {
  const folded = (name: string, content: Uint8Array, metadata: Record<string, string>) =>
    new TextEncoder().encode(
      [
        foldCase(name),
        foldCase(decodeContent(content)),
        foldCase(metadataText({ metadata } as unknown as Entry)),
      ].join('\n'),
    );

  it('gives the UTF-8 of the folded name, content and metadata, whatever the content bytes', () => {
    const folder = new TextFolder();
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.string({ unit: 'grapheme' }).map((text) => new TextEncoder().encode(text)),
        ),
        fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
        (name, content, metadata) => {
          const entry = { name, metadata } as unknown as Entry;
          expect(Buffer.from(folder.fold(entry, content))).toEqual(
            Buffer.from(folded(name, content, metadata)),
          );
        },
      ),
    );
  });

  it('folds a document larger than the buffer it keeps, and small ones after it', () => {
    const folder = new TextFolder();
    const entry = { name: 'Big.TXT', metadata: {} } as unknown as Entry;
    const big = new Uint8Array(6 * 1024 * 1024).fill(0x41);
    // Buffer.equals: a deep comparison of 6 MiB element by element takes far too long.
    expect(Buffer.from(folder.fold(entry, big)).equals(Buffer.from(folded('Big.TXT', big, {})))).toBe(true);
    const small = new TextEncoder().encode('Ünïcode AND Ascii');
    expect(Buffer.from(folder.fold(entry, small))).toEqual(Buffer.from(folded('Big.TXT', small, {})));
  });
});

describe('PostingCache', () => {
  const list = (length: number) => ({ docs: new Uint32Array(length), masks: new Uint8Array(length) });

  it('evicts the least recently used lists beyond its budget', () => {
    // Each list: 16 documents and masks (80 bytes), and its entry.
    const cache = new PostingCache(8 * (80 + POSTING_CACHE_ENTRY_BYTES));
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) cache.set(key, list(16));
    expect(cache.get('a')).toBeDefined();
    cache.set('i', list(16));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('i')).toBeDefined();
  });

  it('does not keep a list larger than an eighth of its budget', () => {
    const cache = new PostingCache(80);
    cache.set('big', list(4));
    expect(cache.get('big')).toBeUndefined();
  });
});

describe('readAhead', () => {
  it('yields every value in order with at most `ahead` further reads running', async () => {
    let running = 0;
    let most = 0;
    const read = async (n: number) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
      running--;
      return n * 2;
    };
    const seen: number[] = [];
    for await (const { item, value } of readAhead([...Array(40).keys()], 4, read)) {
      expect(value).toBe(item * 2);
      seen.push(item);
    }
    expect(seen).toEqual([...Array(40).keys()]);
    expect(most).toBeLessThanOrEqual(5);
  });

  it('raises a failed read when its turn comes, not before', async () => {
    const read = async (n: number) => {
      if (n === 3) throw new Error('read 3 failed');
      return n;
    };
    const seen: number[] = [];
    await expect(async () => {
      for await (const { value } of readAhead([0, 1, 2, 3, 4], 8, read)) seen.push(value);
    }).rejects.toThrow('read 3 failed');
    expect(seen).toEqual([0, 1, 2]);
  });
});
