import { ValidationError } from '@datalake/core';
import { type ProgressReporter, silentProgress } from './progress.js';

/** What `ingestTree` is asked to do; every option but `root` has a default. */
export interface IngestOptions {
  /** The folder to ingest. Entries record it (resolved to an absolute path) as `sourceRoot`. */
  root: string;
  /** Globs (picomatch) of paths to leave out, relative to the root; a glob without '/' matches any name. */
  exclude?: readonly string[];
  /** Folder prefix in the lake for the whole tree (below each type folder). */
  subpath?: string;
  /** Files larger than this many bytes are reported as failures, not read. Default `DEFAULT_MAX_SIZE` (256 MiB). */
  maxSize?: number;
  /** Files processed at once. Default `DEFAULT_CONCURRENCY` (16). */
  concurrency?: number;
  /** Classify and plan against the lake, write nothing; the summary then lists `outcomes`. Default false. */
  dryRun?: boolean;
  /** Remove entries of earlier ingests of this root whose files are gone. Default false. */
  prune?: boolean;
  /** Folders never to walk (the lake itself, when it lives inside the tree). */
  skipAbsolute?: readonly string[];
  /** Told how far the run is. Default `silentProgress`. */
  progress?: ProgressReporter;
}

/** The default of `IngestOptions.maxSize`: 256 MiB. */
export const DEFAULT_MAX_SIZE = 256 * 1024 ** 2;
/** The default of `IngestOptions.concurrency`. */
export const DEFAULT_CONCURRENCY = 16;

/** The options with every default filled in. */
export type ResolvedOptions = Required<Omit<IngestOptions, 'exclude' | 'subpath' | 'skipAbsolute'>> &
  Pick<IngestOptions, 'exclude' | 'subpath' | 'skipAbsolute'>;

/** The options with their defaults filled in; `ValidationError` for a value no run could use. */
export function resolveOptions(options: IngestOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    ...options,
    maxSize: options.maxSize ?? DEFAULT_MAX_SIZE,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    dryRun: options.dryRun ?? false,
    prune: options.prune ?? false,
    progress: options.progress ?? silentProgress,
  };
  if (typeof resolved.root !== 'string' || resolved.root === '')
    invalidOption('root', resolved.root, 'a folder path');
  if (!Number.isInteger(resolved.concurrency) || resolved.concurrency < 1)
    invalidOption('concurrency', resolved.concurrency, 'a positive integer');
  if (!(resolved.maxSize >= 0)) invalidOption('maxSize', resolved.maxSize, 'a number of bytes, 0 or more');
  return resolved;
}

function invalidOption(name: string, value: unknown, expected: string): never {
  throw new ValidationError(`ingest option ${name} must be ${expected}, got ${String(value)}`, {
    details: { option: name },
  });
}
