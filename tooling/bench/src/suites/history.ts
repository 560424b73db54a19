import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, DataType, PutMode, type StorageBackend } from '@datalake/core';
import { latency, type Measurement, timeMs } from '../measure.js';
import type { ResultRow, SuiteReport } from '../report.js';
import type { Suite } from '../suite.js';
import { latencyAtMost, latencyRatioAtMost } from '../targets.js';
import { generatedLake, interleavedOpens, ListsAsOf } from './history-lake.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Issue 15: entry history. Updates with history against the writes an update made before history
 * (pending mark, content, commit) replayed on the same backend; the first history page of an entry
 * with 1,000 versions; `list({ asOf })` over the lake.
 */
export const historySuite: Suite = {
  name: 'history',
  title: 'history (issue 15): versions, time travel',
  async run(context) {
    const rows: ResultRow[] = [];
    const notes = [
      'baseline of "update": an update as the lake made it before history (read the record, pending mark, content, commit), replayed on the same disk backend, alternating call by call with the measured updates; the lake is opened with search: scan and no change journal, as the replay keeps neither',
      `targets: update ≤ 1.3× baseline (fsync off and on); first history page of 1,000 versions ≤ 5 ms; DataLake.open with 3 versions each ≤ 1.2× with 1 version each; list asOf over the largest size < 1 s`,
    ];
    const updates = context.quick ? 100 : 400;
    for (const fsync of [false, true]) {
      const root = path.join(context.workRoot, `history-update-${fsync ? 'fsync' : 'nofsync'}`);
      const backend = new DiskBackend({ root, fsync });
      // Without search upkeep or change notes, which the replayed writes do not include either.
      const lake = await DataLake.open(backend, {
        search: 'scan',
        changeJournal: false,
        keepBackendOpen: true,
        onNotice: () => {},
      });
      const entry = await lake.store({ name: 'cfg.txt', content: 'v0', dataType: DataType.CONFIGURATION });
      const { baseline, result } = await interleavedUpdates(backend, updates, (i) =>
        lake.update(entry.id, { content: `content of version ${i}\n` }),
      );
      rows.push({
        operation: `update with history (fsync ${fsync ? 'on' : 'off'})`,
        backend: 'disk',
        n: updates,
        result,
        baseline: { label: 'update before history (replayed)', measurement: baseline },
        target: latencyRatioAtMost(1.3),
      });
      await lake.close();
      await backend.close();
    }

    const root = path.join(context.workRoot, 'history-long');
    const backend = new DiskBackend({ root, fsync: false });
    const lake = await DataLake.open(backend, {
      ...context.lakeOptions,
      keepBackendOpen: true,
      onNotice: () => {},
    });
    const long = await lake.store({ name: 'long.log', content: 'v0', dataType: DataType.LOGS });
    for (let i = 1; i < 1000; i++)
      await lake.update(long.id, i % 10 === 0 ? { content: `v${i}` } : { metadata: { i } });
    rows.push({
      operation: 'first history page (1,000 versions)',
      backend: 'disk',
      n: 1000,
      result: await latency(context.quick ? 50 : 200, () => lake.history(long.id, { limit: 100 })),
      target: latencyAtMost(5),
    });
    await lake.close();

    const size = Math.max(...context.sizes);
    const runs = context.quick ? 2 : 5;
    const single = await generatedLake(context, size, 1);
    const triple = await generatedLake(context, size, 3);
    // Between the second and third versions: every entry changed since, each shown at version 2.
    const lists = new ListsAsOf(triple.asOf);
    const [openSingle, openTriple] = await interleavedOpens(
      context,
      [single.root, triple.root],
      runs,
      async (index, opened) => {
        if (index === 1) await lists.time(opened);
      },
    );
    rows.push({
      operation: 'DataLake.open, 3 versions each',
      backend: 'disk',
      n: size,
      result: openTriple as Measurement,
      baseline: { label: 'open, 1 version each', measurement: openSingle as Measurement },
      target: latencyRatioAtMost(1.2),
    });
    if (lists.listed !== size) throw new Error(`list({ asOf }) gave ${lists.listed} entries, not ${size}`);
    const listed = lists.measurements();
    rows.push({
      operation: 'list({ asOf }), all changed since: first call after open',
      backend: 'disk',
      n: size,
      result: listed.first,
      target: latencyAtMost(1000),
    });
    rows.push({
      operation: 'list({ asOf }), all changed since: next calls',
      backend: 'disk',
      n: size,
      result: listed.again,
      target: latencyAtMost(1000),
    });
    notes.push(
      `lakes of ${size.toLocaleString('en-US')} entries written object by object through the disk backend (fsync off), each entry a store and, for "3 versions", two metadata-only updates an hour apart; both opened and closed once (catalog snapshot) before the opens are timed, alternating`,
      `the first list({ asOf }) ever on the generated lake reads every record and leaves the timeline index at close: ${(triple.building ?? 0).toFixed(0)} ms (not a target); the timed calls are on the lakes the open rows opened afresh, after their timed open`,
    );
    await backend.close();
    return { rows, notes } satisfies SuiteReport;
  },
};

/** An entry record as the lake wrote it before history (no version list). */
function preHistoryRecord(i: number, pending: boolean): Uint8Array {
  const entry = {
    id: '0b6f3c1e-5a7d-4d2b-9a4e-3f1c2b7d8e90',
    name: 'baseline.txt',
    dataType: 'configuration',
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: new Date().toISOString(),
    filePath: 'configuration/baseline.txt',
    subpath: '',
    size: 20,
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  };
  const record = pending
    ? { format: 1, entry, pending: { writer: `bench-${i}`, metadata: {}, updatedAt: entry.updatedAt } }
    : { format: 1, entry };
  return encoder.encode(JSON.stringify(record));
}

/**
 * An update as the lake made it before history, on the same backend: read and parse the record,
 * mark it pending (compare-and-swap), write the content, commit (compare-and-swap).
 */
async function preHistoryUpdate(backend: StorageBackend, key: string, i: number): Promise<void> {
  const object = await backend.get(key);
  if (!object) throw new Error('the baseline record is gone');
  let text = '';
  for await (const chunk of object.body) text += decoder.decode(chunk, { stream: true });
  JSON.parse(text);
  let etag = (await backend.put(key, preHistoryRecord(i, true), { mode: PutMode.replace(object.etag) })).etag;
  await backend.put('configuration/baseline.txt', encoder.encode(`content of version ${i}\n`));
  etag = (await backend.put(key, preHistoryRecord(i, false), { mode: PutMode.replace(etag) })).etag;
  void etag;
}

/**
 * The lake's updates and the pre-history replay, alternating call by call, so that both see the
 * same load on a busy machine.
 */
async function interleavedUpdates(
  backend: StorageBackend,
  count: number,
  update: (i: number) => Promise<unknown>,
): Promise<{ baseline: Measurement; result: Measurement }> {
  const key = '.bench/record.json';
  await backend.put(key, preHistoryRecord(0, false));
  const baseline: number[] = [];
  const result: number[] = [];
  for (let i = 0; i < count; i++) {
    baseline.push(await timeMs(() => preHistoryUpdate(backend, key, i)));
    result.push(await timeMs(() => update(i)));
  }
  return { baseline: { kind: 'latency', samples: baseline }, result: { kind: 'latency', samples: result } };
}
