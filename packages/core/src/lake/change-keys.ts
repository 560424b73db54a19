import { randomBytes } from 'node:crypto';
import type { StorageBackend } from '@datalake/model';
import { PutMode, ValidationError } from '@datalake/model';
import { encodeNote, isNotableKey, noteKey, writerOfInstance } from './change-notes.js';

/**
 * Notes in the change journal that bookkeeping objects (keys under a reserved prefix, such as
 * access tokens) changed, for a process that changes them without opening the lake (the token
 * command): lakes that other processes keep open over the same storage pick the change up at
 * their next refresh. Nothing to do on a backend no other process shares.
 */
export async function noteChangedKeys(backend: StorageBackend, keys: readonly string[]): Promise<void> {
  for (const key of keys)
    if (!isNotableKey(key))
      throw new ValidationError(
        `only keys of the lake's bookkeeping can be noted, got ${JSON.stringify(key)}`,
      );
  if (keys.length === 0 || !backend.capabilities.sharedAcrossProcesses) return;
  const writer = writerOfInstance(randomBytes(4).toString('hex'));
  await backend.put(noteKey(Date.now(), writer), encodeNote([], keys), { mode: PutMode.create });
}
