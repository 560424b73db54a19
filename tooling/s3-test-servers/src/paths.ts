import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, found from this file (tooling/s3-test-servers/src). */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The scripts that install, start and stop each server. */
export const scripts = {
  rgw: {
    start: join(repositoryRoot, 'tooling/s3-server/start.sh'),
    stop: join(repositoryRoot, 'tooling/s3-server/stop.sh'),
    gateway: join(repositoryRoot, 'tooling/s3-server/gateway.sh'),
  },
  minio: {
    start: join(repositoryRoot, 'tooling/minio/start.sh'),
    stop: join(repositoryRoot, 'tooling/minio/stop.sh'),
    server: join(repositoryRoot, 'tooling/minio/server.sh'),
  },
} as const;

/** The commands tooling/s3-server/start.sh needs; all of them on PATH means RGW can run here. */
export const RGW_COMMANDS = [
  'ceph-mon',
  'ceph-osd',
  'ceph',
  'radosgw',
  'radosgw-admin',
  'uuidgen',
  'curl',
  'setsid',
] as const;

/** The MinIO version tooling/minio/install.sh builds, read from the script's settings. */
export function pinnedMinioVersion(): string {
  const settings = readFileSync(join(repositoryRoot, 'tooling/minio/common.sh'), 'utf8');
  const version = /^MINIO_VERSION=(\S+)$/m.exec(settings)?.[1];
  if (!version) throw new Error('tooling/minio/common.sh names no MINIO_VERSION');
  return version;
}

/** The folder install.sh builds MinIO into, by the same rule as tooling/minio/common.sh. */
export function minioCacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATALAKE_MINIO_CACHE) return env.DATALAKE_MINIO_CACHE;
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'datalake', 'minio', pinnedMinioVersion());
}

export const minioBinary = (cacheFolder: string) => join(cacheFolder, 'bin', 'minio');
