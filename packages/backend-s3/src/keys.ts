import { assertValidKey, ValidationError } from '@datalake/core';

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

  toObjectKey(key: string): string {
    assertValidKey(key);
    return this.root + key;
  }

  toListPrefix(prefix: string): string {
    if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string');
    if (prefix !== '') assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
    return this.root + prefix;
  }

  fromObjectKey(objectKey: string): string {
    return objectKey.slice(this.root.length);
  }
}
