import type { ListedObject } from '@datalake/core';

/** A listing record that knows whether its key compares correctly with native string order. */
export interface OrderedRecord extends ListedObject {
  /** No code unit at or above U+D800: UTF-16 order equals UTF-8 byte order for this key. */
  plain: boolean;
}

/** Whether native string comparison already gives UTF-8 byte order for this key. */
export function isPlainKey(key: string): boolean {
  for (let index = 0; index < key.length; index++) {
    if (key.charCodeAt(index) >= 0xd800) return false;
  }
  return true;
}
