import { createHash, randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import {
  ConflictError,
  CorruptDataError,
  type Entry,
  type EntryVersion,
  entryFields,
  type JsonValue,
  type Lake,
  type LakeHistoryTransfer,
  NotFoundError,
} from '@datalake/core';
import type { ArchiveSource } from './archive-reader.js';
import { ArchiveWriter } from './archive-writer.js';
import { historyOf, keptShas } from './history-lake.js';
import { AMENDMENTS_MEMBER, contentMember, MANIFEST_MEMBER } from './layout.js';
import {
  type ContentRef,
  type DeletedEntry,
  encodeLine,
  type ManifestLine,
  type ManifestShape,
  newHeader,
} from './manifest.js';
import type { TransferProgress } from './progress.js';
import { readAhead } from './read-ahead.js';
import { scanArchive } from './scan.js';

export interface CreateBackupOptions {
  /** Where the archive is written (a file stream, standard output). It is ended when the backup is. */
  output: Writable;
  /** Compress the archive with gzip (a `.tar.gz`). Default false. */
  gzip?: boolean;
  /**
   * An earlier backup of this lake (its file, or its bytes): contents it refers to are left out of
   * this one, which then needs it (and its own bases) to be restored. It is checked in full first.
   */
  since?: ArchiveSource;
  /** Contents up to this size are read whole, several at once, ahead of writing. Default 8 MiB. */
  readAheadBytes?: number;
  onProgress?: (progress: TransferProgress) => void;
}

export interface BackupReport {
  backupId: string;
  /** The snapshot's time: every entry is at a version of this time or later. */
  createdAt: string;
  since: { backupId: string; createdAt: string } | null;
  /** The archive's format: 2 (with history) for a lake that gives its history, else 1. */
  format: 1 | 2;
  /** Entries in the backup. */
  entries: number;
  /** Deleted entries in the backup, with their history (format 2). */
  deleted: number;
  /** Versions of all entries in the backup (format 2; format 1: one per entry). */
  versions: number;
  /** Distinct contents written into this archive, and their bytes. */
  contents: number;
  contentBytes: number;
  /** Distinct contents left out because the `since` backup has them. */
  contentsInBase: number;
  /** Entries that changed while the backup ran, kept at their later version. */
  amended: number;
  /** Entries deleted while the backup ran (not in it). */
  removed: number;
  /** Entries left out because their content could not be read (damaged or missing: see fsck). */
  unreadable: { id: string; filePath: string; reason: string }[];
  /** Bytes of the archive (compressed, with gzip). */
  archiveBytes: number;
}

const DEFAULT_READ_AHEAD_BYTES = 8 * 1024 * 1024;
const READ_AHEAD_WINDOW = 16;
/** Rounds of amendments for entries that keep changing while their content is read. */
const MAX_ROUNDS = 5;

interface Group {
  sha256: string;
  size: number;
  /** The entries (ids) that hold this content as their current version. */
  ids: string[];
  /** Some entry's history needs it: the lake keeps it (read from there when no entry holds it now). */
  kept: boolean;
}

/** What a backup with history holds besides its entries: their versions, deleted entries, retention. */
interface HistorySnapshot {
  transfer: LakeHistoryTransfer;
  versions: Map<string, EntryVersion[]>;
  deleted: DeletedEntry[];
  retention: { rules: JsonValue[]; holds: JsonValue[] };
}

const HISTORY_READS = 16;

/**
 * Writes a backup of the lake's current entries as one tar stream: the manifest first, each
 * distinct content once, checksums last. Memory stays bounded whatever the lake's size (contents
 * are streamed; only the entry list is held, as the lake's own catalog holds it).
 *
 * The backup is a consistent snapshot while writers run: the entries are listed once after a
 * refresh; an entry whose content changes or disappears before it is read is written at its later
 * version (or left out if it was deleted), recorded in an amendments member.
 */
export async function createBackup(lake: Lake, options: CreateBackupOptions): Promise<BackupReport> {
  const baseShas = new Set<string>();
  let since: BackupReport['since'] = null;
  if (options.since !== undefined) {
    const base = await scanArchive(options.since);
    for (const [sha256, content] of base.contents)
      if (content.in === 'base' || content.member !== undefined) baseShas.add(sha256);
    since = { backupId: base.header.backupId, createdAt: base.header.createdAt };
  }
  const createdAt = new Date().toISOString();
  await lake.refresh();
  let listed = await lake.list();
  const transfer = historyOf(lake);
  const snapshot = transfer ? await historySnapshot(transfer, listed) : undefined;
  if (snapshot)
    listed = listed
      .filter((entry) => snapshot.versions.has(entry.id))
      .map((entry) => snapshot.live.get(entry.id) as Entry);
  const current = new Map<string, Entry>(listed.map((entry) => [entry.id, entry]));
  const contents = contentRefs(listed, baseShas, snapshot);
  const backupId = randomUUID();
  const writer = new ArchiveWriter(options.output, { gzip: options.gzip === true });
  const shape: ManifestShape = snapshot
    ? { format: 2, retention: snapshot.retention, deleted: snapshot.deleted.length }
    : { format: 1, retention: { rules: [], holds: [] }, deleted: 0 };
  const report: BackupReport = {
    backupId,
    createdAt,
    since,
    format: shape.format,
    entries: 0,
    deleted: snapshot?.deleted.length ?? 0,
    versions: 0,
    contents: 0,
    contentBytes: 0,
    contentsInBase: contents.filter((content) => content.in === 'base').length,
    amended: 0,
    removed: 0,
    unreadable: [],
    archiveBytes: 0,
  };
  const job = new BackupJob(lake, writer, options, report, baseShas, contents, snapshot);
  try {
    await writer.addLines(MANIFEST_MEMBER, function* () {
      yield encodeLine(newHeader(backupId, createdAt, since, listed.length, contents.length, shape));
      for (const entry of listed) {
        const versions = snapshot?.versions.get(entry.id);
        yield encodeLine(versions ? { entry: entryFields(entry), versions } : { entry: entryFields(entry) });
      }
      for (const deleted of snapshot?.deleted ?? [])
        yield encodeLine({ deleted: { entry: entryFields(deleted.entry), versions: deleted.versions } });
      for (const content of contents) yield encodeLine({ content });
    });
    const available = new Set(baseShas);
    let group = groupsOf(listed, contents, snapshot !== undefined);
    job.progressTotal(group);
    for (let round = 1; ; round++) {
      const outcome = await job.writeGroup(group, available);
      if (outcome.voids.length === 0 && outcome.unresolved.length === 0 && outcome.lost.length === 0) break;
      const lines: ManifestLine[] = outcome.voids.map((sha256) => ({ void: sha256 }));
      lines.push(...job.dropLost(outcome.lost, current));
      const resolved = await job.resolve(outcome.unresolved, current, available, round > MAX_ROUNDS);
      lines.push(...resolved.lines);
      await writer.addLines(AMENDMENTS_MEMBER, () => lines.map((line) => encodeLine(line)));
      group = resolved.group;
      job.progressTotal(group);
    }
    report.entries = current.size;
    report.versions = snapshot
      ? [...current.keys()].reduce((sum, id) => sum + (snapshot.versions.get(id)?.length ?? 0), 0) +
        snapshot.deleted.reduce((sum, item) => sum + item.versions.length, 0)
      : current.size;
    await writer.finish();
  } catch (error) {
    writer.abort(error);
    throw error;
  }
  report.archiveBytes = writer.bytesOut;
  return report;
}

/**
 * Every entry's versions, the deleted entries and the retention settings, read after the listing:
 * each entry is taken at the version its record has then (the listing's or a later one).
 */
async function historySnapshot(
  transfer: LakeHistoryTransfer,
  listed: readonly Entry[],
): Promise<HistorySnapshot & { live: Map<string, Entry> }> {
  const versions = new Map<string, EntryVersion[]>();
  const live = new Map<string, Entry>();
  const deleted: DeletedEntry[] = [];
  let next = 0;
  const worker = async () => {
    while (next < listed.length) {
      const { id } = listed[next++] as Entry;
      try {
        const item = await transfer.entryWithHistory(id);
        if (item.deleted) deleted.push({ entry: item.entry, versions: item.versions });
        else {
          live.set(id, item.entry);
          versions.set(id, item.versions);
        }
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error; // purged meanwhile
      }
    }
  };
  await Promise.all(Array.from({ length: HISTORY_READS }, worker));
  for await (const item of transfer.deletedEntries())
    if (!live.has(item.entry.id) && !deleted.some((known) => known.entry.id === item.entry.id))
      deleted.push({ entry: item.entry, versions: item.versions });
  const retention = await transfer.exportRetention();
  return {
    transfer,
    versions,
    live,
    deleted,
    retention: {
      rules: retention.rules as unknown as JsonValue[],
      holds: retention.holds as unknown as JsonValue[],
    },
  };
}

function contentRefs(
  entries: readonly Entry[],
  baseShas: ReadonlySet<string>,
  snapshot: HistorySnapshot | undefined,
): ContentRef[] {
  const seen = new Map<string, ContentRef>();
  const add = (sha256: string, size: number) => {
    if (!seen.has(sha256)) seen.set(sha256, { sha256, size, in: baseShas.has(sha256) ? 'base' : 'archive' });
  };
  for (const entry of entries) add(entry.sha256, entry.size);
  for (const versions of snapshot?.versions.values() ?? [])
    for (const version of versions) add(version.sha256, version.size);
  for (const item of snapshot?.deleted ?? [])
    for (const version of item.versions) add(version.sha256, version.size);
  return [...seen.values()];
}

function groupsOf(entries: readonly Entry[], contents: readonly ContentRef[], history: boolean): Group[] {
  const bySha = new Map<string, Group>();
  for (const content of contents) {
    if (content.in === 'archive')
      bySha.set(content.sha256, { sha256: content.sha256, size: content.size, ids: [], kept: false });
  }
  for (const entry of entries) bySha.get(entry.sha256)?.ids.push(entry.id);
  // Contents no entry holds now are only in the lake's history; those some do may be there too.
  if (history) for (const group of bySha.values()) group.kept = true;
  return [...bySha.values()];
}

/** What reading one content gave: its bytes (small), or a failure of every entry that holds it. */
type Prefetched = { group: Group; bytes?: Uint8Array; failures: Map<string, unknown> };

class BackupJob {
  private readonly smallBytes: number;
  private done = 0;
  private total = 0;
  private bytes = 0;
  private totalBytes = 0;
  /** Why each entry's content could not be read (for entries that turn out unchanged). */
  private readonly lastFailure = new Map<string, unknown>();
  /** Contents the manifest or an amendment declares. */
  private readonly declared = new Set<string>();

  constructor(
    private readonly lake: Lake,
    private readonly writer: ArchiveWriter,
    private readonly options: CreateBackupOptions,
    private readonly report: BackupReport,
    private readonly baseShas: ReadonlySet<string>,
    declared: readonly ContentRef[],
    private readonly snapshot: HistorySnapshot | undefined,
  ) {
    for (const content of declared) this.declared.add(content.sha256);
    this.smallBytes = options.readAheadBytes ?? DEFAULT_READ_AHEAD_BYTES;
  }

  progressTotal(group: readonly Group[]): void {
    this.total += group.length;
    for (const content of group) this.totalBytes += content.size;
    this.progress();
  }

  /** Writes each content of `group` once; returns the contents whose member is void, and the entries still without content. */
  async writeGroup(
    group: readonly Group[],
    available: Set<string>,
  ): Promise<{ voids: string[]; unresolved: string[]; lost: string[] }> {
    const voids: string[] = [];
    const unresolved: string[] = [];
    /** Contents some history needs that could not be read at all. */
    const lost: string[] = [];
    const prefetch = (content: Group): Promise<Prefetched> =>
      content.size <= this.smallBytes
        ? this.readSmall(content)
        : Promise.resolve({ group: content, failures: new Map() });
    for await (const fetched of readAhead(group, READ_AHEAD_WINDOW, prefetch)) {
      const content = fetched.group;
      if (fetched.bytes) {
        await this.writer.addVerified(contentMember(content.sha256), fetched.bytes, content.sha256);
        this.written(content, available);
      } else if (content.size <= this.smallBytes) {
        for (const [id, error] of fetched.failures) this.lastFailure.set(id, error);
        unresolved.push(...content.ids);
        if (content.kept) lost.push(content.sha256);
      } else {
        const outcome = await this.streamLarge(content);
        if (outcome === 'written') this.written(content, available);
        else {
          if (outcome === 'void') voids.push(content.sha256);
          unresolved.push(...content.ids);
          if (content.kept) lost.push(content.sha256);
        }
      }
      this.done++;
      this.bytes += content.size;
      this.progress();
    }
    return { voids, unresolved, lost };
  }

  /**
   * Entries whose history needs a content that could not be read (missing or damaged in the lake:
   * see fsck) are left out, reported unreadable: a restored lake must never name missing content.
   */
  dropLost(lost: readonly string[], current: Map<string, Entry>): ManifestLine[] {
    if (!this.snapshot || lost.length === 0) return [];
    const gone = new Set(lost);
    const lines: ManifestLine[] = [];
    const needs = (versions: readonly EntryVersion[], currentSha: string | undefined) =>
      [...keptShas(versions, currentSha)].find((sha256) => gone.has(sha256));
    for (const [id, entry] of current) {
      const sha256 = needs(this.snapshot.versions.get(id) ?? [], entry.sha256);
      if (sha256 === undefined) continue;
      current.delete(id);
      lines.push({ removed: id });
      this.report.unreadable.push({
        id,
        filePath: entry.filePath,
        reason: `the content ${sha256} of an earlier version could not be read`,
      });
    }
    this.snapshot.deleted = this.snapshot.deleted.filter((item) => {
      const sha256 = needs(item.versions, undefined);
      if (sha256 === undefined) return true;
      lines.push({ removed: item.entry.id });
      this.report.deleted--;
      this.report.unreadable.push({
        id: item.entry.id,
        filePath: item.entry.filePath,
        reason: `the content ${sha256} of a version of this deleted entry could not be read`,
      });
      return false;
    });
    return lines;
  }

  /**
   * The later version of each entry whose content could not be read: an amendment line each, and
   * the contents to write next. An entry still at the same version (its content is damaged), or
   * still changing after the last round, is left out and reported.
   */
  async resolve(
    ids: readonly string[],
    current: Map<string, Entry>,
    available: ReadonlySet<string>,
    lastRound: boolean,
  ): Promise<{ lines: ManifestLine[]; group: Group[] }> {
    await this.lake.refresh();
    const lines: ManifestLine[] = [];
    const next = new Map<string, Group>();
    for (const id of ids) {
      const before = current.get(id);
      if (!before) continue; // left out already (its history lost a content)
      let entry: Entry | undefined;
      let versions: EntryVersion[] | undefined;
      try {
        if (this.snapshot) {
          const item = await this.snapshot.transfer.entryWithHistory(id);
          if (!item.deleted) ({ entry, versions } = item);
        } else entry = await this.lake.getEntry(id);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      if (!entry) {
        current.delete(id);
        lines.push({ removed: id });
        this.report.removed++;
        continue;
      }
      const unchanged = entry.sha256 === before.sha256 && entry.size === before.size;
      if (unchanged && available.has(entry.sha256)) continue; // another entry's member holds it
      if (this.snapshot && versions && !lastRound) {
        // Its later versions may name contents the backup has not declared yet (kept by the lake).
        for (const version of versions) {
          const sha256 = version.sha256;
          // Declared but not written (its member is void, or its reading failed): declared again.
          if (sha256 === entry.sha256 || available.has(sha256) || next.has(sha256)) continue;
          this.declared.add(sha256);
          const inBase = this.baseShas.has(sha256);
          lines.push({ content: { sha256, size: version.size, in: inBase ? 'base' : 'archive' } });
          if (!inBase) next.set(sha256, { sha256, size: version.size, ids: [], kept: true });
        }
      }
      if (lastRound || (unchanged && !available.has(entry.sha256))) {
        current.delete(id);
        lines.push({ removed: id });
        this.report.unreadable.push({
          id,
          filePath: entry.filePath,
          reason: reasonOf(this.lastFailure.get(id)),
        });
        continue;
      }
      current.set(id, entry);
      if (this.snapshot && versions) {
        this.snapshot.versions.set(id, versions);
        lines.push({ entry: entryFields(entry), versions });
      } else lines.push({ entry: entryFields(entry) });
      this.report.amended++;
      if (this.baseShas.has(entry.sha256) && !this.declared.has(entry.sha256)) {
        this.declared.add(entry.sha256);
        lines.push({ content: { sha256: entry.sha256, size: entry.size, in: 'base' } });
      }
      if (available.has(entry.sha256)) continue;
      const pending = next.get(entry.sha256);
      if (pending) pending.ids.push(id);
      else {
        next.set(entry.sha256, {
          sha256: entry.sha256,
          size: entry.size,
          ids: [id],
          kept: this.snapshot !== undefined,
        });
        this.declared.add(entry.sha256);
        lines.push({ content: { sha256: entry.sha256, size: entry.size, in: 'archive' } });
      }
    }
    return { lines, group: [...next.values()] };
  }

  private written(content: Group, available: Set<string>): void {
    available.add(content.sha256);
    this.report.contents++;
    this.report.contentBytes += content.size;
  }

  /**
   * The content read whole from the first of its entries that still holds it. A lake with history
   * gives the bytes with the entry they were checked against, so they are hashed once.
   */
  private async readSmall(content: Group): Promise<Prefetched> {
    const failures = new Map<string, unknown>();
    for (const id of content.ids) {
      try {
        if (this.snapshot) {
          const current = await this.snapshot.transfer.readCurrent(id);
          if (current.entry.sha256 === content.sha256 && current.bytes.byteLength === content.size)
            return { group: content, bytes: current.bytes, failures };
        } else {
          const bytes = await this.lake.readBytes(id);
          if (bytes.byteLength === content.size && sha256Hex(bytes) === content.sha256)
            return { group: content, bytes, failures };
        }
        failures.set(id, new ConflictError(`entry ${id} changed while the backup ran`));
      } catch (error) {
        if (!isEntryChange(error)) throw error;
        failures.set(id, error);
      }
    }
    if (content.kept && this.snapshot) {
      try {
        // Checked against its SHA-256 as it ends.
        const bytes = await collect(await this.snapshot.transfer.readContent(content.sha256, content.size));
        if (bytes.byteLength === content.size) return { group: content, bytes, failures };
      } catch (error) {
        if (!isEntryChange(error)) throw error;
      }
    }
    return { group: content, failures };
  }

  /** Streams a large content from the first entry that still holds it; `void` when it changed mid-way. */
  private async streamLarge(content: Group): Promise<'written' | 'void' | 'unavailable'> {
    for (const id of content.ids) {
      let opened: Awaited<ReturnType<Lake['readStream']>>;
      try {
        opened = await this.lake.readStream(id);
      } catch (error) {
        if (!isEntryChange(error)) throw error;
        this.lastFailure.set(id, error);
        continue;
      }
      if (opened.entry.sha256 !== content.sha256) {
        this.lastFailure.set(id, new ConflictError(`entry ${id} changed while the backup ran`));
        await drain(opened.stream);
        continue;
      }
      const outcome = await this.writer.addMember(contentMember(content.sha256), content.size, opened.stream);
      // Bytes that are the content are good, whatever the source said after them.
      if (outcome.sha256 === content.sha256) return 'written';
      if (outcome.sourceError !== undefined && !isEntryChange(outcome.sourceError)) throw outcome.sourceError;
      for (const holder of content.ids)
        this.lastFailure.set(
          holder,
          outcome.sourceError ?? new ConflictError(`entry ${id} changed while it was read`),
        );
      return 'void';
    }
    if (content.kept && this.snapshot) {
      let stream: AsyncIterable<Uint8Array>;
      try {
        stream = await this.snapshot.transfer.readContent(content.sha256);
      } catch (error) {
        if (!isEntryChange(error)) throw error;
        return 'unavailable';
      }
      const outcome = await this.writer.addMember(contentMember(content.sha256), content.size, stream);
      if (outcome.sha256 === content.sha256) return 'written';
      if (outcome.sourceError !== undefined && !isEntryChange(outcome.sourceError)) throw outcome.sourceError;
      return 'void';
    }
    return 'unavailable';
  }

  private progress(): void {
    this.options.onProgress?.({
      phase: 'backup',
      done: this.done,
      total: this.total,
      bytes: this.bytes,
      totalBytes: this.totalBytes,
    });
  }
}

/** Errors that mean the entry changed, went away or its content is not readable as it stands. */
function isEntryChange(error: unknown): boolean {
  return (
    error instanceof NotFoundError || error instanceof ConflictError || error instanceof CorruptDataError
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : 'its content could not be read';
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const _ of stream);
  } catch {
    // Only emptied so the backend can release it.
  }
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
