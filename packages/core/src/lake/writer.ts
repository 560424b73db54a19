import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { WriterTag } from './record.js';

const HOST = hostname();

/** Identifies one open DataLake instance as a writer. */
export function writerTag(instance: string, now: Date = new Date()): WriterTag {
  return { host: HOST, pid: process.pid, instance, at: now.toISOString() };
}

export function newInstanceId(): string {
  return randomUUID();
}

/**
 * Whether the writer that left a claim or a pending update is gone: its process on this host has
 * exited, or it is older than the lease (a writer on another machine cannot be probed).
 */
export function isAbandoned(writer: WriterTag, leaseMs: number, now = Date.now()): boolean {
  const age = now - Date.parse(writer.at);
  if (!(age < leaseMs)) return true;
  if (writer.host === HOST && writer.pid !== process.pid) return !processIsAlive(writer.pid);
  return false;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
