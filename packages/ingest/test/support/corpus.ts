import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ManifestItem {
  /** Path inside the corpus, starting with the expected type folder. */
  path: string;
  type: string;
  bytes: number;
  sha256: string;
}

export interface Corpus {
  dir: string;
  manifest: ManifestItem[];
}

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The reference corpus: `DATALAKE_CORPUS`, or `shared/corpus` next to the repository. Missing, it
 * fails the run on CI and skips (with a notice) elsewhere.
 */
export function corpusOrSkip(): Corpus | undefined {
  const dir = process.env.DATALAKE_CORPUS ?? join(repositoryRoot, '..', 'shared', 'corpus');
  const manifestPath = join(dir, 'manifest.tsv');
  if (!existsSync(manifestPath)) {
    if (process.env.CI === 'true') throw new Error(`the reference corpus is missing (no ${manifestPath})`);
    console.warn(`notice: reference corpus not found at ${dir}; set DATALAKE_CORPUS to run the corpus tests`);
    return undefined;
  }
  const rows = readFileSync(manifestPath, 'utf8').split('\n').slice(1).filter(Boolean);
  const manifest = rows.map((row) => {
    const [path, type, bytes, sha256] = row.split('\t') as [string, string, string, string];
    return { path, type, bytes: Number(bytes), sha256 };
  });
  return { dir, manifest };
}
