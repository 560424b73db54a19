import { randomUUID } from 'node:crypto';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { corpusOrSkip } from '@datalake/test-support/corpus';
import { beforeAll, describe } from 'vitest';
import { describeCorpusIngest } from './support/corpus-suite.js';
import { type S3Target, s3Target } from './support/s3.js';

const corpus = corpusOrSkip();

if (corpus) {
  describeEachS3Server('the CLI on S3', (server) => {
    let target: S3Target;
    const env: Record<string, string> = {};
    // Registered before the corpus suite's own hooks, so the bucket exists when they run.
    beforeAll(async () => {
      target = await s3Target(server);
      Object.assign(env, target.env);
    });
    describeCorpusIngest(corpus, {
      name: `s3 (${server.name})`,
      lakeUrl: () => `s3://${target.bucket}/cli-corpus-${randomUUID().slice(0, 8)}`,
      options: { env },
    });
  });
} else {
  describe.skip('ingest of the reference corpus on S3 (no corpus)', () => {});
}
