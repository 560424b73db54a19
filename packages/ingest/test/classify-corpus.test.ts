import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusOrSkip } from '@datalake/test-support/corpus';
import { describe, expect, it } from 'vitest';
import { classify } from '../src/classify.js';
import { decodeText } from '../src/encoding.js';

const corpus = corpusOrSkip();

describe.runIf(corpus)('classifier on the reference corpus', () => {
  it('agrees with every type in the manifest, without looking at the type folder', () => {
    const root = corpus as NonNullable<typeof corpus>;
    const disagreements: string[] = [];
    for (const item of root.manifest) {
      const bytes = readFileSync(join(root.dir, item.path));
      const decoded = decodeText(bytes);
      const fileName = item.path.slice(item.path.lastIndexOf('/') + 1);
      const verdict = classify(fileName, decoded.text, decoded.encoding === 'binary');
      if (verdict.dataType !== item.type)
        disagreements.push(`${item.path}: expected ${item.type}, got ${verdict.dataType}`);
    }
    const agreement = 1 - disagreements.length / root.manifest.length;
    console.log(
      `classification agreement: ${(agreement * 100).toFixed(2)}% of ${root.manifest.length} files`,
    );
    expect(disagreements).toEqual([]);
  });
});
