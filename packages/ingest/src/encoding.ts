import { isUtf8 } from 'node:buffer';

/** How a file's bytes are encoded, as far as can be told from the bytes alone. */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'latin-1' | 'binary';

export interface DecodedText {
  encoding: TextEncoding;
  /** The text for sniffing and line counting ('' for binary). */
  text: string;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const latin1 = new TextDecoder('latin1');

/**
 * Detects the encoding: a byte-order mark wins; otherwise valid UTF-8 is UTF-8, and anything else
 * is latin-1 text unless it holds NUL or many other control bytes, which mark binary data.
 * Validates without decoding (no string is made).
 */
export function detectEncoding(bytes: Uint8Array): TextEncoding {
  if (startsWith(bytes, UTF8_BOM)) return 'utf-8-bom';
  if (startsWith(bytes, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(bytes, [0xfe, 0xff])) return 'utf-16be';
  if (looksBinary(bytes)) return 'binary';
  return isUtf8(bytes) ? 'utf-8' : 'latin-1';
}

/** The text of `bytes` in `encoding` (without its byte-order mark; '' for binary). */
export function decodeAs(bytes: Uint8Array, encoding: TextEncoding): string {
  switch (encoding) {
    case 'binary':
      return '';
    case 'latin-1':
      return latin1.decode(bytes);
    case 'utf-8':
      return utf8.decode(bytes);
    case 'utf-8-bom':
      return utf8.decode(bytes.subarray(UTF8_BOM.length));
    default:
      return new TextDecoder(encoding).decode(bytes.subarray(2));
  }
}

/** The encoding of `bytes` (see `detectEncoding`) and their text. */
export function decodeText(bytes: Uint8Array): DecodedText {
  const encoding = detectEncoding(bytes);
  return { encoding, text: decodeAs(bytes, encoding) };
}

/**
 * `countLines` of the text in `encoding`, counted on the bytes where a newline is one byte (every
 * single-byte or UTF-8 encoding: the byte 0x0A is never part of another character there).
 */
export function countLinesOf(bytes: Uint8Array, encoding: TextEncoding): number {
  if (encoding === 'binary') return 0;
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return countLines(decodeAs(bytes, encoding));
  const start = encoding === 'utf-8-bom' ? UTF8_BOM.length : 0;
  if (bytes.length <= start) return 0;
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE, start); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
  return bytes[bytes.length - 1] === NEWLINE ? lines : lines + 1;
}

/** Lines as an editor counts them: a final line without a newline still counts; an empty file has none. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return text.endsWith('\n') ? lines : lines + 1;
}

const SNIFF_BYTES = 8192;
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const NEWLINE = 0x0a;

function looksBinary(bytes: Uint8Array): boolean {
  const length = Math.min(bytes.length, SNIFF_BYTES);
  let controls = 0;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x20) continue;
    if (byte === 0) return true;
    // Tab, LF, FF, CR and ESC (ANSI colours in logs) are normal in text.
    if (byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) controls++;
  }
  return length > 0 && controls / length > 0.1;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}
