import { describe, expect, it, vi } from 'vitest';
import { SearchIndex } from '../src/index.js';
import { MapBackend } from './support/map-backend.js';
import { expectSameAsScan } from './support/pages.js';
import { corpusSample } from './support/search-corpus.js';
import { TestHost } from './support/search-host.js';

const docs = corpusSample(40, 16 * 1024);

async function indexedLake() {
  const backend = new MapBackend();
  const host = new TestHost(backend);
  for (const doc of docs) await host.put(doc);
  const index = await SearchIndex.open(host, { flushBytes: 32 * 1024 });
  await index.flush();
  return { backend, host, index };
}

describe('SearchIndex.sync', () => {
  it('costs one listing and no entry lookups when nothing changed', async () => {
    const { backend, host, index } = await indexedLake();
    await index.sync();
    const list = vi.spyOn(backend, 'list');
    host.lookups = 0;
    for (let i = 0; i < 3; i++) await index.sync();
    expect(list).toHaveBeenCalledTimes(3);
    expect(host.lookups).toBe(0);
    await expectSameAsScan(index, host, 'the', { limit: 1000 });
    await index.close();
  });

  it('stays cheap after its own upserts once it has caught up with them', async () => {
    const { host, index } = await indexedLake();
    const { entry, bytes } = await host.put({
      name: 'own.md',
      dataType: 'documentation',
      content: 'okapi\n',
    });
    await index.upsert(entry, bytes);
    await index.sync();
    host.lookups = 0;
    await index.sync();
    expect(host.lookups).toBe(0);
    expect((await index.search('okapi')).hits.map((hit) => hit.entry.id)).toEqual([entry.id]);
    await index.close();
  });

  it("picks up another instance's entries, removals and segments", async () => {
    const { host, index } = await indexedLake();
    const other = await SearchIndex.open(host);
    // Stored and removed by another instance: this index is not told, only the catalog changes.
    const { entry } = await host.put({ name: 'theirs.md', dataType: 'documentation', content: 'quokka\n' });
    const gone = [...host.entries()][0]?.id as string;
    await host.drop(gone);
    await index.sync();
    expect((await index.search('quokka')).hits.map((hit) => hit.entry.id)).toEqual([entry.id]);
    expect((await index.check()).ok).toBe(true);
    await expectSameAsScan(index, host, 'the', { limit: 1000 });

    // Another instance replaces every segment: the old ones are gone, the entries unchanged.
    await other.rebuild();
    host.lookups = 0;
    await index.sync();
    expect(host.lookups).toBeGreaterThan(0);
    expect((await index.check()).ok).toBe(true);
    await expectSameAsScan(index, host, 'the', { limit: 1000 });
    await expectSameAsScan(index, host, 'quokka', { limit: 1000 });
    await other.close();
    await index.close();
  });
});
