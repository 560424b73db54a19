/** The lake's HTTP API as the page uses it: every call carries the signed-in token. */

import type {
  Action,
  EntryHistory,
  EntryHolds,
  EntryVersion,
  Grant,
  RetentionMode,
  RetentionPlan,
  RetentionRule,
  RetentionRules,
  TokenInfo,
  VersionDiff,
} from '@datalake/client';

export type {
  Action,
  EntryHistory,
  EntryHolds,
  EntryVersion,
  Grant,
  RetentionMode,
  RetentionRule,
  RetentionRules,
  TokenInfo,
  VersionDiff,
};

/** A plan as the server gives it: `partial` when filtered to what a non-admin token may read. */
export type Plan = RetentionPlan & { partial: boolean };

export const DATA_TYPES = ['schema', 'macro', 'documentation', 'configuration', 'logs', 'other'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const ACTIONS = ['read', 'write', 'delete', 'admin'] as const satisfies readonly Action[];

/** The page's list of types and actions is the lake's, in both directions (a compile-time check). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typesMatch: Same<DataType, NonNullable<Grant['dataType']>> = true;
const actionsMatch: Same<(typeof ACTIONS)[number], Action> = true;
void typesMatch;
void actionsMatch;

export interface Entry {
  id: string;
  name: string;
  dataType: DataType;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string | null;
  filePath: string;
  subpath: string;
  size: number;
  sha256: string;
}

export interface Folder {
  name: string;
  subpath: string;
  entries: number;
}

export interface Stats {
  totalEntries: number;
  entriesByType: Record<string, number>;
  totalSizeBytes: number;
}

export interface SearchLine {
  line: number;
  text: string;
  ranges: [number, number][];
}

export interface SearchHit {
  entry: Entry;
  score: number;
  matchedIn: string[];
  lines: SearchLine[];
  lineMatchCount: number;
}

export type SearchMode = 'substring' | 'words' | 'regex';

export interface SearchRequest {
  query: string;
  mode?: SearchMode;
  dataType?: DataType;
  subpath?: string;
  limit?: number;
  cursor?: string;
  maxLinesPerHit?: number;
}

/** A failed call: the server's problem (its `code` and `detail`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class Api {
  /** Answers of GET requests started ahead of the view that asks for them, each handed out once. */
  private readonly early = new Map<string, Promise<unknown>>();
  private startingEarly = false;

  constructor(private readonly token: string) {}

  /**
   * Starts the GET requests that `calls` makes now, before the view that needs them is shown (while
   * the token is being checked), and hands each answer to the first identical request that follows.
   */
  prefetch(calls: (api: Api) => unknown): void {
    this.startingEarly = true;
    try {
      calls(this);
    } finally {
      this.startingEarly = false;
    }
  }

  whoami(): Promise<{ tokenId: string | null; grants: Grant[] }> {
    return this.json('/v1/token');
  }

  stats(): Promise<Stats> {
    return this.json('/v1/stats');
  }

  folders(dataType: DataType | undefined, subpath: string): Promise<{ folders: Folder[] }> {
    return this.json(`/v1/folders${query({ dataType, subpath })}`);
  }

  list(options: {
    dataType: DataType | undefined;
    subpath: string;
    limit: number;
    cursor: string | undefined;
  }): Promise<{ entries: Entry[]; cursor?: string }> {
    return this.json(`/v1/entries${query({ ...options, recursive: 'false', limit: String(options.limit) })}`);
  }

  entry(id: string): Promise<Entry> {
    return this.json(`/v1/entries/${encodeURIComponent(id)}`);
  }

  /** The first `maxBytes` bytes of an entry's content (all of it when it is smaller). */
  async head(entry: Entry, maxBytes: number): Promise<Uint8Array> {
    if (entry.size === 0) return new Uint8Array();
    const headers: Record<string, string> = entry.size > maxBytes ? { range: `bytes=0-${maxBytes - 1}` } : {};
    const response = await this.call(`/v1/entries/${encodeURIComponent(entry.id)}/content`, { headers });
    return new Uint8Array(await response.arrayBuffer());
  }

  async content(id: string): Promise<Blob> {
    return (await this.call(`/v1/entries/${encodeURIComponent(id)}/content`)).blob();
  }

  search(request: SearchRequest): Promise<{ hits: SearchHit[]; cursor?: string }> {
    return this.json('/v1/search', { method: 'POST', body: JSON.stringify(request), json: true });
  }

  /** Stores a file: the content is the request body, as the browser streams it from disk. */
  upload(input: {
    file: Blob;
    name: string;
    dataType: string;
    subpath: string;
    metadata: string;
  }): Promise<Entry> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (input.metadata.trim() !== '') headers['datalake-metadata'] = encodeURIComponent(input.metadata);
    const target = `/v1/entries${query({ name: input.name, dataType: input.dataType, subpath: input.subpath })}`;
    return this.json(target, { method: 'POST', headers, body: input.file });
  }

  tokens(): Promise<TokenInfo[]> {
    return this.json('/v1/tokens');
  }

  createToken(body: { name: string; grants: Grant[]; expiresAt?: string }): Promise<{
    token: string;
    info: TokenInfo;
  }> {
    return this.json('/v1/tokens', { method: 'POST', body: JSON.stringify(body), json: true });
  }

  async revokeToken(id: string): Promise<void> {
    await this.call(`/v1/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  history(id: string, cursor: string | undefined, limit = 20): Promise<EntryHistory> {
    return this.json(
      `/v1/entries/${encodeURIComponent(id)}/history${query({ limit: String(limit), cursor })}`,
    );
  }

  diff(id: string, from: number, to: number): Promise<VersionDiff> {
    return this.json(
      `/v1/entries/${encodeURIComponent(id)}/diff${query({ from: String(from), to: String(to) })}`,
    );
  }

  restore(id: string, version: number, message: string): Promise<Entry> {
    return this.json(`/v1/entries/${encodeURIComponent(id)}/restore`, {
      method: 'POST',
      body: JSON.stringify({ version, ...(message ? { message } : {}) }),
      json: true,
    });
  }

  undelete(id: string, message: string): Promise<Entry> {
    return this.json(`/v1/entries/${encodeURIComponent(id)}/undelete`, {
      method: 'POST',
      body: JSON.stringify(message ? { message } : {}),
      json: true,
    });
  }

  rules(): Promise<RetentionRules> {
    return this.json('/v1/retention/rules');
  }

  putRule(rule: RetentionRule, ifVersion: number): Promise<RetentionRules> {
    const { name, ...settings } = rule;
    return this.json(`/v1/retention/rules/${encodeURIComponent(name)}`, {
      method: 'PUT',
      body: JSON.stringify({ ...settings, ifVersion }),
      json: true,
    });
  }

  deleteRule(name: string, ifVersion: number): Promise<RetentionRules> {
    return this.json(
      `/v1/retention/rules/${encodeURIComponent(name)}${query({ ifVersion: String(ifVersion) })}`,
      { method: 'DELETE' },
    );
  }

  holds(id: string): Promise<EntryHolds> {
    return this.json(`/v1/entries/${encodeURIComponent(id)}/holds`);
  }

  setLegalHold(id: string, reason: string): Promise<EntryHolds> {
    return this.json(`/v1/entries/${encodeURIComponent(id)}/holds/legal`, {
      method: 'PUT',
      body: JSON.stringify({ reason }),
      json: true,
    });
  }

  releaseLegalHold(id: string): Promise<EntryHolds> {
    return this.json(`/v1/entries/${encodeURIComponent(id)}/holds/legal`, { method: 'DELETE' });
  }

  setRetainUntil(
    id: string,
    body: { until: string | null; mode: RetentionMode; override: boolean; message?: string },
  ): Promise<EntryHolds> {
    return this.json(`/v1/entries/${encodeURIComponent(id)}/holds/retain-until`, {
      method: 'PUT',
      body: JSON.stringify(body),
      json: true,
    });
  }

  plan(): Promise<Plan> {
    return this.json('/v1/retention/plan');
  }

  apply(): Promise<RetentionPlan & { pagesRemoved: number }> {
    return this.json('/v1/retention/apply', { method: 'POST' });
  }

  private json<T>(
    path: string,
    init: { method?: string; body?: BodyInit; headers?: Record<string, string>; json?: boolean } = {},
  ): Promise<T> {
    if (init.method !== undefined) return this.fetchJson(path, init);
    const early = this.early.get(path);
    if (early) {
      this.early.delete(path);
      return early as Promise<T>;
    }
    const answer = this.fetchJson<T>(path, init);
    if (this.startingEarly) {
      answer.catch(() => {}); // The view that asks for it sees the failure; nobody may ask.
      this.early.set(path, answer);
    }
    return answer;
  }

  private async fetchJson<T>(
    path: string,
    init: { method?: string; body?: BodyInit; headers?: Record<string, string>; json?: boolean },
  ): Promise<T> {
    const headers = { ...init.headers, ...(init.json ? { 'content-type': 'application/json' } : {}) };
    const response = await this.call(path, { ...init, headers });
    return (await response.json()) as T;
  }

  private async call(
    path: string,
    init: { method?: string; body?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${this.token}` },
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `the server could not be reached (${(error as Error).message})`);
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  try {
    const problem = (await response.json()) as { code?: string; detail?: string; title?: string };
    return new ApiError(
      response.status,
      problem.code ?? String(response.status),
      problem.detail ?? problem.title ?? response.statusText,
    );
  } catch {
    return new ApiError(response.status, String(response.status), response.statusText || 'request failed');
  }
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
