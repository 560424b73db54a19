import { assertValidKey, MAX_KEY_BYTES, ValidationError } from '@datalake/core';

const utf8 = new TextEncoder();

/** Maps lake keys to object keys under an optional prefix, and back. */
export class KeySpace {
  /** '' or a prefix ending in '/', so `lake-a` never sees `lake-ab`'s objects. */
  readonly root: string;

  constructor(prefix: string | undefined) {
    if (prefix === undefined || prefix === '') {
      this.root = '';
      return;
    }
    const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    try {
      assertValidKey(trimmed);
    } catch (error) {
      throw new ValidationError(`invalid S3 prefix ${JSON.stringify(prefix)}`, { cause: error });
    }
    this.root = `${trimmed}/`;
  }

  /** The object key of a (valid) lake key; refuses one that the prefix makes too long for S3. */
  toObjectKey(key: string): string {
    const objectKey = this.root + key;
    // S3 caps the whole object key, so the lake's prefix eats into the room keys have.
    if (this.root !== '' && utf8.encode(objectKey).byteLength > MAX_KEY_BYTES) {
      throw new ValidationError(
        `storage key ${JSON.stringify(key)} is too long under the prefix ${JSON.stringify(this.root)}: ` +
          `S3 keys hold at most ${MAX_KEY_BYTES} bytes including the prefix`,
        { details: { key } },
      );
    }
    return objectKey;
  }

  toListPrefix(prefix: string): string {
    return this.root + prefix;
  }

  fromObjectKey(objectKey: string): string {
    return objectKey.slice(this.root.length);
  }
}
