import { TextDecoder } from 'node:util';
import { detectEncoding, type TextEncoding } from '@datalake/ingest';
import { displayName } from './display.js';

/** How much of a content is looked at to tell text from binary (as ingest does). */
const HEAD_BYTES = 8192;

export interface PeekedContent {
  /** The first bytes (up to 8 KiB, fewer for a shorter content). */
  head: Uint8Array;
  /** Whether `head` is the whole content. */
  complete: boolean;
  /** The whole content again: the peeked chunks, then the rest. */
  all: AsyncIterable<Uint8Array>;
  /** The unread rest: `return()` it to stop reading. */
  rest: AsyncIterator<Uint8Array>;
}

/** Reads the head of a content stream without losing it. */
export async function peekHead(stream: AsyncIterable<Uint8Array>): Promise<PeekedContent> {
  const rest = stream[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  while (size < HEAD_BYTES) {
    const next = await rest.next();
    if (next.done) {
      complete = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  const head = Buffer.concat(chunks).subarray(0, HEAD_BYTES);
  async function* all() {
    yield* chunks;
    if (complete) return;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  }
  return { head, complete, all: all(), rest };
}

export function isBinary(head: Uint8Array): boolean {
  return detectEncoding(head) === 'binary';
}

/** The text encoding of a content from its head (a head cut inside a UTF-8 character is still UTF-8). */
export function textEncodingOf(head: Uint8Array, complete: boolean): TextEncoding {
  const encoding = detectEncoding(head);
  if (encoding !== 'latin-1' || complete) return encoding;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'utf-8';
  } catch {
    return 'latin-1';
  }
}

const DECODER_LABELS: Record<Exclude<TextEncoding, 'binary'>, string> = {
  'utf-8': 'utf-8',
  'utf-8-bom': 'utf-8',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'latin-1': 'latin1',
};

/**
 * Text content made safe for a terminal, chunk by chunk: decoded in its own encoding, each line
 * escaped with `displayName` (tabs kept), CRLF line ends shown as plain line ends.
 */
export class TerminalText {
  private readonly decoder: TextDecoder;
  private carriedReturn = false;

  constructor(encoding: Exclude<TextEncoding, 'binary'>) {
    this.decoder = new TextDecoder(DECODER_LABELS[encoding]);
  }

  write(chunk: Uint8Array): string {
    return this.render(this.decoder.decode(chunk, { stream: true }), false);
  }

  end(): string {
    return this.render(this.decoder.decode(), true);
  }

  private render(decoded: string, final: boolean): string {
    let text = this.carriedReturn ? `\r${decoded}` : decoded;
    // A CR at the end of a chunk may be the first half of a CRLF.
    this.carriedReturn = !final && text.endsWith('\r');
    if (this.carriedReturn) text = text.slice(0, -1);
    const lines = text.split('\n');
    return lines
      .map((line, index) => {
        const ended = index < lines.length - 1;
        const body = ended && line.endsWith('\r') ? line.slice(0, -1) : line;
        return displayName(body, { keepTabs: true });
      })
      .join('\n');
  }
}
