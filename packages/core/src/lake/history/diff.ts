import type { JsonValue } from '@datalake/model';
import { isBinary } from '@datalake/search';
import { createTwoFilesPatch } from 'diff';
import type { EntryVersion, VersionDiff } from './types.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A unified diff of two versions' metadata and content; binary content is named, not listed. */
export function diffVersions(
  filePath: string,
  id: string,
  from: EntryVersion,
  before: Uint8Array,
  to: EntryVersion,
  after: Uint8Array,
): VersionDiff {
  const label = (version: EntryVersion, what: string) => `${filePath}@${version.version}${what}`;
  const oldMeta = canonicalJson(from.metadata);
  const newMeta = canonicalJson(to.metadata);
  const metadata =
    oldMeta === newMeta
      ? ''
      : createTwoFilesPatch(label(from, ' (metadata)'), label(to, ' (metadata)'), oldMeta, newMeta);
  const oldText = textOf(before);
  const newText = textOf(after);
  const binary = oldText === undefined || newText === undefined;
  let content = '';
  if (from.sha256 !== to.sha256) {
    content = binary
      ? `Binary content differs: version ${from.version} (${from.size} bytes, sha256 ${from.sha256}) and version ${to.version} (${to.size} bytes, sha256 ${to.sha256})\n`
      : createTwoFilesPatch(label(from, ''), label(to, ''), oldText, newText);
  }
  return { id, from: from.version, to: to.version, binary, metadata, content };
}

/** UTF-8 text, or undefined for binary content (a NUL byte early on, or bytes that are not UTF-8). */
function textOf(bytes: Uint8Array): string | undefined {
  if (isBinary(bytes)) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Pretty JSON with keys sorted at every level, so a diff shows changed values, not reordering. */
function canonicalJson(value: JsonValue): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort())
    Object.defineProperty(out, key, {
      value: sortKeys(value[key] as JsonValue),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}
