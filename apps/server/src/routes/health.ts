import { Type } from 'typebox';
import type { App, ServerContext } from '../context.js';
import { NoQuery } from '../schemas.js';

const Status = Type.Object({ status: Type.String() });

export function healthRoutes(app: App, context: ServerContext): void {
  app.get(
    '/healthz',
    {
      config: { auth: false },
      schema: {
        tags: ['health'],
        summary: 'The process answers',
        querystring: NoQuery,
        response: { 200: Status },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: false },
      schema: {
        tags: ['health'],
        summary: 'Ready to serve (503 while starting or shutting down)',
        querystring: NoQuery,
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) =>
      context.isReady() ? { status: 'ready' } : reply.code(503).send({ status: 'unavailable' }),
  );

  app.get(
    '/openapi.json',
    {
      config: { auth: false },
      schema: { hide: true, querystring: NoQuery },
    },
    async () => app.swagger(),
  );
}
