import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { corpusOrSkip } from './support/corpus.js';
import { describeCorpusIngest } from './support/corpus-suite.js';
import { s3TargetOrSkip } from './support/s3.js';

const corpus = corpusOrSkip();
const s3 = await s3TargetOrSkip();

if (corpus && s3) {
  describeCorpusIngest(corpus, {
    name: 's3',
    lakeUrl: () => `s3://${s3.bucket}/cli-corpus-${randomUUID().slice(0, 8)}`,
    options: { env: s3.env },
  });
} else {
  describe.skip('ingest of the reference corpus on S3 (no corpus or no S3 server)', () => {});
}
