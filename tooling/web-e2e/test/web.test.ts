import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type Entry } from '@datalake/core';
import { createServer, type DatalakeServer } from '@datalake/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserForTests,
  corpusDir,
  corpusFiles,
  fillLake,
  generatedFiles,
  launchChromium,
  signedInContext,
} from '../src/index.js';
import {
  ARTIFACTS,
  expectAccessible,
  expectNoSidewaysScroll,
  type Opened,
  openPage,
  PHONE,
  screenshot,
} from './support.js';

const { executablePath, skip } = browserForTests();
const MAX_UPLOAD = 256 * 1024;
const MARKER = 'zebra_marker';
const ORDERS = `CREATE TABLE web_orders (\n  id INTEGER PRIMARY KEY,\n  ${MARKER} TEXT\n);\n`;
const REPORT = `Attribute VB_Name = "Report"\nSub ZebraReport()\n  MsgBox "${MARKER}"\nEnd Sub\n`;
const BULK = 120;

let root: string;
let lake: DataLake;
let server: DatalakeServer;
let url: string;
let browser: Browser;
let adminToken: string;
/** Reads and writes macros below finance/, nothing else. */
let scopedToken: string;
let orders: Entry;
let report: Entry;
const opened: Opened[] = [];

async function open(hash: string, token: string | undefined, viewport?: { width: number; height: number }) {
  const page = await openPage(browser, url, hash, token, viewport);
  opened.push(page);
  return page.page;
}

async function entryPaths(page: Page): Promise<string[]> {
  return page.locator('ul.entries .path').allTextContents();
}

async function count(): Promise<number> {
  return (await lake.list()).length;
}

describe.skipIf(skip)('the web page in Chromium', () => {
  beforeAll(async () => {
    if (!executablePath)
      throw new Error('no chromium found: the browser tests must run in CI (apt-get install -y chromium)');
    root = await mkdtemp(path.join(tmpdir(), 'datalake-web-'));
    const corpus = await corpusDir();
    const files = corpus ? await corpusFiles(corpus) : generatedFiles(600);
    await fillLake(root, files);
    lake = await DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
    orders = await lake.store({
      name: 'orders.sql',
      dataType: 'schema',
      subpath: 'webtest',
      content: ORDERS,
      metadata: { owner: 'sales' },
    });
    report = await lake.store({ name: 'report.vba', dataType: 'macro', subpath: 'finance', content: REPORT });
    await lake.store({
      name: 'payroll.conf',
      dataType: 'configuration',
      subpath: 'hr',
      content: `${MARKER} = 1\n`,
    });
    for (let i = 0; i < BULK; i++)
      await lake.store({
        name: `item-${String(i).padStart(3, '0')}.txt`,
        dataType: 'other',
        subpath: 'bulk',
        content: `bulk item ${i}\n`,
      });
    server = await createServer({ lake, maxBodyBytes: MAX_UPLOAD, refreshIntervalMs: 0 });
    url = await server.listen({ port: 0 });
    adminToken = (await server.tokens.create({ name: 'admin', grants: [{ actions: ['admin'] }] })).token;
    scopedToken = (
      await server.tokens.create({
        name: 'finance-macros',
        grants: [{ actions: ['read', 'write'], dataType: 'macro', pathPrefix: 'finance' }],
      })
    ).token;
    browser = await launchChromium(executablePath);
    process.stderr.write(
      `browser tests: ${corpus ? `corpus ${corpus}` : 'generated lake'}, ${await count()} entries; screenshots in ${ARTIFACTS}\n`,
    );
  });

  afterAll(async () => {
    for (const page of opened) expect(page.blocked, 'content the page policy blocked').toEqual([]);
    await browser?.close();
    await server?.close();
    await lake?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('signs in with a token kept in session storage; a wrong token is refused plainly', async () => {
    const page = await open('', undefined);
    await expectAccessible(page, 'the sign-in page');
    await page.getByLabel('Access token').fill('dlk_0123456789abcdef_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('UNAUTHORIZED');
    await screenshot(page, 'sign-in-refused');

    await page.getByLabel('Access token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Browse' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('datalake.token'))).toBe(adminToken);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('datalake.token'))).toBeNull();
  });

  it('browses by type and folder, one page of entries at a time', async () => {
    const page = await open('#/browse', adminToken);
    const listed: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v1/entries') listed.push(request.url());
    });
    await page
      .getByRole('navigation', { name: 'Data types' })
      .getByRole('link', { name: /^other/ })
      .click();
    await page.getByRole('link', { name: /^bulk\// }).click();
    await page.getByRole('heading', { name: 'Entries in this folder' }).waitFor();
    const entries = page.locator('ul.entries li');
    await expect.poll(() => entries.count()).toBe(50);
    expect(await entryPaths(page)).toContain('other/bulk/item-000.txt');
    await expectAccessible(page, 'browse');
    await screenshot(page, 'browse-folder');

    await page.getByRole('button', { name: 'Next page' }).click();
    await expect
      .poll(() => page.locator('ul.entries .path').first().textContent())
      .toBe('other/bulk/item-050.txt');
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => entries.count()).toBe(BULK - 100);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect
      .poll(() => page.locator('ul.entries .path').first().textContent())
      .toBe('other/bulk/item-050.txt');
    // Every listing the page asked for was one page, never the whole lake.
    expect(listed.length).toBeGreaterThanOrEqual(4);
    for (const request of listed) expect(new URL(request).searchParams.get('limit')).toBe('50');

    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'other' }).click();
    await page.getByRole('link', { name: /^bulk\// }).waitFor();
  });

  it('asks for a folder\u2019s counts and first page while the token is checked, each once', async () => {
    const context = await signedInContext(browser, adminToken);
    try {
      const page = await context.newPage();
      const asked: string[] = [];
      page.on('request', (request) => {
        const { pathname } = new URL(request.url());
        if (pathname.startsWith('/v1/')) asked.push(pathname);
      });
      // The token check is held back until the view's own requests have been sent.
      let release: (() => void) | undefined;
      await page.route('**/v1/token', (route) => {
        release = () => void route.continue();
      });
      await page.goto(`${url}/#/browse?type=other&folder=bulk`, { waitUntil: 'commit' });
      await expect
        .poll(() => [...asked].sort())
        .toEqual(['/v1/entries', '/v1/folders', '/v1/stats', '/v1/token']);
      release?.();
      await expect.poll(() => page.locator('ul.entries li').count()).toBe(50);
      await expect
        .poll(() => page.getByRole('navigation', { name: 'Data types' }).textContent())
        .toMatch(/\(\d+\)/);
      expect([...asked].sort()).toEqual(['/v1/entries', '/v1/folders', '/v1/stats', '/v1/token']);
    } finally {
      await context.close();
    }
  });

  it('searches, with the matching lines highlighted, and leads to the entry', async () => {
    const page = await open('#/search', adminToken);
    await page.getByLabel('Search for').fill(MARKER);
    await page.getByLabel('Search for').press('Enter');
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    const names = await results.getByRole('heading').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['orders.sql', 'report.vba', 'payroll.conf']));
    const marks = await results.locator('mark').allTextContents();
    expect(marks.length).toBeGreaterThanOrEqual(3);
    for (const mark of marks) expect(mark.toLowerCase()).toBe(MARKER);
    const ordersLine = page.getByRole('list', { name: 'Matching lines of orders.sql' }).locator('li');
    expect(await ordersLine.locator('.ln').textContent()).toBe('3');
    await expectAccessible(page, 'search results');
    await screenshot(page, 'search-results');

    await results.getByRole('link', { name: 'orders.sql' }).click();
    await page.getByRole('heading', { level: 1, name: 'orders.sql' }).waitFor();
  });

  it('shows an entry with its metadata and numbered lines, and downloads its exact bytes', async () => {
    const page = await open(`#/entry/${orders.id}`, adminToken);
    await page.getByRole('heading', { level: 1, name: 'orders.sql' }).waitFor();
    expect(await page.locator('.path').first().textContent()).toBe('schema/webtest/orders.sql');
    expect(await page.locator('pre.json').textContent()).toContain('"owner": "sales"');
    const lines = page.getByRole('list', { name: /Content of orders.sql/ }).locator('li');
    await expect.poll(() => lines.count()).toBe(4);
    expect(await lines.first().locator('.ln').textContent()).toBe('1');
    expect(await lines.first().locator('code').textContent()).toBe('CREATE TABLE web_orders (');
    await expectAccessible(page, 'the entry page');
    await screenshot(page, 'entry');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download orders.sql' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('orders.sql');
    const saved = path.join(root, 'downloaded.sql');
    await download.saveAs(saved);
    expect(await readFile(saved, 'utf8')).toBe(ORDERS);
  });

  it('uploads a file, and shows the server’s refusal of bad input without changing anything', async () => {
    const page = await open('#/upload', adminToken);
    await expectAccessible(page, 'the upload form');
    const content = '# Notes\n\nUploaded from the page.\n';
    const upload = async (fields: {
      name?: string;
      type?: string;
      folder?: string;
      metadata?: string;
      bytes?: Buffer;
    }) => {
      await page.setInputFiles('#file', {
        name: 'notes.md',
        mimeType: 'text/markdown',
        buffer: fields.bytes ?? Buffer.from(content),
      });
      if (fields.name !== undefined) await page.getByLabel('Name').fill(fields.name);
      await page.getByLabel('Data type').selectOption(fields.type ?? 'documentation');
      await page.getByLabel('Folder').fill(fields.folder ?? 'web/uploads');
      await page.getByLabel('Metadata').fill(fields.metadata ?? '');
      await page.getByRole('button', { name: 'Upload' }).click();
      await expect.poll(() => page.locator('[role=alert], p.ok').count()).toBeGreaterThan(0);
    };

    await upload({ metadata: '{"owner": "web"}' });
    const stored = page.getByRole('status').filter({ hasText: 'Stored' });
    await expect.poll(() => stored.textContent()).toContain('documentation/web/uploads/notes.md');
    const entry = await lake.getEntryByPath('documentation/web/uploads/notes.md');
    expect(new TextDecoder().decode(await lake.readBytes(entry.id))).toBe(content);
    expect(entry.metadata).toEqual({ owner: 'web' });
    await screenshot(page, 'upload-stored');

    const before = await count();
    const refusals: [string, Parameters<typeof upload>[0], RegExp][] = [
      ['empty name', { name: '' }, /VALIDATION/],
      ['traversal in the folder', { name: 'evil.md', folder: '../../etc' }, /VALIDATION/],
      ['a dot-dot segment inside the folder', { name: 'evil.md', folder: 'a/../../b' }, /VALIDATION/],
      ['no data type', { name: 'typeless.md', type: '' }, /VALIDATION/],
      ['metadata that is not JSON', { name: 'meta.md', metadata: '{owner' }, /VALIDATION/],
      [
        'an oversized file',
        { name: 'big.md', bytes: Buffer.alloc(MAX_UPLOAD + 1024, 0x61) },
        /TOO_LARGE|413/,
      ],
      ['a path that is taken', { name: 'notes.md' }, /CONFLICT/],
    ];
    for (const [what, fields, expected] of refusals) {
      await upload(fields);
      const alert = await page.getByRole('alert').textContent();
      expect(alert, what).toMatch(expected);
      if (what === 'an oversized file') await screenshot(page, 'upload-too-large');
    }
    expect(await count()).toBe(before);
    expect((await lake.getEntryByPath('documentation/web/uploads/notes.md')).sha256).toBe(entry.sha256);
  });

  describe('a token scoped to macros below finance/', () => {
    it('browses and counts only what its grants cover', async () => {
      const page = await open('#/browse', scopedToken);
      const types = page.getByRole('navigation', { name: 'Data types' });
      await expect.poll(() => types.getByRole('link', { name: /^schema/ }).textContent()).toBe('schema (0)');
      expect(
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tokens' }).count(),
      ).toBe(0);
      const folders = page.locator('ul.folders a');
      await expect.poll(() => folders.allTextContents()).toEqual([expect.stringMatching(/^finance\//)]);
      await folders.first().click();
      await expect.poll(() => entryPaths(page)).toContain('macro/finance/report.vba');
      for (const shown of await entryPaths(page)) expect(shown.startsWith('macro/finance/')).toBe(true);
      await screenshot(page, 'scoped-browse');

      await page.goto(`${url}/#/browse?type=schema&folder=webtest`);
      await page.getByText('No entries directly in this folder.').waitFor();
      expect(await entryPaths(page)).toEqual([]);
    });

    it('finds only what it can read', async () => {
      const page = await open(`#/search?q=${MARKER}`, scopedToken);
      const results = page.getByRole('list', { name: 'Search results' });
      await results.waitFor();
      expect(await results.getByRole('heading').allTextContents()).toEqual(['report.vba']);
      await page.goto(`${url}/#/search?q=CREATE%20TABLE`);
      await page
        .getByRole('status')
        .filter({ hasText: /No matches|shown/ })
        .waitFor();
      for (const shown of await page.locator('.hit .path').allTextContents())
        expect(shown.startsWith('macro/finance/')).toBe(true);
      await screenshot(page, 'scoped-search');
    });

    it('cannot view or download an entry outside its grants, and can inside them', async () => {
      const page = await open(`#/entry/${orders.id}`, scopedToken);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('NOT_FOUND');
      expect(await page.getByRole('button', { name: /^Download/ }).count()).toBe(0);
      expect(await page.locator('body').textContent()).not.toContain('web_orders');
      await screenshot(page, 'scoped-entry-not-found');
      // Not by the page's own calls either: the content answers 404 as for no entry at all.
      const status = await page.evaluate(
        async ([id, token]) =>
          (await fetch(`/v1/entries/${id}/content`, { headers: { authorization: `Bearer ${token}` } }))
            .status,
        [orders.id, scopedToken],
      );
      expect(status).toBe(404);

      await page.goto(`${url}/#/entry/${report.id}`);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download report.vba' }).click(),
      ]);
      const saved = path.join(root, 'report.vba');
      await download.saveAs(saved);
      expect(await readFile(saved, 'utf8')).toBe(REPORT);
    });

    it('cannot store outside its grants or reach token administration', async () => {
      const page = await open('#/upload', scopedToken);
      const before = await count();
      await page.setInputFiles('#file', { name: 'x.sql', mimeType: 'text/plain', buffer: Buffer.from('x') });
      await page.getByLabel('Data type').selectOption('schema');
      await page.getByLabel('Folder').fill('webtest');
      await page.getByRole('button', { name: 'Upload' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('FORBIDDEN');
      await page.getByLabel('Data type').selectOption('macro');
      await page.getByLabel('Folder').fill('hr');
      await page.getByRole('button', { name: 'Upload' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('FORBIDDEN');
      expect(await count()).toBe(before);
      await screenshot(page, 'scoped-upload-refused');

      await page.getByLabel('Folder').fill('finance/2024');
      await page.getByRole('button', { name: 'Upload' }).click();
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: 'Stored' }).textContent())
        .toContain('macro/finance/2024/x.sql');
      expect(await count()).toBe(before + 1);

      await page.goto(`${url}/#/tokens`);
      await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('FORBIDDEN');
    });
  });

  it('administers tokens: create one (shown once), then revoke it', async () => {
    const page = await open('#/tokens', adminToken);
    await page.getByRole('heading', { name: 'finance-macros' }).waitFor();
    await expectAccessible(page, 'token administration');
    await page.getByLabel('Name', { exact: true }).fill('web-reader');
    await page.getByLabel('Data type').selectOption('schema');
    await page.getByLabel('Folder').fill('webtest');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.locator('code.secret');
    await expect.poll(() => secret.textContent()).toMatch(/^dlk_/);
    await page.getByRole('heading', { name: 'web-reader' }).waitFor();
    const made = (await server.tokens.list()).find((token) => token.name === 'web-reader');
    expect(made?.grants).toEqual([{ actions: ['read'], dataType: 'schema', pathPrefix: 'webtest' }]);
    await screenshot(page, 'tokens-created');

    await page.getByRole('button', { name: 'Revoke web-reader…' }).click();
    await page.getByRole('button', { name: 'Revoke web-reader now' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'web-reader' }).count()).toBe(0);
    expect((await server.tokens.list()).some((token) => token.name === 'web-reader')).toBe(false);
  });

  it('works by keyboard alone and at phone width', async () => {
    const page = await open('#/browse', adminToken, PHONE);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Search') break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type(MARKER);
    await page.keyboard.press('Enter');
    await page.getByRole('list', { name: 'Search results' }).waitFor();
    await expectNoSidewaysScroll(page, 'search results at phone width');
    await page.reload();
    await page.locator('main h1').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id), 'the skip link leads to the content').toBe(
      'main',
    );
    await expectAccessible(page, 'search results at phone width');
    await screenshot(page, 'phone-search');

    for (const [hash, name] of [
      ['#/browse?type=other&folder=bulk', 'browse'],
      [`#/entry/${orders.id}`, 'entry'],
      ['#/upload', 'upload'],
      ['#/tokens', 'tokens'],
    ] as const) {
      await page.goto(`${url}/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      await expectNoSidewaysScroll(page, `${name} at phone width`);
      await screenshot(page, `phone-${name}`);
    }
  });
});
