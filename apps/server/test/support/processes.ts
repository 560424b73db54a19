import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StorageBackend } from '@datalake/core';
import { TokenStore } from '../../src/index.js';

const SCRIPT = fileURLToPath(new URL('./server-process.ts', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL: a crash, nothing finishes. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit; the list calls the process made, by prefix. */
  stop(): Promise<{ lists?: Record<string, number> }>;
}

/** Starts `server-process.ts` from the sources (as `pnpm test` runs them: no build needed). */
export async function startServerProcess(config: unknown): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@datalake/source', '--import', 'tsx', SCRIPT, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const closed = once(lines, 'close');
  const exited = once(child, 'exit');
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    exited.then(([code]) => {
      throw new Error(`the server process exited (${code}) before listening: ${stderr}`);
    }),
  ]);
  const { url } = JSON.parse(first) as { url: string };
  let last = '{}';
  lines.on('line', (line) => {
    last = line;
  });
  return {
    url,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all([exited, closed]);
      try {
        return JSON.parse(last) as { lists?: Record<string, number> };
      } catch {
        return {};
      }
    },
  };
}

/** Writes an admin token straight into the lake, as `datalake token create --admin` does. */
export async function bootstrapAdmin(backend: StorageBackend): Promise<string> {
  return (await new TokenStore(backend).create({ name: 'admin', grants: [{ actions: ['admin'] }] })).token;
}
