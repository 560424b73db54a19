import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AdapterListOptions,
  type AdapterPutOptions,
  BackendError,
  type BodyInput,
  ClosedError,
  DataLake,
  DataType,
  type GetOptions,
  PutMode,
  StorageFront,
  UnsafeBackendError,
  ValidationError,
} from '../src/index.js';
import { MapAdapter } from './support/map-adapter.js';

/** A Map adapter that records every call that reached it. */
class RecordingAdapter extends MapAdapter {
  readonly calls: string[] = [];
  override put(key: string, body: BodyInput, options: AdapterPutOptions) {
    this.calls.push(`put ${key}`);
    return super.put(key, body, options);
  }
  override get(key: string, options: GetOptions) {
    this.calls.push(`get ${key}`);
    return super.get(key, options);
  }
  override list(prefix: string, options: AdapterListOptions) {
    this.calls.push(`list ${prefix}`);
    return super.list(prefix, options);
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('the checking front', () => {
  it('property: an invalid key never reaches the adapter, and is a ValidationError from every method', async () => {
    const invalid = fc.oneof(
      fc.constantFrom(
        '',
        '/a',
        'a//b',
        'a/',
        '../x',
        'a/./b',
        'C:/x',
        'a\\b',
        'x\u0000',
        ' a',
        'é'.normalize('NFD'),
      ),
      fc.string().filter((text) => text.includes('//') || text.startsWith('/') || text.includes('\u0000')),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (key) => {
        const adapter = new RecordingAdapter();
        const front = new StorageFront(adapter);
        for (const call of [
          () => front.put(key, bytes('x')),
          () => front.get(key),
          () => front.head(key),
          () => front.delete(key),
        ]) {
          await expect(call()).rejects.toBeInstanceOf(ValidationError);
        }
        expect(adapter.calls).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('checks contentLength against a streamed body: the adapter stores nothing', async () => {
    const front = new StorageFront(new MapAdapter());
    async function* chunks() {
      yield bytes('abc');
      yield bytes('def');
    }
    await expect(front.put('k', chunks(), { contentLength: 5 })).rejects.toThrow(/at least 6 bytes.*says 5/);
    await expect(front.put('k', chunks(), { contentLength: 7 })).rejects.toThrow(/has 6 bytes.*says 7/);
    expect(await front.head('k')).toBeNull();
    expect((await front.put('k', chunks(), { contentLength: 6 })).size).toBe(6);
  });

  it('refuses a range, a limit or a cursor that is malformed before the adapter sees it', async () => {
    const adapter = new RecordingAdapter();
    const front = new StorageFront(adapter);
    await front.put('a', bytes('hello'));
    adapter.calls.length = 0;
    await expect(front.get('a', { range: { start: -1 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(front.get('a', { range: { start: 3, end: 2 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(front.list('', { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(front.list('', { cursor: 'not a cursor!' })).rejects.toBeInstanceOf(ValidationError);
    expect(adapter.calls).toEqual([]);
    await expect(front.get('a', { range: { start: 5 } })).rejects.toThrow(/past the end/);
  });

  it('wraps a foreign error in a BackendError naming the operation and the key', async () => {
    class Failing extends MapAdapter {
      override async get(): Promise<never> {
        throw new Error('disk on fire');
      }
    }
    const error = await new StorageFront(new Failing()).get('some/key').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/get of "some\/key" failed on map: disk on fire/);
  });

  it('names the values when an adapter breaks the contract (a body shorter than announced)', async () => {
    class Short extends MapAdapter {
      override async get(key: string, options: GetOptions) {
        const result = await super.get(key, options);
        return result && { ...result, size: result.size + 1 };
      }
    }
    const front = new StorageFront(new Short());
    await front.put('k', bytes('abc'));
    const got = await front.get('k');
    const read = async () => {
      for await (const _chunk of got?.body ?? []) {
      }
    };
    await expect(read()).rejects.toThrow(/get of "k": the body held 3 bytes, 4 were announced/);
  });

  it('refuses calls after close, and closes the adapter once', async () => {
    let closes = 0;
    class Closing extends MapAdapter {
      async close() {
        closes++;
      }
    }
    const front = new StorageFront(new Closing());
    await front.close();
    await front.close();
    expect(closes).toBe(1);
    await expect(front.get('k')).rejects.toBeInstanceOf(ClosedError);
  });

  it('refuses old ifMatch/ifNoneMatch options and metadata the adapter does not store', async () => {
    const front = new StorageFront(new MapAdapter());
    await expect(front.put('k', bytes('x'), { ifNoneMatch: '*' } as never)).rejects.toThrow(/PutMode/);
    await expect(front.put('k', bytes('x'), { contentType: 'text/plain' })).rejects.toThrow(/does not store/);
    await front.put('k', bytes('x'), { mode: PutMode.create });
    expect(await front.head('k')).not.toBeNull();
  });
});

describe('DataLake.open and its backend', () => {
  it('refuses a shared backend without atomic conditional writes unless the risk is accepted', async () => {
    class Racy extends MapAdapter {
      override readonly capabilities = {
        ...new MapAdapter().capabilities,
        sharedAcrossProcesses: true,
        atomicConditionalWrites: false,
      };
    }
    await expect(DataLake.open(new Racy())).rejects.toBeInstanceOf(UnsafeBackendError);
    await expect(DataLake.open(new Racy())).rejects.toThrow(/acceptNonAtomicWrites/);
    const lake = await DataLake.open(new Racy(), { acceptNonAtomicWrites: true, search: 'scan' });
    await lake.close();
  });

  it('closing one lake leaves the backend open for another lake that uses it; the last close closes it', async () => {
    let closes = 0;
    class Closing extends MapAdapter {
      async close() {
        closes++;
      }
    }
    const adapter = new Closing();
    const first = await DataLake.open(adapter, { search: 'scan' });
    const second = await DataLake.open(adapter, { search: 'scan' });
    const entry = await first.store({ name: 'a.sql', content: 'select 1', dataType: DataType.SCHEMA });
    await first.close();
    expect(closes).toBe(0);
    await second.refresh();
    expect((await second.retrieve(entry.id)).content).toBe('select 1');
    await second.close();
    expect(closes).toBe(1);
    await expect(first.close()).resolves.toBeUndefined();
    await expect(second.close()).resolves.toBeUndefined();
  });
});
