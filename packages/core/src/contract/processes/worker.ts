/**
 * A worker process of the multi-process checks: loads the adapter's factory module, opens the
 * storage through core's front, waits for the signal, does its task, reports and exits.
 */

import type { StorageAdapter } from '@datalake/model';
import { PutMode } from '@datalake/model';
import { StorageFront } from '../../backend/front.js';
import type { CreateOutcome, ParentMessage, WorkerReport, WorkerSetup, WorkerTask } from './protocol.js';

const send = (report: WorkerReport) => process.send?.(report);

function nextMessage(): Promise<ParentMessage> {
  return new Promise((resolve) => process.once('message', (message) => resolve(message as ParentMessage)));
}

async function openAdapter(setup: WorkerSetup): Promise<StorageFront> {
  const factoryModule = (await import(setup.module)) as Record<string, unknown>;
  const factory = factoryModule[setup.exportName];
  if (typeof factory !== 'function') {
    throw new Error(
      `the worker factory module ${setup.module} has no function export ${JSON.stringify(setup.exportName)}`,
    );
  }
  return StorageFront.of((await factory(setup.factoryOptions)) as StorageAdapter);
}

async function perform(backend: StorageFront, task: WorkerTask): Promise<WorkerReport> {
  if (task.kind === 'create') {
    const created: CreateOutcome[] = [];
    for (const key of task.keys) {
      try {
        await backend.put(key, new TextEncoder().encode(`writer ${task.writer}`), { mode: PutMode.create });
        created.push('won');
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'PRECONDITION_FAILED') throw error;
        created.push('refused');
      }
    }
    return { type: 'done', created };
  }
  let conflicts = 0;
  for (let done = 0; done < task.times; done++) {
    for (let attempt = 1; ; attempt++) {
      const current = await backend.get(task.key);
      if (!current) throw new Error(`get(${JSON.stringify(task.key)}) found no counter`);
      const chunks: Uint8Array[] = [];
      for await (const chunk of current.body) chunks.push(chunk);
      const value = Number(Buffer.concat(chunks).toString('utf8'));
      try {
        await backend.put(task.key, new TextEncoder().encode(String(value + 1)), {
          mode: PutMode.replace(current.etag),
        });
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'PRECONDITION_FAILED' || attempt >= task.maxAttempts)
          throw error;
        conflicts++;
      }
    }
  }
  return { type: 'done', increments: task.times, conflicts };
}

async function main(): Promise<void> {
  const first = await nextMessage();
  if (first.type !== 'setup') throw new Error('expected the setup message first');
  const backend = await openAdapter(first.setup);
  try {
    const go = nextMessage();
    send({ type: 'ready' });
    await go;
    send(await perform(backend, first.setup.task));
  } finally {
    await backend.close();
  }
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.disconnect?.();
    process.exitCode = 1;
  },
);
