import { DataLake, type Lake, NotFoundError } from '@datalake/core';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { onInterrupt } from './interrupts.js';
import {
  DEFAULT_LAKE,
  type LakeLocation,
  openLake,
  parseLakeUrl,
  s3SettingsFromEnvironment,
} from './lake-url.js';
import { printMessage } from './output.js';

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

export interface LakeUse {
  /** For bulk work: the search index is built on a second thread (see `DataLakeOptions`). */
  indexWorker?: boolean;
  /** Create a disk lake that does not exist yet (commands that store); others fail with "no lake at …". */
  create?: boolean;
  /** A disk lake that does not exist is used as an empty lake, creating nothing (`ingest --dry-run`). */
  emptyIfMissing?: boolean;
}

/**
 * Opens the lake named by the global options, runs `work`, and always closes the lake (on Ctrl-C
 * too, before the process exits).
 */
export async function withLake<T>(
  command: Command,
  work: (lake: Lake, options: GlobalOptions) => Promise<T>,
  { indexWorker = false, create = false, emptyIfMissing = false }: LakeUse = {},
) {
  const options = globalOptions(command);
  const location = lakeLocation(options);
  const s3 = s3SettingsFromEnvironment({ endpoint: options.s3Endpoint, region: options.s3Region });
  const lakeOptions = { onNotice: (message: string) => printMessage('notice', message), indexWorker };
  let lake: Lake;
  try {
    lake = await openLake(location, { s3, fsync: options.fsync !== false, create }, lakeOptions);
  } catch (error) {
    if (!(emptyIfMissing && error instanceof NotFoundError)) throw error;
    lake = await openLake({ kind: 'memory' }, { s3, fsync: false, create: true }, lakeOptions);
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= lake.close();
    return closing;
  };
  const release = onInterrupt(close);
  try {
    return await work(lake, options);
  } finally {
    try {
      await close();
    } finally {
      release();
    }
  }
}

/** The lake as an in-process `DataLake`, for commands that work on its storage directly (not through a server). */
export function localLake(lake: Lake, command: string): DataLake {
  if (lake instanceof DataLake) return lake;
  throw new UsageError(
    `${command} works on the lake's storage: give its path, memory: or s3:// URL, not a server's`,
  );
}
