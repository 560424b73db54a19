import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DataLake } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { tempRoot } from './helpers.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'store-until-killed.ts');

interface Acknowledged {
  id: string;
  sha256: string;
  filePath: string;
}

/** Starts the storing process and kills it (SIGKILL) once it has acknowledged `stores` stores. */
async function storeUntilKilled(
  root: string,
  prefix: string,
  stores: number,
): Promise<{ acknowledged: Acknowledged[]; pid: number }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@datalake/source', '--import', 'tsx', FIXTURE, root, prefix],
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
      const [id, sha256, filePath] = line.split(' ');
      if (id && sha256 && filePath) acknowledged.push({ id, sha256, filePath });
    }
    if (acknowledged.length >= stores) child.kill('SIGKILL');
  });
  await exited;
  return { acknowledged, pid: child.pid as number };
}

describe('a writing process killed at random moments (SIGKILL)', () => {
  it('loses no acknowledged store: each is there and whole after reopening', async () => {
    const root = await tempRoot();
    const acknowledged: Acknowledged[] = [];
    const writers: number[] = [];
    for (let round = 0; round < 4; round++) {
      // Killed after a random number of stores: somewhere in the middle of the next ones.
      const stores = 5 + Math.floor(Math.random() * 60);
      const { acknowledged: done, pid } = await storeUntilKilled(root, `round${round}`, stores);
      expect(done.length).toBeGreaterThanOrEqual(stores);
      acknowledged.push(...done);
      writers.push(pid);
    }
    const lake = await DataLake.open(new DiskBackend({ root }), { onNotice: () => {} });
    try {
      for (const { id, sha256, filePath } of acknowledged) {
        const entry = await lake.retrieve(id);
        expect(entry.filePath).toBe(filePath);
        expect(entry.sha256).toBe(sha256);
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
