import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RemoteLake } from '@datalake/client';
import {
  BackendError,
  DataLake,
  DataLakeError,
  type DataLakeOptions,
  type Lake,
  NotFoundError,
  type StorageBackend,
} from '@datalake/core';
import { UsageError } from './errors.js';

export const DEFAULT_LAKE = './.datalake';

export type LakeLocation =
  | { kind: 'disk'; root: string }
  | { kind: 'memory' }
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'remote'; url: string };

export interface S3Settings {
  endpoint?: string;
  region?: string;
}

export interface BackendSettings {
  s3: S3Settings;
  /** Disk backend: fsync every write (default true). */
  fsync: boolean;
  /**
   * Disk backend: create the lake's folder when it does not exist. Commands that only read (or
   * change existing entries) pass `false`: a mistyped `--lake` then fails with "no lake at …"
   * instead of leaving an empty lake behind.
   */
  create: boolean;
}

/** Parses `--lake` / `DATALAKE_URL`: a path or `file:` URL, `memory:`, or `s3://bucket/prefix`. */
export function parseLakeUrl(url: string, cwd = process.cwd()): LakeLocation {
  if (url.trim() === '') throw new UsageError('the lake URL is empty');
  if (url === 'memory:' || url === 'memory://') return { kind: 'memory' };
  if (/^memory:/i.test(url)) throw new UsageError('memory: lakes have no name; use memory:');
  if (url.startsWith('s3://')) return parseS3(url);
  if (/^https?:\/\//i.test(url)) return parseRemote(url);
  if (url.startsWith('file:')) {
    const rest = url.slice('file:'.length);
    const path = rest.startsWith('//') ? fileURLToPath(url) : decodeURIComponent(rest);
    if (path === '') throw new UsageError(`the lake URL "${url}" names no folder`);
    return { kind: 'disk', root: resolve(cwd, path) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  // A one-letter "scheme" is a Windows drive letter, i.e. a path.
  if (scheme && (scheme[1] as string).length > 1) {
    throw new UsageError(
      `unknown lake URL scheme "${scheme[1]}:" (use a path, file:, memory: or s3://bucket/prefix)`,
    );
  }
  return { kind: 'disk', root: resolve(cwd, url) };
}

function parseS3(url: string): LakeLocation {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UsageError(`"${bucket}" in "${url}" is not a valid S3 bucket name`);
  }
  return { kind: 's3', bucket, prefix };
}

/** A lake served by `datalake serve`: its base URL, without a trailing slash. */
function parseRemote(url: string): LakeLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a valid server URL`);
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password)
    throw new UsageError(`a server URL has no query, fragment or credentials (use DATALAKE_TOKEN): "${url}"`);
  return { kind: 'remote', url: parsed.href.replace(/\/+$/, '') };
}

/** Endpoint and region from the options, else the standard AWS environment. */
export function s3SettingsFromEnvironment(options: S3Settings, env = process.env): S3Settings {
  const endpoint = options.endpoint ?? env.S3_ENDPOINT ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
}

export function describeLocation(location: LakeLocation): string {
  switch (location.kind) {
    case 'disk':
      return location.root;
    case 'memory':
      return 'memory:';
    case 's3':
      return `s3://${location.bucket}/${location.prefix}`;
    case 'remote':
      return location.url;
  }
}

/** Backends load lazily: a disk command never pays for the S3 SDK. */
export async function createBackend(
  location: LakeLocation,
  settings: BackendSettings,
): Promise<StorageBackend> {
  switch (location.kind) {
    case 'remote':
      throw new UsageError(
        `${location.url} is a server, not storage: give the lake's own location (a path, memory: or s3://)`,
      );
    case 'disk': {
      const { DiskBackend } = await import('@datalake/backend-disk');
      const options = { root: location.root, fsync: settings.fsync, create: settings.create };
      return new DiskBackend(options);
    }
    case 'memory': {
      const { MemoryBackend } = await import('@datalake/backend-memory');
      return new MemoryBackend();
    }
    case 's3': {
      const { S3Backend } = await import('@datalake/backend-s3');
      return S3Backend.connect({ bucket: location.bucket, prefix: location.prefix, ...settings.s3 });
    }
  }
}

/** Opens the lake: a server URL opens a remote lake with the token in `DATALAKE_TOKEN`. */
export async function openLake(
  location: LakeLocation,
  settings: BackendSettings,
  lakeOptions: DataLakeOptions,
): Promise<Lake> {
  if (location.kind === 'remote') return openRemoteLake(location.url);
  return openLocalLake(location, settings, lakeOptions);
}

/** A lake behind `datalake serve`, checked by asking who the token is. */
export async function openRemoteLake(url: string, token = process.env.DATALAKE_TOKEN): Promise<RemoteLake> {
  const { RemoteLake } = await import('@datalake/client');
  try {
    return await RemoteLake.connect({ url, ...(token ? { token } : {}) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = token ? '' : ' (no DATALAKE_TOKEN set)';
    const message = `cannot open the lake at ${url}: ${reason}${hint}`;
    if (error instanceof DataLakeError)
      throw new DataLakeError(error.code, message, { cause: error, details: error.details });
    throw new BackendError(message, { cause: error });
  }
}

/**
 * The lake in its storage (disk, memory, S3), opened in this process. A missing lake stays a
 * `NotFoundError` ("no lake at …"); any other failure names the location and keeps its error code
 * (a plain error becomes a `BackendError`).
 */
export async function openLocalLake(
  location: LakeLocation,
  settings: BackendSettings,
  lakeOptions: DataLakeOptions,
): Promise<DataLake> {
  let backend: StorageBackend | undefined;
  try {
    backend = await createBackend(location, settings);
    return await DataLake.open(backend, lakeOptions);
  } catch (error) {
    await backend?.close?.().catch(() => {});
    if (error instanceof NotFoundError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const message = `cannot open the lake at ${describeLocation(location)}: ${reason}`;
    if (error instanceof DataLakeError)
      throw new DataLakeError(error.code, message, { cause: error, details: error.details });
    throw new BackendError(message, { cause: error });
  }
}
