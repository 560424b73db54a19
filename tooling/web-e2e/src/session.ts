import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';

/** Where the page keeps its token (session storage, this key). */
export const TOKEN_KEY = 'datalake.token';

/** The page's session storage, typed here so that packages without the DOM library can use this module. */
interface PageGlobals {
  sessionStorage: { setItem(key: string, value: string): void };
}

/** A fresh browser context whose pages start signed in with `token`, as after the sign-in form. */
export async function signedInContext(
  browser: Browser,
  token: string | undefined,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  if (token !== undefined) {
    await context.addInitScript(
      ([key, value]) => (globalThis as unknown as PageGlobals).sessionStorage.setItem(key, value),
      [TOKEN_KEY, token] as const,
    );
  }
  return context;
}
