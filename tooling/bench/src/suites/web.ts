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

interface PageRequest {
  view: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  token: 'admin' | 'scoped';
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
    const tokens = {
      admin: (await server.tokens.create({ name: 'bench', grants: [{ actions: ['admin'] }] })).token,
      scoped: (
        await server.tokens.create({ name: 'scoped', grants: [{ actions: ['read'], dataType: 'schema' }] })
      ).token,
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const rows: ResultRow[] = [];
      const calls = context.quick ? 15 : 40;
      const baseline = await latency(calls, () => call(url, agent, { method: 'GET', path: '/healthz' }));
      for (const page of await pageRequests(url, agent, tokens, lake)) {
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
      const folder = (await lake.list())[Math.floor(entries / 2)] as Entry;
      const browseHash = `#/browse?type=${folder.dataType}&folder=${encodeURIComponent(folder.subpath)}`;
      try {
        rows.push(...(await paintRows(context, url, tokens.admin, browseHash, entries, notes)));
      } catch (error) {
        notes.push(`page-load rows failed: ${(error as Error).message.split('\n')[0]}`);
      }
      notes.push(
        `each request ${calls} times, one at a time over a kept-alive loopback connection, as the page sends it; ` +
          'the scoped token reads one data type (its listings and counts are filtered by its grants)',
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

/** The requests of each view, with real ids, folders and cursors from this lake. */
async function pageRequests(
  url: string,
  agent: Agent,
  tokens: Record<'admin' | 'scoped', string>,
  lake: DataLake,
): Promise<PageRequest[]> {
  const all = await lake.list();
  const sample = all[Math.floor(all.length / 2)] as Entry;
  const deepest = all.reduce((best, entry) => (entry.subpath.length > best.subpath.length ? entry : best));
  const first = JSON.parse(
    await call(url, agent, {
      method: 'GET',
      path: `/v1/entries?limit=${LIST_PAGE}&dataType=${sample.dataType}`,
      headers: { authorization: `Bearer ${tokens.admin}` },
    }),
  ) as { cursor?: string };
  const list = (query: string) => `/v1/entries?recursive=false&limit=${LIST_PAGE}${query}`;
  const search = (query: string) => ({ query, limit: SEARCH_PAGE, maxLinesPerHit: 5 });
  const typeQuery = `&dataType=${sample.dataType}`;
  return [
    { view: 'browse', method: 'GET', path: '/v1/token', token: 'admin' },
    { view: 'browse', method: 'GET', path: '/v1/stats', token: 'admin' },
    { view: 'browse', method: 'GET', path: '/v1/folders', token: 'admin' },
    { view: 'browse', method: 'GET', path: list(''), token: 'admin' },
    { view: 'browse type', method: 'GET', path: `/v1/folders?dataType=${sample.dataType}`, token: 'admin' },
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
      path: `/v1/entries?limit=${LIST_PAGE}${typeQuery}${first.cursor ? `&cursor=${first.cursor}` : ''}`,
      token: 'admin',
    },
    { view: 'search', method: 'POST', path: '/v1/search', body: search('ConnectionString'), token: 'admin' },
    { view: 'search', method: 'POST', path: '/v1/search', body: search('select'), token: 'admin' },
    { view: 'search', method: 'POST', path: '/v1/search', body: search('rental_date'), token: 'scoped' },
    { view: 'entry', method: 'GET', path: `/v1/entries/${sample.id}`, token: 'admin' },
    {
      view: 'entry',
      method: 'GET',
      path: `/v1/entries/${sample.id}/content`,
      headers: sample.size > PREVIEW_BYTES ? { range: `bytes=0-${PREVIEW_BYTES - 1}` } : {},
      token: 'admin',
    },
    { view: 'scoped browse', method: 'GET', path: '/v1/stats', token: 'scoped' },
    { view: 'scoped browse', method: 'GET', path: '/v1/folders', token: 'scoped' },
    { view: 'scoped browse', method: 'GET', path: list('&dataType=schema'), token: 'scoped' },
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
      await page.goto(`${url}/${browseHash}`);
      await page.locator('ul.entries li').first().waitFor();
      usable.push(await page.evaluate(() => performance.now()));
      paint.push(
        await page.evaluate(async () => {
          const [entry] = performance.getEntriesByName('first-contentful-paint');
          return entry ? entry.startTime : Number.NaN;
        }),
      );
      await page.goto(`${url}/#/search?q=ConnectionString`, { waitUntil: 'commit' });
      await page.reload();
      await page.locator('ol.hits li, [role=status]:has-text("No matches")').first().waitFor();
      searched.push(await page.evaluate(() => performance.now()));
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
