import { NotFoundError } from '@datalake/core';
import { Type } from 'typebox';
import { type App, audited, requireAdmin, type ServerContext } from '../context.js';
import {
  AuditRecordSchema,
  IndexCheckSchema,
  IndexReportSchema,
  NewTokenBody,
  NoContent,
  NoQuery,
  problems,
} from '../schemas.js';

const security = [{ bearer: [] }];
const TokenIdParams = Type.Object({ id: Type.String() }, { additionalProperties: false });

export function adminRoutes(app: App, context: ServerContext): void {
  const { tokens, audit, lake } = context;

  app.get(
    '/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        security,
        summary: 'Every token (admin)',
        querystring: NoQuery,
        response: { 200: Type.Array(Type.Ref('TokenInfo')), ...problems(401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      return tokens.list();
    },
  );

  app.post(
    '/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        security,
        summary: 'Create a token (admin); the answer holds the token, shown this once',
        querystring: NoQuery,
        body: NewTokenBody,
        response: {
          201: Type.Object({ token: Type.String(), info: Type.Ref('TokenInfo') }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      requireAdmin(request.access);
      const created = await audited(context, request, { action: 'token.create' }, async () => {
        const made = await tokens.create({ ...request.body, createdBy: request.access.tokenId });
        return { value: made, status: 201 };
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        security,
        summary: 'One token (admin)',
        params: TokenIdParams,
        querystring: NoQuery,
        response: { 200: Type.Ref('TokenInfo'), ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      return tokens.get(request.params.id);
    },
  );

  app.delete(
    '/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        security,
        summary: 'Revoke a token (admin); every instance refuses it within the refresh interval',
        params: TokenIdParams,
        querystring: NoQuery,
        response: { 204: NoContent, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireAdmin(request.access);
      const { id } = request.params;
      await audited(context, request, { action: 'token.revoke', target: id }, async () => {
        if (!(await tokens.revoke(id)))
          throw new NotFoundError(`no token with id "${id}"`, { details: { id } });
        return { value: undefined, status: 204 };
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/audit',
    {
      schema: {
        tags: ['admin'],
        security,
        summary: 'The audit log of one UTC day, oldest first (admin)',
        querystring: Type.Object(
          {
            day: Type.Optional(
              Type.String({
                pattern: '^\\d{4}-\\d{2}-\\d{2}$',
                description: 'YYYY-MM-DD, default today (UTC)',
              }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
            cursor: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ records: Type.Array(AuditRecordSchema), cursor: Type.Optional(Type.String()) }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { day = new Date().toISOString().slice(0, 10), limit, cursor } = request.query;
      return audit.read(day, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });
    },
  );

  app.post(
    '/v1/admin/reindex',
    {
      schema: {
        tags: ['admin'],
        security,
        summary: 'Rebuild the search index (admin)',
        querystring: NoQuery,
        response: { 200: IndexReportSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      return audited(context, request, { action: 'reindex' }, async () => ({
        value: await lake.reindex(),
        status: 200,
      }));
    },
  );

  app.get(
    '/v1/admin/index-check',
    {
      schema: {
        tags: ['admin'],
        security,
        summary: 'Verify the search index against the entries (admin)',
        querystring: NoQuery,
        response: { 200: IndexCheckSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      return lake.checkIndex();
    },
  );
}
