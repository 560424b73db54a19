import { compareKeys } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { narrowed, pastPrefix, serverListPrefix } from '../src/listing-prefix.js';

describe('serverListPrefix', () => {
  it('cuts back only a last segment that is "." or ".." once trimmed', () => {
    expect(serverListPrefix('a/.')).toBe('a/');
    expect(serverListPrefix('a/..')).toBe('a/');
    expect(serverListPrefix('a/. ')).toBe('a/');
    expect(serverListPrefix('.')).toBe('');
    expect(serverListPrefix('lake/a/b/..')).toBe('lake/a/b/');
    for (const kept of ['', 'a/', 'a/.e', 'a/...', 'a/..b', '.x', 'a/b'])
      expect(serverListPrefix(kept)).toBe(kept);
  });

  it('narrowing the wider listing gives exactly the keys of the prefix, and stops after them', () => {
    const segment = fc.constantFrom('.', '..', '. ', '-', '.a', 'a', 'b', '.env', ' x', 'z');
    const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 30 }), key, (keys, prefix) => {
        const sent = serverListPrefix(prefix);
        const wider = keys.filter((each) => each.startsWith(sent)).sort(compareKeys);
        expect(narrowed(wider, prefix)).toEqual(
          keys.filter((each) => each.startsWith(prefix)).sort(compareKeys),
        );
        // Once past the prefix, nothing of it follows.
        for (let end = 0; end <= wider.length; end++) {
          if (pastPrefix(wider.slice(0, end), prefix)) expect(narrowed(wider.slice(end), prefix)).toEqual([]);
        }
      }),
    );
  });
});
