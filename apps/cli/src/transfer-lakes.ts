import { type Lake, NotFoundError } from '@datalake/core';
import type { Command } from 'commander';
import { globalOptions } from './context.js';
import { onInterrupt } from './interrupts.js';
import { openLake, parseLakeUrl, s3SettingsFromEnvironment } from './lake-url.js';
import { printMessage } from './output.js';

/**
 * Opens the lakes named by `urls` (each as `--lake` would), runs `work`, and closes them all (on
 * Ctrl-C too). `create`: a disk lake that does not exist yet is created (the target of a restore or
 * copy); `emptyIfMissing`: one that does not exist is used as an empty lake (a dry run's target).
 */
export async function withLakes<T>(
  command: Command,
  urls: readonly { url: string; create: boolean; emptyIfMissing?: boolean }[],
  work: (lakes: Lake[]) => Promise<T>,
): Promise<T> {
  const options = globalOptions(command);
  const s3 = s3SettingsFromEnvironment({ endpoint: options.s3Endpoint, region: options.s3Region });
  const onNotice = (message: string) => printMessage('notice', message);
  const lakes: Lake[] = [];
  const closeAll = () => Promise.allSettled(lakes.map((lake) => lake.close()));
  const release = onInterrupt(closeAll);
  try {
    for (const { url, create, emptyIfMissing } of urls) {
      const settings = { s3, fsync: options.fsync !== false, create };
      // A lake written in bulk (a restore's or copy's target) builds its search index on a second
      // thread; a lake only read (a backup's or copy's source) does not load its index at all.
      const lakeOptions = create ? { onNotice, indexWorker: true } : { onNotice, search: 'scan' as const };
      try {
        lakes.push(await openLake(parseLakeUrl(url), settings, lakeOptions));
      } catch (error) {
        // A dry run into a lake that does not exist yet plans against an empty one, creating nothing.
        if (!(emptyIfMissing && error instanceof NotFoundError)) throw error;
        lakes.push(await openLake({ kind: 'memory' }, settings, lakeOptions));
      }
    }
    const result = await work(lakes);
    const opened = lakes.splice(0);
    for (const closed of await Promise.allSettled(opened.map((lake) => lake.close())))
      if (closed.status === 'rejected') throw closed.reason;
    return result;
  } finally {
    await closeAll();
    release();
  }
}
