import type { S3ServerKind, S3TestServer } from './servers.js';

export interface S3SuiteOptions {
  /** Only servers of this kind (e.g. MinIO-only fault tests). */
  kind?: Exclude<S3ServerKind, 'other'>;
  /** Only servers whose fault control this run has (see `S3TestServer.faults`). */
  faults?: boolean;
}

/** What to register for one suite: the servers to run it on, and what to do about the rest. */
export type SuitePlan =
  | { action: 'run'; server: S3TestServer }
  | { action: 'skip'; title: string; why: string }
  | { action: 'fail'; title: string; why: string };

const HOW =
  'run the tests through the root `pnpm test` (it starts the test servers this machine can run: ' +
  'tooling/s3-server/install.sh for Ceph RGW, tooling/minio/install.sh for MinIO), ' +
  'or set S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

/**
 * Decides, without registering anything, how `title` runs on `servers`: once per matching server,
 * else one skip (outside CI) or one failure (under CI=true, where a missing server must not pass).
 */
export function planS3Suite(
  title: string,
  servers: readonly S3TestServer[],
  options: S3SuiteOptions,
  ci: boolean,
): SuitePlan[] {
  const plans: SuitePlan[] = [];
  const ofKind = servers.filter((server) => options.kind === undefined || server.kind === options.kind);
  const missing = (why: string): SuitePlan =>
    ci
      ? { action: 'fail', title, why: `${why}; CI=true, so this is a failure` }
      : { action: 'skip', title, why };
  if (ofKind.length === 0) {
    const wanted =
      options.kind === undefined
        ? 'an S3 server'
        : `a ${options.kind === 'rgw' ? 'Ceph RGW' : 'MinIO'} server`;
    const have =
      servers.length === 0 ? 'none is configured' : `configured: ${servers.map((s) => s.name).join(', ')}`;
    return [missing(`needs ${wanted} (${have}): ${HOW}`)];
  }
  for (const server of ofKind) {
    if (options.faults && server.faults === undefined) {
      plans.push({
        ...missing(
          `needs to crash a ${server.name} server of its own, which this run cannot do for ${server.endpoint} ` +
            '(use a server started by the project scripts or by `pnpm test`)',
        ),
        title: `${title} [${server.name}]`,
      } as SuitePlan);
    } else {
      plans.push({ action: 'run', server });
    }
  }
  return plans;
}
