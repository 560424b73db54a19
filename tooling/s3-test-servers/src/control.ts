import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readEnvFile } from './env-file.js';
import { minioBinary, scripts } from './paths.js';
import type { S3Connection } from './servers.js';

const run = promisify(execFile);
/** A backstop only: every script bounds its own waits (120 s by default). */
const SCRIPT_TIMEOUT_MS = 300_000;

/** A server a fault test may crash: no other test uses it. */
export interface CrashableServer extends S3Connection {
  /**
   * Where the test creates, checks and removes its buckets. RGW: the main gateway, which serves
   * the same buckets and stays up while this one is down. MinIO: this server itself (its data is
   * its own), so bucket work waits until after a restart.
   */
  buckets: S3Connection;
  /** Whether `buckets` stays reachable while this server is down. */
  bucketsSurviveCrash: boolean;
  /** SIGKILL: a crash, not a clean shutdown. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data, and waits until it answers. */
  restart(): Promise<void>;
  /** Stops it and removes what was started for it; safe to call twice. */
  stop(): Promise<void>;
}

/** A MinIO erasure-coded set of four drives (four folders) of the test's own. */
export interface ErasureSet extends CrashableServer {
  /** The four drive folders, in MinIO's order. */
  drives: readonly string[];
}

export interface S3FaultControl {
  /**
   * Starts a server of this kind that only the calling test uses. RGW: the cluster's one spare
   * gateway (a second process serving the same cluster), so at most one at a time per run.
   * MinIO: a fresh server with its own data folder, as many as wanted.
   */
  crashableServer(): Promise<CrashableServer>;
  /** MinIO only: a fresh erasure-coded set of four drives, for drive-loss tests. */
  erasureSet?: () => Promise<ErasureSet>;
}

/** The spare gateway of the RGW cluster whose state dir is `stateDir` (see tooling/s3-server). */
export function rgwFaults(main: S3Connection, stateDir: string): S3FaultControl | undefined {
  const spareEndpoint = readEnvFile(join(stateDir, 's3.env')).DATALAKE_S3_SPARE_ENDPOINT;
  if (!spareEndpoint) return undefined;
  const gateway = (action: 'start' | 'kill' | 'stop') =>
    script(scripts.rgw.gateway, [action], { DATALAKE_S3_DIR: stateDir });
  return {
    async crashableServer() {
      await gateway('start');
      let stopped = false;
      return {
        ...main,
        endpoint: spareEndpoint,
        buckets: main,
        bucketsSurviveCrash: true,
        kill: () => gateway('kill'),
        restart: () => gateway('start'),
        async stop() {
          if (stopped) return;
          stopped = true;
          await gateway('stop');
        },
      };
    },
  };
}

/** Private MinIO servers started from the binary in `cacheFolder` (see tooling/minio). */
export function minioFaults(cacheFolder: string): S3FaultControl | undefined {
  if (!existsSync(minioBinary(cacheFolder))) return undefined;
  const start = async (erasure: boolean): Promise<ErasureSet> => {
    const stateDir = await mkdtemp(join(tmpdir(), erasure ? 'datalake-minio-erasure-' : 'datalake-minio-'));
    const env = { DATALAKE_MINIO_DIR: stateDir, DATALAKE_MINIO_CACHE: cacheFolder };
    const remove = () => rm(stateDir, { recursive: true, force: true });
    try {
      await script(scripts.minio.start, erasure ? ['--erasure'] : [], env);
    } catch (error) {
      await script(scripts.minio.stop, [], env).catch(() => undefined);
      await remove();
      throw error;
    }
    const values = readEnvFile(join(stateDir, 's3.env'));
    const connection: S3Connection = {
      endpoint: required(values, 'S3_ENDPOINT', stateDir),
      region: values.AWS_REGION || 'us-east-1',
      credentials: {
        accessKeyId: required(values, 'AWS_ACCESS_KEY_ID', stateDir),
        secretAccessKey: required(values, 'AWS_SECRET_ACCESS_KEY', stateDir),
      },
    };
    let stopped = false;
    return {
      ...connection,
      buckets: connection,
      bucketsSurviveCrash: false,
      drives: (values.DATALAKE_MINIO_DRIVES ?? '').split(' ').filter(Boolean),
      kill: () => script(scripts.minio.server, ['kill'], env),
      restart: () => script(scripts.minio.server, ['restart'], env),
      async stop() {
        if (stopped) return;
        stopped = true;
        await script(scripts.minio.stop, [], env);
        await remove();
      },
    };
  };
  return { crashableServer: () => start(false), erasureSet: () => start(true) };
}

function required(values: Record<string, string>, name: string, stateDir: string): string {
  const value = values[name];
  if (!value) throw new Error(`${join(stateDir, 's3.env')} has no ${name}`);
  return value;
}

async function script(path: string, args: string[], env: Record<string, string>): Promise<void> {
  // On failure the error's message holds the command line and the script's stderr.
  await run('bash', [path, ...args], { env: { ...process.env, ...env }, timeout: SCRIPT_TIMEOUT_MS });
}
