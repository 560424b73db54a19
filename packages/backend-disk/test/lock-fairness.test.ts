import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderGuard } from '../src/containment.js';
import { DiskLayout } from '../src/layout.js';
import { queueFolder } from '../src/lock/wait-queue.js';
import { type HeldLock, KeyLocks } from '../src/lock.js';
import { deadPid, nodeFs, tempRoot } from './helpers.js';

/** Generous: these tests count turns, they never measure time. */
const WAIT_MS = 120_000;

/** One `KeyLocks` per simulated process: each has its own in-memory queue, all share the lock files. */
function lockSets(root: string, count: number): KeyLocks[] {
  const fs = nodeFs();
  const layout = new DiskLayout(root);
  return Array.from(
    { length: count },
    () => new KeyLocks(fs, layout, new FolderGuard(fs, root, true), { waitMs: WAIT_MS, staleMs: 30_000 }),
  );
}

/** A few turns of the event loop and the thread pool, as a real holder's writes take. */
async function holdBriefly(root: string): Promise<void> {
  await readdir(root);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('fairness of the per-key lock', () => {
  it('serves every contender, each overtaken at most about twice per other contender', async () => {
    const root = await tempRoot();
    const sets = lockSets(root, 4);
    const perSet = 3;
    const rounds = 8;
    const contenders = sets.length * perSet;
    let grants = 0;
    let holder: string | undefined;
    const overtakes: number[] = [];
    const grantsPerContender = new Map<string, number>();
    await Promise.all(
      sets.flatMap((locks, s) =>
        Array.from({ length: perSet }, async (_, c) => {
          const name = `${s}.${c}`;
          for (let round = 0; round < rounds; round++) {
            const arrivedAt = grants;
            const lock: HeldLock = await locks.acquire('hot key');
            expect(holder).toBeUndefined();
            holder = name;
            overtakes.push(grants - arrivedAt);
            grants++;
            grantsPerContender.set(name, (grantsPerContender.get(name) ?? 0) + 1);
            await holdBriefly(root);
            holder = undefined;
            await locks.release(lock);
          }
        }),
      ),
    );
    expect(grants).toBe(contenders * rounds);
    expect([...grantsPerContender.values()]).toEqual(Array(contenders).fill(rounds));
    // First come, first served would give at most `contenders - 1`; a waiter that queues in memory
    // first and on disk after may see each other contender twice.
    expect(Math.max(...overtakes)).toBeLessThanOrEqual(2 * (contenders - 1));
    // Nothing is left behind: no lock file, no queue.
    expect(await readdir(new DiskLayout(root).lockDir)).toEqual([]);
  });

  it('hands a released lock to the oldest waiter on disk, skipping waiters that died', async () => {
    const root = await tempRoot();
    const [first, second] = lockSets(root, 2) as [KeyLocks, KeyLocks];
    const layout = new DiskLayout(root);
    const held = await first.acquire('k');
    // A waiter that died before this one arrived: its ticket is first in line, and is skipped.
    const queue = queueFolder(layout.lockPath('k'));
    await mkdir(queue, { recursive: true });
    const deadTicket = `${'0'.repeat(10)}-dead.ticket`;
    await writeFile(
      path.join(queue, deadTicket),
      JSON.stringify({ host: hostname(), pid: deadPid(), time: 0, token: 'dead' }),
    );
    const order: string[] = [];
    const waiting = second.acquire('k').then((lock) => {
      order.push('second');
      return lock;
    });
    // Wait until the live waiter's ticket is on disk, then release: it must get the lock handed over.
    while ((await readdir(queue)).filter((name) => name.endsWith('.ticket')).length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const newcomer = first.acquire('k').then((lock) => {
      order.push('newcomer');
      return lock;
    });
    await first.release(held);
    const secondLock = await waiting;
    expect(order).toEqual(['second']);
    await second.release(secondLock);
    await first.release(await newcomer);
    expect(order).toEqual(['second', 'newcomer']);
    expect(await readdir(layout.lockDir)).toEqual([]);
  });

  it('a waiter that gives up leaves the queue, and the lock is not left to it', async () => {
    const root = await tempRoot();
    const fs = nodeFs();
    const layout = new DiskLayout(root);
    const patient = new KeyLocks(fs, layout, new FolderGuard(fs, root, true), {
      waitMs: WAIT_MS,
      staleMs: 30_000,
    });
    const hasty = new KeyLocks(fs, layout, new FolderGuard(fs, root, true), { waitMs: 50, staleMs: 30_000 });
    const held = await patient.acquire('k');
    await expect(hasty.acquire('k')).rejects.toThrow(/timed out/);
    expect(await readdir(layout.lockDir)).toEqual([path.basename(layout.lockPath('k'))]);
    await patient.release(held);
    expect(await readdir(layout.lockDir)).toEqual([]);
    // And the key is free for the next one at once.
    await hasty.release(await hasty.acquire('k'));
  });

  it('judges a handed-over lock by when it was handed over, not by when its holder started waiting', async () => {
    const root = await tempRoot();
    const fs = nodeFs();
    const layout = new DiskLayout(root);
    const locks = new KeyLocks(fs, layout, new FolderGuard(fs, root, true), { waitMs: 300, staleMs: 60_000 });
    await mkdir(layout.lockDir, { recursive: true });
    const file = layout.lockPath('k');
    // Waited two minutes in the queue, handed over just now: held, not stale.
    const record = {
      host: hostname(),
      pid: process.pid,
      token: 'waited',
      time: Date.now() - 120_000,
      queued: true,
    };
    await writeFile(file, JSON.stringify(record));
    await expect(locks.acquire('k')).rejects.toThrow(/timed out/);
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe('waited');
    // Handed over two minutes ago and never released: stale, and broken.
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(file, twoMinutesAgo, twoMinutesAgo);
    await locks.release(await locks.acquire('k'));
    expect(await readdir(layout.lockDir)).toEqual([]);
  });
});
