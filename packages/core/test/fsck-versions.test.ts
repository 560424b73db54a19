import { createHash } from 'node:crypto';
import type { StorageBackend } from '@datalake/model';
import { collectBody, DataType } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import type { FsckReport } from '../src/lake/fsck.js';
import {
  BLOBS_PREFIX,
  blobKey,
  deletedKey,
  LEGACY_TIMELINE_KEY,
  PAGES_PREFIX,
  TIMELINE_KEY,
  VERSIONS_PREFIX,
} from '../src/lake/history/keys.js';
import { HOLDS_PREFIX } from '../src/lake/history/retention/holds.js';
import { metadataKey } from '../src/lake/paths.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Objects are judged orphaned at once (no write of this test is in flight when fsck runs). */
function open(backend: StorageBackend): Promise<DataLake> {
  return DataLake.open(backend, {
    keepBackendOpen: true,
    onNotice: () => {},
    search: 'scan',
    writeLeaseMs: 0,
  });
}

/** A lake with history: an entry with three contents, a long one with a page, a deleted one, a hold. */
async function lakeWithHistory() {
  const backend = new MapBackend();
  const lake = await open(backend);
  const cfg = await lake.store({ name: 'cfg.txt', content: 'one', dataType: DataType.CONFIGURATION });
  await lake.update(cfg.id, { content: 'two' });
  await lake.update(cfg.id, { content: 'three' });
  const long = await lake.store({ name: 'long.log', content: 'v0', dataType: DataType.LOGS });
  for (let i = 1; i <= 70; i++) await lake.update(long.id, { metadata: { i } });
  const gone = await lake.store({ name: 'gone.txt', content: 'bye', dataType: DataType.OTHER });
  await lake.delete(gone.id);
  await lake.retention.setLegalHold(cfg.id, { reason: 'audit' });
  await lake.retention.setRules([{ name: 'keep', keepLastVersions: 10 }]);
  return { backend, lake, ids: { cfg: cfg.id, long: long.id, gone: gone.id } };
}

function kinds(report: FsckReport): string[] {
  return report.problems.map((problem) => problem.kind).sort();
}

describe('fsck of entry history (.versions/)', () => {
  it('finds nothing wrong in a lake with history, pages, a deleted entry, rules and holds', async () => {
    const { lake } = await lakeWithHistory();
    const report = await lake.fsck();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    await lake.close();
  });

  it('reports a missing blob and a blob whose bytes are not its SHA-256 (not repairable)', async () => {
    const { backend, lake, ids } = await lakeWithHistory();
    await backend.delete(blobKey(sha('one')));
    await backend.put(blobKey(sha('two')), encoder.encode('not two'));
    await backend.delete(blobKey(sha('bye')));
    const report = await lake.fsck({ repair: true });
    expect(kinds(report)).toEqual([
      'missing-version-content',
      'missing-version-content',
      'version-content-mismatch',
    ]);
    expect(report.problems.find((p) => p.key === blobKey(sha('one')))?.id).toBe(ids.cfg);
    expect(report.problems.find((p) => p.key === blobKey(sha('bye')))?.id).toBe(ids.gone);
    expect(report.problems.every((problem) => !problem.repairable && !problem.repaired)).toBe(true);
    expect(report.ok).toBe(false);
    // With sizes only, the damaged blob is not read; the missing ones are still missing.
    expect(kinds(await lake.fsck({ verifyContent: 'size' }))).toEqual([
      'missing-version-content',
      'missing-version-content',
    ]);
    await lake.close();
  });

  it('reports orphan blobs and pages, and repair moves them to the quarantine', async () => {
    const { backend, lake } = await lakeWithHistory();
    await backend.put(blobKey(sha('nobody')), encoder.encode('nobody'));
    await backend.put(`${BLOBS_PREFIX}not-a-hash`, encoder.encode('x'));
    await backend.put(`${PAGES_PREFIX}stray/1-2-ab.json`, encoder.encode('{}'));
    const found = await lake.fsck();
    expect(kinds(found)).toEqual(['orphaned-blob', 'orphaned-blob', 'orphaned-page']);
    expect(found.problems.every((problem) => problem.repairable)).toBe(true);
    const repaired = await lake.fsck({ repair: true });
    expect(repaired.problems.every((problem) => problem.repaired?.action === 'quarantined')).toBe(true);
    expect(await backend.head(blobKey(sha('nobody')))).toBeNull();
    expect((await lake.fsck()).ok).toBe(true);
    await lake.close();
  });

  it('knows the timeline file, and moves anything else lying directly in .versions/ to the quarantine', async () => {
    const { backend, lake, ids } = await lakeWithHistory();
    await lake.close();
    const reopened = await open(backend);
    await reopened.list({ asOf: new Date() });
    await reopened.update(ids.cfg, { metadata: { seen: true } });
    await reopened.close();
    expect(await backend.head(TIMELINE_KEY)).not.toBeNull();
    await backend.put(LEGACY_TIMELINE_KEY, encoder.encode('{"format":1,"live":[],"deleted":[]}'));
    await backend.put(`${VERSIONS_PREFIX}notes.txt`, encoder.encode('x'));
    const lake2 = await open(backend);
    const found = await lake2.fsck();
    expect(found.problems.map((problem) => [problem.kind, problem.key])).toEqual([
      ['stray-object', `${VERSIONS_PREFIX}notes.txt`],
    ]);
    await lake2.fsck({ repair: true });
    expect(await backend.head(`${VERSIONS_PREFIX}notes.txt`)).toBeNull();
    expect(await backend.head(TIMELINE_KEY)).not.toBeNull();
    expect((await lake2.fsck()).ok).toBe(true);
    await lake2.close();
  });

  it('reports a page its history names that is gone, a damaged deleted record and damaged holds', async () => {
    const { backend, lake, ids } = await lakeWithHistory();
    const object = await backend.get(metadataKey(ids.long));
    const record = JSON.parse(
      Buffer.from(await collectBody(object?.body ?? new Uint8Array())).toString('utf8'),
    );
    expect(record.history.pages.length).toBeGreaterThan(0);
    await backend.delete(record.history.pages[0].key);
    await backend.put(deletedKey(ids.gone), encoder.encode('{ not json'));
    await backend.put(`${HOLDS_PREFIX}${ids.cfg}.json`, encoder.encode('[]'));
    const report = await lake.fsck({ repair: true });
    expect(kinds(report)).toEqual(['damaged-history', 'invalid-deleted-record', 'invalid-retention-object']);
    const deleted = report.problems.find((problem) => problem.kind === 'invalid-deleted-record');
    expect(deleted?.repaired?.action).toBe('quarantined');
    expect(report.problems.find((p) => p.kind === 'damaged-history')?.id).toBe(ids.long);
    // The quarantined record's content is named by nothing now, but while a history cannot be read
    // (the page is still gone) no blob is judged orphaned: that history may name it.
    expect(kinds(await lake.fsck())).toEqual(['damaged-history', 'invalid-retention-object']);
    await lake.close();
  });
});
