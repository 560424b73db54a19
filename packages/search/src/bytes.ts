import { CorruptDataError } from '@datalake/model';

const utf8Encoder = new TextEncoder();

export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  throw new RangeError(`not a hexadecimal digit: ${String.fromCharCode(code)}`);
}

/** A copy of `array` in a new one of twice its length or more, at least `atLeast` long. */
export function grown<T extends Uint8Array | Uint32Array>(array: T, atLeast: number): T {
  let size = Math.max(1, array.length * 2);
  while (size < atLeast) size *= 2;
  const out = new (array.constructor as new (length: number) => T)(size);
  out.set(array);
  return out;
}

/** Growable byte buffer with LEB128 varints. */
export class ByteWriter {
  private buffer = new Uint8Array(1024);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  varint(value: number): void {
    this.reserve(10);
    if (value < 0x80) {
      this.buffer[this.length++] = value;
      return;
    }
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }

  /**
   * Ascending numbers (`ascending[from .. to)`), each as its gap minus one (varint) followed by its
   * byte of `tags`: a list of consecutive numbers from 0 costs two bytes per number.
   */
  taggedDeltas(ascending: ArrayLike<number>, tags: ArrayLike<number>, from = 0, to = ascending.length): void {
    this.deltas(ascending, tags, from, to, true);
  }

  /**
   * Ascending numbers (`ascending[from .. to)`), each as its gap minus one followed by its count,
   * both varints.
   */
  countedDeltas(ascending: ArrayLike<number>, counts: ArrayLike<number>, from: number, to: number): void {
    this.deltas(ascending, counts, from, to, false);
  }

  private deltas(
    ascending: ArrayLike<number>,
    payloads: ArrayLike<number>,
    from: number,
    to: number,
    bytePayloads: boolean,
  ): void {
    this.reserve((to - from) * (bytePayloads ? 6 : 10));
    const buffer = this.buffer;
    let at = this.length;
    let previous = -1;
    for (let i = from; i < to; i++) {
      const number = ascending[i] as number;
      at = putVarint(buffer, at, number - previous - 1);
      previous = number;
      if (bytePayloads) buffer[at++] = payloads[i] as number;
      else at = putVarint(buffer, at, payloads[i] as number);
    }
    this.length = at;
  }

  /** `text` as UTF-8, preceded by its length in bytes (varint). */
  lengthPrefixedUtf8(text: string): void {
    if (!isAscii(text)) {
      const bytes = utf8Encoder.encode(text);
      this.varint(bytes.length);
      this.bytes(bytes);
      return;
    }
    this.varint(text.length);
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buffer[this.length++] = text.charCodeAt(i);
  }

  /** Bytes written as hexadecimal digits (an even number of them). */
  hex(digits: string): void {
    this.reserve(digits.length >>> 1);
    for (let i = 0; i + 1 < digits.length; i += 2)
      this.buffer[this.length++] = (hexValue(digits.charCodeAt(i)) << 4) | hexValue(digits.charCodeAt(i + 1));
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

export class ByteReader {
  offset = 0;
  /** The same bytes, for decoding text straight from them (no intermediate view per string). */
  private readonly buffer: Buffer;

  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {
    this.buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.data.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.offset >= this.data.length) throw this.corrupt('truncated varint');
      const byte = this.data[this.offset++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw this.corrupt('varint too long');
  }

  byte(): number {
    if (this.offset >= this.data.length) throw this.corrupt('truncated byte');
    return this.data[this.offset++] as number;
  }

  bytes(length: number): Uint8Array {
    if (this.offset + length > this.data.length) throw this.corrupt('truncated bytes');
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  skip(length: number): void {
    if (this.offset + length > this.data.length) throw this.corrupt('truncated bytes');
    this.offset += length;
  }

  /** The next `length` bytes as UTF-8 text. */
  utf8(length: number): string {
    if (this.offset + length > this.data.length) throw this.corrupt('truncated bytes');
    const text = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }

  corrupt(problem: string): CorruptDataError {
    return new CorruptDataError(`search index ${this.what} is corrupt: ${problem}`);
  }
}

/** Writes `value` (below 2^32) as a varint at `at`; returns the position after it. */
function putVarint(buffer: Uint8Array, at: number, value: number): number {
  let rest = value;
  let end = at;
  while (rest >= 0x80) {
    buffer[end++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buffer[end] = rest;
  return end + 1;
}
