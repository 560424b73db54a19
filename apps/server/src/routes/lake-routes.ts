import type { SearchOptions } from '@datalake/core';
import { Type } from 'typebox';
import type { App, ServerContext } from '../context.js';
import { readableStats } from '../readable-totals.js';
import { NoContent, NoQuery, problems, SearchBody, SearchResultSchema } from '../schemas.js';

import { searchAs } from './query.js';

const security = [{ bearer: [] }];

export function lakeRoutes(app: App, context: ServerContext): void {
  app.post(
    '/v1/search',
    {
      schema: {
        tags: ['search'],
        security,
        summary:
          'Search names, contents and metadata (every mode and filter of lake.search, with its cursors)',
        querystring: NoQuery,
        body: SearchBody,
        response: { 200: SearchResultSchema, ...problems(400, 401) },
      },
    },
    async (request) => {
      const { query, ...options } = request.body;
      return searchAs(context, request.access, query, options as SearchOptions);
    },
  );

  app.get(
    '/v1/stats',
    {
      schema: {
        tags: ['search'],
        security,
        summary: 'Entry counts and sizes (of the entries the token can read)',
        querystring: NoQuery,
        response: { 200: Type.Ref('Stats'), ...problems(401) },
      },
    },
    async (request) => readableStats(context.lake, request.access),
  );

  app.post(
    '/v1/refresh',
    {
      schema: {
        tags: ['search'],
        security,
        summary: 'Catch up with other instances\u2019 writes now (the server also does so on an interval)',
        querystring: NoQuery,
        response: { 204: NoContent, ...problems(401) },
      },
    },
    async (_request, reply) => {
      await context.refresher.now();
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/token',
    {
      schema: {
        tags: ['tokens'],
        security,
        summary: 'Who the caller is: its token id (null when anonymous) and grants',
        querystring: NoQuery,
        response: {
          200: Type.Object({
            tokenId: Type.Union([Type.String(), NoContent]),
            grants: Type.Array(Type.Ref('Grant')),
          }),
          ...problems(401),
        },
      },
    },
    async (request) => ({ tokenId: request.access.tokenId, grants: [...request.access.grants] }) as never,
  );
}
