import { describe, expect, it } from 'vitest';
import { newSecret, parseToken, secretMatches } from '../src/auth/token-secret.js';
import { ContentCache } from '../src/content-cache.js';
import { parseTags } from '../src/http/etags.js';
import { parseRange } from '../src/http/range.js';
import { KeyedLock } from '../src/keyed-lock.js';

describe('content cache', () => {
  it('keeps recent contents within its budget and skips large ones', () => {
    const cache = new ContentCache(10, 6);
    cache.set('a', Buffer.from('aaaa'));
    cache.set('b', Buffer.from('bbbb'));
    expect(cache.get('a')?.toString()).toBe('aaaa'); // a is now the most recent
    cache.set('c', Buffer.from('cccc'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.toString()).toBe('aaaa');
    cache.set('big', Buffer.alloc(7));
    expect(cache.get('big')).toBeUndefined();
  });
});

describe('HTTP helpers', () => {
  it('parses single byte ranges and refuses ones past the end', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=8-', 10)).toEqual({ start: 8, end: 9 });
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(() => parseRange('bytes=10-', 10)).toThrow(/outside/);
    expect(() => parseRange('bytes=-0', 10)).toThrow(/outside/);
  });

  it('reads entity tags, weak or strong', () => {
    expect(parseTags('"a", W/"b" ,*')).toEqual(['"a"', '"b"', '*']);
    expect(parseTags(undefined)).toEqual([]);
  });
});

describe('tokens', () => {
  it('are dlk_<id>_<secret>, and only the hash of the secret matches', () => {
    const made = newSecret();
    const parsed = parseToken(made.token);
    expect(parsed?.id).toBe(made.id);
    expect(secretMatches(parsed?.secret as string, made.secretSha256)).toBe(true);
    expect(secretMatches(`${parsed?.secret.slice(0, -1)}x`, made.secretSha256)).toBe(false);
    expect(parseToken(`${made.token}x`)).toBeUndefined();
    expect(parseToken('dlk_short_secret')).toBeUndefined();
    expect(new Set(Array.from({ length: 100 }, () => newSecret().token)).size).toBe(100);
  });
});

describe('keyed lock', () => {
  it('runs work of one key one at a time, in order, even after a failure', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = (label: string, ms: number, fail = false) =>
      lock.run('k', async () => {
        order.push(`start ${label}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`end ${label}`);
        if (fail) throw new Error(label);
      });
    await Promise.allSettled([
      slow('a', 20, true),
      slow('b', 1),
      lock.run('other', async () => order.push('other')),
    ]);
    expect(order).toEqual(['start a', 'other', 'end a', 'start b', 'end b']);
  });
});
