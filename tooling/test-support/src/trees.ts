import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { sep } from 'node:path';

/** `folder/name` as bytes, for names that are not UTF-8. */
export function rawJoin(folder: string | Buffer, ...names: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(folder)];
  for (const name of names) parts.push(Buffer.from(sep), Buffer.from(name));
  return Buffer.concat(parts);
}

/** Writes a file at a byte path, creating its folders. */
export function writeRaw(
  folder: string,
  relative: (string | Buffer)[],
  content: string | Uint8Array,
): Buffer {
  mkdirSync(rawJoin(folder, ...relative.slice(0, -1)), { recursive: true });
  const path = rawJoin(folder, ...relative);
  writeFileSync(path, content);
  return path;
}

export const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
