import { compareKeys } from '@datalake/core';

/**
 * The prefix to send to the server for a listing of `objectPrefix`. MinIO refuses (HTTP 400,
 * XMinioInvalidResourceName) a prefix whose last, partial segment is `.` or `..` once white space
 * is trimmed, although keys such as `a/.env` or `a/..b` exist and `a/.` is a fair prefix for them.
 * Such a listing is sent with the prefix cut back to its last '/', and its answers are narrowed.
 */
export function serverListPrefix(objectPrefix: string): string {
  const cut = objectPrefix.lastIndexOf('/') + 1;
  const lastSegment = objectPrefix.slice(cut).trim();
  return lastSegment === '.' || lastSegment === '..' ? objectPrefix.slice(0, cut) : objectPrefix;
}

/** The names (keys or common prefixes) of a wider listing that belong to `objectPrefix`. */
export function narrowed(names: readonly string[], objectPrefix: string): string[] {
  return names.filter((name) => name.startsWith(objectPrefix));
}

/** Whether a wider listing has gone past every name starting with `objectPrefix` (names come in key order). */
export function pastPrefix(names: readonly string[], objectPrefix: string): boolean {
  return names.some((name) => !name.startsWith(objectPrefix) && compareKeys(name, objectPrefix) > 0);
}
