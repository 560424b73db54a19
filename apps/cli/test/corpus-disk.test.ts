import { join } from 'node:path';
import { corpusOrSkip } from '@datalake/test-support/corpus';
import { describe } from 'vitest';
import { describeCorpusIngest } from './support/corpus-suite.js';

const corpus = corpusOrSkip();

if (corpus)
  describeCorpusIngest(corpus, { name: 'disk', lakeUrl: (work) => join(work, 'lake'), options: {} });
else describe.skip('ingest of the reference corpus on disk (no corpus)', () => {});
