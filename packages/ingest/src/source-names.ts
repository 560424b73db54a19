import { isUtf8 } from 'node:buffer';

/**
 * File names as the file system hands them over: bytes. Most are UTF-8, but trees copied from old
 * Windows shares hold names in a legacy code page, and those bytes are the only way to open the file.
 */

/**
 * Windows-1252 (the legacy encoding assumed for names that are not UTF-8) at 0x80..0x9F, where it
 * differs from Latin-1; the five bytes it leaves undefined stay C1 controls, as in the WHATWG
 * encoding standard. (Node's own `windows-1252` decoder gives Latin-1 there.)
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,
  0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x9d, 0x017e, 0x0178,
];

function decodeWindows1252(raw: Uint8Array): string {
  let text = '';
  for (const byte of raw) {
    text += String.fromCharCode(
      byte >= 0x80 && byte < 0xa0 ? (WINDOWS_1252_HIGH[byte - 0x80] as number) : byte,
    );
  }
  return text;
}

/** The readable form of a name or path: UTF-8 exactly as it is (not normalised), else Windows-1252. */
export function readableName(raw: Uint8Array): string {
  return isUtf8(raw)
    ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')
    : decodeWindows1252(raw);
}

/**
 * The readable form of a '/'-separated raw path: each segment decoded on its own, so one legacy
 * name does not turn its UTF-8 neighbours into mojibake.
 */
export function readablePath(raw: Uint8Array): string {
  if (isUtf8(raw)) return readableName(raw);
  const segments: string[] = [];
  let start = 0;
  for (let at = raw.indexOf(SLASH); ; at = raw.indexOf(SLASH, start)) {
    segments.push(readableName(raw.subarray(start, at === -1 ? raw.byteLength : at)));
    if (at === -1) break;
    start = at + 1;
  }
  return segments.join('/');
}

/**
 * A string that stands for exactly these bytes (one character per byte), for use as a map key: two
 * paths are the same source file only if their bytes are equal, whatever their text looks like.
 */
export function sourceKey(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
}

/** The bytes of a `sourceKey`. */
export function sourceKeyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

const SLASH = 0x2f;
