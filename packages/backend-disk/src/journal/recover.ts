import path from 'node:path';
import { type DiskFs, isMissing, readFileNoFollow } from '../disk-fs.js';
import { ownerMayBeAlive } from '../owner.js';
import { ownerOfJournal } from './journal.js';
import { decodeRecords, type JournalRecord } from './record.js';

/** What recovery does to the objects a dead writer's journal names. */
export interface JournalRepair {
  /** Whether the machine restarted after `mtimeMs` (an OS crash or power loss may have lost unsynced writes). */
  restartedSince(mtimeMs: number): boolean;
  /**
   * Writes `body` at `key`, durably, unless the object there was written after `stamp`
   * (microseconds), or, for a conditional create (`create`), before it: that object made the create
   * fail (whose cancel record was lost), and only a missing object or the write's own torn one
   * (stamped `stamp`) is restored.
   */
  restore(key: string, body: Uint8Array, stamp: bigint, create: boolean): Promise<void>;
  /** Removes the object at `key` durably, unless it was written after `stamp`. */
  remove(key: string, stamp: bigint): Promise<void>;
  /** Makes the objects at `keys` (those that exist) and their folders durable. */
  checkpoint(keys: ReadonlySet<string>): Promise<void>;
}

export interface JournalRecovery {
  /** Journals of dead writers handled (and removed). */
  journals: number;
  /** Records replayed after a restart. */
  replayed: number;
}

/**
 * Finishes the journals of writers that are gone. Without a restart since a journal was last
 * written, its writes all reached the OS and only need to be made durable (checkpoint). After a
 * restart, the unsynced object files may have been lost or torn: every durable record is replayed
 * in order (a put whose conditional create failed is skipped), never over a later write.
 */
export async function recoverJournals(
  fs: DiskFs,
  folder: string,
  names: readonly string[],
  repair: JournalRepair,
): Promise<JournalRecovery> {
  const report: JournalRecovery = { journals: 0, replayed: 0 };
  const dead = names.filter((name) => {
    const owner = ownerOfJournal(name);
    return owner !== undefined && !ownerMayBeAlive(owner);
  });
  for (const name of dead) {
    const file = path.join(folder, name);
    let bytes: Uint8Array;
    let mtimeMs: number;
    try {
      mtimeMs = Number((await fs.lstat(file)).mtimeMs);
      bytes = await readFileNoFollow(fs, file);
    } catch (error) {
      if (isMissing(error)) continue; // Another process recovered it first.
      throw error;
    }
    const records = decodeRecords(bytes);
    if (repair.restartedSince(mtimeMs)) report.replayed += await replay(records, repair);
    else await repair.checkpoint(new Set(records.map((record) => record.key)));
    await fs.unlink(file).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    report.journals++;
  }
  return report;
}

async function replay(records: readonly JournalRecord[], repair: JournalRepair): Promise<number> {
  const cancelled = new Set(
    records.filter((record) => record.op === 'cancel').map((record) => `${record.key}\n${record.stamp}`),
  );
  let replayed = 0;
  for (const record of records) {
    if (record.op === 'cancel') continue;
    if (record.op === 'put') {
      if (cancelled.has(`${record.key}\n${record.stamp}`)) continue;
      await repair.restore(record.key, record.body, BigInt(record.stamp), record.create === true);
    } else await repair.remove(record.key, BigInt(record.stamp));
    replayed++;
  }
  return replayed;
}
