import { describe, expect, it } from 'vitest';
import { TimelineFileWriter } from '../src/lake/history/timeline-file.js';
import { TimelineTable } from '../src/lake/history/timeline-table.js';
import type { EntryVersion, HistoryState } from '../src/lake/history/types.js';

const encoder = new TextEncoder();

function history(count: number): HistoryState {
  const versions: EntryVersion[] = Array.from({ length: count }, (_, index) => ({
    version: index + 1,
    at: new Date(Date.UTC(2026, 0, 1, index)).toISOString(),
    op: index === 0 ? 'store' : 'update',
    deleted: false,
    size: 1,
    sha256: 'a'.repeat(64),
    metadata: { index },
  }));
  return { versions, pages: [] };
}

describe('TimelineTable', () => {
  it('finds each record by id and kind, and tells whether it holds the etag given', () => {
    const writer = new TimelineFileWriter();
    const ids = Array.from({ length: 500 }, (_, index) => `id-${index}`);
    for (const id of ids) writer.addLive(id, `etag-${id}`, history(2));
    writer.addDeleted('gone', 'étag-gone', encoder.encode('{}'));
    const table = TimelineTable.read(writer.bytes());
    if (!table) throw new Error('the file was not read');
    expect(table.count).toBe(501);
    for (const [index, id] of ids.entries()) {
      const found = table.find(id, true);
      expect(found).toBe(index);
      expect(table.id(found)).toBe(id);
      expect(table.hasEtag(found, `etag-${id}`)).toBe(true);
      expect(table.hasEtag(found, `etag-${id}x`)).toBe(false);
      expect(table.hasEtag(found, 'etag-')).toBe(false);
      expect(table.find(id, false)).toBe(-1);
    }
    const gone = table.find('gone', false);
    expect(gone).toBe(500);
    expect(table.hasEtag(gone, 'étag-gone')).toBe(true);
    expect(table.hasEtag(gone, 'étag-gonf')).toBe(false);
    expect(table.etag(gone)).toBe('étag-gone');
    expect(table.find('gone', true)).toBe(-1);
    expect(table.find('never', true)).toBe(-1);
  });

  it('answers the first record of an id, as a reader of the file in order would', () => {
    const writer = new TimelineFileWriter();
    writer.addLive('twice', 'first', history(2));
    writer.addLive('other', 'o', history(3));
    writer.addLive('twice', 'second', history(3));
    const table = TimelineTable.read(writer.bytes());
    if (!table) throw new Error('the file was not read');
    const found = table.find('twice', true);
    expect(found).toBe(0);
    expect(table.isFirstOfId(0)).toBe(true);
    expect(table.isFirstOfId(2)).toBe(false);
    expect(table.hasEtag(found, 'second')).toBe(false);
  });

  it('refuses a file of another kind, a truncated one and one whose counts do not add up', () => {
    const writer = new TimelineFileWriter();
    writer.addLive('a', 'e', history(2));
    const bytes = writer.bytes();
    expect(TimelineTable.read(bytes)).toBeDefined();
    expect(TimelineTable.read(bytes.subarray(0, bytes.byteLength - 1))).toBeUndefined();
    expect(TimelineTable.read(encoder.encode('not a timeline file at all'))).toBeUndefined();
    const counted = new Uint8Array(bytes);
    new DataView(counted.buffer).setUint32(12, 0x7fffffff, true);
    expect(TimelineTable.read(counted)).toBeUndefined();
  });
});
