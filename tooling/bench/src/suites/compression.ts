import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, DataType, DEFAULT_COMPRESSION_CODEC, DEFAULT_MIN_BYTES } from '@datalake/core';
import { type Artifact, loadArtifacts, syntheticArtifacts } from '../corpus.js';
import { type Measurement, median, timeMs } from '../measure.js';
import type { ResultRow, SuiteReport } from '../report.js';
import type { Suite, SuiteContext } from '../suite.js';
import type { TargetSpec } from '../targets.js';

const MiB = 1024 * 1024;

/**
 * Issue 16, compression: how much smaller the corpus's logs and documentation are stored with the
 * default codec, and how fast a compressed 50 MiB entry reads back, against the same entry stored
 * as it came (both in this run, on the same disk backend).
 */
export const compressionSuite: Suite = {
  name: 'compression',
  title: 'compression (issue 16): stored size, reads of compressed content',
  async run(context) {
    const rows: ResultRow[] = [];
    const notes: string[] = [];
    const { artifacts, source } = await textArtifacts(context);
    const sizes = await storedSizes(context, artifacts);
    notes.push(
      `content: ${source}; ${artifacts.length} files, ${(sizes.original / MiB).toFixed(1)} MiB; codec ${DEFAULT_COMPRESSION_CODEC} stored every file that saves ≥ 10% compressed (threshold 0): ${(sizes.original / sizes.stored).toFixed(2)}× smaller; with the default threshold (${DEFAULT_MIN_BYTES / 1024} KiB): ${(sizes.original / sizes.storedAtDefault).toFixed(2)}× smaller`,
    );
    rows.push({
      operation: `logs + documentation stored size, ${DEFAULT_COMPRESSION_CODEC} (ratio original/stored)`,
      backend: 'disk',
      n: artifacts.length,
      result: { kind: 'rate', samples: [sizes.original / sizes.stored] },
      target: ratioAtLeast(3),
    });

    const reads = await compressedReads(context);
    notes.push(
      `read: readStream of one 50 MiB log entry to the end, in MB/s (10^6 bytes); baseline: the same entry stored as it came; stored compressed: ${(reads.storedBytes / MiB).toFixed(1)} MiB`,
      `read per CPU second of this process (all its threads; tells what the wall rate would be on an idle machine): compressed ${median(reads.compressedCpu).toFixed(0)} MB/s, as it came ${median(reads.plainCpu).toFixed(0)} MB/s (medians)`,
    );
    rows.push({
      operation: 'read a compressed 50 MiB entry (MB/s)',
      backend: 'disk',
      n: reads.compressed.samples.length,
      result: reads.compressed,
      baseline: { label: 'stored as it came', measurement: reads.plain },
      target: { label: '≥ 200 MB/s', test: (result) => median(result) >= 200 },
    });
    return { rows, notes } satisfies SuiteReport;
  },
};

function ratioAtLeast(factor: number): TargetSpec {
  return { label: `≥ ${factor}×`, test: (result) => median(result) >= factor };
}

async function textArtifacts(context: SuiteContext): Promise<{ artifacts: Artifact[]; source: string }> {
  const wanted = (artifact: Artifact) =>
    artifact.dataType === DataType.LOGS || artifact.dataType === DataType.DOCUMENTATION;
  if (context.corpusDir) {
    const artifacts = (await loadArtifacts(context.corpusDir, 64 * MiB)).filter(wanted);
    if (artifacts.length > 0) return { artifacts, source: 'the reference corpus (logs, documentation)' };
  }
  return {
    artifacts: syntheticArtifacts(context.quick ? 300 : 1200).filter(wanted),
    source: 'generated log and documentation files (no corpus found: set DATALAKE_CORPUS)',
  };
}

async function storedSizes(
  context: SuiteContext,
  artifacts: Artifact[],
): Promise<{ original: number; stored: number; storedAtDefault: number }> {
  const backend = new DiskBackend({ root: path.join(context.workRoot, 'compression-corpus'), fsync: false });
  const lake = await DataLake.open(backend, { search: 'scan', onNotice: () => {} });
  await lake.setCompression({ codec: DEFAULT_COMPRESSION_CODEC, minBytes: 0 });
  let storedAtDefault = 0;
  for (const [index, artifact] of artifacts.entries()) {
    const entry = await lake.store({
      name: artifact.name,
      subpath: artifact.folder ? `${index}/${artifact.folder}` : String(index),
      dataType: artifact.dataType,
      content: artifact.bytes,
    });
    storedAtDefault += entry.size >= DEFAULT_MIN_BYTES ? (entry.stored?.size ?? entry.size) : entry.size;
  }
  const stats = await lake.getStats();
  await lake.close();
  return { original: stats.originalSizeBytes ?? 0, stored: stats.storedSizeBytes ?? 0, storedAtDefault };
}

/** 50 MiB of log lines, made on the fly. */
function* logChunks(bytes: number): Iterable<Uint8Array> {
  const encoder = new TextEncoder();
  let made = 0;
  for (let block = 0; made < bytes; block++) {
    const lines: string[] = [];
    for (let line = 0; line < 2000; line++) {
      const n = block * 2000 + line;
      lines.push(
        `2026-03-0${1 + (n % 9)}T${String(n % 24).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:${String((n * 7) % 60).padStart(2, '0')}Z ${['INFO', 'WARN', 'DEBUG'][n % 3]} svc-${n % 17} req=${(n * 2654435761) % 1000003} path=/api/v1/items/${n % 4093} status=${n % 50 === 0 ? 500 : 200} took=${n % 997}ms`,
      );
    }
    const chunk = encoder.encode(`${lines.join('\n')}\n`);
    const part = chunk.subarray(0, Math.min(chunk.byteLength, bytes - made));
    made += part.byteLength;
    yield part;
  }
}

async function compressedReads(context: SuiteContext): Promise<{
  compressed: Measurement;
  plain: Measurement;
  storedBytes: number;
  compressedCpu: Measurement;
  plainCpu: Measurement;
}> {
  const size = 50 * MiB;
  const repeats = context.quick ? 3 : 5;
  const results: Record<'compressed' | 'plain', Measurement> = {
    compressed: { kind: 'rate', samples: [] },
    plain: { kind: 'rate', samples: [] },
  };
  const cpu: Record<'compressed' | 'plain', Measurement> = {
    compressed: { kind: 'rate', samples: [] },
    plain: { kind: 'rate', samples: [] },
  };
  let storedBytes = 0;
  for (const form of ['plain', 'compressed'] as const) {
    const backend = new DiskBackend({
      root: path.join(context.workRoot, `compression-read-${form}`),
      fsync: false,
    });
    const lake = await DataLake.open(backend, { search: 'scan', onNotice: () => {} });
    if (form === 'compressed') await lake.setCompression({ codec: DEFAULT_COMPRESSION_CODEC, minBytes: MiB });
    const entry = await lake.store({ name: 'big.log', dataType: DataType.LOGS, content: logChunks(size) });
    if (form === 'compressed') storedBytes = entry.stored?.size ?? entry.size;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const before = process.cpuUsage();
      const ms = await timeMs(async () => {
        const { stream } = await lake.readStream(entry.id);
        for await (const _chunk of stream);
      });
      const used = process.cpuUsage(before);
      results[form].samples.push(size / 1e6 / (ms / 1000));
      cpu[form].samples.push(size / 1e6 / ((used.user + used.system) / 1e6));
    }
    context.log(
      `compression: read ${form} ${results[form].samples.map((s) => s.toFixed(0)).join(', ')} MB/s`,
    );
    await lake.close();
  }
  return { ...results, storedBytes, compressedCpu: cpu.compressed, plainCpu: cpu.plain };
}
