import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DATA_TYPES, DataLake, type DataType } from '@datalake/core';
import { corpusFromEnv, readManifest } from '@datalake/test-support/corpus';

export interface LakeFile {
  name: string;
  dataType: DataType;
  subpath: string;
  content: Uint8Array;
}

/**
 * The corpus folder from `DATALAKE_CORPUS`, when it is set; set to a folder without a manifest, it
 * throws rather than testing a generated lake in its place.
 */
export async function corpusDir(): Promise<string | undefined> {
  return corpusFromEnv()?.dir;
}

/** The corpus's files, placed as the manifest classifies them (`<type>/<folders>/<name>`). */
export async function corpusFiles(dir: string): Promise<LakeFile[]> {
  const files: LakeFile[] = [];
  for (const { path: relative, type } of readManifest(dir)) {
    if (!(DATA_TYPES as readonly string[]).includes(type)) continue;
    const parts = relative.split('/');
    files.push({
      name: parts.at(-1) as string,
      dataType: type as DataType,
      subpath: parts.slice(1, -1).join('/'),
      content: new Uint8Array(await readFile(path.join(dir, ...parts))),
    });
  }
  return files;
}

/** Text artifacts in nested folders of every type, for machines without the corpus. */
export function generatedFiles(count: number): LakeFile[] {
  const encoder = new TextEncoder();
  return Array.from({ length: count }, (_, i) => {
    const dataType = DATA_TYPES[i % DATA_TYPES.length] as DataType;
    const lines = Array.from(
      { length: 10 + (i % 40) },
      (_, line) =>
        `${dataType} artifact ${i} line ${line}: SELECT id FROM table_${i % 97} WHERE n = ${line};`,
    );
    return {
      name: `artifact-${i}.txt`,
      dataType,
      subpath: `system${i % 7}/module${i % 13}`,
      content: encoder.encode(`${lines.join('\n')}\n`),
    };
  });
}

/**
 * Stores `files` `copies` times (copy k under the folder `copy<k>/` when there is more than one) into
 * the disk lake at `root`, some at a time.
 */
export async function fillLake(root: string, files: readonly LakeFile[], copies = 1): Promise<number> {
  const lake = await DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
  const total = files.length * copies;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const file = files[i % files.length] as LakeFile;
      const copy = Math.floor(i / files.length);
      const subpath = copies > 1 ? [`copy${copy}`, file.subpath].filter(Boolean).join('/') : file.subpath;
      await lake.store({ ...file, subpath });
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    await lake.close();
  }
  return total;
}
