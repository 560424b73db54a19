import { MemoryBackend } from '@datalake/backend-memory';
import { AUDIT_PREFIX, type StorageBackend } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditRecord } from '../src/audit.js';
import { removeDisk, tempDisk } from './support/served.js';

const day = () => new Date().toISOString().slice(0, 10);

function record(i: number): AuditRecord {
  return {
    time: new Date().toISOString(),
    tokenId: 'abc',
    action: 'store',
    outcome: 'ok',
    status: 201,
    requestId: `r${i}`,
  };
}

async function objects(backend: StorageBackend): Promise<number> {
  return (await backend.list(AUDIT_PREFIX)).objects.length;
}

describe('audit log group commit', () => {
  it('stores every record before its call resolves, many records to an object', async () => {
    const backend = await tempDisk();
    try {
      const audit = new AuditLog(backend);
      const written = new Set<string>();
      // Each caller checks, once its record call resolved, that the record is in storage.
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await audit.record(record(i));
          const page = await new AuditLog(backend).read(day(), { limit: 1000 });
          const ids = page.records.map((item) => item.requestId);
          expect(ids).toContain(`r${i}`);
          written.add(`r${i}`);
        }),
      );
      expect(written.size).toBe(200);
      const all = await new AuditLog(backend).read(day(), { limit: 1000 });
      expect(all.records.map((item) => item.requestId).sort()).toEqual(
        Array.from({ length: 200 }, (_, i) => `r${i}`).sort(),
      );
      expect(await objects(backend)).toBeLessThan(200);
    } finally {
      await removeDisk(backend);
    }
  });

  it('flush waits for every record given so far', async () => {
    const backend = new MemoryBackend();
    const audit = new AuditLog(backend);
    for (let i = 0; i < 50; i++) void audit.record(record(i));
    await audit.flush();
    expect((await audit.read(day(), { limit: 1000 })).records).toHaveLength(50);
  });

  it('a failed write is reported, and its callers are answered', async () => {
    const backend = new MemoryBackend();
    const errors: unknown[] = [];
    const failing = new Proxy(backend, {
      get(target, property) {
        if (property === 'put') return async () => Promise.reject(new Error('disk full'));
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const audit = new AuditLog(failing, (error) => errors.push(error));
    await Promise.all([audit.record(record(1)), audit.record(record(2))]);
    await audit.flush();
    expect(errors.length).toBeGreaterThan(0);
    expect(await objects(backend)).toBe(0);
  });
});
