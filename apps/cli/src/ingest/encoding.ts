/** How a file's bytes are encoded, as far as can be told from the bytes alone. */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'latin-1' | 'binary';

export interface DecodedText {
  encoding: TextEncoding;
  /** The text for sniffing and line counting ('' for binary). */
  text: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder('latin1');

/**
 * Detects the encoding: a byte-order mark wins; otherwise valid UTF-8 is UTF-8, and anything else
 * is latin-1 text unless it holds NUL or many other control bytes, which mark binary data.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) {
    return { encoding: 'utf-8-bom', text: new TextDecoder('utf-8').decode(bytes.subarray(3)) };
  }
  if (startsWith(bytes, [0xff, 0xfe])) {
    return { encoding: 'utf-16le', text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  }
  if (startsWith(bytes, [0xfe, 0xff])) {
    return { encoding: 'utf-16be', text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  }
  if (looksBinary(bytes)) return { encoding: 'binary', text: '' };
  try {
    return { encoding: 'utf-8', text: strictUtf8.decode(bytes) };
  } catch {
    return { encoding: 'latin-1', text: latin1.decode(bytes) };
  }
}

/** Lines as an editor counts them: a final line without a newline still counts; an empty file has none. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return text.endsWith('\n') ? lines : lines + 1;
}

const SNIFF_BYTES = 8192;

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
