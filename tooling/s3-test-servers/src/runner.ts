import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { readEnvFile } from './env-file.js';
import { minioBinary, minioCacheFolder, RGW_COMMANDS, scripts } from './paths.js';
import { freePorts } from './ports.js';
import { type S3ServerRecord, SERVERS_VARIABLE } from './servers.js';

export type ServerName = 'rgw' | 'minio';
const ALL: readonly ServerName[] = ['rgw', 'minio'];

/**
 * Which servers the runner starts: DATALAKE_S3_TEST_SERVERS=rgw,minio|none. Default: those this
 * machine can run. Naming a server it cannot run is an error (CI names both).
 */
export const CHOICE_VARIABLE = 'DATALAKE_S3_TEST_SERVERS';

const log = (line: string) => process.stderr.write(`[s3-test-servers] ${line}\n`);

export const INSTALL_HINT =
  'Ceph RGW: bash tooling/s3-server/install.sh (Debian/Ubuntu packages); ' +
  'MinIO: bash tooling/minio/install.sh (built from source, needs Go); then run the tests again';

/** Whether this machine can run each server now, without installing or building anything. */
export function availability(env: NodeJS.ProcessEnv): Record<ServerName, string | undefined> {
  const path = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const missing = RGW_COMMANDS.filter((command) => !path.some((dir) => existsSync(join(dir, command))));
  const binary = minioBinary(minioCacheFolder(env));
  return {
    rgw: missing.length === 0 ? undefined : `not installed (no ${missing.join(', ')} on PATH)`,
    minio: existsSync(binary) ? undefined : `not built (no ${binary})`,
  };
}

function chosen(env: NodeJS.ProcessEnv): readonly ServerName[] {
  const value = env[CHOICE_VARIABLE]?.trim();
  if (!value) return ALL;
  if (value === 'none') return [];
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!ALL.includes(name as ServerName))
      throw new Error(`${CHOICE_VARIABLE}: unknown server ${JSON.stringify(name)} (use rgw, minio or none)`);
  }
  return names as ServerName[];
}

interface Started {
  record?: S3ServerRecord;
  stop: () => Promise<void>;
}

interface ScriptResult {
  code: number;
  output: string;
}

/** Runs a start/stop script in a process group of its own, so Ctrl-C cannot cut it short. */
function script(path: string, args: string[], env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', [path, ...args], {
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', (error) => resolve({ code: 127, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function startServer(name: ServerName, base: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const stateDir = join(base, name);
  let settings: Record<string, string>;
  let paths: { start: string; stop: string };
  if (name === 'rgw') {
    const [port, spare] = await freePorts(2);
    const [monitor] = await freePorts(1, 2);
    settings = {
      DATALAKE_S3_DIR: stateDir,
      DATALAKE_S3_PORT: String(port),
      DATALAKE_S3_SPARE_PORT: String(spare),
      DATALAKE_S3_MON_PORT: String(monitor),
    };
    paths = scripts.rgw;
  } else {
    settings = { DATALAKE_MINIO_DIR: stateDir, DATALAKE_MINIO_CACHE: minioCacheFolder(env) };
    paths = scripts.minio;
  }
  const stop = async () => {
    const result = await script(paths.stop, [], settings);
    if (result.code !== 0) log(`stopping ${name} failed:\n${result.output}`);
  };
  const started = Date.now();
  const result = await script(paths.start, [], settings);
  if (result.code !== 0) {
    log(`${name} did not start:\n${result.output.trimEnd()}`);
    return { stop };
  }
  const values = readEnvFile(join(stateDir, 's3.env'));
  const record: S3ServerRecord = {
    name,
    kind: name,
    endpoint: values.S3_ENDPOINT ?? '',
    region: values.AWS_REGION || 'us-east-1',
    accessKeyId: values.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: values.AWS_SECRET_ACCESS_KEY ?? '',
    stateDir,
    ...(name === 'minio' ? { minioCache: settings.DATALAKE_MINIO_CACHE } : {}),
  };
  log(`${name} answers on ${record.endpoint} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { record, stop };
}

/**
 * Runs `command` with the S3 servers of this test run: a server of the user's own (S3_ENDPOINT or
 * an earlier DATALAKE_S3_SERVERS) is used as is; otherwise every test server this machine can run
 * is started, listed to the command in DATALAKE_S3_SERVERS, and stopped when the command ends,
 * however it ends (also on Ctrl-C). Nothing is installed or built here. Resolves to the exit code.
 */
export async function runWithS3Servers(command: readonly string[], env = process.env): Promise<number> {
  const ci = env.CI === 'true';
  if (env.S3_ENDPOINT || env[SERVERS_VARIABLE]) {
    log(
      `using the configured S3 server (${env.S3_ENDPOINT ? `S3_ENDPOINT=${env.S3_ENDPOINT}` : SERVERS_VARIABLE})`,
    );
    return runCommand(command, env, () => false);
  }
  const available = availability(env);
  const wanted = chosen(env);
  const startable = wanted.filter((name) => available[name] === undefined);
  const unavailable = wanted.filter((name) => available[name] !== undefined);
  for (const name of unavailable) log(`${name === 'rgw' ? 'Ceph RGW' : 'MinIO'} ${available[name]}`);
  if (env[CHOICE_VARIABLE] && unavailable.length > 0) {
    log(`${CHOICE_VARIABLE}=${env[CHOICE_VARIABLE]} asks for ${unavailable.join(' and ')}: ${INSTALL_HINT}`);
    return 1;
  }
  if (startable.length === 0) {
    log(
      `no S3 server configured (S3_ENDPOINT) and none can be started here: the S3 tests are ${
        ci ? 'FAILURES under CI=true' : 'skipped'
      }. To test S3 too: ${INSTALL_HINT}.`,
    );
    return runCommand(command, env, () => false);
  }

  let interrupted = false;
  let child: ChildProcess | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    // Ctrl-C reaches the whole foreground process group, the command included; other signals
    // are passed on. The servers are stopped once the command has ended.
    if (signal !== 'SIGINT') child?.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);

  const base = await mkdtemp(join(tmpdir(), 'datalake-s3-test-servers-'));
  const servers: Started[] = [];
  try {
    log(`starting ${startable.join(' and ')} for this run`);
    servers.push(...(await Promise.all(startable.map((name) => startServer(name, base, env)))));
    const records = servers.flatMap((server) => (server.record ? [server.record] : []));
    if (records.length < startable.length && ci) {
      log('CI=true: a test server that is installed must start; not running the tests');
      return 1;
    }
    if (interrupted) return 130;
    const listed = JSON.stringify(records);
    return await runCommand(
      command,
      { ...env, [SERVERS_VARIABLE]: listed },
      () => interrupted,
      (spawned) => {
        child = spawned;
      },
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(base, { recursive: true, force: true });
    for (const signal of signals) process.off(signal, onSignal);
    if (servers.length > 0) log('stopped the test servers');
  }
}

function runCommand(
  command: readonly string[],
  env: NodeJS.ProcessEnv,
  interrupted: () => boolean,
  onSpawn: (child: ChildProcess) => void = () => undefined,
): Promise<number> {
  const [file, ...args] = command;
  if (file === undefined) return Promise.reject(new Error('no command to run'));
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: 'inherit' });
    onSpawn(child);
    child.on('error', (error) => {
      log(`cannot run ${file}: ${error.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => {
      if (signal) resolve(128 + (constants.signals[signal] ?? 0));
      else resolve(code ?? (interrupted() ? 130 : 1));
    });
  });
}
