import { type ChangeNote, type EntryWithContent, NotFoundError, parseContentPath } from '@datalake/core';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Access, Action } from '../auth/grants.js';
import { type App, audited, requireAction, type ServerContext } from '../context.js';
import { IdParams, PathParams, problems } from '../schemas.js';

const TAG = ['history'];
const security = [{ bearer: [] }];
const AnyObject = Type.Unsafe<object>({ type: 'object', additionalProperties: true });
const NoteBody = Type.Object(
  { author: Type.Optional(Type.String()), message: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const Binary = Type.Unsafe({
  description: 'The content of the version, byte for byte',
  type: 'string',
  format: 'binary',
});

/** Entry history: versions, version content, `asOf` reads, restore, undelete and diff. */
export function historyRoutes(app: App, context: ServerContext): void {
  const { lake } = context;

  app.get(
    '/v1/entries/:id/history',
    {
      schema: {
        tags: TAG,
        security,
        summary: "An entry's versions, newest first, deletions included (paged)",
        params: IdParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            cursor: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: { 200: AnyObject, ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const page = await lake.history(id, request.query);
      requireVisible(request.access, page.filePath, id);
      return page;
    },
  );

  app.get(
    '/v1/entries/:id/versions/:version',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'The content of one version (the entry as it was then in the Datalake-Entry header)',
        params: Type.Object(
          { id: Type.String(), version: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        response: { 200: Binary, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { id, version } = request.params;
      const entry = await lake.retrieve(id, { version });
      requireVisible(request.access, entry.filePath, id);
      return sendVersion(reply, entry);
    },
  );

  app.get(
    '/v1/history/files/*',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'The content that was at a filePath at a moment (asOf, ISO-8601)',
        params: PathParams,
        querystring: Type.Object({ asOf: Type.String() }, { additionalProperties: false }),
        response: { 200: Binary, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const filePath = request.params['*'];
      const entry = await lake.retrieveByPath(filePath, { asOf: request.query.asOf });
      if (!request.access.canRead(entry))
        throw new NotFoundError(`no entry at path "${filePath}"`, { details: { filePath } });
      return sendVersion(reply, entry);
    },
  );

  app.get(
    '/v1/entries/:id/diff',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'A unified diff of two versions (metadata and content; binary content says so)',
        params: IdParams,
        querystring: Type.Object(
          { from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        response: { 200: AnyObject, ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireOnEntry(context, request.access, id, 'read');
      return lake.diff(id, request.query.from, request.query.to);
    },
  );

  app.post(
    '/v1/entries/:id/restore',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Make an old version current again, as a new version',
        params: IdParams,
        body: Type.Object(
          {
            version: Type.Integer({ minimum: 1 }),
            author: Type.Optional(Type.String()),
            message: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('Entry'), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { version, ...note } = request.body;
      return audited(context, request, { action: 'restore', entry: { id } }, async () => {
        await requireOnEntry(context, request.access, id, 'write');
        const entry = await context.withEntryLock(id, () => lake.restore(id, version, note));
        return { value: entry, status: 200, entry: { id, filePath: entry.filePath } };
      });
    },
  );

  app.post(
    '/v1/entries/:id/undelete',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Bring a deleted entry back as it was when deleted (409 when its path is taken)',
        params: IdParams,
        body: Type.Optional(NoteBody),
        response: { 200: Type.Ref('Entry'), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const note: ChangeNote = request.body ?? {};
      return audited(context, request, { action: 'undelete', entry: { id } }, async () => {
        await requireOnEntry(context, request.access, id, 'write');
        const entry = await context.withEntryLock(id, () => lake.undelete(id, note));
        return { value: entry, status: 200, entry: { id, filePath: entry.filePath } };
      });
    },
  );
}

/** The caller may read the entry at `filePath`, or the entry does not exist for it. */
export function requireVisible(access: Access, filePath: string, id: string): void {
  const location = parseContentPath(filePath);
  if (!location || !access.canRead(location))
    throw new NotFoundError(`no entry with id "${id}"`, { details: { id } });
}

/** Read access to the entry (live or deleted), and `action` on it. */
export async function requireOnEntry(
  context: ServerContext,
  access: Access,
  id: string,
  action: Action,
): Promise<void> {
  const { filePath } = await context.lake.history(id, { limit: 1 });
  requireVisible(access, filePath, id);
  const location = parseContentPath(filePath);
  if (action !== 'read' && location) requireAction(access, action, location);
}

function sendVersion(reply: FastifyReply, entry: EntryWithContent) {
  const { content: _content, bytes, ...view } = entry;
  return reply
    .header('content-type', 'application/octet-stream')
    .header('x-content-type-options', 'nosniff')
    .header('datalake-entry', encodeURIComponent(JSON.stringify(view)))
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
