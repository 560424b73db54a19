import { createHash } from 'node:crypto';
import {
  type AsOfOptions,
  BackendError,
  type ChangeNoteInput,
  ClosedError,
  ConflictError,
  CorruptDataError,
  type DataLakeError,
  type Entry,
  type EntryHistory,
  type EntryStream,
  type EntryWithContent,
  type HistoryOptions,
  type IndexCheckReport,
  type IndexReport,
  type Lake,
  type LakeStats,
  type ListFilter,
  NotFoundError,
  type SearchOptions,
  type SearchResult,
  type StoreInput,
  type UpdateInput,
  ValidationError,
  type VersionDiff,
  type VersionOptions,
} from '@datalake/core';
import { contentBody, sourceErrorIn } from './content.js';
import { errorFromProblem, type Problem } from './errors.js';
import { RemoteRetention } from './remote-retention.js';
import type { AuditPage, NewToken, TokenInfo, WhoAmI } from './types.js';

export interface RemoteLakeOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string | URL;
  /** A token (`dlk_...`); omit it only for a server that allows anonymous reading. */
  token?: string;
  /** A `fetch` of your own (proxies, instrumentation). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

export interface ListPageOptions extends ListFilter {
  /** Entries per page (default 1000, at most 10,000). */
  limit?: number;
  cursor?: string;
}

export interface Conditional {
  /**
   * Compare-and-swap: the entry's version (`versionOf`, the ETag of the entry) or its content's
   * SHA-256. The server answers `PreconditionFailedError` (412) when the entry has changed since.
   */
  ifMatch?: string;
}

const decoder = new TextDecoder('utf-8');
const LIST_PAGE = 5000;

/**
 * A data lake behind `datalake serve`, with the same methods as `DataLake` (the `Lake` interface),
 * streaming where the lake streams, and throwing the same error classes with the same codes.
 * Entries the token cannot read do not exist for it.
 */
export class RemoteLake implements Lake {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: typeof fetch;
  private closed = false;
  /** Retention rules, holds, plan and apply (as `lake.retention` of a `DataLake`). */
  readonly retention: RemoteRetention;

  constructor(options: RemoteLakeOptions) {
    const url = new URL(String(options.url));
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ValidationError(
        `a server URL is http: or https:, got ${JSON.stringify(String(options.url))}`,
      );
    this.base = url.href.replace(/\/+$/, '');
    this.headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.fetchImpl = options.fetch ?? fetch;
    this.retention = new RemoteRetention((method, path, body) =>
      this.json(method, path, body === undefined ? {} : jsonBody(body)),
    );
  }

  /** Connects and checks the token (`UnauthorizedError` when the server refuses it). */
  static async connect(options: RemoteLakeOptions): Promise<RemoteLake> {
    const lake = new RemoteLake(options);
    await lake.whoAmI();
    return lake;
  }

  async store(input: StoreInput): Promise<Entry> {
    if (!input || typeof input !== 'object') throw new ValidationError('store() needs an object argument');
    if (input.content === undefined || input.content === null)
      throw new ValidationError('content is required');
    const query = new URLSearchParams();
    query.set('name', wellFormed(input.name, 'name'));
    query.set('dataType', wellFormed(input.dataType, 'dataType'));
    if (input.subpath !== undefined && input.subpath !== null && input.subpath !== '')
      query.set('subpath', wellFormed(input.subpath, 'subpath'));
    const { body, length } = contentBody(input.content);
    return this.json<Entry>('POST', `/v1/entries?${query}`, {
      body,
      headers: {
        'content-type': 'application/octet-stream',
        ...(length !== undefined ? { 'content-length': String(length) } : {}),
        ...metadataHeader(input.metadata),
        ...noteHeaders(input),
      },
    });
  }

  async getEntry(id: string): Promise<Entry> {
    return this.json<Entry>('GET', `/v1/entries/${idSegment(id)}`);
  }

  async getEntryByPath(filePath: string): Promise<Entry> {
    return this.json<Entry>('GET', `/v1/paths/${pathSegments(filePath)}`);
  }

  async retrieve(id: string, options?: VersionOptions): Promise<EntryWithContent> {
    if (options?.version !== undefined)
      return this.retrieveFrom(`/v1/entries/${idSegment(id)}/versions/${versionSegment(options.version)}`);
    return this.retrieveFrom(`/v1/entries/${idSegment(id)}/content`);
  }

  async retrieveByPath(filePath: string, options?: AsOfOptions): Promise<EntryWithContent> {
    if (options?.asOf !== undefined) {
      const query = new URLSearchParams({ asOf: momentOf(options.asOf) });
      return this.retrieveFrom(`/v1/history/files/${pathSegments(filePath)}?${query}`);
    }
    return this.retrieveFrom(`/v1/files/${pathSegments(filePath)}`);
  }

  async readBytes(id: string, options?: VersionOptions): Promise<Uint8Array> {
    return (await this.retrieve(id, options)).bytes;
  }

  async readStream(id: string, options?: VersionOptions): Promise<EntryStream> {
    if (options?.version !== undefined) {
      // A version's content comes whole and checked (versions are read rarely, and never change).
      const { content: _content, bytes, ...entry } = await this.retrieve(id, options);
      return {
        entry,
        stream: (async function* () {
          yield bytes;
        })(),
      };
    }
    const response = await this.request('GET', `/v1/entries/${idSegment(id)}/content`);
    const entry = await this.entryOf(response, id);
    const body = response.body;
    async function* verified(): AsyncIterable<Uint8Array> {
      const hash = createHash('sha256');
      if (body) {
        try {
          for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
            hash.update(chunk);
            yield chunk;
          }
        } catch (error) {
          throw new BackendError(
            `the content of ${id} broke off while it was read: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
      }
      if (hash.digest('hex') !== entry.sha256) {
        throw new ConflictError(`content of ${id} changed while it was read; read it again`, {
          details: { id },
        });
      }
    }
    return { entry, stream: verified() };
  }

  /** All entries that match (every page), ordered by `filePath`, as `DataLake.list`. */
  async list(filter: ListFilter = {}): Promise<Entry[]> {
    const entries: Entry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listPage({ ...filter, limit: LIST_PAGE, ...(cursor ? { cursor } : {}) });
      entries.push(...page.entries);
      cursor = page.cursor;
    } while (cursor);
    return entries;
  }

  /** One page of `list`: pass the returned `cursor` for the next. */
  async listPage(options: ListPageOptions = {}): Promise<{ entries: Entry[]; cursor?: string }> {
    const query = new URLSearchParams();
    if (options.dataType !== undefined) query.set('dataType', wellFormed(options.dataType, 'dataType'));
    if (options.subpath !== undefined && options.subpath !== '')
      query.set('subpath', wellFormed(options.subpath, 'subpath'));
    if (options.recursive !== undefined) query.set('recursive', String(options.recursive));
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.cursor !== undefined) query.set('cursor', options.cursor);
    if (options.asOf !== undefined) query.set('asOf', momentOf(options.asOf));
    const suffix = query.size > 0 ? `?${query}` : '';
    return this.json('GET', `/v1/entries${suffix}`);
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    if (typeof query !== 'string') throw new ValidationError('search query must be a string');
    const body: Record<string, unknown> = { query, ...options };
    for (const key of ['createdAfter', 'createdBefore', 'modifiedAfter', 'modifiedBefore'] as const) {
      const value = options[key];
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new ValidationError(`${key} is an invalid date`);
        body[key] = value.toISOString();
      }
    }
    return this.json('POST', '/v1/search', jsonBody(body));
  }

  async update(id: string, input: UpdateInput, conditions: Conditional = {}): Promise<Entry> {
    if (!input || typeof input !== 'object') throw new ValidationError('update() needs an object argument');
    const condition: Record<string, string> =
      conditions.ifMatch === undefined ? {} : { 'if-match': quoted(conditions.ifMatch) };
    if (input.content === undefined) {
      const request = jsonBody({ metadata: input.metadata ?? {} });
      return this.json('PATCH', `/v1/entries/${idSegment(id)}`, {
        ...request,
        headers: { ...request.headers, ...condition, ...noteHeaders(input) },
      });
    }
    const { body, length } = contentBody(input.content);
    return this.json('PUT', `/v1/entries/${idSegment(id)}/content`, {
      body,
      headers: {
        'content-type': 'application/octet-stream',
        ...(length !== undefined ? { 'content-length': String(length) } : {}),
        ...metadataHeader(input.metadata),
        ...condition,
        ...noteHeaders(input),
      },
    });
  }

  async delete(id: string, conditions: Conditional & ChangeNoteInput = {}): Promise<boolean> {
    try {
      await this.request('DELETE', `/v1/entries/${idSegment(id)}`, {
        headers: {
          ...(conditions.ifMatch === undefined ? {} : { 'if-match': quoted(conditions.ifMatch) }),
          ...noteHeaders(conditions),
        },
      });
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  async history(id: string, options: HistoryOptions = {}): Promise<EntryHistory> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.cursor !== undefined) query.set('cursor', wellFormed(options.cursor, 'cursor'));
    return this.json('GET', `/v1/entries/${idSegment(id)}/history${query.size > 0 ? `?${query}` : ''}`);
  }

  async restore(id: string, version: number, note: ChangeNoteInput = {}): Promise<Entry> {
    return this.json(
      'POST',
      `/v1/entries/${idSegment(id)}/restore`,
      jsonBody({ version: versionNumber(version), ...noteOf(note) }),
    );
  }

  async undelete(id: string, note: ChangeNoteInput = {}): Promise<Entry> {
    return this.json('POST', `/v1/entries/${idSegment(id)}/undelete`, jsonBody(noteOf(note)));
  }

  async diff(id: string, from: number, to: number): Promise<VersionDiff> {
    const query = new URLSearchParams({ from: versionSegment(from), to: versionSegment(to) });
    return this.json('GET', `/v1/entries/${idSegment(id)}/diff?${query}`);
  }

  async getStats(): Promise<LakeStats> {
    return this.json('GET', '/v1/stats');
  }

  /** Asks the server to catch up with other instances' writes now (it also does so every second or so). */
  async refresh(): Promise<void> {
    await this.request('POST', '/v1/refresh');
  }

  async reindex(): Promise<IndexReport> {
    return this.json('POST', '/v1/admin/reindex');
  }

  async checkIndex(): Promise<IndexCheckReport> {
    return this.json('GET', '/v1/admin/index-check');
  }

  /** Later calls throw `ClosedError`; the server is not affected. */
  async close(): Promise<void> {
    this.closed = true;
  }

  /** The entry's version, for `ifMatch`: changes with every update of content or metadata. */
  async versionOf(id: string): Promise<string> {
    const response = await this.request('GET', `/v1/entries/${idSegment(id)}`);
    await response.arrayBuffer();
    return unquoted(response.headers.get('etag') ?? '');
  }

  /** The token the lake was opened with: its id (null when anonymous) and grants. */
  async whoAmI(): Promise<WhoAmI> {
    return this.json('GET', '/v1/token');
  }

  // --- administration (admin tokens) -------------------------------------------------------

  /** Creates a token; the answer's `token` is shown this once. */
  async createToken(input: NewToken): Promise<{ token: string; info: TokenInfo }> {
    return this.json('POST', '/v1/tokens', jsonBody({ ...input }));
  }

  async listTokens(): Promise<TokenInfo[]> {
    return this.json('GET', '/v1/tokens');
  }

  /** `true` if the token existed and is now revoked. */
  async revokeToken(id: string): Promise<boolean> {
    try {
      await this.request('DELETE', `/v1/tokens/${idSegment(id)}`);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  /** One page of the audit log of a UTC day (`YYYY-MM-DD`, default today). */
  async readAudit(options: { day?: string; limit?: number; cursor?: string } = {}): Promise<AuditPage> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options))
      if (value !== undefined) query.set(key, String(value));
    return this.json('GET', `/v1/audit${query.size > 0 ? `?${query}` : ''}`);
  }

  // --- internals ---------------------------------------------------------------------------

  private async retrieveFrom(path: string): Promise<EntryWithContent> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.request('GET', path);
      const bytes = new Uint8Array(await readBody(response));
      const entry = await this.entryOf(response);
      if (sha256Hex(bytes) === entry.sha256) return { ...entry, content: decoder.decode(bytes), bytes };
      if (attempt === 1) {
        throw new CorruptDataError(`content of entry ${entry.id} does not match its SHA-256`, {
          details: { id: entry.id, filePath: entry.filePath },
        });
      }
    }
  }

  /** The entry a content answer came with: in its `Datalake-Entry` header, or asked for separately. */
  private async entryOf(response: Response, id?: string): Promise<Entry> {
    const header = response.headers.get('datalake-entry');
    if (header !== null) return JSON.parse(decodeURIComponent(header)) as Entry;
    const etag = unquoted(response.headers.get('etag') ?? '');
    const entry = await this.getEntry(id ?? '');
    if (entry.sha256 !== etag)
      throw new ConflictError(`entry ${entry.id} changed while it was read; read it again`);
    return entry;
  }

  private async json<T>(method: string, path: string, init: RequestParts = {}): Promise<T> {
    const response = await this.request(method, path, init);
    return (await response.json()) as T;
  }

  private async request(method: string, path: string, init: RequestParts = {}): Promise<Response> {
    if (this.closed) throw new ClosedError('this remote lake handle was closed');
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: { ...this.headers, ...init.headers },
        ...(init.body !== undefined ? { body: init.body, duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      throw networkError(error, method, path);
    }
    if (response.ok) return response;
    throw await problemOf(response, `${method} ${path.split('?')[0]}`);
  }
}

interface RequestParts {
  body?: Uint8Array | ReadableStream<Uint8Array> | string;
  headers?: Record<string, string>;
}

function jsonBody(value: unknown): RequestParts {
  return { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } };
}

/** `author` and `message` travel URI-encoded in headers, beside the content. */
function noteHeaders(input: ChangeNoteInput): Record<string, string> {
  const headers: Record<string, string> = {};
  const note = noteOf(input);
  if (note.author !== undefined) headers['datalake-author'] = encodeURIComponent(note.author);
  if (note.message !== undefined) headers['datalake-message'] = encodeURIComponent(note.message);
  return headers;
}

function noteOf(input: ChangeNoteInput): ChangeNoteInput {
  const note: ChangeNoteInput = {};
  for (const field of ['author', 'message'] as const) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    note[field] = wellFormed(value, field);
  }
  return note;
}

/** A version number as the server takes it (a bad one is the lake's own ValidationError). */
function versionNumber(version: unknown): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
    throw new ValidationError(`version must be a whole number from 1; got ${JSON.stringify(version)}`, {
      details: { version: String(version) },
    });
  return version;
}

function versionSegment(version: unknown): string {
  return String(versionNumber(version));
}

function momentOf(value: Date | string): string {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time))
    throw new ValidationError(`asOf must be a Date or an ISO-8601 timestamp; got ${JSON.stringify(value)}`);
  return new Date(time).toISOString();
}

function metadataHeader(metadata: unknown): Record<string, string> {
  if (metadata === undefined || metadata === null) return {};
  return { 'datalake-metadata': encodeURIComponent(JSON.stringify(metadata)) };
}

async function problemOf(response: Response, what: string): Promise<DataLakeError> {
  let problem: Problem | undefined;
  try {
    const text = await response.text();
    problem = text ? (JSON.parse(text) as Problem) : undefined;
  } catch {
    problem = undefined;
  }
  return errorFromProblem(response.status, problem, what);
}

/** A failure before any answer: the caller's own content stream's error as it is, anything else is the network. */
function networkError(error: unknown, method: string, path: string): Error {
  const source = sourceErrorIn(error);
  if (source !== undefined) return source as Error;
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error ? cause.message : (error as Error).message;
  return new BackendError(`cannot reach the lake server (${method} ${path.split('?')[0]}): ${reason}`, {
    cause: error,
  });
}

async function readBody(response: Response): Promise<ArrayBuffer> {
  try {
    return await response.arrayBuffer();
  } catch (error) {
    throw new BackendError(`the answer broke off: ${(error as Error).message}`, { cause: error });
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function quoted(tag: string): string {
  return tag.startsWith('"') || tag === '*' ? tag : `"${tag}"`;
}

function unquoted(tag: string): string {
  return tag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** A string the server can receive unchanged: URLs and headers cannot carry unpaired surrogates. */
function wellFormed(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ValidationError(`${what} must be a string`);
  if (!value.isWellFormed())
    throw new ValidationError(`${what} ${JSON.stringify(value)} contains an unpaired UTF-16 surrogate`);
  return value;
}

/**
 * An id as one URL segment. `.` and `..` cannot travel as segments (URL parsers resolve them, even
 * percent-encoded), and name no entry anyway: they are answered here, as the lake would.
 */
function idSegment(id: string): string {
  if (typeof id !== 'string') throw new ValidationError('id must be a string');
  if (!id.isWellFormed() || id === '.' || id === '..')
    throw new NotFoundError(`no entry with id ${JSON.stringify(id)}`, { details: { id } });
  return encodeURIComponent(id);
}

/** A filePath as URL segments ('/' kept). A path with `.` or `..` segments names no entry. */
function pathSegments(filePath: string): string {
  if (typeof filePath !== 'string') throw new ValidationError('filePath must be a string');
  const segments = filePath.split('/');
  if (!filePath.isWellFormed() || segments.some((segment) => segment === '.' || segment === '..'))
    throw new NotFoundError(`no entry at path ${JSON.stringify(filePath)}`, { details: { filePath } });
  return segments.map(encodeURIComponent).join('/');
}
