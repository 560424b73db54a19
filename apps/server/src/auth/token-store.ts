import {
  AUTH_TOKENS_PREFIX,
  type ChangeFeed,
  collectBody,
  NotFoundError,
  noteChangedKeys,
  PreconditionFailedError,
  PutMode,
  type StorageBackend,
  ValidationError,
} from '@datalake/core';
import { AccessError } from '../errors.js';
import { type Grant, normaliseGrants } from './grants.js';
import { newSecret, parseToken, secretMatches } from './token-secret.js';

export const TOKENS_PREFIX = AUTH_TOKENS_PREFIX;

/** What the lake keeps of a token, at `.auth/tokens/<id>.json`. Never the token itself. */
export interface TokenRecord {
  format: 1;
  id: string;
  name: string;
  /** Hex SHA-256 of the token's secret part. */
  secretSha256: string;
  grants: Grant[];
  createdAt: string;
  /** Id of the admin token that created it, or `null` when created on the lake directly (CLI). */
  createdBy: string | null;
  expiresAt: string | null;
  /** Updated at most about once a minute, after the fact: a hint, not an exact record. */
  lastUsedAt: string | null;
}

/** A token as `token list` and the API show it: everything but the hash. */
export type TokenInfo = Omit<TokenRecord, 'format' | 'secretSha256'>;

export interface NewToken {
  name: string;
  grants: unknown;
  /** ISO-8601 time, or null/undefined for no expiry. */
  expiresAt?: string | null;
  createdBy?: string | null;
}

export interface TokenStoreOptions {
  /** The shortest interval between two writes of one token's `lastUsedAt`. Default 60 s. */
  lastUsedIntervalMs?: number;
  /** How long an unknown token id is remembered as unknown (saves a lookup per bad request). Default 1 s. */
  unknownIdTtlMs?: number;
  now?: () => number;
  /**
   * The lake's change feed (`lake.changeFeed`): revocations are noted in it, and the revocations
   * other instances note reach this store with the lake's own `refresh()`, so no `sync` (a listing
   * of every token) is needed to stay current. Without it, a revocation leaves a note of its own
   * (on storage other processes share) and the owner calls `sync` to see other instances' changes.
   */
  changeFeed?: ChangeFeed;
}

interface Cached {
  record: TokenRecord;
  etag: string;
}

const tokenKey = (id: string) => `${TOKENS_PREFIX}${id}.json`;
const encoder = new TextEncoder();
const MAX_UNKNOWN_IDS = 10_000;

/**
 * The tokens of a lake, kept in the lake itself (through its backend) so every server instance and
 * every backend shares them and they survive restarts. Each instance caches them. A revocation
 * leaves a note in the lake's change journal, which other instances read with their lake's
 * refresh (or `sync` lists every token, for a lake without a journal); a token created elsewhere
 * is looked up when first presented.
 */
export class TokenStore {
  private readonly cache = new Map<string, Cached>();
  private readonly unknownUntil = new Map<string, number>();
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly pendingWrites = new Set<Promise<void>>();
  private readonly lastUsedIntervalMs: number;
  private readonly unknownIdTtlMs: number;
  private readonly now: () => number;
  private readonly changeFeed: ChangeFeed | undefined;
  private readonly unfollow: (() => void) | undefined;

  constructor(
    private readonly backend: StorageBackend,
    options: TokenStoreOptions = {},
  ) {
    this.lastUsedIntervalMs = options.lastUsedIntervalMs ?? 60_000;
    this.unknownIdTtlMs = options.unknownIdTtlMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.changeFeed = options.changeFeed;
    this.unfollow = this.changeFeed?.followKeys(TOKENS_PREFIX, (keys) =>
      keys === undefined ? this.sync() : this.reread(keys),
    );
  }

  /** Whether other instances' revocations reach this store through the lake's refresh (no `sync` needed). */
  get followsChanges(): boolean {
    return this.unfollow !== undefined;
  }

  /** Re-reads the token records that changed since the last sync (one listing, then only changed ones). */
  async sync(): Promise<void> {
    const listed = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await this.backend.list(TOKENS_PREFIX, cursor ? { cursor } : {});
      for (const object of page.objects) {
        const id = idOfKey(object.key);
        if (id) listed.set(id, object.etag);
      }
      cursor = page.cursor;
    } while (cursor);
    for (const id of [...this.cache.keys()]) if (!listed.has(id)) this.cache.delete(id);
    const changed = [...listed].filter(([id, etag]) => this.cache.get(id)?.etag !== etag);
    await Promise.all(changed.map(([id]) => this.fetch(id)));
    this.unknownUntil.clear();
  }

  /**
   * The record of a presented token, or `AccessError` (401) when the token is malformed, unknown,
   * revoked or expired. All failures look the same to the caller.
   */
  async authenticate(token: string): Promise<TokenRecord> {
    const known = this.authenticateKnown(token);
    if (known) return known;
    const parsed = parseToken(token) as { id: string; secret: string };
    return this.accept(parsed, await this.lookUpUnknown(parsed.id));
  }

  /**
   * `authenticate` without waiting, for a token whose record this instance holds (every request
   * but the first of a token made elsewhere): its record, or `AccessError` as `authenticate` would
   * throw. `undefined` only when the record must be looked up: then call `authenticate`.
   */
  authenticateKnown(token: string): TokenRecord | undefined {
    const parsed = parseToken(token);
    if (!parsed) throw refusedToken();
    const cached = this.cache.get(parsed.id);
    return cached ? this.accept(parsed, cached) : undefined;
  }

  private accept(presented: { id: string; secret: string }, cached: Cached | undefined): TokenRecord {
    if (!cached || !secretMatches(presented.secret, cached.record.secretSha256)) throw refusedToken();
    const { record } = cached;
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= this.now()) throw refusedToken();
    this.noteUse(record.id);
    return record;
  }

  async create(input: NewToken): Promise<{ token: string; info: TokenInfo }> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '' || name.length > 200)
      throw new ValidationError('a token needs a name of 1 to 200 characters');
    const grants = normaliseGrants(input.grants);
    let expiresAt: string | null = null;
    if (input.expiresAt !== undefined && input.expiresAt !== null) {
      const time = Date.parse(input.expiresAt);
      if (Number.isNaN(time))
        throw new ValidationError(`expiresAt ${JSON.stringify(input.expiresAt)} is not a date`);
      if (time <= this.now()) throw new ValidationError('expiresAt lies in the past');
      expiresAt = new Date(time).toISOString();
    }
    const secret = newSecret();
    const record: TokenRecord = {
      format: 1,
      id: secret.id,
      name,
      secretSha256: secret.secretSha256,
      grants,
      createdAt: new Date(this.now()).toISOString(),
      createdBy: input.createdBy ?? null,
      expiresAt,
      lastUsedAt: null,
    };
    const written = await this.backend.put(tokenKey(record.id), encodeRecord(record), {
      mode: PutMode.create,
    });
    this.cache.set(record.id, { record, etag: written.etag });
    this.unknownUntil.delete(record.id);
    return { token: secret.token, info: infoOf(record) };
  }

  /** Every token, freshly read from the lake, ordered by creation time. */
  async list(): Promise<TokenInfo[]> {
    await this.sync();
    return [...this.cache.values()]
      .map(({ record }) => infoOf(record))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<TokenInfo> {
    const cached = /^[0-9a-f]{16}$/.test(id) ? await this.fetch(id) : undefined;
    if (!cached) throw new NotFoundError(`no token with id "${id}"`, { details: { id } });
    return infoOf(cached.record);
  }

  /**
   * Removes a token; `false` when there was none. Resolves once the revocation's change note is
   * stored: other instances stop accepting the token at their next refresh.
   */
  async revoke(id: string): Promise<boolean> {
    if (!/^[0-9a-f]{16}$/.test(id)) return false;
    this.cache.delete(id);
    this.lastUsedWritten.delete(id);
    const removed = await this.backend.delete(tokenKey(id));
    // Noted even when this call found nothing: a revocation whose note failed is completed by a retry.
    await (this.changeFeed
      ? this.changeFeed.noteKeyChange(tokenKey(id))
      : noteChangedKeys(this.backend, [tokenKey(id)]));
    return removed;
  }

  /** Waits for the `lastUsedAt` writes in flight. */
  async flush(): Promise<void> {
    while (this.pendingWrites.size > 0) await Promise.allSettled([...this.pendingWrites]);
  }

  /** Stops following the lake's changes and waits for the writes in flight. */
  async close(): Promise<void> {
    this.unfollow?.();
    await this.flush();
  }

  /** Re-reads the tokens other instances noted as changed. */
  private async reread(keys: readonly string[]): Promise<void> {
    const ids = keys.map(idOfKey).filter((id): id is string => id !== undefined);
    await Promise.all(
      ids.map((id) => {
        this.unknownUntil.delete(id);
        return this.fetch(id);
      }),
    );
  }

  private async lookUpUnknown(id: string): Promise<Cached | undefined> {
    const until = this.unknownUntil.get(id);
    if (until !== undefined && until > this.now()) return undefined;
    const found = await this.fetch(id);
    if (!found) {
      if (this.unknownUntil.size >= MAX_UNKNOWN_IDS) this.unknownUntil.clear();
      this.unknownUntil.set(id, this.now() + this.unknownIdTtlMs);
    }
    return found;
  }

  private async fetch(id: string): Promise<Cached | undefined> {
    const object = await this.backend.get(tokenKey(id));
    if (!object) {
      this.cache.delete(id);
      return undefined;
    }
    const record = decodeRecord(await collectBody(object.body), id);
    if (!record) {
      this.cache.delete(id);
      return undefined;
    }
    const cached = { record, etag: object.etag };
    this.cache.set(id, cached);
    return cached;
  }

  /** Records the use at most once per interval, in the background: never on the request's path. */
  private noteUse(id: string): void {
    const now = this.now();
    const last = this.lastUsedWritten.get(id);
    if (last !== undefined && now - last < this.lastUsedIntervalMs) return;
    this.lastUsedWritten.set(id, now);
    const write = this.writeLastUsed(id, new Date(now).toISOString()).catch(() => {});
    this.pendingWrites.add(write);
    void write.finally(() => this.pendingWrites.delete(write));
  }

  /** Compare-and-swap, so a revocation or an admin's change in between is never undone. */
  private async writeLastUsed(id: string, time: string): Promise<void> {
    const current = await this.backend.get(tokenKey(id));
    if (!current) return;
    const record = decodeRecord(await collectBody(current.body), id);
    if (!record) return;
    const updated = { ...record, lastUsedAt: time };
    try {
      const written = await this.backend.put(tokenKey(id), encodeRecord(updated), {
        mode: PutMode.replace(current.etag),
      });
      if (this.cache.has(id)) this.cache.set(id, { record: updated, etag: written.etag });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
}

/** Every refusal looks the same to the caller: malformed, unknown, revoked or expired. */
function refusedToken(): AccessError {
  return new AccessError('UNAUTHORIZED', 'the token is invalid, expired or revoked');
}

function idOfKey(key: string): string | undefined {
  const match = /^\.auth\/tokens\/([0-9a-f]{16})\.json$/.exec(key);
  return match?.[1];
}

function encodeRecord(record: TokenRecord): Uint8Array {
  return encoder.encode(`${JSON.stringify(record, null, 2)}\n`);
}

/** A record, or undefined when the object is not a readable token record (it then grants nothing). */
function decodeRecord(bytes: Uint8Array, id: string): TokenRecord | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as TokenRecord;
    if (value?.format !== 1 || value.id !== id || typeof value.secretSha256 !== 'string') return undefined;
    return { ...value, grants: normaliseGrants(value.grants) };
  } catch {
    return undefined;
  }
}

export function infoOf(record: TokenRecord): TokenInfo {
  const { format: _format, secretSha256: _hash, ...info } = record;
  return info;
}
