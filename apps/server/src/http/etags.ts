import { createHash } from 'node:crypto';
import type { Entry } from '@datalake/core';

/** The content's ETag: its SHA-256, which identifies the bytes exactly. */
export const contentTag = (entry: Entry) => `"${entry.sha256}"`;

/**
 * The entry's version: changes with every update, of content or metadata (the SHA-256 alone does
 * not change on a metadata update). 32 hex digits, so it cannot be mistaken for a content tag.
 */
export function versionTag(entry: Entry): string {
  const known = versionTags.get(entry);
  if (known !== undefined) return known;
  const tag = computeVersionTag(entry);
  // The lake's entries are frozen and replaced on every change: one hash per version, not per request.
  if (Object.isFrozen(entry) && Object.isFrozen(entry.metadata)) versionTags.set(entry, tag);
  return tag;
}

const versionTags = new WeakMap<Entry, string>();

function computeVersionTag(entry: Entry): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([entry.id, entry.sha256, entry.updatedAt, entry.metadata]))
    .digest('hex');
  return `"${digest.slice(0, 32)}"`;
}

/** The entity tags of an If-Match / If-None-Match header (`*` stays `*`). Weak tags compare by their opaque part. */
export function parseTags(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter((tag) => tag !== '');
}

/** Whether one of `tags` names this entry as it is now: its version, its content, or `*`. */
export function matchesEntry(tags: readonly string[], entry: Entry): boolean {
  const version = versionTag(entry);
  const content = contentTag(entry);
  return tags.some((tag) => tag === '*' || tag === version || tag === content);
}
