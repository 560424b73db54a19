import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Who holds a lock or wrote a temp file: enough to tell later whether that writer is gone. */
export interface Owner {
  host: string;
  pid: number;
}

let cachedOwner: Owner | undefined;

/** This process. The host name is read once: asking the kernel on every write costs a system call. */
export function currentOwner(): Owner {
  if (cachedOwner?.pid !== process.pid) cachedOwner = { host: hostname(), pid: process.pid };
  return cachedOwner;
}

/** `false` only when the owner ran on this host and its process no longer exists. */
export function ownerMayBeAlive(owner: Owner, here: Owner = currentOwner()): boolean {
  if (owner.host !== here.host) return true;
  if (owner.pid === here.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const processTag = randomBytes(8).toString('hex');
let tempCounter = 0;

/**
 * A unique temp file name that records its writer: `<host>~<pid>~<hex>.tmp`, the hex being a random
 * tag drawn once per process followed by a counter (unique without drawing random bytes per write).
 */
export function tempFileName(owner: Owner = currentOwner()): string {
  tempCounter++;
  return `${encodeURIComponent(owner.host)}~${owner.pid}~${processTag}${tempCounter.toString(16)}.tmp`;
}

/** The writer recorded in a temp file name, or `undefined` if the name is not one of ours. */
export function ownerOfTempFile(name: string): Owner | undefined {
  const match = /^([^~]*)~(\d+)~[0-9a-f]+\.tmp$/.exec(name);
  if (!match) return undefined;
  try {
    return { host: decodeURIComponent(match[1] as string), pid: Number(match[2]) };
  } catch {
    return undefined;
  }
}
