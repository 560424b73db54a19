import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AdapterListOptions,
  type AdapterListPage,
  type AdapterPutOptions,
  type BodyInput,
  collectBody,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  type PutResult,
  type StorageAdapter,
} from '@datalake/core';
import { MapAdapter } from './map-adapter.js';

/** What this process knows of each folder, shared by every instance in the process. */
const views = new Map<string, Promise<MapAdapter>>();

/** The worker factory of the multi-process checks: an adapter over the folder `options.dir`. */
export function createAdapter(options: { dir: string }): StorageAdapter {
  return new ProcessLocalAdapter(options.dir);
}

/**
 * Deliberately broken only across processes: objects are written to files in a folder, but every
 * answer and every condition comes from this process's view of the folder (a {@link MapAdapter}),
 * read once. Within one process the view is exact and its conditional writes atomic, so every
 * single-process check passes; two processes each trust their own view, so both win a conditional
 * create, and compare-and-swap loses their updates.
 */
export class ProcessLocalAdapter implements StorageAdapter {
  readonly description: string;
  readonly capabilities = {
    atomicConditionalWrites: true,
    atomicConditionalDeletes: true,
    sharedAcrossProcesses: true,
    persistent: true,
  };
  readonly #view: Promise<MapAdapter>;

  constructor(readonly dir: string) {
    this.description = `process-local:${dir}`;
    let view = views.get(dir);
    if (!view) {
      view = load(dir);
      views.set(dir, view);
    }
    this.#view = view;
  }

  async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    const bytes = (await collectBody(body)).slice();
    const result = await (await this.#view).put(key, bytes, options);
    const file = this.#file(key);
    writeFileSync(`${file}.tmp`, Buffer.concat([Buffer.from(`${JSON.stringify({ key })}\n`), bytes]));
    renameSync(`${file}.tmp`, file);
    return result;
  }

  async get(key: string, options: GetOptions): Promise<GetResult | null> {
    return (await this.#view).get(key, options);
  }

  async delete(key: string, options: DeleteOptions): Promise<boolean> {
    const deleted = await (await this.#view).delete(key, options);
    if (deleted) unlinkSync(this.#file(key));
    return deleted;
  }

  async list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    return (await this.#view).list(prefix, options);
  }

  #file(key: string): string {
    return path.join(this.dir, createHash('sha256').update(key).digest('hex'));
  }
}

async function load(dir: string): Promise<MapAdapter> {
  mkdirSync(dir, { recursive: true });
  const view = new MapAdapter();
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tmp')) continue;
    const content = readFileSync(path.join(dir, name));
    const newline = content.indexOf(10);
    const { key } = JSON.parse(content.subarray(0, newline).toString('utf8')) as { key: string };
    await view.put(key, content.subarray(newline + 1), { mode: { kind: 'overwrite' } });
  }
  return view;
}
