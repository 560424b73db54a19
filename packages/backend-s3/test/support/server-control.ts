import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GATEWAY_SCRIPT = fileURLToPath(new URL('../../../../tooling/s3-server/gateway.sh', import.meta.url));

/**
 * Starts, crashes and stops the spare S3 gateway of the cluster started by
 * tooling/s3-server/start.sh: a second gateway on the same cluster (buckets created through the
 * main endpoint are visible through it) with a port of its own. The main gateway, which other
 * test files and packages use at the same time, is never touched.
 */
export interface ServerControl {
  /** Where the spare gateway answers while it runs. */
  spareEndpoint: string;
  /** Starts the spare gateway if it is not running, and waits until it answers. */
  startGateway(): Promise<void>;
  /** SIGKILLs the spare gateway: a crash, not a clean shutdown. */
  killGateway(): Promise<void>;
  /** Stops the spare gateway cleanly if it runs. */
  stopGateway(): Promise<void>;
}

/**
 * The spare gateway of the local cluster serving `endpoint`, when that cluster was started by
 * the project's script: found through DATALAKE_S3_DIR (or the script's default state dir) whose
 * env file names the same endpoint and a spare one.
 */
export function localServerControl(endpoint: string): ServerControl | undefined {
  const directory = process.env.DATALAKE_S3_DIR ?? join(tmpdir(), 'datalake-s3');
  const envFile = join(directory, 's3.env');
  if (!existsSync(envFile) || !existsSync(GATEWAY_SCRIPT)) return undefined;
  const env = readFileSync(envFile, 'utf8');
  if (!env.includes(`S3_ENDPOINT=${endpoint}\n`)) return undefined;
  const spareEndpoint = /^export DATALAKE_S3_SPARE_ENDPOINT=(\S+)$/m.exec(env)?.[1];
  if (!spareEndpoint) return undefined;
  const gateway = async (action: 'start' | 'kill' | 'stop') => {
    await run('bash', [GATEWAY_SCRIPT, action], {
      env: { ...process.env, DATALAKE_S3_DIR: directory },
      timeout: 60_000,
    });
  };
  return {
    spareEndpoint,
    startGateway: () => gateway('start'),
    killGateway: () => gateway('kill'),
    stopGateway: () => gateway('stop'),
  };
}
