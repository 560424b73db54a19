import { spawnSync } from 'node:child_process';
import * as nodeSync from 'node:fs';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as nodePromises from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectBody, type GetResult, type StorageBackend } from '@datalake/core';
import { Volume } from 'memfs';
import { afterEach } from 'vitest';
import type { DiskFs, DiskSyncFs } from '../src/index.js';

const made: string[] = [];

/** A fresh folder under the OS temp folder, removed after the test. */
export async function tempRoot(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'datalake-disk-test-'));
  made.push(folder);
  return folder;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

/**
 * A memfs volume and the file system the backend sees on it: the promise API, plus (with
 * `syncCalls`) the synchronous calls the backend uses for small unsynced writes and listings.
 */
export function memoryVolume(options: { syncCalls?: boolean } = {}): { volume: Volume; fs: DiskFs } {
  const volume = new Volume();
  return { volume, fs: volumeFs(volume, options.syncCalls ?? false) };
}

export function volumeFs(volume: Volume, syncCalls: boolean): DiskFs {
  return syncCalls ? { ...volume.promises, sync: volume as unknown as DiskSyncFs } : volume.promises;
}

/** Node's own file system as a `DiskFs` (what the backend uses by default), to wrap in tests. */
export function nodeFs(): DiskFs {
  return {
    ...(nodePromises as unknown as DiskFs),
    realpath: (file) => nodePromises.realpath(file),
    sync: nodeSync as unknown as DiskSyncFs,
  };
}

/**
 * Every name below a folder with its kind, content (or link target) and modification time, links
 * not followed: equal before and after means nothing there was changed.
 */
export function folderState(folder: string): string[] {
  const found: string[] = [];
  const visit = (at: string, relative: string) => {
    for (const name of readdirSync(at).sort()) {
      const file = path.join(at, name);
      const shown = `${relative}${name}`;
      const stats = lstatSync(file);
      if (stats.isSymbolicLink()) found.push(`${shown} -> ${readlinkSync(file)}`);
      else if (stats.isDirectory()) {
        found.push(`${shown}/ ${stats.mtimeMs}`);
        visit(file, `${shown}/`);
      } else found.push(`${shown} ${stats.mtimeMs}: ${readFileSync(file).toString('base64')}`);
    }
  };
  visit(folder, '');
  return found;
}

export const text = (value: string) => new TextEncoder().encode(value);

export async function readText(backend: StorageBackend, key: string): Promise<string | null> {
  const result = await backend.get(key);
  return result ? new TextDecoder().decode(await collectBody(result.body)) : null;
}

export async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) {
    yield bytes.slice(offset, offset + size);
  }
}

/** Every key under a prefix, following cursors (bounded, so a broken cursor fails instead of hanging). */
export async function allKeys(backend: StorageBackend, prefix = '', limit?: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await backend.list(prefix, { cursor, limit });
    keys.push(...result.objects.map((object) => object.key));
    if (!result.cursor) return keys;
    cursor = result.cursor;
  }
  throw new Error('listing did not end');
}

export function randomBytes(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** The pid of a process that has exited (so no live process has it, barring reuse). */
export function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

/** The bytes of a `get` result that must exist. */
export async function bytesOf(result: GetResult | null): Promise<Uint8Array> {
  if (!result) throw new Error('expected an object, got null');
  return collectBody(result.body);
}
