import { createHash } from 'node:crypto';
import type { Entry, StorageBackend } from '@datalake/model';
import { DataType } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import { blobKey } from '../src/lake/history/keys.js';
import { purgingKey } from '../src/lake/history/purge-marks.js';
import { MapBackend } from './support/map-backend.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const OLD = 'bytes that retention purges';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * The backend under the lake, with hooks: `onBlobDelete` runs when the blob of `OLD` is about to be
 * deleted (and the delete waits for it); `seenMark` resolves when a writer looks for its purge mark;
 * `beforeOverwrite` runs before the second write of `e.txt`'s content (the update's overwrite).
 */
function hooked(backend: StorageBackend) {
  const hooks = {
    onBlobDelete: async () => {},
    seenMark: deferred(),
    beforeOverwrite: async () => {},
    blobDeleted: () => {},
  };
  let contentWrites = 0;
  const wrapped = new Proxy(backend, {
    get(target, property, receiver) {
      const original = Reflect.get(target, property, receiver);
      if (typeof original !== 'function') return original;
      return async (key: string, ...rest: unknown[]) => {
        if (property === 'delete' && key === blobKey(sha(OLD))) {
          await hooks.onBlobDelete();
          const result = await original.call(target, key, ...rest);
          hooks.blobDeleted();
          return result;
        }
        if (property === 'head' && key === purgingKey(sha(OLD))) {
          const result = await original.call(target, key, ...rest);
          hooks.seenMark.resolve();
          return result;
        }
        if (property === 'put' && key === 'other/e.txt' && ++contentWrites === 2)
          await hooks.beforeOverwrite();
        return original.call(target, key, ...rest);
      };
    },
  });
  return { backend: wrapped as StorageBackend, hooks };
}

describe('retention apply against an update that reuses the blob it removes', () => {
  it('the update keeps the content again: its old version still reads back', async () => {
    const { backend, hooks } = hooked(new MapBackend());
    const lake = await DataLake.open(backend, {
      keepBackendOpen: true,
      onNotice: () => {},
      search: 'scan',
      writeLeaseMs: 0,
    });
    const first = await lake.store({ name: 'a.txt', content: OLD, dataType: DataType.OTHER });
    await lake.update(first.id, { content: 'a, second' });
    await lake.retention.setRules([{ name: 'latest only', keepLastVersions: 1 }]);

    // While apply is about to delete the blob of OLD, another entry with the same bytes is stored
    // and updated: its update finds that blob there and reuses it.
    let racing: Promise<Entry> | undefined;
    let stored: Entry | undefined;
    const deleted = deferred();
    hooks.onBlobDelete = async () => {
      hooks.onBlobDelete = async () => {};
      racing = (async () => {
        stored = await lake.store({ name: 'e.txt', content: OLD, dataType: DataType.OTHER });
        return lake.update(stored.id, { content: 'e, second' });
      })();
      // The delete goes ahead once the update has checked for the purge mark, or (a lake that
      // does not check) is about to overwrite the content it believes kept.
      const overwriting = deferred();
      hooks.beforeOverwrite = async () => {
        overwriting.resolve();
        await deleted.promise;
      };
      await Promise.race([hooks.seenMark.promise, overwriting.promise]);
      hooks.blobDeleted = () => deleted.resolve();
    };
    const outcome = await lake.retention.apply();
    expect(outcome.blobs.map((blob) => blob.sha256)).toEqual([sha(OLD)]);
    await racing;
    const id = (stored as Entry).id;
    const history = await lake.history(id);
    expect(history.versions.map((version) => version.op)).toEqual(['update', 'store']);
    expect(new TextDecoder().decode(await lake.readBytes(id, { version: 1 }))).toBe(OLD);
    const report = await lake.fsck();
    expect(report.problems.filter((problem) => problem.kind === 'missing-version-content')).toEqual([]);
    await lake.close();
  });
});
