import { MemoryBackend } from '@datalake/backend-memory';
import { ForbiddenError, type RemoteLake, UnauthorizedError } from '@datalake/client';
import {
  collectBody,
  DATA_TYPES,
  DataType,
  type Entry,
  NotFoundError,
  type SearchOptions,
} from '@datalake/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grant } from '../src/index.js';
import { bearer, raw } from './support/http.js';
import { type Served, serve } from './support/served.js';

const FOLDERS = ['', 'finance', 'finance/2023', 'financer', 'hr', 'hr/payroll'];
const NAMES = ['a.txt', 'b.sql', 'c.vba'];

let served: Served;
let admin: RemoteLake;
let all: Entry[];

beforeAll(async () => {
  served = await serve(new MemoryBackend());
  admin = served.client();
  // Every type × folder × name: each holds "common" so one search matches all of them.
  for (const dataType of DATA_TYPES)
    for (const subpath of FOLDERS)
      for (const name of NAMES)
        await served.lake.store({
          name,
          dataType,
          subpath,
          content: `common line\n${dataType} ${subpath} ${name}\n`,
          metadata: { team: subpath.split('/')[0] || 'none' },
        });
  // Some entries changed since stored, so stats count updated entries too.
  for (const entry of await served.lake.list())
    if (entry.name === 'b.sql' && entry.subpath.startsWith('finance'))
      await served.lake.update(entry.id, { metadata: { reviewed: true } });
  all = await served.lake.list();
});
afterAll(() => served.close());

const grantArbitrary: fc.Arbitrary<Grant> = fc.record(
  {
    actions: fc.constantFrom<Grant['actions']>(
      ['read'],
      ['read', 'write'],
      ['read', 'delete'],
      ['write'],
      ['read', 'write', 'delete'],
    ),
    dataType: fc.constantFrom(...DATA_TYPES),
    pathPrefix: fc.constantFrom(...FOLDERS.filter((folder) => folder !== '')),
  },
  { requiredKeys: ['actions'] },
);

const searchOptions: fc.Arbitrary<SearchOptions> = fc.record(
  {
    dataType: fc.oneof(fc.constantFrom(...DATA_TYPES), fc.subarray([...DATA_TYPES], { minLength: 1 })),
    subpath: fc.constantFrom('finance', 'hr', 'finance/2023'),
    mode: fc.constantFrom('substring', 'regex', 'words'),
  },
  { requiredKeys: [] },
);

/** The reference: what the grants let a token read, written out independently of the server's code. */
function readable(grants: readonly Grant[], entry: Entry): boolean {
  return grants.some(
    (grant) =>
      grant.actions.includes('read') &&
      (grant.dataType === undefined || grant.dataType === entry.dataType) &&
      (grant.pathPrefix === undefined ||
        entry.subpath === grant.pathPrefix ||
        entry.subpath.startsWith(`${grant.pathPrefix}/`)),
  );
}

/** The reference for `GET /v1/folders`: the child folders of `subpath` that hold some of `entries`, counted. */
function childFoldersOf(entries: readonly Entry[], dataType: DataType | undefined, subpath: string) {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    if (dataType !== undefined && entry.dataType !== dataType) continue;
    if (entry.subpath === subpath || (subpath !== '' && !entry.subpath.startsWith(`${subpath}/`))) continue;
    const name = (subpath === '' ? entry.subpath : entry.subpath.slice(subpath.length + 1)).split(
      '/',
    )[0] as string;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts.keys()].sort().map((name) => ({
    name,
    subpath: subpath === '' ? name : `${subpath}/${name}`,
    entries: counts.get(name),
  }));
}

async function allPages(lake: RemoteLake, query: string, options: SearchOptions) {
  const paths: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await lake.search(query, { ...options, limit: 7, ...(cursor ? { cursor } : {}) });
    paths.push(...page.hits.map((hit) => hit.entry.filePath));
    cursor = page.cursor;
    expect(++pages).toBeLessThan(200);
  } while (cursor);
  return paths;
}

describe('grants', () => {
  it('property: list, folders, search and stats of a scoped token equal the full lake filtered by its grants; reads outside fail as not found', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(grantArbitrary, { maxLength: 4 }), searchOptions, async (grants, options) => {
        const visible = all.filter((entry) => readable(grants, entry));
        const token = await served.token(grants);
        const scoped = served.client(token);

        expect((await scoped.list()).map((entry) => entry.id)).toEqual(visible.map((entry) => entry.id));
        const macros = await scoped.list({ dataType: DataType.MACRO, subpath: 'finance' });
        expect(macros.map((entry) => entry.id)).toEqual(
          (await admin.list({ dataType: DataType.MACRO, subpath: 'finance' }))
            .filter((entry) => readable(grants, entry))
            .map((entry) => entry.id),
        );

        const stats = await scoped.getStats();
        expect(stats.totalEntries).toBe(visible.length);
        expect(stats.totalSizeBytes).toBe(visible.reduce((sum, entry) => sum + entry.size, 0));
        for (const type of DATA_TYPES)
          expect(stats.entriesByType[type]).toBe(visible.filter((entry) => entry.dataType === type).length);
        expect(stats.updatedEntries).toBe(visible.filter((entry) => entry.updatedAt !== null).length);
        expect(stats.createdEntries).toBe(visible.filter((entry) => entry.updatedAt === null).length);
        expect(stats.storedSizeBytes).toBe(stats.totalSizeBytes);

        for (const dataType of [undefined, DataType.MACRO])
          for (const subpath of ['', 'finance', 'finance/2023', 'hr', 'nowhere']) {
            const query = `?subpath=${encodeURIComponent(subpath)}${dataType ? `&dataType=${dataType}` : ''}`;
            const answer = await raw(served.url, 'GET', `/v1/folders${query}`, { headers: bearer(token) });
            expect(answer.status).toBe(200);
            expect(answer.json().folders, query).toEqual(childFoldersOf(visible, dataType, subpath));
          }

        const query = options.mode === 'regex' ? 'comm[o]n' : 'common';
        const expected = (await allPages(admin, query, options)).filter((path) =>
          visible.some((entry) => entry.filePath === path),
        );
        const got = await allPages(scoped, query, options);
        if (options.mode === 'words') expect([...got].sort()).toEqual([...expected].sort());
        else expect(got).toEqual(expected);

        for (const entry of all.filter((candidate) => !readable(grants, candidate)).slice(0, 6)) {
          await expect(scoped.getEntry(entry.id)).rejects.toBeInstanceOf(NotFoundError);
          await expect(scoped.retrieve(entry.id)).rejects.toBeInstanceOf(NotFoundError);
          await expect(scoped.retrieveByPath(entry.filePath)).rejects.toBeInstanceOf(NotFoundError);
          await expect(scoped.update(entry.id, { metadata: { x: 1 } })).rejects.toBeInstanceOf(NotFoundError);
          expect(await scoped.delete(entry.id)).toBe(false);
        }
      }),
      {
        numRuns: 30,
        // Scopes the lake's filters cannot express in one query, for certain.
        examples: [
          [
            [
              { actions: ['read'], dataType: 'schema', pathPrefix: 'hr' },
              { actions: ['read'], dataType: 'macro' },
            ],
            {},
          ],
          [
            [
              { actions: ['read'], pathPrefix: 'finance/2023' },
              { actions: ['read'], pathPrefix: 'hr' },
            ],
            { mode: 'regex' },
          ],
          [
            [
              { actions: ['read'], dataType: 'logs' },
              { actions: ['read'], pathPrefix: 'finance' },
            ],
            { subpath: 'finance' },
          ],
        ],
      },
    );
    // Nothing was changed by the refused writes.
    expect((await served.lake.list()).map((entry) => [entry.id, entry.updatedAt])).toEqual(
      all.map((entry) => [entry.id, entry.updatedAt]),
    );
    // About 1,500 requests in all: a hang guard for a loaded machine, not a speed limit.
  }, 600_000);

  it('default deny: a token without grants sees an empty lake', async () => {
    const none = served.client(await served.token([]));
    expect(await none.list()).toEqual([]);
    expect((await none.getStats()).totalEntries).toBe(0);
    expect((await none.search('common')).hits).toEqual([]);
    await expect(none.getEntry(all[0]?.id as string)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      none.store({ name: 'x.txt', content: 'x', dataType: DataType.OTHER }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('403 where the token can read but not write or delete; 404 where it cannot read', async () => {
    const reader = served.client(
      await served.token([
        { actions: ['read'], dataType: DataType.SCHEMA },
        { actions: ['read', 'write'], pathPrefix: 'hr' },
      ]),
    );
    const schema = all.find((entry) => entry.dataType === 'schema' && entry.subpath === 'finance') as Entry;
    const hr = all.find((entry) => entry.dataType === 'logs' && entry.subpath === 'hr') as Entry;
    const other = all.find((entry) => entry.dataType === 'logs' && entry.subpath === 'finance') as Entry;
    await expect(reader.update(schema.id, { metadata: { x: 1 } })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(reader.delete(schema.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(reader.update(other.id, { metadata: { x: 1 } })).rejects.toBeInstanceOf(NotFoundError);
    const updated = await reader.update(hr.id, { metadata: { checked: true } });
    expect(updated.metadata.checked).toBe(true);
    await expect(reader.delete(hr.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      reader.store({ name: 'new.sql', content: 'x', dataType: DataType.SCHEMA, subpath: 'finance' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const stored = await reader.store({
      name: 'new.log',
      content: 'x',
      dataType: DataType.LOGS,
      subpath: 'hr/new',
    });
    expect(stored.filePath).toBe('logs/hr/new/new.log');
    expect(await admin.delete(stored.id)).toBe(true);
    await admin.update(hr.id, { metadata: { checked: null } });
  });

  it('a write-only token can deliver but not look; a conflict does not name the entry in the way', async () => {
    const dropbox = served.client(await served.token([{ actions: ['write'], pathPrefix: 'inbox' }]));
    const entry = await dropbox.store({
      name: 'd.txt',
      content: 'x',
      dataType: DataType.OTHER,
      subpath: 'inbox',
    });
    await expect(dropbox.getEntry(entry.id)).rejects.toBeInstanceOf(NotFoundError);
    const conflict = await dropbox
      .store({ name: 'd.txt', content: 'y', dataType: DataType.OTHER, subpath: 'inbox' })
      .catch((error: unknown) => error as Error);
    expect(conflict).toMatchObject({ code: 'CONFLICT' });
    expect((conflict as Error).message).not.toContain(entry.id);
    expect(JSON.stringify((conflict as { details?: unknown }).details)).not.toContain(entry.id);
    expect(await admin.delete(entry.id)).toBe(true);
  });

  it('admin routes need an admin token', async () => {
    const reader = served.client(await served.token([{ actions: ['read', 'write', 'delete'] }]));
    await expect(reader.listTokens()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(reader.createToken({ name: 'x', grants: [{ actions: ['admin'] }] })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(reader.readAudit()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(reader.reindex()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      admin.createToken({ name: 'x', grants: [{ actions: ['admin'], dataType: 'schema' }] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('tokens', () => {
  it('are shown once, stored only as a hash, and revoked at once', async () => {
    const { token, info } = await admin.createToken({ name: 'ci', grants: [{ actions: ['read'] }] });
    expect(token).toMatch(/^dlk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({
      name: 'ci',
      id: token.slice(4, 20),
      expiresAt: null,
      createdBy: expect.any(String),
    });
    const stored = await served.lake.backend.get(`.auth/tokens/${info.id}.json`);
    const text = Buffer.from(await collectBody(stored?.body ?? new Uint8Array())).toString('utf8');
    expect(text).not.toContain(token.slice(21));
    expect(JSON.stringify(await admin.listTokens())).not.toContain(token.slice(21));
    const user = served.client(token);
    expect((await user.getStats()).totalEntries).toBe(all.length);
    expect(await admin.revokeToken(info.id)).toBe(true);
    await expect(user.getStats()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await admin.revokeToken(info.id)).toBe(false);
  });

  it('an expired token is refused', async () => {
    const { token, info } = await admin.createToken({
      name: 'short',
      grants: [{ actions: ['read'] }],
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const user = served.client(token);
    await user.getStats();
    // Move its expiry into the past, in the lake, as another instance's clock would have it.
    const key = `.auth/tokens/${info.id}.json`;
    const current = await served.lake.backend.get(key);
    const record = JSON.parse(
      Buffer.from(await collectBody(current?.body ?? new Uint8Array())).toString('utf8'),
    );
    await served.lake.backend.put(
      key,
      Buffer.from(JSON.stringify({ ...record, expiresAt: '2020-01-01T00:00:00.000Z' })),
    );
    await admin.refresh();
    await expect(user.getStats()).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      admin.createToken({ name: 'past', grants: [], expiresAt: '2020-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('record when they were last used, off the request path', async () => {
    const { token, info } = await admin.createToken({ name: 'used', grants: [{ actions: ['read'] }] });
    expect(info.lastUsedAt).toBeNull();
    await served.client(token).getStats();
    await served.server.tokens.flush();
    const listed = (await admin.listTokens()).find((candidate) => candidate.id === info.id);
    expect(listed?.lastUsedAt).not.toBeNull();
  });
});

describe('anonymous access', () => {
  it('is off unless turned on, then read-only within its scope', async () => {
    expect((await raw(served.url, 'GET', '/v1/stats')).status).toBe(401);
    const open = await serve(served.lake.backend, {
      server: { auth: { anonymousRead: { dataType: DataType.DOCUMENTATION } } },
    });
    try {
      const anonymous = await raw(open.url, 'GET', '/v1/entries');
      expect(anonymous.status).toBe(200);
      const entries = anonymous.json().entries as Entry[];
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((entry) => entry.dataType === 'documentation')).toBe(true);
      const write = await raw(open.url, 'POST', '/v1/entries?name=x.md&dataType=documentation', {
        headers: { 'content-type': 'application/octet-stream' },
        body: 'x',
      });
      expect(write.status).toBe(401);
      expect((await raw(open.url, 'GET', '/v1/tokens')).status).toBe(401);
      // A token still counts as itself, not as anonymous.
      const withToken = await raw(open.url, 'GET', '/v1/stats', { headers: bearer(open.adminToken) });
      expect(withToken.json().totalEntries).toBe((await open.lake.getStats()).totalEntries);
    } finally {
      await open.close();
    }
  });
});
