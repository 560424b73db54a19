import type { Entry } from '@datalake/model';
import { decodeContent, foldCase, metadataText } from './text.js';

const utf8 = new TextEncoder();
const NEWLINE = 0x0a;
/** Byte → its ASCII lower-case form (bytes from 0x80 unchanged: only used on pure ASCII). */
const ASCII_LOWER = new Uint8Array(256).map((_, byte) => (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte));
/** Larger buffers (for exceptionally large documents) are used once, not kept. */
const KEPT_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * The text the index covers for an entry: its name, content and metadata text (see `entryTexts`),
 * each case-folded, joined by newlines, as UTF-8. Reuses one buffer: a result is valid until the
 * next call. Pure ASCII content (most code) is folded byte by byte, never decoded to a string.
 */
export class TextFolder {
  private buffer = new Uint8Array(1 << 20);

  fold(entry: Pick<Entry, 'name' | 'metadata'>, content: Uint8Array): Uint8Array {
    if (this.buffer.length > KEPT_BUFFER_BYTES) this.buffer = new Uint8Array(1 << 20);
    const name = foldCase(entry.name);
    const metadata = foldCase(metadataText(entry));
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, and decoding makes at most one unit per byte.
    this.reserve(3 * (name.length + content.length + metadata.length) + 2);
    let at = utf8.encodeInto(name, this.buffer).written;
    this.buffer[at++] = NEWLINE;
    at = this.foldAscii(content, at) ?? this.foldDecoded(content, at);
    this.buffer[at++] = NEWLINE;
    at += utf8.encodeInto(metadata, this.buffer.subarray(at)).written;
    return this.buffer.subarray(0, at);
  }

  /** Writes lower-cased `content` at `at` if it is pure ASCII; returns the end, or `undefined` if not ASCII. */
  private foldAscii(content: Uint8Array, at: number): number | undefined {
    const buffer = this.buffer;
    let any = 0;
    for (let i = 0; i < content.length; i++) {
      const byte = content[i] as number;
      any |= byte;
      buffer[at + i] = ASCII_LOWER[byte] as number;
    }
    return any < 0x80 ? at + content.length : undefined;
  }

  private foldDecoded(content: Uint8Array, at: number): number {
    return at + utf8.encodeInto(foldCase(decodeContent(content)), this.buffer.subarray(at)).written;
  }

  private reserve(bytes: number): void {
    if (this.buffer.length >= bytes) return;
    if (bytes > KEPT_BUFFER_BYTES) {
      this.buffer = new Uint8Array(bytes);
      return;
    }
    let size = this.buffer.length * 2;
    while (size < bytes) size *= 2;
    this.buffer = new Uint8Array(size);
  }
}
