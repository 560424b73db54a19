import type { DataLake } from '@datalake/core';
import { webAssetsDir } from '@datalake/web';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions, LogController } from 'fastify';
import { AuditLog } from './audit.js';
import { authenticate, authenticateKnown } from './auth/authenticate.js';
import { type Access, type Grant, normaliseGrant, type Scope } from './auth/grants.js';
import { TokenStore } from './auth/token-store.js';
import { ContentCache } from './content-cache.js';
import type { App, ServerContext } from './context.js';
import { problem, toProblem } from './http/problems.js';
import { validatorsPerPart } from './http/validators.js';
import { KeyedLock } from './keyed-lock.js';
import { Refresher } from './refresher.js';
import { retentionRoutes } from './retention/routes.js';
import { retentionSchemas } from './retention/schemas.js';
import { adminRoutes } from './routes/admin.js';
import { entryRoutes } from './routes/entries.js';
import { folderRoutes } from './routes/folders.js';
import { healthRoutes } from './routes/health.js';
import { historyRoutes } from './routes/history.js';
import { lakeRoutes } from './routes/lake-routes.js';
import { pageRoutes } from './routes/page.js';
import { sharedSchemas } from './schemas.js';

export interface ServerOptions {
  /** The lake to serve. The server never closes it: its owner does, after `close()`. */
  lake: DataLake;
  auth?: {
    /**
     * Lets requests without a token read: `true` for the whole lake, or a scope (`dataType`
     * and/or `pathPrefix`). Off by default: every request needs a token.
     */
    anonymousRead?: boolean | Scope;
    /** Shortest interval between two writes of a token's last-used time (default 60 s). */
    lastUsedIntervalMs?: number;
  };
  /** Largest content accepted by store and update, in bytes (default 256 MiB); larger bodies get 413. */
  maxBodyBytes?: number;
  /**
   * Memory for recently read small contents (each up to 256 KiB), served without a storage read
   * (default 32 MiB; 0 for none). Keyed by SHA-256, so a changed entry is never served stale bytes
   * beyond what this instance's view of the lake says.
   */
  contentCacheBytes?: number;
  /** Largest JSON body (search, metadata update, token creation), in bytes (default 1 MiB). */
  maxJsonBytes?: number;
  /** Time allowed to receive a whole request, in ms (default 10 minutes; 0 for none). */
  requestTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this long, in ms (default 65 s). */
  keepAliveTimeoutMs?: number;
  /**
   * How often the server catches up with other instances' writes and token changes, in ms
   * (default 1000; 0 to never, for a lake this server alone writes to).
   */
  refreshIntervalMs?: number;
  /**
   * Request logs, one JSON line per request: `true` for stdout, `{ stream }` for a stream of your
   * own, a pino-compatible logger, or `false` for none (default).
   */
  logger?: boolean | { stream: { write(line: string): void }; level?: string } | FastifyBaseLogger;
  /**
   * The web page served at `/`: the built `@datalake/web` by default, `{ root }` for the files of
   * another build, `false` for none (the API only).
   */
  web?: false | { root: string };
}

export interface DatalakeServer {
  /** The Fastify instance (for `inject` in tests, or to add routes). */
  readonly app: App;
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  /** Starts listening; resolves to the base URL (`http://127.0.0.1:8080`). */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Graceful stop: refuses new requests (`/readyz` answers 503), lets requests in flight finish,
   * then stops the refresh loop and writes what is pending (audit records, last-used times).
   */
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

/** Builds the HTTP service in front of `lake`. Call `listen` to serve. */
export async function createServer(options: ServerOptions): Promise<DatalakeServer> {
  const { lake } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 256 * MiB;
  const app = Fastify({
    ...loggerOption(options.logger),
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxJsonBytes ?? MiB,
    requestTimeout: options.requestTimeoutMs ?? 10 * 60_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { maxParamLength: 2048 },
    schemaController: { compilersFactory: { buildValidator: validatorsPerPart() } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  let closing = false;
  let ready = false;
  const tokens = new TokenStore(lake.backend, {
    ...(options.auth?.lastUsedIntervalMs !== undefined
      ? { lastUsedIntervalMs: options.auth.lastUsedIntervalMs }
      : {}),
    changeFeed: lake.changeFeed,
  });
  const audit = new AuditLog(lake.backend, (error) =>
    app.log.error({ err: error }, 'audit record not written'),
  );
  const refresher = new Refresher(
    async () => {
      // Revocations come with the lake's refresh when the lake keeps a change journal.
      await Promise.all([lake.refresh(), tokens.followsChanges ? undefined : tokens.sync()]);
    },
    options.refreshIntervalMs ?? 1000,
    (error) => app.log.warn({ err: error }, 'refresh failed'),
  );
  const locks = new KeyedLock();
  const context: ServerContext = {
    lake,
    tokens,
    audit,
    refresher,
    maxBodyBytes,
    contentCache: new ContentCache(options.contentCacheBytes ?? 32 * MiB, 256 * 1024),
    withEntryLock: (id, work) => locks.run(id, work),
    isReady: () => ready && !closing,
  };

  for (const schema of [...sharedSchemas, ...retentionSchemas]) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'datalake',
        version: '1',
        description:
          'The data lake as an HTTP service. Every request but /healthz, /readyz and /openapi.json needs `Authorization: Bearer dlk_...`. Errors are application/problem+json with a stable `code`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  await app.register(multipart, {
    limits: {
      fileSize: maxBodyBytes + 1,
      files: 1,
      fields: 10,
      fieldSize: options.maxJsonBytes ?? MiB,
      parts: 20,
    },
  });
  // Content is streamed to the lake as it arrives, never buffered: the route reads the request itself.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  const anonymous = anonymousGrant(options.auth?.anonymousRead);
  app.decorateRequest('access', null as never);
  // Callback-style: a known token is checked without a promise; only an unknown one waits for a lookup.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.auth === false) return done();
    const header = request.headers.authorization;
    let known: Access | undefined;
    try {
      known = authenticateKnown(tokens, header, anonymous);
    } catch (error) {
      return done(error as Error);
    }
    if (known) {
      request.access = known;
      return done();
    }
    authenticate(tokens, header, anonymous).then((access) => {
      request.access = access;
      done();
    }, done);
  });
  // While shutting down, answers close their connection, so no keep-alive connection outlives close().
  // Callback-style hooks: they run on every request, and an async hook costs a promise each time.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  if (options.logger !== undefined && options.logger !== false)
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          token: request.access?.tokenId ?? null,
          remote: request.ip,
          bytesIn: Number(request.headers['content-length'] ?? 0),
        },
        'request',
      );
    });
  app.setErrorHandler(async (error, request, reply) => {
    const answer = toProblem(error);
    if (answer.unexpected) request.log.error({ err: error }, 'request failed');
    if (reply.raw.headersSent) {
      reply.raw.destroy(error as Error);
      return reply;
    }
    // An answer that fails before the whole request was read closes the connection, so the unread
    // rest of an upload is never taken for the next request.
    if (!request.raw.readableEnded) reply.header('connection', 'close');
    for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
    reply.removeHeader('etag');
    reply.removeHeader('content-disposition');
    return reply.code(answer.problem.status).type('application/problem+json').send(answer.problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .type('application/problem+json')
      .send(problem(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  healthRoutes(app, context);
  entryRoutes(app, context);
  lakeRoutes(app, context);
  historyRoutes(app, context);
  retentionRoutes(app, context);
  adminRoutes(app, context);
  folderRoutes(app, context);
  if (options.web !== false) await pageRoutes(app, options.web?.root ?? webAssetsDir);
  await app.ready();
  await tokens.sync();
  refresher.start();
  ready = true;

  return {
    app,
    tokens,
    audit,
    async listen({ port = 8080, host = '127.0.0.1' } = {}) {
      await app.listen({ port, host });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    },
    async close() {
      if (closing) return;
      closing = true;
      await app.close();
      await refresher.stop();
      await Promise.all([audit.flush(), tokens.close()]);
    },
  };
}

function anonymousGrant(setting: boolean | Scope | undefined): Grant | undefined {
  if (!setting) return undefined;
  return normaliseGrant({ actions: ['read'], ...(setting === true ? {} : setting) }, 'anonymousRead');
}

function loggerOption(
  logger: ServerOptions['logger'],
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger === undefined || logger === false) return { logger: false };
  if (logger === true) return { logger: { level: 'info' } };
  if ('stream' in logger) return { logger: { level: logger.level ?? 'info', stream: logger.stream } };
  return { loggerInstance: logger };
}
