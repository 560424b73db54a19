import { createHash, type Hash } from 'node:crypto';
import type { Entry, EntryVersion } from '@datalake/core';
import { type ArchiveSource, type RawMember, readMembers } from './archive-reader.js';
import { ArchiveError } from './errors.js';
import { CHECKSUMS_MEMBER, memberKind } from './layout.js';
import { splitLines } from './lines.js';
import {
  type ContentRef,
  type DeletedEntry,
  MAX_LINE_BYTES,
  type ManifestHeader,
  type ManifestLine,
  parseHeader,
  parseLine,
} from './manifest.js';

/** A content the backup refers to, and where its bytes are. */
export interface ContentState extends ContentRef {
  /** Index of the archive member holding these bytes (checked), when `in` is `archive` and it was read. */
  member?: number;
}

/** What a whole, checked archive holds. */
export interface ArchiveSummary {
  header: ManifestHeader;
  /** Every entry at the version the backup holds (the manifest with its amendments applied), by id. */
  entries: Map<string, Entry>;
  /** Every content the entries refer to, by SHA-256. */
  contents: Map<string, ContentState>;
  /** With history (format 2): every version of each entry of `entries`, oldest first, by id. */
  versions: Map<string, EntryVersion[]>;
  /** With history (format 2): the deleted entries, by id. */
  deleted: Map<string, DeletedEntry>;
  /** Members of the archive. */
  members: number;
  /** Bytes of content in the archive (member bodies, void ones included). */
  contentBytes: number;
  /** Content members written while their entry changed, and so void. */
  voidMembers: number;
}

export interface ScanOptions {
  /** Largest manifest accepted, in bytes. Default 4 GiB. */
  maxManifestBytes?: number;
  /**
   * Gives the body of a content member to a reader (restore). Only members for which this returns a
   * function are given; their body throws `ArchiveError` at its end if the bytes are not the named content.
   */
  contentReader?: (content: {
    sha256: string;
    size: number;
    index: number;
  }) => ((body: AsyncIterable<Uint8Array>) => Promise<void>) | undefined;
  /** Called after each content member with its size. */
  onContent?: (bytes: number) => void;
}

const DEFAULT_MAX_MANIFEST = 4 * 1024 ** 3;
/** Amendments and checksums hold a line per changed entry or member: bounded by the manifest's size. */
const MAX_TRAILER_FACTOR = 4;

type Phase = 'start' | 'contents' | 'done';

/**
 * Reads a backup archive from start to end and checks all of it: the order of the members, the
 * manifest, each content's SHA-256 and size against the manifest, the amendments, and the checksums
 * of every member. Throws `ArchiveError` at the first problem.
 */
export async function scanArchive(source: ArchiveSource, options: ScanOptions = {}): Promise<ArchiveSummary> {
  const state = new ScanState(options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST);
  for await (const member of readMembers(source, (name, index) => state.sizeLimit(name, index))) {
    await state.read(member, options);
  }
  return state.summary();
}

class ScanState {
  private phase: Phase = 'start';
  private header: ManifestHeader | undefined;
  private manifestBytes = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new Map<string, EntryVersion[]>();
  private readonly deleted = new Map<string, DeletedEntry>();
  private readonly contents = new Map<string, ContentState>();
  /** Contents declared by the latest manifest or amendments and not yet seen in the archive. */
  private expected = new Set<string>();
  /** Content members whose bytes did not match their name: the next amendments must void them. */
  private readonly suspect = new Map<string, number>();
  /** Entry lines carry their versions (format 2 with history). */
  private history = false;
  private readonly written: { member: string; size: number; sha256: string }[] = [];
  private contentBytes = 0;
  private voidMembers = 0;

  constructor(private readonly maxManifestBytes: number) {}

  sizeLimit(name: string, index: number): number {
    const kind = memberKind(name);
    if (!kind) throw structure(`member ${JSON.stringify(name)} is not part of a backup`);
    if (this.phase === 'done') throw structure(`member ${JSON.stringify(name)} follows the checksums`);
    if (index === 0 && kind.kind !== 'manifest')
      throw structure('the archive does not start with the manifest');
    switch (kind.kind) {
      case 'manifest':
        if (index !== 0) throw structure('the archive holds a second manifest');
        return this.maxManifestBytes;
      case 'content': {
        if (!this.expected.has(kind.sha256))
          throw structure(`content member ${kind.sha256} is not declared (or appears twice)`);
        return (this.contents.get(kind.sha256) as ContentState).size;
      }
      case 'amendments':
      case 'checksums':
        return Math.max(this.manifestBytes * MAX_TRAILER_FACTOR, 1024 * 1024);
    }
  }

  async read(member: RawMember, options: ScanOptions): Promise<void> {
    const kind = memberKind(member.name);
    const hash = createHash('sha256');
    const body = hashing(member.body, hash);
    switch (kind?.kind) {
      case 'manifest':
        await this.readManifest(body);
        this.manifestBytes = member.size;
        break;
      case 'content':
        await this.readContent(member, kind.sha256, body, hash, options);
        return;
      case 'amendments':
        await this.readAmendments(body);
        break;
      case 'checksums':
        await this.readChecksums(body);
        return;
      default:
        throw structure(`member ${JSON.stringify(member.name)} is not part of a backup`);
    }
    this.written.push({ member: member.name, size: member.size, sha256: hash.digest('hex') });
  }

  summary(): ArchiveSummary {
    if (this.phase !== 'done' || !this.header)
      throw new ArchiveError('truncated', 'the archive ends before its checksums (truncated?)');
    for (const entry of this.entries.values()) {
      const content = this.contents.get(entry.sha256);
      if (!content || content.size !== entry.size)
        throw manifestError(`entry ${entry.id} refers to content the backup does not declare`);
      if (content.in === 'archive' && content.member === undefined) {
        throw new ArchiveError('missing-content', `the content of entry ${entry.id} is not in the archive`, {
          id: entry.id,
          sha256: entry.sha256,
        });
      }
    }
    for (const [id, versions] of this.versions) this.checkVersionContents(id, versions);
    for (const [id, { versions }] of this.deleted) this.checkVersionContents(id, versions);
    return {
      header: this.header,
      entries: this.entries,
      contents: this.contents,
      versions: this.versions,
      deleted: this.deleted,
      members: this.written.length + 1,
      contentBytes: this.contentBytes,
      voidMembers: this.voidMembers,
    };
  }

  /** Every version's content (but a live entry's current one, checked above) is declared, of its size, and at hand. */
  private checkVersionContents(id: string, versions: readonly EntryVersion[]): void {
    for (const version of versions) {
      const content = this.contents.get(version.sha256);
      if (!content)
        throw manifestError(
          `version ${version.version} of entry ${id} refers to content the backup does not declare`,
        );
      if (content.size !== version.size)
        throw manifestError(
          `version ${version.version} of entry ${id} says ${version.size} bytes, its content is declared of ${content.size}`,
        );
      if (content.in === 'archive' && content.member === undefined)
        throw new ArchiveError(
          'missing-content',
          `the content of version ${version.version} of entry ${id} is not in the archive`,
          { id, version: version.version, sha256: version.sha256 },
        );
    }
  }

  private async readManifest(body: AsyncIterable<Uint8Array>): Promise<void> {
    let header: ManifestHeader | undefined;
    let entries = 0;
    let deleted = 0;
    let contents = 0;
    for await (const line of splitLines(body, MAX_LINE_BYTES)) {
      if (!header) {
        header = parseHeader(parseJson(line));
        this.history = header.format >= 2 && header.history;
        continue;
      }
      const parsed = parseLine(line, false, this.history);
      if ('entry' in parsed) {
        if (contents > 0 || deleted > 0)
          throw manifestError('an entry line follows the deleted or content lines');
        if (this.entries.has(parsed.entry.id)) throw manifestError(`entry ${parsed.entry.id} appears twice`);
        this.setEntry(parsed);
        entries++;
      } else if ('deleted' in parsed) {
        if (contents > 0) throw manifestError('a deleted entry line follows the content lines');
        const { id } = parsed.deleted.entry;
        if (this.entries.has(id) || this.deleted.has(id)) throw manifestError(`entry ${id} appears twice`);
        this.deleted.set(id, parsed.deleted);
        deleted++;
      } else if ('content' in parsed) {
        this.declare(parsed.content);
        contents++;
      }
    }
    if (!header) throw manifestError('the manifest is empty');
    if (entries !== header.entries || contents !== header.contents || deleted !== (header.deleted ?? 0))
      throw manifestError('the manifest does not hold as many entries and contents as its header says');
    for (const entry of this.entries.values()) {
      const content = this.contents.get(entry.sha256);
      if (!content || content.size !== entry.size)
        throw manifestError(`entry ${entry.id} refers to content the manifest does not declare`);
    }
    this.header = header;
    this.phase = 'contents';
  }

  private setEntry(line: Extract<ManifestLine, { entry: Entry }>): void {
    this.entries.set(line.entry.id, line.entry);
    if (line.versions) this.versions.set(line.entry.id, line.versions);
  }

  private declare(content: ContentRef): void {
    const known = this.contents.get(content.sha256);
    if (known && (known.member !== undefined || known.in === 'base' || this.expected.has(content.sha256)))
      throw manifestError(`content ${content.sha256} is declared twice`);
    this.contents.set(content.sha256, { ...content });
    if (content.in === 'archive') this.expected.add(content.sha256);
  }

  private async readContent(
    member: RawMember,
    sha256: string,
    body: AsyncIterable<Uint8Array>,
    hash: Hash,
    options: ScanOptions,
  ): Promise<void> {
    this.expected.delete(sha256);
    const declared = this.contents.get(sha256) as ContentState;
    if (member.size !== declared.size)
      throw structure(`content member ${sha256} is ${member.size} bytes, the manifest says ${declared.size}`);
    const reader = options.contentReader?.({ sha256, size: member.size, index: member.index });
    if (reader) await reader(checkedAtEnd(body, hash, sha256));
    for await (const _ of body); // what the reader left
    const actual = hash.digest('hex');
    this.contentBytes += member.size;
    options.onContent?.(member.size);
    this.written.push({ member: member.name, size: member.size, sha256: actual });
    if (actual === sha256) declared.member = member.index;
    else this.suspect.set(sha256, member.index);
  }

  private async readAmendments(body: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.phase !== 'contents') throw structure('amendments before the manifest');
    this.expected = new Set();
    for await (const line of splitLines(body, MAX_LINE_BYTES)) {
      const parsed = parseLine(line, true, this.history);
      if ('void' in parsed) {
        if (!this.suspect.delete(parsed.void))
          throw manifestError(`amendments void content ${parsed.void}, which no member holds unchecked`);
        this.voidMembers++;
      } else if ('removed' in parsed) {
        this.entries.delete(parsed.removed);
        this.versions.delete(parsed.removed);
        this.deleted.delete(parsed.removed);
      } else if ('entry' in parsed) {
        this.deleted.delete(parsed.entry.id);
        this.setEntry(parsed);
      } else if ('deleted' in parsed) {
        throw manifestError('amendments hold a deleted entry line');
      } else if ('content' in parsed) {
        this.declare(parsed.content);
      }
    }
    this.failOnSuspects();
  }

  private async readChecksums(body: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.phase !== 'contents') throw structure('checksums before the manifest');
    this.failOnSuspects();
    let at = 0;
    for await (const line of splitLines(body, MAX_LINE_BYTES)) {
      const listed = parseJson(line) as { member?: unknown; size?: unknown; sha256?: unknown };
      const actual = this.written[at];
      if (!actual) throw checksum('the checksums list more members than the archive holds');
      if (listed.member !== actual.member || listed.size !== actual.size || listed.sha256 !== actual.sha256) {
        throw checksum(`member ${JSON.stringify(actual.member)} does not match its checksum`, actual.member);
      }
      at++;
    }
    if (at !== this.written.length) throw checksum('the checksums leave members out');
    this.phase = 'done';
  }

  private failOnSuspects(): void {
    for (const sha256 of this.suspect.keys()) {
      throw checksum(`content member ${sha256} does not match its SHA-256`, `${CHECKSUMS_MEMBER}`);
    }
  }
}

/** `body` with every chunk hashed as it is read; a reader that stops early leaves the rest readable. */
function hashing(body: AsyncIterable<Uint8Array>, hash: Hash): AsyncIterable<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const next = await iterator.next();
        if (!next.done) hash.update(next.value);
        return next;
      },
      return: async () => ({ done: true, value: undefined }),
    }),
  };
}

/** The body for a reader: its last step throws when the bytes are not the content they are named for. */
async function* checkedAtEnd(
  body: AsyncIterable<Uint8Array>,
  hash: Hash,
  sha256: string,
): AsyncIterable<Uint8Array> {
  yield* body;
  const actual = hash.copy().digest('hex');
  if (actual !== sha256) throw checksum(`content member ${sha256} does not match its SHA-256`);
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw manifestError('a line is not JSON');
  }
}

function structure(message: string): ArchiveError {
  return new ArchiveError('structure', `the archive is not a valid backup: ${message}`);
}

function manifestError(message: string): ArchiveError {
  return new ArchiveError('manifest', `the backup manifest is not valid: ${message}`);
}

function checksum(message: string, member?: string): ArchiveError {
  return new ArchiveError('checksum', message, member ? { member } : {});
}
