import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { signedInContext } from '../src/index.js';

/** Screenshots land here (gitignored); CI keeps the folder as the tests' artifacts. */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

export const PHONE = { width: 390, height: 844 };

let axeSource: string | undefined;

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Console messages about blocked content (CSP): the page must cause none. */
  blocked: string[];
}

/** A fresh browser context (its own session storage) on the page at `hash`, signed in with `token`. */
export async function openPage(
  browser: Browser,
  url: string,
  hash: string,
  token: string | undefined,
  viewport = { width: 1280, height: 900 },
): Promise<Opened> {
  const context = await signedInContext(browser, token, { acceptDownloads: true, viewport });
  const page = await context.newPage();
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) blocked.push(message.text());
  });
  page.on('pageerror', (error) => blocked.push(`page error: ${error.message}`));
  await page.goto(`${url}/${hash}`);
  await page.locator('h1').first().waitFor();
  return { context, page, blocked };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Runs axe-core in the page (WCAG 2.1 A and AA rules) and expects no violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  if (axeSource === undefined) {
    const require = createRequire(import.meta.url);
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (...args: unknown[]) => Promise<AxeResult> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`,
    );
  });
  expect(violations, `accessibility of ${what}`).toEqual([]);
}

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
}

/** The page is no wider than its viewport (nothing to scroll sideways at phone width). */
export async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({
    content: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  expect(widths.content, `width of ${what}`).toBeLessThanOrEqual(widths.viewport);
}
