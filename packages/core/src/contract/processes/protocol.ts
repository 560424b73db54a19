/** Messages between the multi-process checks and their worker processes. */

/** What one worker does once every worker is ready. */
export type WorkerTask =
  | { kind: 'create'; keys: string[]; writer: number }
  | { kind: 'increment'; key: string; times: number; maxAttempts: number };

export interface WorkerSetup {
  module: string;
  exportName: string;
  factoryOptions: Record<string, unknown>;
  task: WorkerTask;
}

/** Per key of a `create` task: whether this worker's conditional create won. */
export type CreateOutcome = 'won' | 'refused';

export type WorkerReport =
  | { type: 'ready' }
  | { type: 'done'; created?: CreateOutcome[]; increments?: number; conflicts?: number }
  | { type: 'failed'; message: string };

export type ParentMessage = { type: 'setup'; setup: WorkerSetup } | { type: 'go' };
