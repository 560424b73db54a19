import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { MAX_SEGMENT_BYTES } from '@datalake/core';
import { readableName } from './source-names.js';

/** One name in a source folder: its exact bytes, and whether it names a folder (folders keep no extension). */
export interface FolderMember {
  raw: Uint8Array;
  isFolder: boolean;
}

/** Hex digits of the name's SHA-256 in a disambiguated name; more only if a sibling already has that name. */
const TAG_LENGTHS = [8, 16, 64] as const;
/** A suffix after the last dot that is kept after the tag when a name is disambiguated. */
const MAX_EXTENSION_CHARS = 16;

/**
 * The lake names of the members of one source folder, in the same order.
 *
 * The lake's names are NFC (portable across file systems and S3), so a name is decoded (UTF-8, else
 * Windows-1252) and NFC-normalised. That can map several source names to one lake name (`café` in
 * NFC and in NFD, or a UTF-8 and a Windows-1252 spelling). The rule depends only on the set of
 * names in the folder (never on the order of a walk or on the lake), so re-runs map every file to
 * the same place:
 *
 * - a name alone on its lake name keeps it;
 * - among several, the one whose bytes already are that lake name (valid UTF-8, in NFC) keeps it;
 * - every other one is disambiguated: `<stem>~<first 8 hex digits of the SHA-256 of its raw name
 *   bytes><extension>` (`café~1b2c3d4e.txt`), with more digits only if a sibling already has that
 *   name. So are names longer than a lake name may be once decoded (their stem is shortened).
 *
 * The result is injective: no two members get the same lake name. Names the lake refuses outright
 * (control characters, a backslash, white space at either end) are passed on unchanged, for the
 * lake to reject with its reason.
 */
export function lakeNames(members: readonly FolderMember[]): string[] {
  const decoded = members.map((member) => {
    const text = readableName(member.raw);
    const name = text.normalize('NFC');
    return { name, exact: name === text && isUtf8(member.raw) };
  });
  const holders = new Map<string, number[]>();
  decoded.forEach(({ name }, index) => {
    const list = holders.get(name);
    if (list) list.push(index);
    else holders.set(name, [index]);
  });

  const names: (string | undefined)[] = decoded.map(({ name, exact }) => {
    if (Buffer.byteLength(name) > MAX_SEGMENT_BYTES) return undefined;
    const sharing = holders.get(name) as number[];
    return sharing.length === 1 || exact ? name : undefined;
  });
  const taken = new Set(names.filter((name): name is string => name !== undefined));
  // Every source name has some lake name, so a tag also steers clear of every plain spelling.
  for (const { name } of decoded) taken.add(name);

  // In byte order of the raw names, so the outcome does not depend on the order of `members`.
  const toTag = [...members.keys()]
    .filter((index) => names[index] === undefined)
    .sort((a, b) => Buffer.compare((members[a] as FolderMember).raw, (members[b] as FolderMember).raw));
  for (const index of toTag) {
    const member = members[index] as FolderMember;
    const digest = createHash('sha256').update(member.raw).digest('hex');
    const base = (decoded[index] as { name: string }).name;
    let chosen: string | undefined;
    for (const length of TAG_LENGTHS) {
      const candidate = tagged(base, `~${digest.slice(0, length)}`, member.isFolder);
      if (!taken.has(candidate)) {
        chosen = candidate;
        break;
      }
    }
    // Only a sibling named after this name's full SHA-256 gets here; a counter settles it.
    for (let counter = 2; chosen === undefined; counter++) {
      const candidate = tagged(base, `~${digest}~${counter}`, member.isFolder);
      if (!taken.has(candidate)) chosen = candidate;
    }
    taken.add(chosen);
    names[index] = chosen;
  }
  return names as string[];
}

/** `name` with `tag` before its extension, the stem shortened so the result fits in one segment. */
function tagged(name: string, tag: string, isFolder: boolean): string {
  const dot = isFolder ? -1 : name.lastIndexOf('.');
  const hasExtension = dot > 0 && name.length - dot <= MAX_EXTENSION_CHARS;
  const extension = hasExtension ? name.slice(dot) : '';
  let stem = hasExtension ? name.slice(0, dot) : name;
  const room = MAX_SEGMENT_BYTES - Buffer.byteLength(tag) - Buffer.byteLength(extension);
  if (Buffer.byteLength(stem) > room) stem = truncateUtf8(stem, room);
  return `${stem}${tag}${extension}`.normalize('NFC');
}

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, cut between characters. */
function truncateUtf8(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (used + size > bytes) break;
    used += size;
    end += character.length;
  }
  return text.slice(0, end);
}
