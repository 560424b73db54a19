import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * The reference corpus, asked for explicitly with `DATALAKE_CORPUS=<folder with manifest.tsv>`.
 * Unset, the corpus tests skip with a notice; set to a folder without a manifest, they fail.
 */
export function corpusOrSkip(): Corpus | undefined {
  const dir = process.env.DATALAKE_CORPUS;
  if (!dir) {
    console.warn('notice: DATALAKE_CORPUS is not set; the reference-corpus tests are skipped');
    return undefined;
  }
  const manifestPath = join(dir, 'manifest.tsv');
  if (!existsSync(manifestPath)) throw new Error(`DATALAKE_CORPUS names no corpus (no ${manifestPath})`);
  const rows = readFileSync(manifestPath, 'utf8').split('\n').slice(1).filter(Boolean);
  const manifest = rows.map((row) => {
    const [path, type, bytes, sha256] = row.split('\t') as [string, string, string, string];
    return { path, type, bytes: Number(bytes), sha256 };
  });
  return { dir, manifest };
}
