import type { Lake } from '@datalake/core';
import type { Command } from 'commander';
import {
  DEFAULT_LAKE,
  type LakeLocation,
  openLake,
  parseLakeUrl,
  s3SettingsFromEnvironment,
} from './lake-url.js';
import { printNotice } from './output.js';

/** Options every command accepts. */
export interface GlobalOptions {
  lake?: string;
  s3Endpoint?: string;
  s3Region?: string;
  /** Commander sets `false` for `--no-fsync`. */
  fsync?: boolean;
  json?: boolean;
  debug?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function lakeLocation(options: GlobalOptions): LakeLocation {
  return parseLakeUrl(options.lake ?? process.env.DATALAKE_URL ?? DEFAULT_LAKE);
}

/**
 * Opens the lake named by the global options, runs `work`, and always closes the lake.
 * `indexWorker`: for bulk work, the search index is built on a second thread (see `DataLakeOptions`).
 */
export async function withLake<T>(
  command: Command,
  work: (lake: Lake, options: GlobalOptions) => Promise<T>,
  { indexWorker = false }: { indexWorker?: boolean } = {},
) {
  const options = globalOptions(command);
  const location = lakeLocation(options);
  const s3 = s3SettingsFromEnvironment({ endpoint: options.s3Endpoint, region: options.s3Region });
  const lake = await openLake(
    location,
    { s3, fsync: options.fsync !== false },
    { onNotice: (message) => printNotice(`notice: ${message}`), indexWorker },
  );
  try {
    return await work(lake, options);
  } finally {
    await lake.close();
  }
}
