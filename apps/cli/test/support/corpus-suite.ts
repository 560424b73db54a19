import { createHash } from 'node:crypto';
import { appendFile, cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, SearchResult } from '@datalake/core';
import type { IngestSummary } from '@datalake/ingest';
import type { Corpus, ManifestItem } from '@datalake/test-support/corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliOptions, runCli, runJson } from './cli.js';

/** Corpus files that are not artifacts (and so are not in the manifest). */
const NOT_ARTIFACTS = ['--exclude', 'LICENSES', '--exclude', 'SOURCES.md', '--exclude', 'manifest.tsv'];

export interface BackendCase {
  name: string;
  /** The lake URL, given the test's scratch folder. */
  lakeUrl: (work: string) => string;
  options: CliOptions;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Ingests the reference corpus with the built command into one backend and checks the result:
 * types, bytes, idempotency, updates, moves, pruning and search against a plain scan.
 */
export function describeCorpusIngest(corpus: Corpus, backend: BackendCase): void {
  describe(`ingest of the reference corpus on ${backend.name}`, () => {
    const manifest = corpus.manifest;
    const byPath = new Map<string, ManifestItem>(manifest.map((item) => [item.path, item]));
    let work: string;
    let tree: string;
    let lakeUrl: string;
    const json = <T>(args: string[]) => runJson<T>(['--lake', lakeUrl, ...args], backend.options);
    const ingest = async (...extra: string[]) => {
      const args = ['--lake', lakeUrl, 'ingest', tree, '--no-progress', '--json', ...NOT_ARTIFACTS, ...extra];
      const result = await runCli(args, backend.options);
      const summary = JSON.parse(result.stdout) as IngestSummary;
      expect(summary.failures).toEqual([]);
      expect(result.code).toBe(0);
      return summary;
    };

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), `datalake-corpus-${backend.name}-`));
      tree = join(work, 'corpus');
      await cp(corpus.dir, tree, { recursive: true });
      lakeUrl = backend.lakeUrl(work);
    });

    afterAll(async () => {
      await rm(work, { recursive: true, force: true });
    });

    it('stores exactly the manifest entries with their manifest types', async () => {
      const summary = await ingest();
      expect(summary).toMatchObject({ stored: manifest.length, updated: 0, skipped: 0, failed: 0 });
      const entries = await json<Entry[]>(['ls']);
      expect(entries).toHaveLength(manifest.length);
      const disagreements = entries.filter(
        (entry) => byPath.get(entry.metadata.sourcePath as string)?.type !== entry.dataType,
      );
      expect(disagreements.map((entry) => entry.filePath)).toEqual([]);
      expect(new Set(entries.map((entry) => entry.metadata.sourcePath))).toEqual(new Set(byPath.keys()));
      // The index built on ingest's worker thread covers every entry: nothing is left to catch up.
      const check = await runCli(['--lake', lakeUrl, 'check-index', '--json'], backend.options);
      expect(check.stderr).toBe('');
      expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, covered: manifest.length, uncovered: [] });
    });

    it('gives back every file byte-exact (get) with the manifest sha256', async () => {
      const entries = await json<Entry[]>(['ls']);
      const out = join(work, 'out');
      await json(['get', '--output-dir', out, ...entries.map((entry) => entry.id)]);
      const mismatches: string[] = [];
      for (const entry of entries) {
        const expected = byPath.get(entry.metadata.sourcePath as string);
        const bytes = await readFile(join(out, ...entry.filePath.split('/')));
        if (sha256(bytes) !== expected?.sha256 || entry.sha256 !== expected.sha256)
          mismatches.push(entry.filePath);
      }
      expect(mismatches).toEqual([]);
    });

    it('stores nothing on a second run', async () => {
      expect(await ingest()).toMatchObject({
        stored: 0,
        updated: 0,
        moved: 0,
        skipped: manifest.length,
        failed: 0,
      });
    });

    it('turns a changed file into an update, and a reclassified file into a move', async () => {
      const changed = manifest.find((item) => item.path.endsWith('.sql')) as ManifestItem;
      await appendFile(join(tree, changed.path), '\n-- changed by the test\n');
      const reclassified = manifest.find(
        (item) => item.type === 'other' && item.path.endsWith('.txt'),
      ) as ManifestItem;
      await writeFile(join(tree, reclassified.path), 'CREATE TABLE moved_here (id INT);\n');

      expect(await ingest()).toMatchObject({ stored: 0, updated: 1, moved: 1, skipped: manifest.length - 2 });
      const entries = await json<Entry[]>(['ls']);
      expect(entries).toHaveLength(manifest.length);
      const update = entries.find((entry) => entry.metadata.sourcePath === changed.path);
      expect(update?.sha256).toBe(sha256(await readFile(join(tree, changed.path))));
      expect(update?.updatedAt).not.toBeNull();
      const moved = entries.filter((entry) => entry.metadata.sourcePath === reclassified.path);
      expect(moved.map((entry) => entry.dataType)).toEqual(['schema']);
    });

    it('prunes entries whose files disappeared', async () => {
      const gone = manifest.find((item) => item.type === 'logs') as ManifestItem;
      await unlink(join(tree, gone.path));
      const summary = await ingest('--prune');
      expect(summary).toMatchObject({ pruned: 1, stored: 0, updated: 0 });
      const entries = await json<Entry[]>(['ls']);
      expect(entries).toHaveLength(manifest.length - 1);
      expect(entries.some((entry) => entry.metadata.sourcePath === gone.path)).toBe(false);
    });

    it.each([
      ['substring', 'create table'],
      ['substring', 'Attribute VB_Name'],
      ['substring', 'é'],
      ['substring', 'ERROR'],
      ['substring', 'localhost:'],
      ['regex', 'VB_Name = "[A-Z]'],
      ['regex', '[0-9]{4}-[0-9]{2}-[0-9]{2}T'],
    ])('search (%s "%s") finds what a plain scan of the files finds', async (mode, query) => {
      const found = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const args = ['search', query, '--limit', '1000', ...(mode === 'regex' ? ['--regex'] : [])];
        const result = await json<SearchResult>(cursor ? [...args, '--cursor', cursor] : args);
        for (const hit of result.hits)
          if (hit.matchedIn.includes('content')) found.add(hit.entry.metadata.sourcePath as string);
        cursor = result.cursor;
        if (!cursor) break;
      }
      const pattern = mode === 'regex' ? new RegExp(query, 'i') : undefined;
      const expected = new Set<string>();
      const decoder = new TextDecoder();
      for (const item of manifest) {
        let bytes: Buffer;
        try {
          bytes = await readFile(join(tree, item.path));
        } catch {
          continue; // pruned above
        }
        const text = decoder.decode(bytes);
        if (
          pattern
            ? text.split('\n').some((line) => pattern.test(line))
            : text.toLowerCase().includes(query.toLowerCase())
        )
          expected.add(item.path);
      }
      expect(expected.size).toBeGreaterThan(0);
      expect([...found].sort()).toEqual([...expected].sort());
    });
  });
}
