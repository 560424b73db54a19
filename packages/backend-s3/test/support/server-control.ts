import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GATEWAY_SCRIPT = fileURLToPath(new URL('../../../../tooling/s3-server/gateway.sh', import.meta.url));

/** Stops and restarts the S3 gateway started by tooling/s3-server/start.sh, and nothing else. */
export interface ServerControl {
  killGateway(): Promise<void>;
  startGateway(): Promise<void>;
}

/**
 * The local gateway serving `endpoint`, when it was started by the project's script: found
 * through DATALAKE_S3_DIR (or the script's default state dir) whose env file names the same endpoint.
 */
export function localServerControl(endpoint: string): ServerControl | undefined {
  const directory = process.env.DATALAKE_S3_DIR ?? join(tmpdir(), 'datalake-s3');
  const envFile = join(directory, 's3.env');
  if (!existsSync(envFile) || !existsSync(GATEWAY_SCRIPT)) return undefined;
  if (!readFileSync(envFile, 'utf8').includes(`S3_ENDPOINT=${endpoint}\n`)) return undefined;
  const gateway = async (action: 'kill' | 'start') => {
    await run('bash', [GATEWAY_SCRIPT, action], {
      env: { ...process.env, DATALAKE_S3_DIR: directory },
      timeout: 60_000,
    });
  };
  return { killGateway: () => gateway('kill'), startGateway: () => gateway('start') };
}
