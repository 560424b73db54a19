import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type Entry } from '@datalake/core';
import { createServer, type DatalakeServer } from '@datalake/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserForTests, fillLake, generatedFiles, launchChromium } from '../src/index.js';
import {
  expectAccessible,
  expectNoSidewaysScroll,
  type Opened,
  openPage,
  PHONE,
  screenshot,
} from './support.js';

const { executablePath, skip } = browserForTests();
/** More versions than one page of the timeline (20). */
const VERSIONS = 25;

let root: string;
let lake: DataLake;
let server: DatalakeServer;
let url: string;
let browser: Browser;
let adminToken: string;
/** Reads and writes macros, nothing else. */
let macroToken: string;
let schema: Entry;
let macro: Entry;
let image: Entry;
let gone: Entry;
const opened: Opened[] = [];

async function open(hash: string, token: string, viewport?: { width: number; height: number }) {
  const page = await openPage(browser, url, hash, token, viewport);
  opened.push(page);
  return page.page;
}

const text = (version: number) => `CREATE TABLE t (\n  id INTEGER,\n  v${version} TEXT\n);\n`;

describe.skipIf(skip)('history and retention in the web page', () => {
  beforeAll(async () => {
    if (!executablePath)
      throw new Error('no chromium found: the browser tests must run in CI (apt-get install -y chromium)');
    root = await mkdtemp(path.join(tmpdir(), 'datalake-web-history-'));
    await fillLake(root, generatedFiles(60));
    lake = await DataLake.open(new DiskBackend({ root, fsync: false }), {
      onNotice: () => {},
      writeLeaseMs: 0,
    });
    schema = await lake.store({
      name: 'tables.sql',
      dataType: 'schema',
      subpath: 'hist',
      content: text(1),
      author: 'ada',
      message: 'first draft',
    });
    for (let version = 2; version <= VERSIONS; version++)
      await lake.update(schema.id, {
        content: text(version),
        ...(version === 2 ? { metadata: { owner: 'sales' } } : {}),
        author: version % 2 ? 'ada' : 'bob',
        message: `change ${version}`,
      });
    macro = await lake.store({
      name: 'm.vba',
      dataType: 'macro',
      subpath: 'hist',
      content: 'Sub A()\nEnd Sub\n',
    });
    await lake.update(macro.id, { content: 'Sub B()\nEnd Sub\n' });
    image = await lake.store({
      name: 'logo.bin',
      dataType: 'other',
      subpath: 'hist',
      content: new Uint8Array([0, 1, 2]),
    });
    await lake.update(image.id, { content: new Uint8Array([0, 1, 2, 3]) });
    gone = await lake.store({ name: 'old.sql', dataType: 'schema', subpath: 'hist', content: 'select 1;\n' });
    await lake.delete(gone.id, { author: 'bob', message: 'not needed' });
    server = await createServer({ lake, refreshIntervalMs: 0 });
    url = await server.listen({ port: 0 });
    adminToken = (await server.tokens.create({ name: 'admin', grants: [{ actions: ['admin'] }] })).token;
    macroToken = (
      await server.tokens.create({
        name: 'macros',
        grants: [{ actions: ['read', 'write'], dataType: 'macro' }],
      })
    ).token;
    browser = await launchChromium(executablePath);
  });

  afterAll(async () => {
    for (const page of opened) expect(page.blocked, 'content the page policy blocked').toEqual([]);
    await browser?.close();
    await server?.close();
    await lake?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('shows the timeline newest first, a page at a time, with authors and messages', async () => {
    const page = await open(`#/entry/${schema.id}`, adminToken);
    await page.getByRole('link', { name: /^History/ }).click();
    await page.getByRole('heading', { level: 1, name: 'History of tables.sql' }).waitFor();
    const items = page.locator('ol.timeline > li');
    await expect.poll(() => items.count()).toBe(20);
    expect(await items.first().locator('h3').textContent()).toBe(`Version ${VERSIONS}: Updated`);
    expect(await items.first().textContent()).toContain(`change ${VERSIONS}`);
    expect(await items.first().textContent()).toContain('by ada');
    await expectAccessible(page, 'the history');
    await screenshot(page, 'history-timeline');
    await page.getByRole('button', { name: 'Older versions' }).click();
    await expect.poll(() => items.count()).toBe(VERSIONS);
    expect(await items.last().locator('h3').textContent()).toBe('Version 1: Stored');
    expect(await items.last().textContent()).toContain('first draft');
    expect(await page.getByRole('button', { name: 'Older versions' }).count()).toBe(0);
  });

  it('shows a deletion in the timeline and undeletes after confirmation', async () => {
    const page = await open(`#/entry/${gone.id}/history`, adminToken);
    await page.locator('.badge.deleted').waitFor();
    const first = page.locator('ol.timeline > li').first();
    expect(await first.locator('h3').textContent()).toBe('Version 2: Deleted');
    expect(await first.textContent()).toContain('not needed');
    await screenshot(page, 'history-deleted');
    await page.getByRole('button', { name: 'Undelete this entry…' }).click();
    await page.getByLabel('Why (optional, kept with the new version)').fill('needed after all');
    await expectAccessible(page, 'the undelete confirmation');
    await page.getByRole('button', { name: 'Undelete now' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Undeleted' }).count()).toBe(1);
    await expect.poll(() => first.locator('h3').textContent()).toBe('Version 3: Undeleted');
    expect((await lake.retrieve(gone.id)).content).toBe('select 1;\n');
    expect((await lake.history(gone.id)).versions[0]?.message).toBe('needed after all');
  });

  it('shows the differences of two chosen versions, metadata too; binary content says so', async () => {
    const page = await open(`#/entry/${schema.id}/history`, adminToken);
    await page.getByRole('button', { name: 'Older versions' }).click();
    await expect.poll(() => page.locator('ol.timeline > li').count()).toBe(VERSIONS);
    await page.getByLabel('From version').selectOption('1');
    await page.getByLabel('To version').selectOption('3');
    await page.getByRole('button', { name: 'Show the differences' }).click();
    await page.getByRole('heading', { level: 1, name: 'Version 1 → version 3' }).waitFor();
    const content = page.getByRole('region', { name: 'Content changes' });
    const lines = async (kind: string, where = content) =>
      (await where.locator(kind).allTextContents()).map((line) => line.trimEnd());
    await expect.poll(() => lines('.removed')).toContain('-  v1 TEXT');
    expect(await lines('.added')).toContain('+  v3 TEXT');
    const metadata = page.getByRole('region', { name: 'Metadata changes' });
    expect(await lines('.added', metadata)).toContain('+  "owner": "sales"');
    await expectAccessible(page, 'the differences');
    await screenshot(page, 'diff');

    await page.goto(`${url}/#/entry/${image.id}/diff?from=1&to=2`);
    await expect.poll(() => page.locator('p.binary').textContent()).toMatch(/^Binary content differs/);
    await screenshot(page, 'diff-binary');
  });

  it('restores an old version as a new one, after confirmation', async () => {
    const page = await open(`#/entry/${macro.id}/history`, adminToken);
    await page.getByRole('button', { name: 'Restore version 1…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await lake.history(macro.id)).versions).toHaveLength(2);
    await page.getByRole('button', { name: 'Restore version 1…' }).click();
    await page.getByRole('button', { name: 'Restore version 1 now' }).click();
    const first = page.locator('ol.timeline > li').first();
    await expect.poll(() => first.locator('h3').textContent()).toBe('Version 3: Restored from version 1');
    expect((await lake.retrieve(macro.id)).content).toBe('Sub A()\nEnd Sub\n');
    await screenshot(page, 'history-restored');
  });

  it('administers retention rules: create, edit, delete; previews the plan and applies it', async () => {
    const page = await open('#/retention', adminToken);
    await page.getByText('No rules: every version is kept.').waitFor();
    await expectAccessible(page, 'retention administration');
    const bad = page.locator('form.rule-form');
    await bad.getByLabel('Name').fill('broken');
    await bad.getByLabel('Keep the last N versions').fill('0');
    await page.getByRole('button', { name: 'Add the rule' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('VALIDATION');
    expect((await lake.retention.rules()).rules).toEqual([]);

    await bad.getByLabel('Name').fill('schemas');
    await bad.getByLabel('Data type').selectOption('schema');
    await bad.getByLabel('Path prefix (e.g. schema/billing)').fill('schema/hist');
    await bad.getByLabel('Keep the last N versions').fill('5');
    await page.getByRole('button', { name: 'Add the rule' }).click();
    await page.getByRole('heading', { level: 3, name: 'schemas' }).waitFor();
    expect((await lake.retention.rules()).rules).toEqual([
      { name: 'schemas', match: { dataType: 'schema', pathPrefix: 'schema/hist' }, keepLastVersions: 5 },
    ]);

    await page.getByRole('button', { name: 'Edit schemas' }).click();
    await page.getByLabel('Keep the last N versions').fill('3');
    await page.getByRole('button', { name: 'Save the rule' }).click();
    await expect.poll(async () => (await lake.retention.rules()).rules[0]?.keepLastVersions).toBe(3);
    await page.getByRole('button', { name: 'Preview the plan' }).click();
    const summary = page.locator('.plan-summary');
    await expect.poll(() => summary.textContent()).toMatch(/^\d+ versions of 1 entries/);
    const going = (await lake.retention.plan()).versions.find((item) => item.id === schema.id);
    expect(going?.versions.length).toBe(VERSIONS - 3);
    expect(await summary.textContent()).toContain(`${VERSIONS - 3} versions`);
    expect(await summary.textContent()).toMatch(/freeing .+ \(\d+ bytes\)/);
    await screenshot(page, 'retention-plan');
    await page.getByRole('button', { name: 'Apply the plan…' }).click();
    await page.getByRole('button', { name: 'Apply now: remove them for good' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Applied' }).textContent())
      .toContain(`${VERSIONS - 3} versions`);
    expect((await lake.history(schema.id)).versions.map((version) => version.version)).toEqual([
      VERSIONS,
      VERSIONS - 1,
      VERSIONS - 2,
    ]);

    await page.getByRole('button', { name: 'Delete schemas…' }).click();
    await page.getByRole('button', { name: 'Delete schemas now' }).click();
    await page.getByText('No rules: every version is kept.').waitFor();
    expect((await lake.retention.rulesHistory()).map((rules) => rules.version)).toEqual([3, 2, 1]);
  });

  it('puts an entry under legal hold and releases it; a governance date needs an override', async () => {
    const page = await open(`#/entry/${schema.id}/history`, adminToken);
    await page.getByLabel('Legal hold reason').fill('case 12');
    await page.getByRole('button', { name: 'Put under legal hold' }).click();
    await expect.poll(async () => (await lake.retention.holds(schema.id)).legalHold?.reason).toBe('case 12');
    await expect.poll(() => page.locator('#holds-heading + dl').textContent()).toContain('case 12');
    await expectAccessible(page, 'the holds');
    await screenshot(page, 'holds-legal');
    await page.getByRole('button', { name: 'Release the legal hold…' }).click();
    await page.getByRole('button', { name: 'Release the legal hold now' }).click();
    await expect.poll(async () => (await lake.retention.holds(schema.id)).legalHold).toBeUndefined();

    const year = new Date().getUTCFullYear();
    await page.getByLabel('Date (empty: remove)').fill(`${year + 2}-01-01`);
    await page.getByRole('button', { name: 'Set the retention' }).click();
    await expect.poll(() => page.locator('#holds-heading + dl').textContent()).toContain(`${year + 2}-01-01`);
    await page.getByLabel('Date (empty: remove)').fill(`${year + 1}-01-01`);
    await page.getByRole('button', { name: 'Set the retention' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('RETENTION');
    expect(await page.getByRole('alert').textContent()).toContain('override');
    await screenshot(page, 'holds-refused');
    await page.getByRole('checkbox', { name: /Override a governance date/ }).check();
    await page.getByLabel('Why (kept with an override)').fill('approved');
    await page.getByRole('button', { name: 'Set the retention' }).click();
    await expect.poll(async () => (await lake.retention.holds(schema.id)).overrides.length).toBe(1);
    // The lake has the override a moment before the audit record is written and the page answered.
    const overridden = async () =>
      (await server.audit.read(new Date().toISOString().slice(0, 10), { limit: 10_000 })).records.some(
        (record) => record.action === 'hold.retain-until.override' && record.outcome === 'ok',
      );
    await expect.poll(overridden).toBe(true);
  });

  it('a token scoped to macros sees no other type’s history and cannot change retention', async () => {
    const page = await open(`#/entry/${schema.id}/history`, macroToken);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('NOT_FOUND');
    expect(await page.locator('ol.timeline').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain('change 2');
    await screenshot(page, 'scoped-history-not-found');
    await page.goto(`${url}/#/entry/${schema.id}/diff?from=1&to=2`);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('NOT_FOUND');

    await page.goto(`${url}/#/entry/${macro.id}/history`);
    await page.locator('ol.timeline > li').first().waitFor();
    await page.getByRole('heading', { name: 'Holds' }).waitFor();
    expect(await page.getByRole('button', { name: 'Put under legal hold' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Restore version/ }).count()).toBeGreaterThan(0);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Retention' }).count(),
    ).toBe(0);
    const status = await page.evaluate(
      async ([id, token]) =>
        (
          await fetch(`/v1/entries/${id}/holds/legal`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ reason: 'mine' }),
          })
        ).status,
      [macro.id, macroToken],
    );
    expect(status).toBe(403);
    await page.goto(`${url}/#/retention`);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('FORBIDDEN');
    await screenshot(page, 'scoped-retention-forbidden');
    expect((await lake.retention.holds(macro.id)).legalHold).toBeUndefined();
  });

  it('works by keyboard and at phone width', async () => {
    const page = await open(`#/entry/${macro.id}/history`, adminToken, PHONE);
    await page.locator('ol.timeline > li').first().waitFor();
    await page.getByRole('button', { name: /^Restore version 2/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Restore version 2 now' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('restore-2-message');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Enter');
    expect((await lake.history(macro.id)).versions).toHaveLength(3);
    for (const [hash, name] of [
      [`#/entry/${macro.id}/history`, 'history'],
      [`#/entry/${schema.id}/diff?from=${VERSIONS - 2}&to=${VERSIONS}`, 'diff'],
      ['#/retention', 'retention'],
    ] as const) {
      await page.goto(`${url}/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      await expectNoSidewaysScroll(page, `${name} at phone width`);
      await expectAccessible(page, `${name} at phone width`);
      await screenshot(page, `phone-${name}`);
    }
  });
});
