import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder in the system's temp folder; the caller removes it. */
export function scratchFolder(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
