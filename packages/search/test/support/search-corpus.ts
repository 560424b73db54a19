import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataType } from '@datalake/model';
import { corpusFromEnv } from '@datalake/test-support/corpus';
import type { TestDocument } from './search-host.js';

/** Built-in documents, always used: non-ASCII, punctuation, CRLF, invalid UTF-8. */
const BUILT_IN: TestDocument[] = [
  { name: 'crlf.sql', dataType: 'schema', content: 'CREATE TABLE t (\r\n  a INT -- café\r\n);\r\n' },
  {
    name: 'greek.md',
    dataType: 'documentation',
    content: 'ΣΊΣΥΦΟΣ σίσυφος ς ſ K Straße İstanbul 😀 emoji\n',
  },
  {
    name: 'bad.bin',
    dataType: 'other',
    content: new Uint8Array([0xff, 0x41, 0x42, 0x43, 0xc3, 0x0a, 0x80, 0x41]),
  },
  {
    name: 'punct.cfg',
    dataType: 'configuration',
    subpath: 'deep/er',
    content: 'key=value; [section]\n{"json": [1, 2]}\n$^.*+?()|\\/\n',
    metadata: { env: 'prod', level: 3 },
  },
];

/**
 * A sample of the shared corpus (every `stride`-th file up to `maxBytes`, plus its non-UTF-8 files)
 * and the built-in documents. The corpus is used only when `DATALAKE_CORPUS` names it; unset, the
 * built-in documents stand alone.
 */
export function corpusSample(stride: number, maxBytes: number): TestDocument[] {
  const corpus = corpusFromEnv();
  if (!corpus) return BUILT_IN;
  const root = corpus.dir;
  const docs: TestDocument[] = [...BUILT_IN];
  corpus.manifest.forEach(({ path, type, bytes }, i) => {
    const invalidUtf8 = !isUtf8(readFileSync(join(root, path)));
    if (!invalidUtf8 && (i % stride !== 0 || bytes > maxBytes)) return;
    const parts = path.split('/');
    docs.push({
      name: parts.at(-1) as string,
      dataType: type as DataType,
      subpath: parts.slice(1, -1).join('/'),
      content: new Uint8Array(readFileSync(join(root, path))),
      metadata: { source: parts[1] as string, index: i },
      createdAt: new Date(Date.UTC(2024, 0, 1 + (i % 300))).toISOString(),
    });
  });
  return docs;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
