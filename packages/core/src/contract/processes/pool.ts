import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerFactory } from '../types.js';
import type { ParentMessage, WorkerReport, WorkerTask } from './protocol.js';

/** How long a worker process may take to start, load its factory and finish its task. */
const WORKER_DEADLINE_MS = 150_000;

/** The worker script: the built one in the package's dist, or the TypeScript source (run with tsx). */
function workerScript(): { path: string; execArgv: string[] } {
  for (const candidate of ['./process-worker.js', '../process-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(url)) return { path: fileURLToPath(url), execArgv: [] };
  }
  const source = new URL('./worker.ts', import.meta.url);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { path: fileURLToPath(source), execArgv: ['--import', tsx, '--conditions', '@datalake/source'] };
}

function moduleSpecifier(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return module.startsWith('file:') ? module : pathToFileURL(module).href;
}

/**
 * Runs one task per worker process, each over its own adapter from the factory: every process
 * first opens its adapter and reports ready, then all are told to start at once. Resolves with
 * each worker's report; rejects when a worker fails, naming the worker and its error.
 */
export async function runInProcesses(
  factory: WorkerFactory,
  factoryOptions: Record<string, unknown>,
  tasks: readonly WorkerTask[],
): Promise<WorkerReport[]> {
  const script = workerScript();
  const children = tasks.map(() =>
    fork(script.path, [], {
      execArgv: [...script.execArgv, ...(factory.execArgv ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const timer = setTimeout(() => {
    for (const child of children) child.kill();
  }, WORKER_DEADLINE_MS);
  try {
    const ready = children.map((child, index) => report(child, index, 'ready'));
    const done = children.map((child, index) => report(child, index, 'done'));
    for (const promise of done) promise.catch(() => {});
    children.forEach((child, index) => {
      const message: ParentMessage = {
        type: 'setup',
        setup: {
          module: moduleSpecifier(factory.module),
          exportName: factory.export ?? 'createAdapter',
          factoryOptions,
          task: tasks[index] as WorkerTask,
        },
      };
      child.send(message);
    });
    await Promise.all(ready);
    for (const child of children) child.send({ type: 'go' } satisfies ParentMessage);
    return await Promise.all(done);
  } finally {
    clearTimeout(timer);
    await Promise.all(children.map(exited));
  }
}

/** The worker's next report of `type`; rejects on a failure report or an exit before it. */
function report(child: ChildProcess, index: number, type: 'ready' | 'done'): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerReport) => {
      if (message.type === 'failed') finish(new Error(`worker process ${index} failed: ${message.message}`));
      else if (message.type === type) finish(undefined, message);
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(
        new Error(`worker process ${index} exited (${signal ?? `code ${code}`}) before reporting ${type}`),
      );
    const finish = (error: Error | undefined, message?: WorkerReport) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as WorkerReport);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    if (!child.connected) return;
    // A worker that is still waiting for instructions is not needed any more.
    setTimeout(() => child.connected && child.kill(), 5_000).unref();
  });
}
