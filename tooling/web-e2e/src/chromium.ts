import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Flags for a quiet, headless Chromium that reaches nothing but the pages it is sent to. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

const NAMES = ['chromium', 'chromium-browser'];

/**
 * The installed Chromium (Debian's `chromium` package): `DATALAKE_CHROMIUM` if set, else the first
 * `chromium` on the PATH. Undefined when there is none.
 */
export function findChromium(): string | undefined {
  const configured = process.env.DATALAKE_CHROMIUM;
  if (configured) return configured;
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of NAMES) {
      const candidate = path.join(folder, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
  }
  return undefined;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 120_000 });
}

/**
 * Whether the browser tests can run here. Without a browser they fail under `CI=true` (a CI machine
 * must have it) and are skipped with a notice elsewhere.
 */
export function browserForTests(): { executablePath: string | undefined; skip: boolean } {
  const executablePath = findChromium();
  if (executablePath) return { executablePath, skip: false };
  if (process.env.CI === 'true') return { executablePath: undefined, skip: false };
  process.stderr.write(
    'notice: browser tests skipped: no chromium found (apt-get install -y chromium, or set DATALAKE_CHROMIUM)\n',
  );
  return { executablePath: undefined, skip: true };
}
