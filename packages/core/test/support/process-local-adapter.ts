import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AdapterListOptions,
  type AdapterListPage,
  type AdapterPutOptions,
  type BodyInput,
  collectBody,
  compareKeys,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  PreconditionFailedError,
  type PutResult,
  type StorageAdapter,
} from '@datalake/core';

interface Known {
  etag: string;
  bytes: Uint8Array;
  lastModified: Date;
}

/** What this process knows of each folder, shared by every instance in the process. */
const views = new Map<string, Map<string, Known>>();
let version = 0;

/** The worker factory of the multi-process checks: an adapter over the folder `options.dir`. */
export function createAdapter(options: { dir: string }): StorageAdapter {
  return new ProcessLocalAdapter(options.dir);
}

/**
 * Deliberately broken only across processes: objects are written to files in a folder, but every
 * answer and every condition comes from this process's view of the folder, read once. Within one
 * process the view is exact and its conditional writes atomic (no `await` between check and write),
 * so every single-process check passes; two processes each trust their own view, so both win a
 * conditional create, and compare-and-swap loses their updates.
 */
export class ProcessLocalAdapter implements StorageAdapter {
  readonly description: string;
  readonly capabilities = {
    atomicConditionalWrites: true,
    atomicConditionalDeletes: true,
    sharedAcrossProcesses: true,
    persistent: true,
  };
  readonly #view: Map<string, Known>;

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
    const current = this.#view.get(key);
    if (options.mode.kind === 'create' && current) throw new PreconditionFailedError(`${key} exists`);
    if (options.mode.kind === 'replace' && current?.etag !== options.mode.etag) {
      throw new PreconditionFailedError(`${key} is not at ${options.mode.etag}`);
    }
    const known = { etag: `"${process.pid}-${++version}"`, bytes, lastModified: new Date() };
    const file = this.#file(key);
    writeFileSync(
      `${file}.tmp`,
      Buffer.concat([Buffer.from(`${JSON.stringify({ key, etag: known.etag })}\n`), bytes]),
    );
    renameSync(`${file}.tmp`, file);
    this.#view.set(key, known);
    return { etag: known.etag, size: bytes.byteLength };
  }

  async get(key: string, options: GetOptions): Promise<GetResult | null> {
    const known = this.#view.get(key);
    if (!known) return null;
    const { start = 0, end = known.bytes.byteLength } = options.range ?? {};
    const bytes = known.bytes.slice(start, end + 1);
    const info = { key, size: known.bytes.byteLength, etag: known.etag, lastModified: known.lastModified };
    return {
      ...info,
      body: (async function* () {
        yield bytes;
      })(),
    };
  }

  async delete(key: string, options: DeleteOptions): Promise<boolean> {
    const known = this.#view.get(key);
    if (options.ifMatch !== undefined && known?.etag !== options.ifMatch) {
      throw new PreconditionFailedError(`${key} is not at ${options.ifMatch}`);
    }
    if (!known) return false;
    unlinkSync(this.#file(key));
    return this.#view.delete(key);
  }

  async list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    const { after, limit } = options;
    const keys = [...this.#view.keys()]
      .filter((key) => key.startsWith(prefix) && (after === undefined || compareKeys(key, after) > 0))
      .sort(compareKeys);
    const objects = keys.slice(0, limit).map((key) => {
      const { bytes, etag, lastModified } = this.#view.get(key) as Known;
      return { key, size: bytes.byteLength, etag, lastModified };
    });
    return { objects, more: keys.length > limit };
  }

  #file(key: string): string {
    return path.join(this.dir, createHash('sha256').update(key).digest('hex'));
  }
}

function load(dir: string): Map<string, Known> {
  mkdirSync(dir, { recursive: true });
  const view = new Map<string, Known>();
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tmp')) continue;
    const content = readFileSync(path.join(dir, name));
    const newline = content.indexOf(10);
    const header = JSON.parse(content.subarray(0, newline).toString('utf8')) as { key: string; etag: string };
    view.set(header.key, {
      etag: header.etag,
      bytes: content.subarray(newline + 1),
      lastModified: new Date(),
    });
  }
  return view;
}
