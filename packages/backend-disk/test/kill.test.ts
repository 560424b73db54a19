import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DataLake } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { tempRoot } from './helpers.js';

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'store-until-killed.ts');

interface Acknowledged {
  id: string;
  sha256: string;
  filePath: string;
  /** An update begun after the acknowledgement: when the writer died during it, either state is right. */
  pending?: string;
}

/** Starts the storing process and kills it (SIGKILL) once it has acknowledged `stores` stores. */
async function storeUntilKilled(
  root: string,
  prefix: string,
  stores: number,
  writers: number,
): Promise<{ acknowledged: Acknowledged[]; pid: number }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@datalake/source', '--import', 'tsx', FIXTURE, root, prefix, String(writers)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const acknowledged: Acknowledged[] = [];
  let pending = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [first, second, third] = line.split(' ');
      if (first === 'pending') {
        const last = acknowledged.findLast((ack) => ack.id === second);
        if (last && third) last.pending = third;
      } else if (first && second && third) acknowledged.push({ id: first, sha256: second, filePath: third });
    }
    if (acknowledged.length >= stores) child.kill('SIGKILL');
  });
  await exited;
  return { acknowledged, pid: child.pid as number };
}

describe('a writing process killed at random moments (SIGKILL)', () => {
  it('loses no acknowledged store or update, one at a time or many in flight: each is there and whole after reopening', async () => {
    const root = await tempRoot();
    // The latest acknowledged state of each entry (an update acknowledged after its store wins).
    const acknowledged = new Map<string, Acknowledged>();
    const writers: number[] = [];
    for (let round = 0; round < 6; round++) {
      // Killed after a random number of acknowledgements: somewhere in the middle of the next ones.
      const stores = 5 + Math.floor(Math.random() * 60);
      const inFlight = round % 2 === 0 ? 1 : 4;
      const { acknowledged: done, pid } = await storeUntilKilled(root, `round${round}`, stores, inFlight);
      expect(done.length).toBeGreaterThanOrEqual(stores);
      for (const ack of done) acknowledged.set(ack.id, ack);
      writers.push(pid);
    }
    const lake = await DataLake.open(new DiskBackend({ root }), { onNotice: () => {} });
    try {
      for (const { id, sha256, filePath, pending } of acknowledged.values()) {
        const entry = await lake.retrieve(id);
        expect(entry.filePath).toBe(filePath);
        expect(entry.sha256).toBe(entry.sha256 === pending ? pending : sha256);
        expect(sha256Hex(entry.bytes)).toBe(entry.sha256);
      }
      // The dead writers' journals were made durable and removed when the lake was reopened (the
      // reopened lake may already keep a journal of its own).
      const journals = await readdir(path.join(root, INTERNAL_FOLDER, 'journal'));
      const left = journals.filter((name) => writers.some((pid) => name.includes(`~${pid}~`)));
      expect(left).toEqual([]);
    } finally {
      await lake.close();
    }
  }, 300_000);
});
