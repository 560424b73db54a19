import { rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type Entry } from '@datalake/core';
import { createServer } from '@datalake/server';
import {
  corpusFiles,
  fillLake,
  findChromium,
  generatedFiles,
  launchChromium,
  signedInContext,
} from '@datalake/web-e2e';
import { latency, type Measurement, now } from '../measure.js';
import type { ResultRow } from '../report.js';
import type { Suite, SuiteContext } from '../suite.js';
import { latencyAtMost } from '../targets.js';

/** The corpus ×10 lake of the issue: 14,490 entries (generated text when there is no corpus). */
const SCALE = 10;
const GENERATED_ENTRIES = 14_490;
/** What the page asks for at once: a page of entries, a page of search hits. */
const LIST_PAGE = 50;
const SEARCH_PAGE = 20;
const PREVIEW_BYTES = 256 * 1024;

type TokenName = 'admin' | 'scoped' | 'folder';

interface PageRequest {
  view: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  token: TokenName;
}

/** Issue 14: every request a view of the web page makes, and the page's first paint in Chromium. */
export const webSuite: Suite = {
  name: 'web',
  title: 'web page (issue 14): server time per page request and first paint, corpus ×10 lake',
  async run(context) {
    const root = path.join(context.workRoot, 'web-lake');
    const notes: string[] = [];
    const started = now();
    const entries = context.corpusDir
      ? await fillLake(root, await corpusFiles(context.corpusDir), SCALE)
      : await fillLake(root, generatedFiles(GENERATED_ENTRIES));
    context.log(`web: ${entries} entries stored in ${((now() - started) / 1000).toFixed(1)} s`);
    if (!context.corpusDir) notes.push(`no corpus: a generated lake of ${entries} text entries`);

    const lake = await DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
    const server = await createServer({ lake, refreshIntervalMs: 0 });
    const url = await server.listen({ port: 0 });
    const folder = busiestFolder(await lake.list());
    const tokens: Record<TokenName, string> = {
      admin: (await server.tokens.create({ name: 'bench', grants: [{ actions: ['admin'] }] })).token,
      scoped: (
        await server.tokens.create({ name: 'scoped', grants: [{ actions: ['read'], dataType: 'schema' }] })
      ).token,
      folder: (
        await server.tokens.create({ name: 'folder', grants: [{ actions: ['read'], pathPrefix: folder }] })
      ).token,
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const rows: ResultRow[] = [];
      const calls = context.quick ? 15 : 40;
      const baseline = await latency(calls, () => call(url, agent, { method: 'GET', path: '/healthz' }));
      for (const page of await pageRequests(url, agent, tokens, lake, folder)) {
        const headers = { ...page.headers, authorization: `Bearer ${tokens[page.token]}` };
        await call(url, agent, { ...page, headers }); // warm
        rows.push({
          operation: `${page.view}: ${page.method} ${shorten(page.path)}`,
          backend: 'disk',
          n: entries,
          result: await latency(calls, () => call(url, agent, { ...page, headers })),
          baseline: { label: 'GET /healthz', measurement: baseline },
          target: latencyAtMost(50),
        });
      }
      const middle = (await lake.list())[Math.floor(entries / 2)] as Entry;
      const browseHash = `#/browse?type=${middle.dataType}&folder=${encodeURIComponent(middle.subpath)}`;
      try {
        rows.push(...(await paintRows(context, url, tokens.admin, browseHash, entries, notes)));
      } catch (error) {
        notes.push(`page-load rows failed: ${(error as Error).message.split('\n')[0]}`);
      }
      notes.push(
        `each request ${calls} times, one at a time over a kept-alive loopback connection, as the page sends it; ` +
          'the scoped token reads one data type, the folder token one folder of every type ' +
          `("${folder}", the top folder holding the most entries); their listings and counts are filtered by their grants`,
      );
      return { rows, notes };
    } finally {
      agent.destroy();
      await server.close();
      await lake.close();
      await rm(root, { recursive: true, force: true });
    }
  },
};

/** The top-level folder (below the type folders) that holds the most entries, for the folder-scoped token. */
function busiestFolder(entries: readonly Entry[]): string {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const top = entry.subpath.split('/')[0] as string;
    if (top !== '') counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  let best = '';
  for (const [name, count] of counts) if (count > (counts.get(best) ?? 0)) best = name;
  return best || 'none';
}

/** The requests of each view, with real ids, folders and cursors from this lake. */
async function pageRequests(
  url: string,
  agent: Agent,
  tokens: Record<TokenName, string>,
  lake: DataLake,
  folder: string,
): Promise<PageRequest[]> {
  const all = await lake.list();
  const sample = all[Math.floor(all.length / 2)] as Entry;
  const largest = all.reduce((best, entry) => (entry.size > best.size ? entry : best));
  const deepest = all.reduce((best, entry) => (entry.subpath.length > best.subpath.length ? entry : best));
  // A second version, so the history view has a timeline and a difference to show.
  await lake.update(sample.id, { metadata: { reviewed: 'bench' } });
  const cursorOf = async (token: TokenName, query: string) => {
    const answer = JSON.parse(
      await call(url, agent, {
        method: 'GET',
        path: `/v1/entries?limit=${LIST_PAGE}${query}`,
        headers: { authorization: `Bearer ${tokens[token]}` },
      }),
    ) as { cursor?: string };
    return answer.cursor ? `&cursor=${answer.cursor}` : '';
  };
  const list = (query: string) => `/v1/entries?recursive=false&limit=${LIST_PAGE}${query}`;
  const search = (query: string) => ({ query, limit: SEARCH_PAGE, maxLinesPerHit: 5 });
  const typeQuery = `&dataType=${sample.dataType}`;
  const folderQuery = `&subpath=${encodeURIComponent(folder)}`;
  const entry = `/v1/entries/${sample.id}`;
  const preview = (target: Entry): Record<string, string> =>
    target.size > PREVIEW_BYTES ? { range: `bytes=0-${PREVIEW_BYTES - 1}` } : {};
  return [
    { view: 'browse', method: 'GET', path: '/v1/token', token: 'admin' },
    { view: 'browse', method: 'GET', path: '/v1/stats', token: 'admin' },
    { view: 'browse', method: 'GET', path: '/v1/folders', token: 'admin' },
    { view: 'browse', method: 'GET', path: list(''), token: 'admin' },
    { view: 'browse type', method: 'GET', path: `/v1/folders?dataType=${sample.dataType}`, token: 'admin' },
    { view: 'browse type', method: 'GET', path: list(typeQuery), token: 'admin' },
    {
      view: 'browse folder',
      method: 'GET',
      path: `/v1/folders?dataType=${deepest.dataType}&subpath=${encodeURIComponent(deepest.subpath)}`,
      token: 'admin',
    },
    {
      view: 'browse folder',
      method: 'GET',
      path: list(`&dataType=${deepest.dataType}&subpath=${encodeURIComponent(deepest.subpath)}`),
      token: 'admin',
    },
    {
      view: 'next page',
      method: 'GET',
      path: `/v1/entries?limit=${LIST_PAGE}${typeQuery}${await cursorOf('admin', typeQuery)}`,
      token: 'admin',
    },
    {
      view: 'search "ConnectionString"',
      method: 'POST',
      path: '/v1/search',
      body: search('ConnectionString'),
      token: 'admin',
    },
    { view: 'search "select"', method: 'POST', path: '/v1/search', body: search('select'), token: 'admin' },
    {
      view: 'scoped search "rental_date"',
      method: 'POST',
      path: '/v1/search',
      body: search('rental_date'),
      token: 'scoped',
    },
    { view: 'entry', method: 'GET', path: entry, token: 'admin' },
    {
      view: 'entry preview',
      method: 'GET',
      path: `${entry}/content`,
      headers: preview(sample),
      token: 'admin',
    },
    { view: 'entry download', method: 'GET', path: `${entry}/content`, token: 'admin' },
    {
      view: `entry preview (largest, ${largest.size} B)`,
      method: 'GET',
      path: `/v1/entries/${largest.id}/content`,
      headers: preview(largest),
      token: 'admin',
    },
    {
      view: `entry download (largest, ${largest.size} B)`,
      method: 'GET',
      path: `/v1/entries/${largest.id}/content`,
      token: 'admin',
    },
    { view: 'history', method: 'GET', path: `${entry}/history?limit=20`, token: 'admin' },
    { view: 'history', method: 'GET', path: `${entry}/holds`, token: 'admin' },
    { view: 'history diff', method: 'GET', path: `${entry}/diff?from=1&to=2`, token: 'admin' },
    { view: 'scoped browse', method: 'GET', path: '/v1/token', token: 'scoped' },
    { view: 'scoped browse', method: 'GET', path: '/v1/stats', token: 'scoped' },
    { view: 'scoped browse', method: 'GET', path: '/v1/folders', token: 'scoped' },
    { view: 'scoped browse', method: 'GET', path: list('&dataType=schema'), token: 'scoped' },
    {
      view: 'scoped next page',
      method: 'GET',
      path: `/v1/entries?limit=${LIST_PAGE}&dataType=schema${await cursorOf('scoped', '&dataType=schema')}`,
      token: 'scoped',
    },
    { view: 'folder-scoped browse', method: 'GET', path: '/v1/stats', token: 'folder' },
    { view: 'folder-scoped browse', method: 'GET', path: '/v1/folders', token: 'folder' },
    {
      view: 'folder-scoped browse',
      method: 'GET',
      path: `/v1/folders?${folderQuery.slice(1)}`,
      token: 'folder',
    },
    { view: 'folder-scoped browse', method: 'GET', path: list(folderQuery), token: 'folder' },
    {
      view: 'folder-scoped next page',
      method: 'GET',
      path: `/v1/entries?limit=${LIST_PAGE}${folderQuery}${await cursorOf('folder', folderQuery)}`,
      token: 'folder',
    },
    {
      view: 'folder-scoped search "select"',
      method: 'POST',
      path: '/v1/search',
      body: search('select'),
      token: 'folder',
    },
  ];
}

/** First contentful paint, and the time until the entries are shown, of fresh page loads in Chromium. */
async function paintRows(
  context: SuiteContext,
  url: string,
  token: string,
  browseHash: string,
  entries: number,
  notes: string[],
): Promise<ResultRow[]> {
  const executablePath = findChromium();
  if (!executablePath) {
    notes.push('first-paint rows skipped: no chromium (apt-get install -y chromium)');
    return [];
  }
  const browser = await launchChromium(executablePath);
  const rounds = context.quick ? 3 : 7;
  const paint: number[] = [];
  const usable: number[] = [];
  const searched: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // A fresh context each time: nothing cached, a new session signed in with the token.
      const browserContext = await signedInContext(browser, token);
      const page = await browserContext.newPage();
      await page.goto(`${url}/${browseHash}`, { waitUntil: 'commit' });
      usable.push(await shownAt(page, 'ul.entries li'));
      paint.push(
        await page.evaluate(async () => {
          const [entry] = performance.getEntriesByName('first-contentful-paint');
          return entry ? entry.startTime : Number.NaN;
        }),
      );
      await page.goto(`${url}/#/search?q=ConnectionString`, { waitUntil: 'commit' });
      await page.reload({ waitUntil: 'commit' });
      searched.push(await shownAt(page, 'p[role=status]', /No matches|shown/));
      await browserContext.close();
    }
  } finally {
    await browser.close();
  }
  notes.push(
    `page loads: ${rounds} fresh browser contexts, browse at ${browseHash}, in headless Chromium (${path.basename(executablePath)}); times from navigation start`,
  );
  const row = (operation: string, samples: number[]): ResultRow => ({
    operation,
    backend: 'disk',
    n: entries,
    result: { kind: 'latency', samples } satisfies Measurement,
    target: latencyAtMost(1000),
  });
  return [
    row('page: first contentful paint', paint),
    row('page: browse usable (entries shown)', usable),
    row('page: search results shown', searched),
  ];
}

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof signedInContext>>['newPage']>>;

/** What the function evaluated in the page uses of it (this package is typed without the DOM). */
interface PageGlobals {
  document: { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };
  performance: { now(): number };
}

/**
 * When (ms from navigation start) the page first showed an element matching `selector` (and, if
 * given, whose text matches `text`), taken in the page at each frame, so the test tool's own
 * round trips are not counted.
 */
async function shownAt(page: Page, selector: string, text?: RegExp): Promise<number> {
  const found = await page.waitForFunction(
    ([css, pattern]) => {
      const { document, performance } = globalThis as unknown as PageGlobals;
      const shown = [...document.querySelectorAll(css)].some(
        (element) => pattern === null || new RegExp(pattern).test(element.textContent ?? ''),
      );
      return shown ? performance.now() : false;
    },
    [selector, text ? text.source : null] as const,
    { polling: 'raf', timeout: 60_000 },
  );
  return (await found.jsonValue()) as number;
}

function call(
  url: string,
  agent: Agent,
  page: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
): Promise<string> {
  const body = page.body === undefined ? undefined : JSON.stringify(page.body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}${page.path}`,
      {
        method: page.method,
        agent,
        headers: { ...page.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = incoming.statusCode ?? 0;
          if (status >= 400)
            reject(new Error(`${page.method} ${page.path}: ${status} ${text.slice(0, 200)}`));
          else resolve(text);
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
