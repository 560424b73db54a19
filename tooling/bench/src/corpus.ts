import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_TYPES, type DataType } from '@datalake/core';

/** One line of the corpus's `manifest.tsv`: the expected classification and hash of a file. */
export interface ManifestRow {
  relativePath: string;
  dataType: DataType;
  bytes: number;
  sha256: string;
}

/** A small file used as a realistic artifact, with the folder it sits in. */
export interface Artifact {
  dataType: DataType;
  /** Folder relative to the corpus root ('' for none). */
  folder: string;
  name: string;
  bytes: Uint8Array;
}

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The corpus folder: `DATALAKE_CORPUS`, else `../shared/corpus` beside the repository, if it has a manifest. */
export async function locateCorpus(): Promise<string | undefined> {
  const candidate = process.env.DATALAKE_CORPUS ?? path.resolve(repoRoot, '..', 'shared', 'corpus');
  try {
    await readFile(path.join(candidate, 'manifest.tsv'));
    return candidate;
  } catch {
    return undefined;
  }
}

export async function readManifest(corpusDir: string): Promise<ManifestRow[]> {
  const text = await readFile(path.join(corpusDir, 'manifest.tsv'), 'utf8');
  const rows: ManifestRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [relativePath, type, bytes, sha256] = line.split('\t');
    if (!relativePath || !type || !bytes || !sha256) continue;
    if (!(DATA_TYPES as readonly string[]).includes(type)) continue;
    rows.push({ relativePath, dataType: type as DataType, bytes: Number(bytes), sha256 });
  }
  return rows;
}

/** The corpus files of at most `maxBytes`, loaded once, in manifest order. */
export async function loadArtifacts(corpusDir: string, maxBytes: number): Promise<Artifact[]> {
  const rows = (await readManifest(corpusDir)).filter((row) => row.bytes <= maxBytes);
  return Promise.all(
    rows.map(async (row) => {
      const folder = path.posix.dirname(row.relativePath);
      return {
        dataType: row.dataType,
        folder: folder === '.' ? '' : folder,
        name: path.posix.basename(row.relativePath),
        bytes: new Uint8Array(await readFile(path.join(corpusDir, ...row.relativePath.split('/')))),
      };
    }),
  );
}

/** Text artifacts of a few KiB, for machines without the corpus. */
export function syntheticArtifacts(count = 600): Artifact[] {
  const encoder = new TextEncoder();
  return Array.from({ length: count }, (_, i) => {
    const dataType = DATA_TYPES[i % DATA_TYPES.length] as DataType;
    const lines = Array.from(
      { length: 20 + (i % 60) },
      (_, line) => `-- ${dataType} artifact ${i}, line ${line}`,
    );
    return {
      dataType,
      folder: `synthetic/group${i % 17}`,
      name: `artifact-${i}.txt`,
      bytes: encoder.encode(lines.join('\n')),
    };
  });
}
