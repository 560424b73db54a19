/**
 * The members of a backup archive, in this order, all below one folder:
 *
 *   datalake-backup/manifest.jsonl      what the backup holds (see manifest.ts)
 *   datalake-backup/content/<sha256>    each distinct content once, named by its SHA-256
 *   datalake-backup/amendments.jsonl    entries that changed while the backup was written
 *   datalake-backup/checksums.jsonl     SHA-256 and size of every member above
 */
export const ROOT = 'datalake-backup/';
export const MANIFEST_MEMBER = `${ROOT}manifest.jsonl`;
export const CONTENT_PREFIX = `${ROOT}content/`;
export const AMENDMENTS_MEMBER = `${ROOT}amendments.jsonl`;
export const CHECKSUMS_MEMBER = `${ROOT}checksums.jsonl`;

/** The newest archive format this code writes and reads (it writes 1 for a lake without history). */
export const ARCHIVE_FORMAT = 2;

export function contentMember(sha256: string): string {
  return `${CONTENT_PREFIX}${sha256}`;
}

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

export type MemberKind =
  | { kind: 'manifest' }
  | { kind: 'content'; sha256: string }
  | { kind: 'amendments' }
  | { kind: 'checksums' };

/** What a member name stands for, or undefined for a name the format does not have. */
export function memberKind(name: string): MemberKind | undefined {
  if (name === MANIFEST_MEMBER) return { kind: 'manifest' };
  if (name === AMENDMENTS_MEMBER) return { kind: 'amendments' };
  if (name === CHECKSUMS_MEMBER) return { kind: 'checksums' };
  if (name.startsWith(CONTENT_PREFIX)) {
    const sha256 = name.slice(CONTENT_PREFIX.length);
    if (isSha256(sha256)) return { kind: 'content', sha256 };
  }
  return undefined;
}

/** Why a member name is unsafe to act on anywhere (absolute, `..`, backslashes, NUL), or undefined. */
export function unsafeNameProblem(name: string): string | undefined {
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.includes('\0')) return 'contains a NUL character';
  if (name.split('/').some((segment) => segment === '..')) return 'has a ".." segment';
  return undefined;
}
