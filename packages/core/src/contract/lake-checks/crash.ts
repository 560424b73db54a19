import { DataType, type StorageBackend } from '@datalake/model';
import { writeCompressionSetting } from '../../lake/compression/settings.js';
import type { DataLake } from '../../lake/data-lake.js';
import { sha256Hex, utf8 } from '../support/bytes.js';
import { CrashingBackend, type CrashMode } from '../support/crashing-backend.js';
import { expectErrorCode, hasErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertHistoryWhole } from './history.js';
import { openLocalLake as openLake } from './open-lake.js';

const GROUP = 'lake: crash safety';
const MODES: readonly CrashMode[] = ['before-write', 'after-write'];
/** Extra crash points past the dry run's count, in case an operation's call count varies. */
const MARGIN = 2;

/** One operation interrupted at every mutating call. `tag` is unique per attempt. */
interface CrashScenario {
  name: string;
  /** Prepares the state the operation starts from, on a healthy lake. Returns what `act` needs. */
  setup(lake: DataLake, tag: string): Promise<string | undefined>;
  act(lake: DataLake, tag: string, id: string | undefined): Promise<unknown>;
  /** On a lake opened after the crash: the state must be the old or the new one, and usable. */
  verify(lake: DataLake, tag: string, id: string | undefined): Promise<void>;
  /** The lake compresses contents of 1 KiB and more (set before anything is written). */
  compressed?: boolean;
}

/** Log text of about 12 KiB that compresses well, unique to `tag` and `what`. */
const bigLog = (tag: string, what: string) =>
  Array.from({ length: 200 }, (_, line) => `${what}-${tag} INFO line ${line} of the job log\n`).join('');

const compressedStoreScenario: CrashScenario = {
  name: 'compressed store',
  compressed: true,
  async setup() {
    return undefined;
  },
  act: (lake, tag) =>
    lake.store({ name: `${tag}.log`, content: bigLog(tag, 'new'), dataType: DataType.LOGS }),
  async verify(lake, tag) {
    const path = `logs/${tag}.log`;
    const listed = (await lake.list({ dataType: DataType.LOGS })).filter((entry) => entry.filePath === path);
    if (listed.length === 1) {
      const entry = await lake.retrieveByPath(path);
      expect(entry.content).toBe(bigLog(tag, 'new'));
      expect(entry.stored?.codec).toBe('gzip');
      return;
    }
    expect(listed).toEqual([]);
    const retried = await lake.store({
      name: `${tag}.log`,
      content: bigLog(tag, 'new'),
      dataType: DataType.LOGS,
    });
    expect((await lake.retrieve(retried.id)).content).toBe(bigLog(tag, 'new'));
  },
};

const compressedUpdateScenario: CrashScenario = {
  name: 'compressed content update',
  compressed: true,
  async setup(lake, tag) {
    return (await lake.store({ name: `${tag}.log`, content: bigLog(tag, 'old'), dataType: DataType.LOGS }))
      .id;
  },
  act: (lake, tag, id) => lake.update(id as string, { content: bigLog(tag, 'new'), metadata: { rev: 1 } }),
  async verify(lake, tag, id) {
    const entry = await lake.retrieve(id as string);
    expect(entry.stored?.codec).toBe('gzip');
    expect(entry.content).toBe(bigLog(tag, entry.metadata.rev === 1 ? 'new' : 'old'));
    expect(entry.size).toBe(entry.bytes.byteLength);
    await assertHistoryWhole(lake, id as string);
    const after = await lake.update(id as string, { content: bigLog(tag, 'after') });
    expect((await lake.retrieve(after.id)).content).toBe(bigLog(tag, 'after'));
    await assertHistoryWhole(lake, id as string);
  },
};

const compressedDeleteScenario: CrashScenario = {
  name: 'compressed delete',
  compressed: true,
  async setup(lake, tag) {
    return (await lake.store({ name: `${tag}.log`, content: bigLog(tag, 'old'), dataType: DataType.LOGS }))
      .id;
  },
  act: (lake, _tag, id) => lake.delete(id as string),
  async verify(lake, tag, id) {
    const found = await lake.getEntry(id as string).catch(() => undefined);
    if (found) expect((await lake.retrieve(id as string)).content).toBe(bigLog(tag, 'old'));
    else {
      const undeleted = await lake.undelete(id as string);
      expect((await lake.retrieve(undeleted.id)).content).toBe(bigLog(tag, 'old'));
    }
    expect(await lake.delete(id as string)).toBe(true);
    const reused = await lake.store({ name: `${tag}.log.gz`, content: 'reused', dataType: DataType.LOGS });
    expect((await lake.retrieve(reused.id)).content).toBe('reused');
  },
};

const oldText = (tag: string) => `old-${tag} ünïcode\n`;
const newBytes = (tag: string) => Uint8Array.from([...utf8(`new-${tag}\n`), 0xff, 0xfe, 0x80]);

async function hitCount(lake: DataLake, text: string): Promise<number> {
  return (await lake.search(text)).hits.length;
}

const storeScenario: CrashScenario = {
  name: 'store',
  async setup() {
    return undefined;
  },
  act: (lake, tag) =>
    lake.store({ name: `${tag}.bin`, content: newBytes(tag), dataType: DataType.OTHER, subpath: 'crash' }),
  async verify(lake, tag) {
    const path = `other/crash/${tag}.bin`;
    const listed = (await lake.list({ dataType: DataType.OTHER, subpath: 'crash' })).filter(
      (entry) => entry.filePath === path,
    );
    if (listed.length === 1) {
      const entry = await lake.retrieveByPath(path);
      expect(sha256Hex(entry.bytes)).toBe(entry.sha256);
      expect(entry.sha256).toBe(sha256Hex(newBytes(tag)));
      expect(await hitCount(lake, `new-${tag}`)).toBe(1);
      return;
    }
    expect(listed).toEqual([]);
    await expectErrorCode(
      () => lake.retrieveByPath(path),
      'NOT_FOUND',
      `retrieveByPath after a crashed store (${tag})`,
    );
    expect(await hitCount(lake, `new-${tag}`)).toBe(0);
    const retried = await lake.store({
      name: `${tag}.bin`,
      content: newBytes(tag),
      dataType: DataType.OTHER,
      subpath: 'crash',
    });
    expect((await lake.retrieve(retried.id)).sha256).toBe(sha256Hex(newBytes(tag)));
  },
};

function updateScenario(withContent: boolean): CrashScenario {
  return {
    name: withContent ? 'update of content and metadata' : 'update of metadata',
    async setup(lake, tag) {
      const entry = await lake.store({
        name: `${tag}.txt`,
        content: oldText(tag),
        dataType: DataType.DOCUMENTATION,
        metadata: { rev: 0 },
      });
      return entry.id;
    },
    act: (lake, tag, id) =>
      lake.update(id as string, { metadata: { rev: 1 }, ...(withContent ? { content: newBytes(tag) } : {}) }),
    async verify(lake, tag, id) {
      const entry = await lake.retrieve(id as string);
      expect(sha256Hex(entry.bytes), 'content matches the entry hash').toBe(entry.sha256);
      expect(entry.size).toBe(entry.bytes.byteLength);
      const isNew = entry.metadata.rev === 1;
      if (isNew) {
        expect(entry.updatedAt).not.toBeNull();
        expect(entry.sha256).toBe(sha256Hex(withContent ? newBytes(tag) : utf8(oldText(tag))));
      } else {
        expect(entry.metadata).toEqual({ rev: 0 });
        expect(entry.updatedAt).toBeNull();
        expect(entry.content).toBe(oldText(tag));
      }
      if (withContent) expect(await hitCount(lake, `new-${tag}`)).toBe(isNew ? 1 : 0);
      const versions = (await lake.history(id as string)).versions;
      expect(versions.length, 'one version per committed change').toBe(isNew ? 2 : 1);
      expect(versions[0]?.sha256).toBe(entry.sha256);
      await assertHistoryWhole(lake, id as string);
      const after = await lake.update(id as string, { metadata: { after: true } });
      expect(after.metadata.after).toBe(true);
      expect(sha256Hex(await lake.readBytes(id as string))).toBe(after.sha256);
      await assertHistoryWhole(lake, id as string);
    },
  };
}

const deleteScenario: CrashScenario = {
  name: 'delete',
  async setup(lake, tag) {
    return (await lake.store({ name: `${tag}.log`, content: oldText(tag), dataType: DataType.LOGS })).id;
  },
  act: (lake, _tag, id) => lake.delete(id as string),
  async verify(lake, tag, id) {
    const path = `logs/${tag}.log`;
    let present = true;
    try {
      const entry = await lake.retrieve(id as string);
      expect(entry.content).toBe(oldText(tag));
      expect(sha256Hex(entry.bytes)).toBe(entry.sha256);
      expect((await lake.retrieveByPath(path)).id).toBe(id);
    } catch (error) {
      if (!hasErrorCode(error, 'NOT_FOUND')) throw error;
      present = false;
    }
    const listed = (await lake.list({ dataType: DataType.LOGS })).some((entry) => entry.id === id);
    expect(listed, 'listed exactly when retrievable').toBe(present);
    if (!present)
      await expectErrorCode(() => lake.retrieveByPath(path), 'NOT_FOUND', 'retrieveByPath after delete');
    const history = await lake.history(id as string);
    expect(history.deleted).toBe(!present);
    expect(history.versions.map((version) => version.op)).toEqual(present ? ['store'] : ['delete', 'store']);
    await assertHistoryWhole(lake, id as string);
    expect(await lake.delete(id as string)).toBe(present);
    expect((await lake.retrieve(id as string, { version: 1 })).content).toBe(oldText(tag));
    await lake.store({ name: `${tag}.log`, content: 'reused path', dataType: DataType.LOGS });
  },
};

const restoreScenario: CrashScenario = {
  name: 'restore',
  async setup(lake, tag) {
    const entry = await lake.store({
      name: `${tag}.md`,
      content: oldText(tag),
      dataType: DataType.DOCUMENTATION,
      metadata: { rev: 0 },
    });
    await lake.update(entry.id, { content: newBytes(tag), metadata: { rev: 1 } });
    return entry.id;
  },
  act: (lake, _tag, id) => lake.restore(id as string, 1),
  async verify(lake, tag, id) {
    const entry = await lake.retrieve(id as string);
    expect(sha256Hex(entry.bytes)).toBe(entry.sha256);
    const versions = (await lake.history(id as string)).versions;
    if (versions.length === 3) {
      expect(entry.content).toBe(oldText(tag));
      expect(versions[0]).toMatchObject({ op: 'restore', restoredFrom: 1, sha256: entry.sha256 });
    } else {
      expect(versions).toHaveLength(2);
      expect(entry.sha256).toBe(sha256Hex(newBytes(tag)));
    }
    await assertHistoryWhole(lake, id as string);
    await lake.restore(id as string, 2);
    expect(sha256Hex(await lake.readBytes(id as string))).toBe(sha256Hex(newBytes(tag)));
  },
};

const undeleteScenario: CrashScenario = {
  name: 'undelete',
  async setup(lake, tag) {
    const entry = await lake.store({
      name: `${tag}.cfg`,
      content: oldText(tag),
      dataType: DataType.CONFIGURATION,
    });
    await lake.delete(entry.id);
    return entry.id;
  },
  act: (lake, _tag, id) => lake.undelete(id as string),
  async verify(lake, tag, id) {
    const path = `configuration/${tag}.cfg`;
    const history = await lake.history(id as string);
    const listed = (await lake.list({ dataType: DataType.CONFIGURATION })).some((entry) => entry.id === id);
    expect(listed, 'listed exactly when not deleted').toBe(!history.deleted);
    if (history.deleted) {
      expect(history.versions.map((version) => version.op)).toEqual(['delete', 'store']);
      await expectErrorCode(() => lake.retrieve(id as string), 'NOT_FOUND', 'a still deleted entry');
      await lake.undelete(id as string);
    } else {
      expect(history.versions.map((version) => version.op)).toEqual(['undelete', 'delete', 'store']);
    }
    const entry = await lake.retrieveByPath(path);
    expect(entry.content).toBe(oldText(tag));
    expect(await hitCount(lake, `old-${tag}`)).toBe(1);
    await assertHistoryWhole(lake, id as string);
  },
};

/**
 * Runs `scenario` once without a crash to count its mutating calls, then once per crash point
 * and mode, each time checking the state a fresh instance sees. Abandoned writers count as gone
 * at once (`writeLeaseMs: 0`), as they would be after a real crash.
 */
async function crashEverywhere(backend: StorageBackend, scenario: CrashScenario): Promise<void> {
  if (scenario.compressed) await writeCompressionSetting(backend, { codec: 'gzip', minBytes: 1024 });
  const healthy = await openLake(backend);
  const crashing = new CrashingBackend(backend);
  const counting = await openLake(crashing);
  const dryTag = 'dry-run';
  const dryId = await scenario.setup(healthy, dryTag);
  await counting.refresh();
  crashing.arm(undefined);
  await scenario.act(counting, dryTag, dryId);
  const calls = crashing.mutations;
  expect(calls, `${scenario.name} makes mutating calls`).toBeGreaterThan(0);
  await healthy.close();
  await counting.close();

  for (const mode of MODES) {
    for (let k = 1; k <= calls + MARGIN; k++) {
      const tag = `${mode}-${k}`;
      const setupLake = await openLake(backend, { writeLeaseMs: 0 });
      const id = await scenario.setup(setupLake, tag);
      await setupLake.close();
      const dying = new CrashingBackend(backend);
      const doomed = await openLake(dying);
      dying.arm(k, mode);
      await scenario.act(doomed, tag, id).catch(() => undefined);
      const recovered = await openLake(backend, { writeLeaseMs: 0 });
      try {
        await scenario.verify(recovered, tag, id);
        expect((await recovered.getStats()).totalEntries).toBe((await recovered.list()).length);
      } catch (error) {
        throw new Error(
          `${scenario.name} interrupted at mutating call ${k} (${mode}): ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      } finally {
        await recovered.close();
      }
    }
  }
}

export const crashChecks: ContractCheck[] = [
  storeScenario,
  updateScenario(false),
  updateScenario(true),
  deleteScenario,
  restoreScenario,
  undeleteScenario,
  compressedStoreScenario,
  compressedUpdateScenario,
  compressedDeleteScenario,
]
  .map((scenario) =>
    defineCheck(
      GROUP,
      `a ${scenario.name} interrupted at any write leaves the old or the new state`,
      ({ backend }) => crashEverywhere(backend, scenario),
    ),
  )
  .map((check) => ({ ...check, needsLocalLake: true, timeoutFactor: 3 }));
