import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of the corpus's `manifest.tsv`: where a file is, what type it should be, its size and hash. */
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

/** Reads `manifest.tsv` of the corpus in `dir` (a header line, then path, type, bytes, sha256). */
export function readManifest(dir: string): ManifestItem[] {
  const manifestPath = join(dir, 'manifest.tsv');
  if (!existsSync(manifestPath)) throw new Error(`DATALAKE_CORPUS names no corpus (no ${manifestPath})`);
  const rows = readFileSync(manifestPath, 'utf8').split('\n').slice(1).filter(Boolean);
  return rows.map((row) => {
    const [path, type, bytes, sha256] = row.split('\t');
    if (!path || !type || !bytes || !sha256 || !Number.isSafeInteger(Number(bytes))) {
      throw new Error(`${manifestPath}: malformed row ${JSON.stringify(row)}`);
    }
    return { path, type, bytes: Number(bytes), sha256 };
  });
}

/**
 * The reference corpus, asked for explicitly with `DATALAKE_CORPUS=<folder with manifest.tsv>`;
 * `undefined` when the variable is unset. Set to a folder without a manifest, it throws: a run that
 * asked for the corpus must not pass without it.
 */
export function corpusFromEnv(): Corpus | undefined {
  const dir = process.env.DATALAKE_CORPUS;
  if (!dir) return undefined;
  return { dir, manifest: readManifest(dir) };
}

/** {@link corpusFromEnv}, printing a notice when the corpus tests are skipped for want of it. */
export function corpusOrSkip(): Corpus | undefined {
  const corpus = corpusFromEnv();
  if (!corpus) console.warn('notice: DATALAKE_CORPUS is not set; the reference-corpus tests are skipped');
  return corpus;
}
