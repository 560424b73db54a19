import { type DataLake, DataType, type Entry } from '@datalake/core';
import { fillLake, patternBytes, sha256 } from './lakes.js';

/** A lake with history: updates, a restore, a deletion, an undeletion, notes, rules and a hold. */
export async function historied(lake: DataLake): Promise<{ doc: Entry; gone: Entry; big: Entry }> {
  await fillLake(lake);
  const doc = await lake.store({
    name: 'notes.md',
    content: '# one\n',
    dataType: DataType.DOCUMENTATION,
    author: 'ann',
    message: 'first',
  });
  await lake.update(doc.id, { content: '# two\n', metadata: { rev: 2 } });
  await lake.update(doc.id, { metadata: { rev: 3 }, author: 'bob' });
  await lake.restore(doc.id, 1, { message: 'back to one' });
  const gone = await lake.store({ name: 'gone.txt', content: 'bye', dataType: DataType.DOCUMENTATION });
  await lake.update(gone.id, { content: 'bye bye' });
  await lake.delete(gone.id, { message: 'tidy' });
  const big = await lake.store({
    name: 'big.bin',
    content: patternBytes(200_000, 3),
    dataType: DataType.OTHER,
  });
  await lake.update(big.id, { content: patternBytes(210_000, 4) });
  await lake.delete(big.id);
  await lake.undelete(big.id);
  await lake.retention.setRules([
    { name: 'docs', match: { dataType: 'documentation' }, keepLastVersions: 10 },
  ]);
  await lake.retention.setLegalHold(doc.id, { reason: 'audit' });
  return { doc, gone, big };
}

/** Everything history answers for each entry, live and deleted, as comparable values. */
export async function historyView(lake: DataLake, ids: readonly string[]) {
  const out: unknown[] = [];
  for (const id of ids) {
    const history = await lake.history(id, { limit: 1000 });
    const contents = [];
    for (const version of history.versions)
      contents.push(version.deleted ? null : sha256(await lake.readBytes(id, { version: version.version })));
    out.push({ history, contents });
  }
  return out;
}

export async function allIds(lake: DataLake, extra: readonly string[]): Promise<string[]> {
  return [...(await lake.list()).map((entry) => entry.id), ...extra].sort();
}
