import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Entry } from '@datalake/core';
import tar from 'tar-stream';
import { contentMember, MANIFEST_MEMBER } from '../../src/layout.js';
import { encodeLine, newHeader } from '../../src/manifest.js';
import { sha256 } from './lakes.js';

export interface HandMember {
  name: string;
  body?: Uint8Array | string;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  linkname?: string;
  /** Header size when it should differ from the body's (the body is then cut or padded by hand). */
  size?: number;
}

/** A tar archive made member by member, as a hostile or broken one would be. */
export async function handMadeTar(members: readonly HandMember[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const member of members) {
    const body = typeof member.body === 'string' ? Buffer.from(member.body) : Buffer.from(member.body ?? []);
    const type = member.type ?? 'file';
    if (type !== 'file') {
      pack.entry({ name: member.name, type, linkname: member.linkname ?? 'target' });
      continue;
    }
    const size = member.size ?? body.byteLength;
    await new Promise<void>((resolve, reject) => {
      const stream = pack.entry({ name: member.name, size, type }, (error) =>
        error ? reject(error) : resolve(),
      );
      stream.end(
        size === body.byteLength
          ? body
          : Buffer.concat([body, Buffer.alloc(Math.max(0, size - body.byteLength))]).subarray(0, size),
      );
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export function gzip(bytes: Uint8Array): Buffer {
  return gzipSync(bytes);
}

/** An entry record for `content` at `filePath` (`<type>/<name>`). */
export function entryFor(filePath: string, content: string | Uint8Array, id = filePath): Entry {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const [dataType, ...rest] = filePath.split('/');
  return {
    id,
    name: rest.at(-1) as string,
    dataType: dataType as Entry['dataType'],
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: null,
    filePath,
    subpath: rest.slice(0, -1).join('/'),
    size: bytes.byteLength,
    sha256: sha256(bytes),
  };
}

/** The manifest member of a backup holding `entries` (their contents all in the archive). */
export function manifestOf(entries: readonly Entry[]): HandMember {
  const shas = new Map(entries.map((entry) => [entry.sha256, entry.size]));
  let text = encodeLine(newHeader('hand-made', '2026-01-01T00:00:00.000Z', null, entries.length, shas.size));
  for (const entry of entries) text += encodeLine({ entry });
  for (const [sha256, size] of shas) text += encodeLine({ content: { sha256, size, in: 'archive' } });
  return { name: MANIFEST_MEMBER, body: text };
}

export function contentOf(content: string | Uint8Array): HandMember {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return { name: contentMember(sha256(bytes)), body: bytes };
}

/** The checksums member for the members before it. */
export function checksumsOf(members: readonly HandMember[]): HandMember {
  let text = '';
  for (const member of members) {
    const body = typeof member.body === 'string' ? Buffer.from(member.body) : Buffer.from(member.body ?? []);
    text += encodeLine({ member: member.name, size: body.byteLength, sha256: sha256(body) });
  }
  return { name: 'datalake-backup/checksums.jsonl', body: text };
}

/** Every file below `root` (relative), for "nothing was written" checks. */
export async function filesBelow(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, prefix: string) => {
    let names: import('node:fs').Dirent[];
    try {
      names = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const item of names) {
      const path = prefix ? `${prefix}/${item.name}` : item.name;
      if (item.isDirectory()) await walk(join(folder, item.name), path);
      else found.push(path);
    }
  };
  await walk(root, '');
  return found.sort();
}
