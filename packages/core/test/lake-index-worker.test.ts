import { describe, expect, it, vi } from 'vitest';
import type { WorkerScript } from '../../search/src/worker-script.js';
import { corpusSample } from '../../search/test/support/search-corpus.js';
import { sourceWorkerScript } from '../../search/test/support/source-worker.js';
import { DataLake } from '../src/lake/data-lake.js';
import { MapBackend } from './support/map-backend.js';

// From its sources the search package has no built worker script: start the worker from its
// TypeScript source instead, as the search package's own worker tests do.
const script: { current: WorkerScript | undefined } = { current: undefined };
vi.mock('../../search/src/worker-script.js', () => ({ indexWorkerScript: () => script.current }));

const docs = corpusSample(24, 48 * 1024);

describe('DataLake with indexWorker', () => {
  it('stores, searches and reopens with a complete index', async () => {
    script.current = sourceWorkerScript();
    const backend = new MapBackend();
    const notices: string[] = [];
    const lake = await DataLake.open(backend, {
      indexWorker: true,
      keepBackendOpen: true,
      onNotice: (message) => notices.push(message),
    });
    for (const doc of docs.slice(0, 20)) await lake.store(doc);
    const before = await lake.search('create');
    await lake.close();

    const reopened = await DataLake.open(backend, { onNotice: (message) => notices.push(message) });
    expect(notices).toEqual([]);
    expect((await reopened.checkIndex()).ok).toBe(true);
    expect((await reopened.search('create')).hits.map((hit) => hit.entry.id)).toEqual(
      before.hits.map((hit) => hit.entry.id),
    );
    await reopened.close();
  });
});
