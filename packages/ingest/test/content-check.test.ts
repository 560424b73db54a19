import { MemoryBackend } from '@datalake/backend-memory';
import type { Entry, StorageBackend } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { contentCheck } from '../src/content-check.js';

/** A memory backend that counts the requests a check makes. */
function countingBackend(): {
  backend: StorageBackend;
  calls: { head: number; list: number };
  listed: string[];
} {
  const inner = new MemoryBackend();
  const calls = { head: 0, list: 0 };
  const listed: string[] = [];
  const backend: StorageBackend = {
    description: inner.description,
    capabilities: inner.capabilities,
    put: (key, body, options) => inner.put(key, body, options),
    get: (key, options) => inner.get(key, options),
    delete: (key, options) => inner.delete(key, options),
    head: (key) => {
      calls.head++;
      return inner.head(key);
    },
    list: (prefix, options) => {
      calls.list++;
      listed.push(prefix);
      return inner.list(prefix, options);
    },
  };
  return { backend, calls, listed };
}

/** Stores `count` one-byte objects in `folder` and returns entries for them. */
async function objects(backend: StorageBackend, folder: string, count: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (let index = 0; index < count; index++) {
    const filePath = `${folder}/f${index}.txt`;
    await backend.put(filePath, new Uint8Array([index % 256]));
    entries.push({ filePath, size: 1 } as Entry);
  }
  return entries;
}

describe('contentCheck', () => {
  it('answers a run of checks from one listing per type folder, and spots missing or cut content', async () => {
    const { backend, calls } = countingBackend();
    const docs = await objects(backend, 'documentation/a', 30);
    const schemas = await objects(backend, 'schema/a/b', 30);
    const known = [...docs, ...schemas];
    await backend.delete('schema/a/b/f3.txt');
    await backend.put('documentation/a/f4.txt', new Uint8Array([1, 2]));
    const check = contentCheck(
      backend,
      known,
      new Map([
        ['a', 30],
        ['a/b', 30],
      ]),
    );
    const present = await Promise.all(known.map(check));
    expect(present.filter((ok) => !ok).length).toBe(2);
    expect(present[4]).toBe(false);
    expect(present[30 + 3]).toBe(false);
    expect(calls).toEqual({ head: 0, list: 2 });
  });

  it('looks up single files with head where listing would read mostly other entries', async () => {
    const { backend, calls } = countingBackend();
    const crowd = await objects(backend, 'other/crowd', 2100);
    const mine = crowd.slice(0, 2);
    const check = contentCheck(backend, crowd, new Map([['crowd', 2]]));
    expect(await Promise.all(mine.map(check))).toEqual([true, true]);
    expect(calls).toEqual({ head: 2, list: 0 });
  });

  it('lists the narrowest folder worth it when the type folder is crowded', async () => {
    const { backend, calls, listed } = countingBackend();
    const crowd = await objects(backend, 'other/crowd', 2100);
    const mine = await objects(backend, 'other/mine/deep', 2);
    const check = contentCheck(backend, [...crowd, ...mine], new Map([['mine/deep', 2]]));
    expect(await Promise.all(mine.map(check))).toEqual([true, true]);
    expect(calls).toEqual({ head: 0, list: 1 });
    expect(listed).toEqual(['other/mine/']);
  });
});
