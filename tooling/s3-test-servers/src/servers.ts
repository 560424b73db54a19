import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minioFaults, rgwFaults, type S3FaultControl } from './control.js';
import { readEnvFile } from './env-file.js';
import { minioCacheFolder } from './paths.js';

/** The S3 implementations the project tests against; `other` is any server of the user's own. */
export type S3ServerKind = 'minio' | 'rgw' | 'other';

/** Where and as whom to reach an S3 server. */
export interface S3Connection {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface S3TestServer extends S3Connection {
  /** Shown in test titles: `minio`, `rgw`, or `s3` for a server given by S3_ENDPOINT. */
  name: string;
  kind: S3ServerKind;
  /** How fault tests crash servers of their own; undefined when this run cannot (e.g. a remote server). */
  faults?: S3FaultControl;
}

/** What the runner puts in DATALAKE_S3_SERVERS for each server it started: plain JSON. */
export interface S3ServerRecord {
  name: string;
  kind: 'minio' | 'rgw';
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The state dir of the start script (DATALAKE_S3_DIR or DATALAKE_MINIO_DIR). */
  stateDir: string;
  /** MinIO: the build folder holding its binary. */
  minioCache?: string;
}

/** The variable through which the runner tells the tests which servers it started. */
export const SERVERS_VARIABLE = 'DATALAKE_S3_SERVERS';

/**
 * The S3 servers this test run uses. A server of the user's own (`S3_ENDPOINT`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_REGION`) wins; otherwise the servers
 * the runner started and listed in DATALAKE_S3_SERVERS. Empty when neither is set.
 */
export function configuredS3Servers(env: NodeJS.ProcessEnv = process.env): S3TestServer[] {
  const own = ownServer(env);
  if (own) return [own];
  const listed = env[SERVERS_VARIABLE];
  if (!listed) return [];
  return parseServerRecords(listed).map((record) => fromRecord(record, env));
}

export function parseServerRecords(json: string): S3ServerRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`${SERVERS_VARIABLE} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${SERVERS_VARIABLE} must be a JSON array of servers`);
  return parsed.map((entry, index) => {
    const record = entry as Partial<S3ServerRecord>;
    for (const field of [
      'name',
      'endpoint',
      'region',
      'accessKeyId',
      'secretAccessKey',
      'stateDir',
    ] as const) {
      if (typeof record[field] !== 'string' || record[field] === '') {
        throw new Error(`${SERVERS_VARIABLE}[${index}] has no ${field}`);
      }
    }
    if (record.kind !== 'minio' && record.kind !== 'rgw') {
      throw new Error(
        `${SERVERS_VARIABLE}[${index}] has kind ${JSON.stringify(record.kind)}, not minio or rgw`,
      );
    }
    return record as S3ServerRecord;
  });
}

function fromRecord(record: S3ServerRecord, env: NodeJS.ProcessEnv): S3TestServer {
  const connection = {
    endpoint: record.endpoint,
    region: record.region,
    credentials: { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey },
  };
  const faults =
    record.kind === 'rgw'
      ? rgwFaults(connection, record.stateDir)
      : minioFaults(record.minioCache ?? minioCacheFolder(env));
  return { name: record.name, kind: record.kind, ...connection, faults };
}

/**
 * The server given by S3_ENDPOINT. When its endpoint is the one a project start script wrote to
 * its env file (found through DATALAKE_MINIO_DIR or DATALAKE_S3_DIR, or their default state dirs),
 * the server is known as MinIO or RGW and gets the same fault control as a runner-started one.
 */
function ownServer(env: NodeJS.ProcessEnv): S3TestServer | undefined {
  const endpoint = env.S3_ENDPOINT;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!endpoint || !accessKeyId || !secretAccessKey) return undefined;
  const connection = {
    endpoint,
    region: env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  };
  const names = (file: string) => readEnvFile(file).S3_ENDPOINT === endpoint;
  const minioDir = env.DATALAKE_MINIO_DIR || join(tmpdir(), 'datalake-minio');
  if (names(join(minioDir, 's3.env'))) {
    return { name: 'minio', kind: 'minio', ...connection, faults: minioFaults(minioCacheFolder(env)) };
  }
  const rgwDir = env.DATALAKE_S3_DIR || join(tmpdir(), 'datalake-s3');
  if (names(join(rgwDir, 's3.env'))) {
    return { name: 'rgw', kind: 'rgw', ...connection, faults: rgwFaults(connection, rgwDir) };
  }
  return { name: 's3', kind: 'other', ...connection };
}
