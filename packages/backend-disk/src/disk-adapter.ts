import * as nodeSyncFs from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type AdapterCopyOptions,
  type AdapterListOptions,
  type AdapterListPage,
  type AdapterPutOptions,
  type BackendCapabilities,
  type BodyInput,
  type ByteRange,
  bodyChunks,
  copyByReading,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  NotFoundError,
  type ObjectInfo,
  PreconditionFailedError,
  type PutMode,
  type PutResult,
  ReadOnlyError,
  type StorageAdapter,
  ValidationError,
} from '@datalake/core';
import { AttributeStore, type ObjectAttributes } from './attributes.js';
import { FolderGuard, LinkInTheWay } from './containment.js';
import {
  type DiskFileHandle,
  type DiskFs,
  type DiskStats,
  type DiskSyncFs,
  errorCode,
  isMissing,
  isNoFollowRefusal,
  linksUnsupported,
  makeFolders,
  READ_NO_FOLLOW,
} from './disk-fs.js';
import { openedReadOnly, openFailure, pathConflict, wrapFsError } from './errors.js';
import {
  mtimeNanoseconds,
  mtimeResolution,
  type ObjectStat,
  objectStat,
  sameEtag,
  stampOf,
  toUtimesSeconds,
  WriteClock,
} from './etag.js';
import { WriteAheadJournal } from './journal/journal.js';
import { createWhileLogging } from './journal/logged-create.js';
import type { JournalRecord } from './journal/record.js';
import { type JournalRepair, recoverJournals } from './journal/recover.js';
import { assertOutsideInternalFolder, DiskLayout, JOURNAL_FOLDER, parentKey, TEMP_FOLDER } from './layout.js';
import { listFromDisk } from './listing.js';
import { KeyLocks, type LockTimings } from './lock.js';
import { tempFileName } from './owner.js';
import { mapWithConcurrency } from './pool.js';
import { readChunks } from './read-stream.js';
import { recoverLeftovers } from './recovery.js';
import { type TempFile, writeSmallTempFileSync, writeTempFile } from './temp-file.js';

export interface DiskBackendOptions {
  /**
   * Folder holding the lake; created on first use unless `create` is `false`. When it is (or
   * passes through) a symbolic link, it is resolved once, on first use.
   */
  root: string;
  /**
   * Create the root folder when it is missing (default `true`). With `false`, a missing root makes
   * every operation fail with `NotFoundError` ("no lake at <root>") and nothing is created.
   */
  create?: boolean;
  /**
   * Never write anything (default `false`): no folders are created, leftovers of dead writers
   * are not cleaned up, and every `put` and `delete` fails at once with `ReadOnlyError`. Implies
   * `create: false`. Without it the backend still reads a lake it cannot write (a read-only mount,
   * a folder without write permission): writes then fail with `ReadOnlyError` when they are tried.
   */
  readOnly?: boolean;
  /** File system to use (default `node:fs/promises`); tests pass a memfs volume's `promises`. */
  fs?: DiskFs;
  /** Flush file data and the folder entry to the device before a write returns (default `true`). */
  fsync?: boolean;
  /** How long a write waits for another writer's lock on the same key before failing (default 10 s). */
  lockWaitMs?: number;
  /** Age after which a lock is considered abandoned even if its holder seems alive (default 30 s). */
  lockStaleMs?: number;
  /** Age after which a temp file of a writer on another host is removed by recovery (default 24 h). */
  tempMaxAgeMs?: number;
  /**
   * Objects up to this many bytes are read, and (with `fsync: false`) buffered bodies up to it
   * written, with synchronous system calls on the calling thread; listings stat synchronously
   * (default 64 KiB; `0` sends every call through the thread pool).
   * Such a call takes microseconds; a thread-pool round trip costs several times more.
   */
  syncCallMaxBytes?: number;
}

/** Node's file system: the promise API plus the synchronous calls of `DiskSyncFs`. */
const NODE_FS: DiskFs = { ...(nodeFs as unknown as DiskFs), sync: nodeSyncFs as unknown as DiskSyncFs };

/** Tries of a rename or link whose target folder a concurrent delete just pruned. */
const PLACE_ATTEMPTS = 5;
/** Buffered bodies up to this size are made durable through the write-ahead journal (larger ones by their own fsync). */
const JOURNAL_MAX_BODY = 1024 * 1024;

/**
 * The storage adapter over a folder: the object `a/b/c.sql` is the file `<root>/a/b/c.sql`.
 * Writes go to a temp file and are renamed (or hard-linked, for conditional creates) into place;
 * writes and deletes of one key are serialised across processes by a lock file. Core's front
 * (`DiskBackend`) has checked every argument before a call reaches it.
 */
export class DiskAdapter implements StorageAdapter {
  readonly description: string;
  readonly capabilities: BackendCapabilities;

  private readonly fs: DiskFs;
  /** The root as given (made absolute): named in messages, and resolved to `layout.root` on first use. */
  private readonly givenRoot: string;
  private readonly durable: boolean;
  private readonly create: boolean;
  private readonly readOnly: boolean;
  private readonly lockTimings: LockTimings;
  private readonly tempMaxAgeMs: number;
  private readonly syncCallMaxBytes: number;
  // Set up for the given root, and again for the resolved root once it is known (see `wire`).
  private layout!: DiskLayout;
  private guard!: FolderGuard;
  private locks!: KeyLocks;
  private attributes!: AttributeStore;
  /** Makes small durable writes durable with one shared flush (see `WriteAheadJournal`); off without fsync. */
  private journal: WriteAheadJournal | undefined;
  /** A write with `deferDurability` may have been lost with a failed journal flush: the next durable write fails too. */
  private deferredLost: unknown;
  private startup: Promise<void> | undefined;
  /** Measured on the first write: reads never need it (and a read-only lake cannot be probed). */
  private clock: Promise<WriteClock> | undefined;

  constructor(options: DiskBackendOptions) {
    if (typeof options?.root !== 'string' || options.root.length === 0) {
      throw new ValidationError('DiskBackend needs a non-empty `root` folder');
    }
    for (const name of ['fsync', 'create', 'readOnly'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'boolean') {
        throw new ValidationError(`DiskBackend option \`${name}\` must be a boolean`);
      }
    }
    this.fs = options.fs ?? NODE_FS;
    this.givenRoot = path.resolve(options.root);
    this.durable = options.fsync ?? true;
    this.readOnly = options.readOnly ?? false;
    this.create = !this.readOnly && (options.create ?? true);
    this.tempMaxAgeMs = positive(options.tempMaxAgeMs, 'tempMaxAgeMs', 24 * 60 * 60 * 1000);
    this.syncCallMaxBytes = byteCount(options.syncCallMaxBytes, 'syncCallMaxBytes', 64 * 1024);
    this.lockTimings = {
      waitMs: positive(options.lockWaitMs, 'lockWaitMs', 10_000),
      staleMs: positive(options.lockStaleMs, 'lockStaleMs', 30_000),
    };
    this.wire(this.givenRoot);
    this.description = `disk:${this.givenRoot}`;
    this.capabilities = Object.freeze({
      atomicConditionalWrites: true,
      atomicConditionalDeletes: true,
      sharedAcrossProcesses: true,
      persistent: true,
      objectMetadata: true,
      delimiterListing: true,
      // A copy is a hard link only without fsync: a durable write may still live in the journal only.
      copy: !this.durable,
    });
  }

  /** The absolute root folder, as given (see `DiskBackendOptions.root`). */
  get root(): string {
    return this.givenRoot;
  }

  async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    assertOutsideInternalFolder(key);
    const attributes = attributesOf(options);
    const { mode } = options;
    if (this.readOnly) throw openedReadOnly('put', key, this.givenRoot);
    await this.start();
    const journal = this.journal;
    if (journal && body instanceof Uint8Array && body.byteLength <= JOURNAL_MAX_BODY) {
      if (AttributeStore.isEmpty(attributes)) return this.putJournaled(journal, key, body, options);
    }
    let temp: TempFile | undefined;
    let attributeFile: string | undefined;
    let committed = false;
    try {
      const clock = await this.writeClock();
      temp =
        this.writeSmallTempFile(clock, body) ??
        (await writeTempFile(this.fs, this.layout, this.guard, clock, body, { durable: this.durable }));
      if (!AttributeStore.isEmpty(attributes)) {
        attributeFile = await this.attributes.write(key, temp.stat.etag, attributes, this.durable);
      }
      if (mode.kind === 'create') await this.createExclusive(key, temp);
      else await this.replace(key, temp, { ifMatch: expectedEtag(mode) });
      committed = true;
      if (this.durable) await this.syncFolder(path.dirname(this.layout.objectPath(key)));
      return { etag: temp.stat.etag, size: temp.stat.size };
    } catch (error) {
      if (temp) await this.fs.unlink(temp.path).catch(() => undefined);
      if (attributeFile && !committed) await this.fs.unlink(attributeFile).catch(() => undefined);
      throw this.fail('put', key, error);
    }
  }

  /**
   * Without fsync: hard-links the source's file to a temp name (so the version checked is the one
   * placed, whatever happens to the source meanwhile), checks `ifSourceMatch` against it, then
   * places it like a written temp file. The copy shares the file, and so the etag, of the source's
   * version; writes replace files whole, so later writes of either key leave the other as it is.
   * With fsync, or where the file system has no hard links: a read of the source and a put.
   */
  async copy(source: string, target: string, options: AdapterCopyOptions): Promise<PutResult | null> {
    assertOutsideInternalFolder(source);
    assertOutsideInternalFolder(target);
    if (this.readOnly) throw openedReadOnly('copy', target, this.givenRoot);
    await this.start();
    if (this.durable) return copyByReading(this, source, target, options);
    let temp: TempFile | null | 'unsupported' | undefined;
    try {
      temp = await this.linkToTemp(source);
      if (temp === 'unsupported') return copyByReading(this, source, target, options);
      if (!temp) return null;
      if (options.ifSourceMatch !== undefined && !sameEtag(options.ifSourceMatch, temp.stat.etag)) {
        await this.fs.unlink(temp.path);
        return null;
      }
      const { mode } = options;
      if (mode.kind === 'create') await this.createExclusive(target, temp);
      else await this.replace(target, temp, { ifMatch: expectedEtag(mode) });
      return { etag: temp.stat.etag, size: temp.stat.size };
    } catch (error) {
      if (temp && temp !== 'unsupported') await this.fs.unlink(temp.path).catch(() => undefined);
      throw this.fail('copy', target, isNoFollowRefusal(error) ? new LinkInTheWay(source) : error);
    }
  }

  /** A temp name for the source's current file; `null` when there is none, `'unsupported'` without hard links. */
  private async linkToTemp(source: string): Promise<TempFile | null | 'unsupported'> {
    if ((await this.guard.check(parentKey(source))) !== 'present') return null;
    const draft = path.join(this.layout.tempDir, tempFileName());
    await this.guard.ensure(TEMP_FOLDER);
    try {
      await this.fs.link(this.layout.objectPath(source), draft);
    } catch (error) {
      const code = errorCode(error);
      if (isMissing(error) || code === 'ENOTDIR') return null;
      if (code === 'EPERM' || code === 'EISDIR') {
        // Linux refuses to hard-link a folder with EPERM: a folder is no object.
        const stats = await this.lstatOrNull(this.layout.objectPath(source));
        if (stats?.isDirectory()) return null;
      }
      if (linksUnsupported(code)) return 'unsupported';
      throw error;
    }
    const stats = await this.fs.lstat(draft);
    if (!stats.isFile()) {
      await this.fs.unlink(draft);
      if (stats.isSymbolicLink()) throw new LinkInTheWay(source);
      return null;
    }
    return { path: draft, stat: objectStat(stats) };
  }

  async get(key: string, options: GetOptions): Promise<GetResult | null> {
    assertOutsideInternalFolder(key);
    await this.start();
    const small = this.getSmallSync(key, options);
    if (small !== undefined) return small;
    let handle: DiskFileHandle | undefined;
    try {
      if ((await this.guard.check(parentKey(key))) !== 'present') return null;
      handle = await this.fs.open(this.layout.objectPath(key), READ_NO_FOLLOW);
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      const stat = objectStat(stats);
      const span = byteSpan(options.range, stat.size);
      const info = await this.describe(key, stat);
      if (span.start > span.end) {
        // Nothing to read: let go of the file now, a body that is never iterated cannot.
        await handle.close();
        return { ...info, body: bodyChunks(new Uint8Array()) };
      }
      const body = readChunks(handle, span.start, span.end, (error) => this.fail('get', key, error));
      return options.range ? { ...info, body, range: span } : { ...info, body };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      if (isMissing(error) || errorCode(error) === 'EISDIR') return null;
      throw this.fail('get', key, isNoFollowRefusal(error) ? new LinkInTheWay(key) : error);
    }
  }

  /**
   * `get` of an object of at most `syncCallMaxBytes`, read whole with synchronous calls; `undefined`
   * when the object is larger or synchronous calls are off (the caller then uses the thread pool).
   */
  private getSmallSync(key: string, options: GetOptions): GetResult | null | undefined {
    const sync = this.fs.sync;
    if (!sync || this.syncCallMaxBytes === 0) return undefined;
    let fd: number;
    try {
      if (this.guard.checkSync(parentKey(key)) !== 'present') return null;
      fd = sync.openSync(this.layout.objectPath(key), READ_NO_FOLLOW);
    } catch (error) {
      if (isMissing(error) || errorCode(error) === 'EISDIR') return null;
      throw this.fail('get', key, isNoFollowRefusal(error) ? new LinkInTheWay(key) : error);
    }
    try {
      const stats = sync.fstatSync(fd);
      if (!stats.isFile()) return null;
      if (Number(stats.size) > this.syncCallMaxBytes) return undefined;
      const stat = objectStat(stats);
      const span = byteSpan(options.range, stat.size);
      const bytes = readWholeSync(sync, fd, span.start, span.end);
      const info: ObjectInfo = { key, ...stat, ...this.attributes.readSync(sync, key, stat.etag) };
      const body = bodyChunks(bytes);
      return options.range && span.start <= span.end ? { ...info, body, range: span } : { ...info, body };
    } catch (error) {
      throw this.fail('get', key, error);
    } finally {
      sync.closeSync(fd);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertOutsideInternalFolder(key);
    await this.start();
    try {
      const stat = await this.statObject(key);
      return stat ? await this.describe(key, stat) : null;
    } catch (error) {
      throw this.fail('head', key, error);
    }
  }

  async delete(key: string, options: DeleteOptions): Promise<boolean> {
    assertOutsideInternalFolder(key);
    if (this.readOnly) throw openedReadOnly('delete', key, this.givenRoot);
    await this.start();
    const file = this.layout.objectPath(key);
    try {
      const lock = await this.locks.acquire(key);
      try {
        const current = await this.statObject(key);
        if (options.ifMatch !== undefined) assertEtagMatches(key, options.ifMatch, current);
        if (!current) return false;
        await this.fs.unlink(file);
        await this.attributes.remove(key, current.etag).catch(() => undefined);
      } finally {
        await this.locks.release(lock);
      }
      if (this.journal) {
        const stamp = (await this.writeClock()).next() / 1000n;
        await this.durably(this.journal.append({ op: 'delete', key, stamp: stamp.toString() }));
      } else if (this.durable) await this.syncFolder(path.dirname(file));
      await this.pruneEmptyFolders(path.dirname(file));
      return true;
    } catch (error) {
      throw this.fail('delete', key, error);
    }
  }

  async list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    assertOutsideInternalFolder(prefix, 'list prefix');
    await this.start();
    try {
      return await listFromDisk(this.fs, this.layout, this.guard, prefix, options, this.syncCallMaxBytes > 0);
    } catch (error) {
      throw this.fail('list', prefix, error);
    }
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  private fail(operation: string, key: string, error: unknown) {
    return wrapFsError(operation, key, error, this.givenRoot);
  }

  /** Builds the parts that work below a root: for the given root, then for the resolved one. */
  private wire(root: string): void {
    this.layout = new DiskLayout(root);
    this.guard = new FolderGuard(this.fs, this.layout.root, this.syncCallMaxBytes > 0);
    this.locks = new KeyLocks(this.fs, this.layout, this.guard, this.lockTimings);
    this.attributes = new AttributeStore(this.fs, this.layout, this.guard);
    this.journal =
      this.durable && !this.readOnly
        ? new WriteAheadJournal(
            this.fs,
            this.layout.journalDir,
            () => this.guard.ensure(JOURNAL_FOLDER),
            (keys) => this.checkpoint(keys),
          )
        : undefined;
  }

  /**
   * Finds (or creates) the root and cleans up after dead writers. Runs once, on first use; a
   * failure is reported and retried on the next call. Nothing below the root is created here:
   * reading needs no write access.
   */
  private start(): Promise<void> {
    this.startup ??= this.prepare().catch((error: unknown) => {
      this.startup = undefined;
      throw openFailure(this.givenRoot, error);
    });
    return this.startup;
  }

  private async prepare(): Promise<void> {
    const root = await this.locateRoot();
    if (root !== this.layout.root) this.wire(root);
    if (!this.readOnly) {
      await recoverLeftovers(this.fs, this.layout, this.guard, this.locks, this.tempMaxAgeMs);
      await this.recoverJournals();
    }
  }

  /** The real path of the root folder, made first if it is missing and `create` allows. */
  private async locateRoot(): Promise<string> {
    const given = this.givenRoot;
    for (let attempt = 0; ; attempt++) {
      try {
        const real = this.fs.realpath ? pathText(await this.fs.realpath(given)) : given;
        const stats = await this.fs.lstat(real);
        // Without `realpath` a root that is a link is used as it is (the OS follows it).
        if (stats.isDirectory() || stats.isSymbolicLink()) return real;
        throw new NotFoundError(`no lake at ${given}: it is not a folder`, { details: { root: given } });
      } catch (error) {
        if (!isMissing(error) || attempt > 0) throw error;
        if (!this.create) throw new NotFoundError(`no lake at ${given}`, { details: { root: given } });
      }
      try {
        await makeFolders(this.fs, given);
      } catch (error) {
        const code = errorCode(error);
        if (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM') throw error;
        throw new ReadOnlyError(`disk backend: there is no lake at ${given}, and it cannot be created here`, {
          cause: error,
          details: { root: given, code },
        });
      }
    }
  }

  /**
   * A durable write through the journal: the object file is written without an fsync of its own.
   * Normally its record is made durable first and the object placed after (so that an OS crash can
   * never leave a damaged object behind a durable record); with `deferDurability` the object is
   * placed at once and its record made durable by the caller's next durable write.
   */
  private async putJournaled(
    journal: WriteAheadJournal,
    key: string,
    body: Uint8Array,
    options: AdapterPutOptions,
  ): Promise<PutResult> {
    const { mode } = options;
    let temp: TempFile | undefined;
    try {
      const clock = await this.writeClock();
      if (mode.kind === 'create' && !options.deferDurability) {
        const created = await createWhileLogging({
          journal,
          key,
          body,
          stampNs: clock.next(),
          durably: (appended) => this.durably(appended),
          writeTemp: (fixed) => this.writeJournalTemp(fixed, body),
          place: (placed) => this.createExclusive(key, placed),
          discard: (placed) => this.fs.unlink(placed.path).catch(() => undefined),
        });
        if (created) return created;
      }
      temp = await this.writeJournalTemp(clock, body);
      const placed = temp;
      const stamp = stampOf(placed.stat.etag);
      const record: JournalRecord =
        mode.kind === 'create'
          ? { op: 'put', key, stamp, body, create: true }
          : { op: 'put', key, stamp, body };
      if (options.deferDurability) {
        if (mode.kind === 'create') await this.createExclusive(key, placed);
        else await this.replace(key, placed, { ifMatch: expectedEtag(mode) });
        journal.appendDeferred(record).catch((error: unknown) => {
          this.deferredLost ??= error;
        });
      } else {
        const release = journal.hold();
        try {
          if (mode.kind === 'create') {
            await this.durably(journal.append(record));
            await this.createExclusive(key, placed).catch((error: unknown) => {
              // Logged but not done: recovery must not replay it.
              journal.append({ op: 'cancel', key, stamp: record.stamp }).catch(() => undefined);
              throw error;
            });
          } else {
            await this.replace(key, placed, { ifMatch: expectedEtag(mode) }, () =>
              this.durably(journal.append(record)),
            );
          }
        } finally {
          release();
        }
      }
      return { etag: placed.stat.etag, size: placed.stat.size };
    } catch (error) {
      if (temp) await this.fs.unlink(temp.path).catch(() => undefined);
      throw this.fail('put', key, error);
    }
  }

  /** The temp file of a journaled write: in synchronous calls when the body is small, else through the thread pool. */
  private async writeJournalTemp(clock: WriteClock, body: Uint8Array): Promise<TempFile> {
    return (
      this.writeSmallTempFile(clock, body, true) ??
      (await writeTempFile(this.fs, this.layout, this.guard, clock, body, { durable: false }))
    );
  }

  /** Waits for a journal record, failing as well when an earlier deferred write's record was lost. */
  private async durably(appended: Promise<void>): Promise<void> {
    await appended;
    const lost = this.deferredLost;
    if (lost !== undefined) {
      this.deferredLost = undefined;
      throw lost;
    }
  }

  /** Finishes the journals of dead writers (see `recoverJournals`). */
  private async recoverJournals(): Promise<void> {
    if ((await this.guard.check(JOURNAL_FOLDER).catch(() => 'absent')) !== 'present') return;
    const names = (await this.fs.readdir(this.layout.journalDir, { withFileTypes: true })).flatMap((entry) =>
      typeof entry === 'object' &&
      !(entry instanceof Uint8Array) &&
      typeof entry.name === 'string' &&
      entry.isFile()
        ? [entry.name]
        : [],
    );
    if (names.length > 0) await recoverJournals(this.fs, this.layout.journalDir, names, this.journalRepair());
  }

  /** How recovery repairs objects: durably, through the same primitives as writes (see `JournalRepair`). */
  private journalRepair(): JournalRepair {
    /** The modification time (microseconds) of the object at `key`, or `undefined` when there is none. */
    const writtenAt = async (key: string) => {
      if ((await this.guard.check(parentKey(key)).catch(() => 'absent')) !== 'present') return undefined;
      const file = this.layout.objectPath(key);
      if (!(await this.lstatOrNull(file))?.isFile()) return undefined;
      return mtimeNanoseconds(await this.fs.lstat(file, { bigint: true })) / 1000n;
    };
    return {
      restartedSince: (mtimeMs) => mtimeMs < Date.now() - os.uptime() * 1000,
      restore: async (key, body, stamp, create) => {
        const current = await writtenAt(key);
        if (current !== undefined && (create ? current !== stamp : current > stamp)) return;
        const clock = { next: () => stamp * 1000n } as WriteClock;
        const temp = await writeTempFile(this.fs, this.layout, this.guard, clock, body, { durable: true });
        await this.ensureParentFolder(key);
        await this.renameIntoPlace(key, temp.path, this.layout.objectPath(key));
        await this.syncFolder(path.dirname(this.layout.objectPath(key)));
      },
      remove: async (key, stamp) => {
        const current = await writtenAt(key);
        if (current === undefined || current > stamp) return;
        await this.fs.unlink(this.layout.objectPath(key)).catch(() => undefined);
        await this.syncFolder(path.dirname(this.layout.objectPath(key)));
      },
      checkpoint: (keys) => this.checkpoint(keys),
    };
  }

  /** Makes the objects at `keys` that exist, and the folders of all of them, durable. */
  private async checkpoint(keys: ReadonlySet<string>): Promise<void> {
    const folders = new Set<string>();
    await mapWithConcurrency([...keys], 16, async (key) => {
      const file = this.layout.objectPath(key);
      folders.add(path.dirname(file));
      try {
        const handle = await this.fs.open(file, READ_NO_FOLLOW);
        try {
          await handle.datasync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        if (!isMissing(error) && errorCode(error) !== 'EISDIR' && !isNoFollowRefusal(error)) throw error;
      }
    });
    await mapWithConcurrency([...folders], 16, async (folder) => {
      await this.syncFolder(folder).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    });
  }

  /** The write clock, measuring the timestamp resolution on the first write. */
  private writeClock(): Promise<WriteClock> {
    this.clock ??= this.probeTimestampResolution().then(
      (resolution) => new WriteClock(resolution),
      (error: unknown) => {
        this.clock = undefined;
        throw error;
      },
    );
    return this.clock;
  }

  private async probeTimestampResolution(): Promise<bigint> {
    const file = path.join(this.layout.tempDir, tempFileName());
    const probeNs = BigInt(Math.floor(Date.now() / 1000)) * 1_000_000_000n + 123_456_000n;
    await this.guard.ensure(TEMP_FOLDER);
    const handle = await this.fs.open(file, 'wx');
    try {
      await handle.utimes(toUtimesSeconds(probeNs), toUtimesSeconds(probeNs));
      return mtimeResolution(probeNs, mtimeNanoseconds(await handle.stat({ bigint: true })));
    } finally {
      await handle.close();
      await this.fs.unlink(file).catch(() => undefined);
    }
  }

  /**
   * Whether small writes may use synchronous calls: `syncCallMaxBytes` above 0, and no fsync of
   * their own (`fsync` off, or made durable by the journal).
   */
  private get unsyncedSmallWrites(): boolean {
    return (!this.durable || this.journal !== undefined) && this.syncCallMaxBytes > 0;
  }

  /** The temp file written in synchronous calls, or `undefined` when the body does not qualify. */
  private writeSmallTempFile(clock: WriteClock, body: BodyInput, journaled = false): TempFile | undefined {
    const sync = this.fs.sync;
    if (!sync || !(body instanceof Uint8Array)) return undefined;
    if (!this.unsyncedSmallWrites || (this.durable && !journaled)) return undefined;
    if (body.byteLength > this.syncCallMaxBytes) return undefined;
    return writeSmallTempFileSync(sync, this.layout, this.guard, clock, body);
  }

  private async describe(key: string, stat: ObjectStat): Promise<ObjectInfo> {
    const attributes = await this.attributes.read(key, stat.etag);
    return { key, ...stat, ...attributes };
  }

  /**
   * The object's stat, or `null` when there is no object (nothing there, a parent is a file, or it
   * is a folder). A symbolic link on the way, or at the key itself, is refused (`LinkInTheWay`).
   */
  private async statObject(key: string): Promise<ObjectStat | null> {
    if ((await this.guard.check(parentKey(key))) !== 'present') return null;
    const stats = await this.lstatOrNull(this.layout.objectPath(key));
    FolderGuard.refuseLink(stats, key);
    return stats?.isFile() ? objectStat(stats) : null;
  }

  /** Conditional create: a hard link fails atomically when anything exists at the target. */
  private async createExclusive(key: string, temp: TempFile): Promise<void> {
    const target = this.layout.objectPath(key);
    await this.ensureParentFolder(key);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.link(temp.path, target, attempt === 1);
        return;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST') {
          const existing = await this.lstatOrNull(target);
          FolderGuard.refuseLink(existing, key);
          if (existing?.isDirectory()) throw pathConflict(key, 'a folder of that name exists');
          throw new PreconditionFailedError(`key ${JSON.stringify(key)} already exists`, {
            details: { key },
          });
        }
        if (code === 'ENOTDIR') throw pathConflict(key, 'one of its parent folders is an object');
        // The parent folder is missing (first object there, or a delete just pruned it).
        if (code === 'ENOENT' && attempt < PLACE_ATTEMPTS) {
          await this.ensureParentFolder(key);
          continue;
        }
        if (linksUnsupported(code)) return this.replace(key, temp, { mustNotExist: true });
        throw error;
      }
    }
  }

  /**
   * Hard-links a temp file into place and removes its temp name. A first attempt on a small,
   * unsynced object uses synchronous calls (see `syncCallMaxBytes`); failures are handled by the caller.
   */
  private async link(from: string, to: string, trySync: boolean): Promise<void> {
    const sync = this.fs.sync;
    if (trySync && sync && this.unsyncedSmallWrites) {
      sync.linkSync(from, to);
      try {
        sync.unlinkSync(from);
      } catch {}
      return;
    }
    await this.fs.link(from, to);
    await this.fs.unlink(from).catch(() => undefined);
  }

  /** Renames the temp file over the key under the key's lock, after checking the condition. */
  private async replace(
    key: string,
    temp: TempFile,
    condition: { ifMatch?: string; mustNotExist?: boolean },
    /** Runs once the condition holds, just before the rename (with the key still locked). */
    beforeRename?: () => Promise<void>,
  ) {
    const target = this.layout.objectPath(key);
    await this.ensureParentFolder(key);
    const lock = await this.locks.acquire(key);
    try {
      const stats = await this.lstatOrNull(target);
      FolderGuard.refuseLink(stats, key);
      if (stats?.isDirectory()) throw pathConflict(key, 'a folder of that name exists');
      const current = stats?.isFile() ? objectStat(stats) : null;
      if (condition.ifMatch !== undefined) assertEtagMatches(key, condition.ifMatch, current);
      if (condition.mustNotExist && current) {
        throw new PreconditionFailedError(`key ${JSON.stringify(key)} already exists`, { details: { key } });
      }
      await beforeRename?.();
      await this.renameIntoPlace(key, temp.path, target);
      if (current && current.etag !== temp.stat.etag) {
        await this.attributes.remove(key, current.etag).catch(() => undefined);
      }
    } finally {
      await this.locks.release(lock);
    }
  }

  private async renameIntoPlace(key: string, from: string, target: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.fs.rename(from, target);
        return;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw pathConflict(key, 'a folder of that name exists');
        }
        if (code === 'ENOTDIR') throw pathConflict(key, 'one of its parent folders is an object');
        // The parent folder is missing (first object there, or a delete just pruned it).
        if (code === 'ENOENT' && attempt < PLACE_ATTEMPTS) {
          await this.ensureParentFolder(key);
          continue;
        }
        throw error;
      }
    }
  }

  /** Makes the key's parent folders, refusing a symbolic link on the way (see `FolderGuard`). */
  private async ensureParentFolder(key: string): Promise<void> {
    try {
      await this.guard.ensure(parentKey(key));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw pathConflict(key, 'one of its parent folders is an object');
      }
      throw error;
    }
  }

  /** lstat, or `null` when nothing is there (or a parent folder is an object). */
  private async lstatOrNull(file: string): Promise<DiskStats | null> {
    try {
      return await this.fs.lstat(file);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  private async syncFolder(folder: string): Promise<void> {
    // The root may be a link when the fs cannot resolve it (no `realpath`); folders below it never are.
    const handle = await this.fs.open(folder, folder === this.layout.root ? READ : READ_NO_FOLLOW);
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** Removes folders emptied by a delete, up to (not including) the root. */
  private async pruneEmptyFolders(folder: string): Promise<void> {
    let current = folder;
    while (current !== this.layout.root && current.startsWith(this.layout.root + path.sep)) {
      try {
        await this.fs.rmdir(current);
      } catch {
        return; // Not empty (or already gone): the folders above are not empty either.
      }
      current = path.dirname(current);
    }
  }
}

const READ: number = nodeSyncFs.constants.O_RDONLY;

function pathText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : new TextDecoder().decode(value);
}

function assertEtagMatches(key: string, expected: string, current: ObjectStat | null): void {
  if (!current) {
    throw new PreconditionFailedError(
      `key ${JSON.stringify(key)} does not exist (expected etag ${expected})`,
      {
        details: { key, expected },
      },
    );
  }
  if (!sameEtag(expected, current.etag)) {
    throw new PreconditionFailedError(
      `key ${JSON.stringify(key)} has etag ${current.etag}, expected ${expected}`,
      { details: { key, expected, actual: current.etag } },
    );
  }
}

/** The content type and metadata a put stores beside the object (the front has checked them). */
function attributesOf(options: AdapterPutOptions): ObjectAttributes {
  const attributes: ObjectAttributes = {};
  if (options.contentType !== undefined) attributes.contentType = options.contentType;
  if (options.metadata !== undefined && Object.keys(options.metadata).length > 0) {
    attributes.metadata = { ...options.metadata };
  }
  return attributes;
}

/** The etag a put's mode requires the current object to have, if any. */
function expectedEtag(mode: PutMode): string | undefined {
  return mode.kind === 'replace' ? mode.etag : undefined;
}

/** The inclusive bytes to read: the range (already well formed) cut to the object; `start > end` when none. */
function byteSpan(range: ByteRange | undefined, size: number): { start: number; end: number } {
  if (range === undefined) return { start: 0, end: size - 1 };
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

function byteCount(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`DiskBackend option \`${name}\` must be a non-negative whole number of bytes`);
  }
  return value;
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`DiskBackend option \`${name}\` must be a positive number of milliseconds`);
  }
  return value;
}

/** Bytes `[start, end]` of an open file (fewer if it has shrunk since it was stat'ed). */
function readWholeSync(sync: DiskSyncFs, fd: number, start: number, end: number): Uint8Array {
  const buffer = new Uint8Array(Math.max(0, end - start + 1));
  let filled = 0;
  while (filled < buffer.length) {
    const count = sync.readSync(fd, buffer, filled, buffer.length - filled, start + filled);
    if (count === 0) break;
    filled += count;
  }
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}
