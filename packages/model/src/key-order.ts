// The one key order of the project: the catalog, the search and every backend order keys and paths
// with `compareKeys`, so a listing, a page of entries and a page of hits agree on what comes next.

/**
 * Orders keys as S3 does: by their UTF-8 bytes. The first differing UTF-16 unit decides, except that
 * surrogates (which encode U+10000 and above) must sort after U+E000..U+FFFF, as their code points do.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    let x = a.charCodeAt(index);
    let y = b.charCodeAt(index);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Compares two entries (or anything with a `filePath`) by their path in key order. */
export function compareByPath(a: { filePath: string }, b: { filePath: string }): number {
  return compareKeys(a.filePath, b.filePath);
}
