import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { RemoteLake } from '@datalake/client';
import { DataLake, type DataLakeOptions, type StorageAdapter, type StorageBackend } from '@datalake/core';
import type { LakeOpener } from '@datalake/core/contract';
import { createServer, type DatalakeServer, type Grant, type ServerOptions } from '../../src/index.js';

export const ADMIN: Grant[] = [{ actions: ['admin'] }];

/** A server over a lake in this process, listening on a free loopback port, with an admin token. */
export interface Served {
  lake: DataLake;
  server: DatalakeServer;
  url: string;
  adminToken: string;
  /** A client with the admin token (or the given one). */
  client(token?: string): RemoteLake;
  /** A token with these grants. */
  token(grants: Grant[], name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function serve(
  backend: StorageBackend,
  options: { lake?: DataLakeOptions; server?: Omit<ServerOptions, 'lake'> } = {},
): Promise<Served> {
  const lake = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {}, ...options.lake });
  const server = await createServer({ refreshIntervalMs: 0, ...options.server, lake });
  const url = await server.listen({ port: 0 });
  const token = async (grants: Grant[], name = 'test') =>
    (await server.tokens.create({ name, grants })).token;
  const adminToken = await token(ADMIN, 'admin');
  return {
    lake,
    server,
    url,
    adminToken,
    token,
    client: (presented = adminToken) => new RemoteLake({ url, token: presented }),
    async close() {
      await server.close();
      await lake.close();
    },
  };
}

/**
 * The contract's `LakeOpener` through HTTP: each lake the checks open is a server of its own over
 * the check's backend (so two "instances" are two servers over one storage), reached by a client.
 */
export const servedLakeOpener: LakeOpener = async (backend, options) => {
  const served = await serve(backend, { lake: options });
  const client = served.client();
  const close = client.close.bind(client);
  client.close = async () => {
    await close();
    await served.close();
  };
  return client;
};

export async function tempDisk(): Promise<DiskBackend> {
  return new DiskBackend({ root: await mkdtemp(join(tmpdir(), 'datalake-server-')), fsync: false });
}

export async function removeDisk(backend: StorageAdapter): Promise<void> {
  await backend.close?.();
  await rm((backend as DiskBackend).root, { recursive: true, force: true });
}
