import { CorruptDataError } from '../model/errors.js';

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
   * Ascending numbers, each as its gap minus one (varint) followed by its byte of `tags`: a list of
   * consecutive numbers from 0 costs two bytes per number.
   */
  taggedDeltas(ascending: ArrayLike<number>, tags: ArrayLike<number>): void {
    this.reserve(ascending.length * 6);
    const buffer = this.buffer;
    let at = this.length;
    let previous = -1;
    for (let i = 0; i < ascending.length; i++) {
      const number = ascending[i] as number;
      let gap = number - previous - 1;
      previous = number;
      while (gap >= 0x80) {
        buffer[at++] = (gap & 0x7f) | 0x80;
        gap >>>= 7;
      }
      buffer[at++] = gap;
      buffer[at++] = tags[i] as number;
    }
    this.length = at;
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

  u32(value: number): void {
    this.reserve(4);
    new DataView(this.buffer.buffer).setUint32(this.length, value);
    this.length += 4;
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

export class ByteReader {
  offset = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {}

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

  corrupt(problem: string): CorruptDataError {
    return new CorruptDataError(`search index ${this.what} is corrupt: ${problem}`);
  }
}
