import { Readable } from 'node:stream';
import {
  ConflictError,
  compareKeys,
  type Entry,
  type Metadata,
  NotFoundError,
  normaliseSubpath,
  PreconditionFailedError,
  ValidationError,
} from '@datalake/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  type App,
  audited,
  refusal,
  requireAction,
  type ServerContext,
  visibleEntry,
  visibleEntryAtPath,
} from '../context.js';
import { HttpProblem } from '../errors.js';
import { contentOf, declaredLength, metadataFromHeader } from '../http/body.js';
import { contentTag, matchesEntry, parseTags, versionTag } from '../http/etags.js';
import { parseRange } from '../http/range.js';
import { freshEntry } from '../lake-records.js';
import {
  ConditionalHeaders,
  EntryPageSchema,
  EntryRef,
  IdParams,
  ListQuery,
  MetadataHeader,
  NoContent,
  NoQuery,
  PathParams,
  problems,
  StoreQuery,
  UpdateBody,
} from '../schemas.js';
import { storeMultipart } from './multipart.js';

const TAG = ['entries'];
const security = [{ bearer: [] }];
/** Entry JSON up to this size travels with the content in a `Datalake-Entry` header (one round trip). */
const ENTRY_HEADER_MAX = 8 * 1024;
/** Content up to this size is read whole and sent in one piece; larger content is streamed. */
const BUFFERED_CONTENT_MAX = 256 * 1024;

export function entryRoutes(app: App, context: ServerContext): void {
  const { lake } = context;

  app.post(
    '/v1/entries',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Store a new entry',
        description:
          'The body is the content, streamed to the lake: `application/octet-stream` with name, dataType and subpath in the query and metadata in the `Datalake-Metadata` header; or `multipart/form-data` (fields name, dataType, subpath, metadata before the file part). 409 when the path is taken.',
        querystring: StoreQuery,
        headers: MetadataHeader,
        response: { 201: EntryRef, ...problems(400, 401, 403, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const multipart = request.isMultipart();
      const entry = await audited(context, request, { action: 'store' }, async () => {
        const stored = multipart
          ? await storeMultipart(context, request)
          : await storeRaw(context, request, request.query);
        return { value: stored, status: 201, entry: { id: stored.id, filePath: stored.filePath } };
      });
      return reply
        .code(201)
        .header('location', `/v1/entries/${encodeURIComponent(entry.id)}`)
        .header('etag', versionTag(entry))
        .send(entry);
    },
  );

  app.get(
    '/v1/entries',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'List entries, ordered by filePath, a page at a time',
        querystring: ListQuery,
        response: { 200: EntryPageSchema, ...problems(400, 401) },
      },
    },
    async (request) => {
      const { dataType, subpath, recursive, limit = 1000, cursor, asOf } = request.query;
      const listed = await lake.list({
        dataType,
        subpath,
        recursive: recursive ?? true,
        ...(asOf !== undefined ? { asOf } : {}),
      });
      const visible = request.access.visible(listed);
      return pageOf(visible, limit, cursor);
    },
  );

  app.get(
    '/v1/entries/:id',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'An entry, without its content',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: EntryRef, 304: NoContent, ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      const entry = await visibleEntry(context, request.access, request.params.id);
      return sendEntry(request, reply, entry);
    },
  );

  app.get(
    '/v1/paths/*',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'The entry at a filePath, without its content',
        params: PathParams,
        querystring: NoQuery,
        response: { 200: EntryRef, 304: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const entry = await visibleEntryAtPath(context, request.access, request.params['*']);
      return sendEntry(request, reply, entry);
    },
  );

  const contentSchema = {
    security,
    response: {
      200: Type.Unsafe({ description: 'The content, byte for byte', type: 'string', format: 'binary' }),
      206: Type.Unsafe({ description: 'The requested byte range', type: 'string', format: 'binary' }),
      304: NoContent,
      ...problems(401, 404, 416),
    },
  };

  app.get(
    '/v1/entries/:id/content',
    {
      schema: {
        ...contentSchema,
        tags: TAG,
        summary: 'The content of an entry (ETag: its SHA-256; Range and If-None-Match honoured)',
        params: IdParams,
        querystring: NoQuery,
      },
    },
    async (request, reply) => {
      const entry = await visibleEntry(context, request.access, request.params.id);
      return sendContent(context, request, reply, entry);
    },
  );

  app.get(
    '/v1/files/*',
    {
      schema: {
        ...contentSchema,
        tags: TAG,
        summary: 'The content at a filePath (as GET /v1/entries/{id}/content)',
        params: PathParams,
        querystring: NoQuery,
      },
    },
    async (request, reply) => {
      const entry = await visibleEntryAtPath(context, request.access, request.params['*']);
      return sendContent(context, request, reply, entry);
    },
  );

  app.patch(
    '/v1/entries/:id',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Merge metadata into an entry (top-level keys replace)',
        params: IdParams,
        querystring: NoQuery,
        headers: ConditionalHeaders,
        body: UpdateBody,
        response: { 200: EntryRef, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const updated = await audited(context, request, { action: 'update', entry: { id } }, async () => {
        const entry = await updateEntry(context, request, id, request.headers['if-match'], () =>
          lake.update(id, { metadata: request.body.metadata as Metadata, ...noteFromHeaders(request) }),
        );
        return { value: entry, status: 200, entry: { id, filePath: entry.filePath } };
      });
      return reply.header('etag', versionTag(updated)).send(updated);
    },
  );

  app.put(
    '/v1/entries/:id/content',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Replace the content of an entry (streamed), merging optional metadata',
        params: IdParams,
        querystring: NoQuery,
        headers: Type.Intersect([ConditionalHeaders, MetadataHeader]),
        response: { 200: EntryRef, ...problems(400, 401, 403, 404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const updated = await audited(context, request, { action: 'update', entry: { id } }, async () => {
        requireOctetStream(request);
        const metadata = metadataFromHeader(request.headers['datalake-metadata']);
        const length = declaredLength(
          request.headers['content-length'] as string | undefined,
          context.maxBodyBytes,
        );
        const entry = await updateEntry(context, request, id, request.headers['if-match'], async () => {
          const content = await contentOf(rawBody(request), context.maxBodyBytes, length);
          return lake.update(id, { content, ...(metadata ? { metadata } : {}), ...noteFromHeaders(request) });
        });
        return { value: entry, status: 200, entry: { id, filePath: entry.filePath } };
      });
      return reply.header('etag', versionTag(updated)).send(updated);
    },
  );

  app.delete(
    '/v1/entries/:id',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Delete an entry (204; 404 when there is none)',
        params: IdParams,
        querystring: NoQuery,
        headers: ConditionalHeaders,
        response: { 204: NoContent, ...problems(401, 403, 404, 409, 412) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await audited(context, request, { action: 'delete', entry: { id } }, async () => {
        const ifMatch = request.headers['if-match'];
        const deleted = await context.withEntryLock(id, async () => {
          const entry = await visibleEntry(context, request.access, id);
          requireAction(request.access, 'delete', entry);
          if (ifMatch !== undefined) await checkIfMatch(context, id, ifMatch);
          return (await lake.delete(id, noteFromHeaders(request))) ? entry : undefined;
        });
        if (!deleted) throw notFound(id);
        return { value: undefined, status: 204, entry: { id, filePath: deleted.filePath } };
      });
      return reply.code(204).send();
    },
  );
}

async function storeRaw(
  context: ServerContext,
  request: FastifyRequest,
  query: { name?: string; dataType?: Entry['dataType']; subpath?: string },
): Promise<Entry> {
  requireOctetStream(request, 'or multipart/form-data');
  if (query.name === undefined || query.dataType === undefined)
    throw new ValidationError('name and dataType are required (query parameters)');
  const metadata = metadataFromHeader(request.headers['datalake-metadata'] as string | undefined);
  const length = declaredLength(
    request.headers['content-length'] as string | undefined,
    context.maxBodyBytes,
  );
  return storeChecked(context, request, {
    name: query.name,
    dataType: query.dataType,
    subpath: query.subpath,
    metadata,
    content: () => contentOf(rawBody(request), context.maxBodyBytes, length),
  });
}

/** Stores after the access check; a conflict at a path the caller cannot read says only that it is taken. */
export async function storeChecked(
  context: ServerContext,
  request: FastifyRequest,
  input: {
    name: string;
    dataType: Entry['dataType'];
    subpath: string | undefined;
    metadata: Metadata | undefined;
    /** Called once the caller may store here: the body is not read before. */
    content: () => Promise<Uint8Array | AsyncIterable<Uint8Array>>;
  },
): Promise<Entry> {
  const subpath = normaliseSubpath(input.subpath);
  const location = { dataType: input.dataType, subpath };
  if (!request.access.allows('write', location))
    throw refusal(request.access, 'this token may not store entries here');
  try {
    return await context.lake.store({
      name: input.name,
      dataType: input.dataType,
      subpath,
      content: await input.content(),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      ...noteFromHeaders(request),
    });
  } catch (error) {
    if (error instanceof ConflictError && !request.access.canRead(location)) {
      throw new ConflictError('the path is taken, or is a folder of other entries', {
        details: { name: input.name },
      });
    }
    throw error;
  }
}

/** `author` and `message` of a write, from the `Datalake-Author` / `Datalake-Message` headers (URI-encoded). */
function noteFromHeaders(request: FastifyRequest): { author?: string; message?: string } {
  const note: { author?: string; message?: string } = {};
  for (const field of ['author', 'message'] as const) {
    const value = request.headers[`datalake-${field}`];
    if (typeof value !== 'string') continue;
    try {
      note[field] = decodeURIComponent(value);
    } catch {
      throw new ValidationError(
        `the Datalake-${field === 'author' ? 'Author' : 'Message'} header is not URI-encoded`,
      );
    }
  }
  return note;
}

function requireOctetStream(request: FastifyRequest, alternative = ''): void {
  const type = request.headers['content-type'];
  if (type !== undefined && !type.startsWith('application/octet-stream'))
    throw new HttpProblem(
      415,
      'VALIDATION',
      `send the content as application/octet-stream ${alternative}`.trim(),
    );
}

function rawBody(request: FastifyRequest): AsyncIterable<Uint8Array> {
  return (request.body as AsyncIterable<Uint8Array> | undefined) ?? request.raw;
}

async function updateEntry(
  context: ServerContext,
  request: FastifyRequest,
  id: string,
  ifMatch: string | undefined,
  update: () => Promise<Entry>,
): Promise<Entry> {
  return context.withEntryLock(id, async () => {
    const entry = await visibleEntry(context, request.access, id);
    requireAction(request.access, 'write', entry);
    if (ifMatch !== undefined) await checkIfMatch(context, id, ifMatch);
    return update();
  });
}

/**
 * `If-Match` against the entry as the lake holds it now (its record, read afresh, not this
 * instance's possibly older view). Within this instance the check and the write hold the entry's
 * lock; see the README for what that leaves open across instances.
 */
async function checkIfMatch(context: ServerContext, id: string, header: string): Promise<void> {
  const current = await freshEntry(context.lake, id);
  if (!current) throw notFound(id);
  if (!matchesEntry(parseTags(header), current)) {
    throw new PreconditionFailedError(`entry ${id} has changed since that version (If-Match)`, {
      details: { id },
    });
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`no entry with id "${id}"`, { details: { id } });
}

function sendEntry(request: FastifyRequest, reply: FastifyReply, entry: Entry) {
  const tag = versionTag(entry);
  reply.header('etag', tag);
  if (parseTags(request.headers['if-none-match']).some((candidate) => candidate === tag || candidate === '*'))
    return reply.code(304).send();
  return entry;
}

async function sendContent(
  context: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  entry: Entry,
) {
  const tag = contentTag(entry);
  const headers = contentHeaders(entry);
  reply
    .header('etag', tag)
    .header('accept-ranges', 'bytes')
    .header('content-type', 'application/octet-stream')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('content-disposition', headers.disposition);
  if (headers.entry !== undefined) reply.header('datalake-entry', headers.entry);
  if (parseTags(request.headers['if-none-match']).some((candidate) => candidate === tag || candidate === '*'))
    return reply.code(304).send();
  const ifRange = request.headers['if-range'];
  const range =
    ifRange === undefined || ifRange === tag ? parseRange(request.headers.range, entry.size) : undefined;
  if (range) {
    // Through the lake: compressed content is decompressed and the range cut out.
    const { stream } = await context.lake.readRange(entry.id, range);
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${entry.size}`)
      .header('content-length', range.end - range.start + 1)
      .send(Readable.from(stream, { objectMode: false }));
  }
  if (entry.size <= BUFFERED_CONTENT_MAX) {
    // Small content in one write, as a static file server would: streaming it costs more than it saves.
    const cached = context.contentCache.get(entry.sha256);
    if (cached) return reply.send(cached);
    const bytes = await context.lake.readBytes(entry.id);
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    context.contentCache.set(entry.sha256, buffer);
    return reply.send(buffer);
  }
  const { stream } = await context.lake.readStream(entry.id);
  return reply.header('content-length', entry.size).send(Readable.from(stream, { objectMode: false }));
}

/** Entries are frozen and replaced on every change, so their header values are computed once per version. */
const headersOfEntry = new WeakMap<Entry, { disposition: string; entry: string | undefined }>();

function contentHeaders(entry: Entry): { disposition: string; entry: string | undefined } {
  let headers = headersOfEntry.get(entry);
  if (!headers) {
    const encoded = encodeURIComponent(JSON.stringify(entry));
    headers = {
      disposition: `attachment; filename*=UTF-8''${encodeRFC5987(entry.name)}`,
      entry: encoded.length <= ENTRY_HEADER_MAX ? encoded : undefined,
    };
    headersOfEntry.set(entry, headers);
  }
  return headers;
}

/** RFC 5987 encoding of a file name for Content-Disposition. */
function encodeRFC5987(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A page of `entries` (ordered by filePath) after the cursor; the cursor is the last filePath given. */
function pageOf(entries: readonly Entry[], limit: number, cursor: string | undefined) {
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeListCursor(cursor);
    start = entries.findIndex((entry) => compareKeys(entry.filePath, after) > 0);
    if (start === -1) start = entries.length;
  }
  const page = entries.slice(start, start + limit);
  const more = start + limit < entries.length;
  return {
    entries: page,
    ...(more ? { cursor: Buffer.from((page.at(-1) as Entry).filePath, 'utf8').toString('base64url') } : {}),
  };
}

function decodeListCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (text === '' || Buffer.from(text, 'utf8').toString('base64url') !== cursor)
    throw new ValidationError('invalid list cursor');
  return text;
}
