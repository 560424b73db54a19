import type { Lake } from '@datalake/core';
import type { Command } from 'commander';
import { globalOptions } from './context.js';
import { onInterrupt } from './interrupts.js';
import { openLake, parseLakeUrl, s3SettingsFromEnvironment } from './lake-url.js';
import { printMessage } from './output.js';

/**
 * Opens the lakes named by `urls` (each as `--lake` would), runs `work`, and closes them all (on
 * Ctrl-C too). `create`: a disk lake that does not exist yet is created (the target of a restore or copy).
 */
export async function withLakes<T>(
  command: Command,
  urls: readonly { url: string; create: boolean }[],
  work: (lakes: Lake[]) => Promise<T>,
): Promise<T> {
  const options = globalOptions(command);
  const s3 = s3SettingsFromEnvironment({ endpoint: options.s3Endpoint, region: options.s3Region });
  const lakeOptions = { onNotice: (message: string) => printMessage('notice', message) };
  const lakes: Lake[] = [];
  const closeAll = () => Promise.allSettled(lakes.map((lake) => lake.close()));
  const release = onInterrupt(closeAll);
  try {
    for (const { url, create } of urls) {
      lakes.push(
        await openLake(parseLakeUrl(url), { s3, fsync: options.fsync !== false, create }, lakeOptions),
      );
    }
    const result = await work(lakes);
    for (const lake of lakes.splice(0)) await lake.close();
    return result;
  } finally {
    await closeAll();
    release();
  }
}
