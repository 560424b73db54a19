import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryBackend } from '@datalake/backend-memory';
import { DataLake, ValidationError } from '@datalake/core';
import { writeRaw } from '@datalake/test-support/trees';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IngestOptions,
  ingestTree,
  type ProgressReporter,
  SOURCE_PATH,
  SOURCE_ROOT,
} from '../src/index.js';
import { scratchFolder } from './support/scratch.js';

/** The package's public entry as another program (a server, a migration tool) would call it. */

const LOG = '2024-01-01T00:00:00Z INFO started\n'.repeat(100);

let work: string;
let tree: string;

beforeAll(async () => {
  work = await scratchFolder('datalake-ingest-api-');
  tree = join(work, 'tree');
  writeRaw(tree, ['db', 'orders.sql'], 'CREATE TABLE orders (id INT);\n');
  writeRaw(tree, ['docs', 'guide.md'], '# Guide\n\nHow to ship.\n');
  writeRaw(tree, ['app.yaml'], 'name: shop\nport: 8080\n');
  writeRaw(tree, ['big.log'], LOG);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function withMemoryLake<T>(work: (lake: DataLake) => Promise<T>): Promise<T> {
  const lake = await DataLake.open(new MemoryBackend(), { search: 'scan' });
  try {
    return await work(lake);
  } finally {
    await lake.close();
  }
}

/** Records every progress call in order. */
function recordingProgress(): { progress: ProgressReporter; calls: string[]; advanced: number[] } {
  const calls: string[] = [];
  const advanced: number[] = [];
  return {
    calls,
    advanced,
    progress: {
      start: (files, bytes) => calls.push(`start ${files} ${bytes}`),
      advance: (bytes) => {
        calls.push('advance');
        advanced.push(bytes);
      },
      stop: () => calls.push('stop'),
    },
  };
}

describe('ingestTree with only a root', () => {
  it('stores every file with its type and metadata, using the documented defaults', async () => {
    await withMemoryLake(async (lake) => {
      const summary = await ingestTree(lake, { root: tree });
      expect(summary).toMatchObject({ root: tree, dryRun: false, files: 4, stored: 4, failed: 0, pruned: 0 });
      expect(summary.outcomes).toBeUndefined();
      expect(summary.prunedPaths).toBeUndefined();
      const entries = await lake.list();
      expect(entries.map((entry) => [entry.filePath, entry.metadata[SOURCE_PATH]])).toEqual([
        ['configuration/app.yaml', 'app.yaml'],
        ['documentation/docs/guide.md', 'docs/guide.md'],
        ['logs/big.log', 'big.log'],
        ['schema/db/orders.sql', 'db/orders.sql'],
      ]);
      expect(entries.every((entry) => entry.metadata[SOURCE_ROOT] === tree)).toBe(true);
      expect(await ingestTree(lake, { root: tree })).toMatchObject({ stored: 0, skipped: 4 });
    });
  });

  it('reports progress: start with the totals, one advance per file, stop once', async () => {
    await withMemoryLake(async (lake) => {
      const recorder = recordingProgress();
      const summary = await ingestTree(lake, { root: tree, progress: recorder.progress, maxSize: 100 });
      // Files over maxSize fail, and are still counted as done.
      expect(summary.failures.map((failure) => failure.path)).toEqual(['big.log']);
      expect(recorder.calls[0]).toBe(`start 4 ${summary.bytes + LOG.length}`);
      expect(recorder.calls.slice(1, -1)).toEqual(['advance', 'advance', 'advance', 'advance']);
      expect(recorder.calls.at(-1)).toBe('stop');
      expect(recorder.advanced.reduce((a, b) => a + b)).toBe(summary.bytes + LOG.length);
    });
  });
});

describe('ingestTree options', () => {
  const refuses = async (options: Partial<IngestOptions>, option: string) => {
    await withMemoryLake(async (lake) => {
      const attempt = ingestTree(lake, { root: tree, ...options });
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION', details: { option } });
      expect(await lake.list()).toEqual([]);
    });
  };

  it('refuses a concurrency that is not a positive integer, writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.double().filter((value) => !Number.isInteger(value) || value < 1),
        ),
        (concurrency) => refuses({ concurrency }, 'concurrency'),
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a negative or NaN maxSize and an empty root, writing nothing', async () => {
    await refuses({ maxSize: -1 }, 'maxSize');
    await refuses({ maxSize: Number.NaN }, 'maxSize');
    await refuses({ root: '' }, 'root');
  });

  it('gives the same lake whatever the concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 }), async (concurrency) => {
        await withMemoryLake(async (lake) => {
          const summary = await ingestTree(lake, { root: tree, concurrency });
          expect(summary).toMatchObject({ stored: 4, failed: 0 });
          expect((await lake.list()).map((entry) => entry.filePath)).toEqual([
            'configuration/app.yaml',
            'documentation/docs/guide.md',
            'logs/big.log',
            'schema/db/orders.sql',
          ]);
        });
      }),
      { numRuns: 8 },
    );
  });
});
