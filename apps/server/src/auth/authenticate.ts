import { AccessError } from '../errors.js';
import { Access, type Grant } from './grants.js';
import type { TokenRecord, TokenStore } from './token-store.js';

/** One `Access` per token record (records are replaced, never changed, when a token changes). */
const accessOfRecord = new WeakMap<TokenRecord, Access>();

/**
 * Who sent a request: the holder of a valid bearer token, anonymous (only when the operator allowed
 * it, and only without an Authorization header), or nobody (401).
 */
export async function authenticate(
  tokens: TokenStore,
  header: string | undefined,
  anonymous: Grant | undefined,
): Promise<Access> {
  return authenticateKnown(tokens, header, anonymous) ?? accessOf(await tokens.authenticate(bearer(header)));
}

/**
 * `authenticate` without waiting when the answer is known in memory (no token, a malformed one, or
 * one whose record this instance holds): the request path of nearly every request. `undefined`
 * when the token's record must be looked up first: then call `authenticate`.
 */
export function authenticateKnown(
  tokens: TokenStore,
  header: string | undefined,
  anonymous: Grant | undefined,
): Access | undefined {
  if (header === undefined || header === '') {
    if (anonymous) return new Access(null, [anonymous]);
    throw new AccessError('UNAUTHORIZED', 'send a token: Authorization: Bearer dlk_...');
  }
  const record = tokens.authenticateKnown(bearer(header));
  return record ? accessOf(record) : undefined;
}

function bearer(header: string | undefined): string {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new AccessError('UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
  return match[1] as string;
}

function accessOf(record: TokenRecord): Access {
  let access = accessOfRecord.get(record);
  if (!access) {
    access = new Access(record.id, record.grants);
    accessOfRecord.set(record, access);
  }
  return access;
}
