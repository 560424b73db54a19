/**
 * A server in a process of its own, for the tests that need real processes (SIGKILL, several
 * instances over one lake). argv[2]: JSON `{ backend: { kind: 'disk', root } | { kind: 's3',
 * bucket, prefix, endpoint, region, credentials }, refreshIntervalMs? }`. Prints `{"url": ...}` on its first stdout line once it
 * listens; SIGTERM stops it gracefully, and it prints `{"lists": {<prefix>: <list calls>}}` last.
 */
import { DiskBackend } from '@datalake/backend-disk';
import { S3Backend } from '@datalake/backend-s3';
import { DataLake, type StorageBackend } from '@datalake/core';
import { createServer } from '../../src/index.js';

interface Config {
  backend:
    | { kind: 'disk'; root: string }
    | {
        kind: 's3';
        bucket: string;
        prefix: string;
        endpoint: string;
        region: string;
        credentials: { accessKeyId: string; secretAccessKey: string };
      };
  refreshIntervalMs?: number;
}

const config = JSON.parse(process.argv[2] as string) as Config;
const backend: StorageBackend =
  config.backend.kind === 'disk'
    ? new DiskBackend({ root: config.backend.root, fsync: false })
    : await S3Backend.connect({
        bucket: config.backend.bucket,
        prefix: config.backend.prefix,
        endpoint: config.backend.endpoint,
        region: config.backend.region,
        credentials: config.backend.credentials,
      });
// Every list call by prefix, printed on exit: shows what staying current costs this instance.
const lists: Record<string, number> = {};
const list = backend.list.bind(backend);
backend.list = (prefix, options) => {
  lists[prefix] = (lists[prefix] ?? 0) + 1;
  return list(prefix, options);
};
const lake = await DataLake.open(backend, { onNotice: () => {} });
const server = await createServer({
  lake,
  ...(config.refreshIntervalMs !== undefined ? { refreshIntervalMs: config.refreshIntervalMs } : {}),
});
const url = await server.listen({ port: 0 });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => lake.close())
    .then(() => process.stdout.write(`${JSON.stringify({ lists })}\n`, () => process.exit(0)));
});
