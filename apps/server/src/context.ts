import type { DataLake, Entry } from '@datalake/core';
import { NotFoundError } from '@datalake/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { AuditLog, AuditRecord } from './audit.js';
import type { Access, Action } from './auth/grants.js';
import type { TokenStore } from './auth/token-store.js';
import type { ContentCache } from './content-cache.js';
import { AccessError } from './errors.js';
import { toProblem } from './http/problems.js';
import type { Refresher } from './refresher.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, set by the authentication hook (anonymous access included). */
    access: import('./auth/grants.js').Access;
  }
  interface FastifyContextConfig {
    /** `false` for the routes anyone may call (health, OpenAPI). */
    auth?: boolean;
  }
}

/** What the routes share. */
export interface ServerContext {
  lake: DataLake;
  tokens: TokenStore;
  audit: AuditLog;
  refresher: Refresher;
  maxBodyBytes: number;
  /** Recently read small contents, by SHA-256. */
  contentCache: ContentCache;
  /** Serialises the conditional checks and writes of one entry within this instance. */
  withEntryLock<T>(id: string, work: () => Promise<T>): Promise<T>;
  isReady(): boolean;
}

/** The entry with this id, as the caller may know it: a `NotFoundError` when it cannot read it. */
export async function visibleEntry(context: ServerContext, access: Access, id: string): Promise<Entry> {
  const entry = await context.lake.getEntry(id);
  if (!access.canRead(entry)) throw new NotFoundError(`no entry with id "${id}"`, { details: { id } });
  return entry;
}

export async function visibleEntryAtPath(
  context: ServerContext,
  access: Access,
  filePath: string,
): Promise<Entry> {
  const entry = await context.lake.getEntryByPath(filePath);
  if (!access.canRead(entry))
    throw new NotFoundError(`no entry at path "${filePath}"`, { details: { filePath } });
  return entry;
}

/** 403 unless the caller may do `action` on the entry (which it can read: otherwise it got a 404 already). */
export function requireAction(
  access: Access,
  action: Action,
  entry: Pick<Entry, 'dataType' | 'subpath'>,
): void {
  if (!access.allows(action, entry)) throw refusal(access, `this token may not ${action} here`);
}

export function requireAdmin(access: Access): void {
  if (!access.isAdmin) throw refusal(access, 'this needs an admin token');
}

/** 403 for a token without the grant; 401 for an anonymous caller, who may have a token that has it. */
export function refusal(access: Access, message: string): AccessError {
  return access.tokenId === null
    ? new AccessError('UNAUTHORIZED', `${message}: send a token (Authorization: Bearer dlk_...)`)
    : new AccessError('FORBIDDEN', message);
}

/** Audits an action and runs it: the record says how it ended, and is stored before the answer goes out. */
export async function audited<T>(
  context: ServerContext,
  request: FastifyRequest,
  describe: Omit<AuditRecord, 'time' | 'tokenId' | 'outcome' | 'status' | 'requestId'>,
  work: () => Promise<{ value: T; status: number; entry?: AuditRecord['entry'] }>,
): Promise<T> {
  const base = { tokenId: request.access.tokenId, requestId: String(request.id), ...describe };
  try {
    const { value, status, entry } = await work();
    await context.audit.record({
      time: new Date().toISOString(),
      ...base,
      ...(entry ? { entry } : {}),
      outcome: 'ok',
      status,
    });
    return value;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    await context.audit.record({
      time: new Date().toISOString(),
      ...base,
      outcome: typeof code === 'string' ? code : 'INTERNAL',
      status: toProblem(error).problem.status,
    });
    throw error;
  }
}
