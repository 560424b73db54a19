import { describe, it } from 'vitest';

/** Where the tests find their S3 server: the same variables the SDK and the CI script use. */
export interface S3TestEnvironment {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export function s3TestEnvironment(): S3TestEnvironment | undefined {
  const endpoint = process.env.S3_ENDPOINT;
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!endpoint || !accessKeyId || !secretAccessKey) return undefined;
  return {
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  };
}

const MISSING =
  'S3 tests need S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
  '(start a local server with `bash tooling/s3-server/start.sh` and source the env file it prints)';

let warned = false;

/**
 * `describe` for tests that need a real S3 server. Without one they are skipped with a notice,
 * except under CI=true, where a missing server is a failure rather than a silent pass.
 */
export function describeWithS3(name: string, body: (environment: S3TestEnvironment) => void): void {
  const environment = s3TestEnvironment();
  if (environment) {
    describe(name, () => body(environment));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has an S3 server to test against', () => {
        throw new Error(`${MISSING}. CI=true, so this is a failure.`);
      });
    });
    return;
  }
  if (!warned) {
    console.warn(`\n[backend-s3] SKIPPING the S3 tests: ${MISSING}.\n`);
    warned = true;
  }
  describe.skip(name, () => body(undefined as unknown as S3TestEnvironment));
}
