import { MemoryBackend } from '@datalake/backend-memory';
import { ForbiddenError, type RemoteLake } from '@datalake/client';
import { DataType, type Entry, NotFoundError } from '@datalake/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, raw } from './support/http.js';
import { type Served, serve } from './support/served.js';

const DAY = 24 * 60 * 60 * 1000;
let served: Served;
let admin: RemoteLake;
let configReader: RemoteLake;
let config: Entry;
let macro: Entry;

beforeAll(async () => {
  served = await serve(new MemoryBackend(), { lake: { writeLeaseMs: 0 } });
  admin = served.client();
  configReader = served.client(
    await served.token(
      [{ actions: ['read', 'write', 'delete'], dataType: DataType.CONFIGURATION }],
      'configs',
    ),
  );
  config = await served.lake.store({ name: 'app.cfg', content: 'one', dataType: DataType.CONFIGURATION });
  for (const content of ['two', 'three']) await served.lake.update(config.id, { content });
  macro = await served.lake.store({
    name: 'm.vba',
    content: 'sub a',
    dataType: DataType.MACRO,
    subpath: 'x',
  });
  for (const content of ['sub b', 'sub c']) await served.lake.update(macro.id, { content });
});
afterAll(() => served.close());

async function problemOf(method: string, path: string, body?: unknown, token = served.adminToken) {
  const answer = await raw(served.url, method, path, {
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(String(answer.headers['content-type'])).toMatch(/^application\/problem\+json/);
  return { status: answer.status, problem: answer.json() };
}

describe('retention rules over HTTP', () => {
  it('are created, read, replaced and removed one by one, each change a new version', async () => {
    const start = (await admin.retention.rules()).version;
    const one = await admin.retention.putRule(
      { name: 'configs', match: { dataType: DataType.CONFIGURATION }, keepLastVersions: 2 },
      { author: 'ada', message: 'keep two' },
    );
    expect(one.version).toBe(start + 1);
    expect(one.author).toBe('ada');
    const two = await admin.retention.putRule({ name: 'deleted', purgeDeletedAfterDays: 30 });
    expect(two.rules.map((rule) => rule.name)).toEqual(['configs', 'deleted']);
    const three = await admin.retention.putRule({ name: 'configs', keepNoncurrentDays: 7 });
    expect(three.rules[0]).toEqual({ name: 'configs', keepNoncurrentDays: 7 });
    expect(await admin.retention.rule('deleted')).toEqual({ name: 'deleted', purgeDeletedAfterDays: 30 });
    const four = await admin.retention.deleteRule('deleted');
    expect(four.rules.map((rule) => rule.name)).toEqual(['configs']);
    await expect(admin.retention.rule('deleted')).rejects.toBeInstanceOf(NotFoundError);
    await expect(admin.retention.deleteRule('deleted')).rejects.toBeInstanceOf(NotFoundError);
    const versions = await admin.retention.rulesHistory();
    expect(versions.slice(0, 4).map((rules) => rules.version)).toEqual([4, 3, 2, 1].map((n) => n + start));
    expect(await served.lake.retention.rules()).toEqual(four);
    await admin.retention.setRules([]);
  });

  it('a stale ifVersion is refused with 409 and changes nothing', async () => {
    const { version } = await admin.retention.rules();
    const { status, problem } = await problemOf('PUT', '/v1/retention/rules/late', {
      keepLastVersions: 3,
      ifVersion: version - 1,
    });
    expect(status).toBe(409);
    expect(problem).toMatchObject({ code: 'CONFLICT', details: { version } });
    expect((await admin.retention.rules()).version).toBe(version);
    const written = await admin.retention.setRules([{ name: 'r', keepLastVersions: 5 }], {
      ifVersion: version,
    });
    expect(written.version).toBe(version + 1);
    await admin.retention.setRules([]);
  });

  it('property: a rule the lake would refuse is a 400 problem and changes nothing', async () => {
    const bad = fc.oneof(
      fc.record({ keepLastVersions: fc.integer({ max: 0 }) }),
      fc.record({
        keepNoncurrentDays: fc.oneof(
          fc.integer({ max: -1 }),
          fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
        ),
      }),
      fc.record({
        purgeDeletedAfterDays: fc.oneof(
          fc.string(),
          fc.constantFrom(' ', '', '2', '0', ' 7 ', '1e1'),
          fc.nat().map(String),
          fc.constant(null),
          fc.constant(true),
          fc.constant([3]),
        ),
      }),
      fc.record({ unknownSetting: fc.integer() }),
      fc.constant({}),
      fc.record({
        keepLastVersions: fc.constant(1),
        match: fc.record({ dataType: fc.constant('nonsense') }),
      }),
      fc.record({ keepLastVersions: fc.constant(1), match: fc.record({ pathPrefix: fc.constant('') }) }),
    );
    await fc.assert(
      fc.asyncProperty(bad, async (settings) => {
        const before = await admin.retention.rules();
        const { status, problem } = await problemOf('PUT', '/v1/retention/rules/bad', settings);
        expect(status).toBe(400);
        expect(problem.code).toBe('VALIDATION');
        expect(await admin.retention.rules()).toEqual(before);
      }),
      { numRuns: 40 },
    );
    const duplicate = await problemOf('PUT', '/v1/retention/rules', {
      rules: [
        { name: 'a', keepLastVersions: 1 },
        { name: 'a', keepLastVersions: 2 },
      ],
    });
    expect(duplicate.status).toBe(400);
  });

  it('a number sent as text in a JSON body is refused, not read as a number (" " is not 0 days)', async () => {
    const before = await admin.retention.rules();
    for (const days of [' ', '2', '']) {
      const { status, problem } = await problemOf('PUT', '/v1/retention/rules/text-days', {
        purgeDeletedAfterDays: days,
      });
      expect({ days, status, code: problem.code }).toEqual({ days, status: 400, code: 'VALIDATION' });
    }
    expect(await admin.retention.rules()).toEqual(before);
  });
});

describe('holds over HTTP', () => {
  it('a legal hold refuses delete with 409 naming the hold, until released', async () => {
    const entry = await served.lake.store({
      name: 'held.cfg',
      content: 'x',
      dataType: DataType.CONFIGURATION,
    });
    const holds = await admin.retention.setLegalHold(entry.id, { reason: 'case 7', author: 'legal' });
    expect(holds.legalHold).toMatchObject({ reason: 'case 7', author: 'legal' });
    expect(await configReader.retention.holds(entry.id)).toEqual(holds);
    const refused = await problemOf('DELETE', `/v1/entries/${entry.id}`);
    expect(refused.status).toBe(409);
    expect(refused.problem).toMatchObject({
      code: 'RETENTION',
      details: { id: entry.id, hold: 'legal', reason: 'case 7' },
    });
    expect((await served.lake.getEntry(entry.id)).id).toBe(entry.id);
    const released = await admin.retention.releaseLegalHold(entry.id);
    expect(released.legalHold).toBeUndefined();
    expect(await configReader.delete(entry.id)).toBe(true);
  });

  it('compliance is never shortened; governance only with an override, which the audit log records', async () => {
    const entry = await served.lake.store({
      name: 'kept.cfg',
      content: 'y',
      dataType: DataType.CONFIGURATION,
    });
    const far = new Date(Date.now() + 30 * DAY).toISOString();
    const near = new Date(Date.now() + 2 * DAY).toISOString();
    await admin.retention.setRetainUntil(entry.id, { until: far, mode: 'governance' });
    const refused = await problemOf('PUT', `/v1/entries/${entry.id}/holds/retain-until`, { until: near });
    expect(refused.status).toBe(409);
    expect(refused.problem).toMatchObject({ code: 'RETENTION', details: { hold: 'governance', until: far } });
    const deleteRefused = await problemOf('DELETE', `/v1/entries/${entry.id}`);
    expect(deleteRefused.problem.details).toMatchObject({ hold: 'governance', until: far });
    const shortened = await admin.retention.setRetainUntil(entry.id, {
      until: near,
      override: true,
      author: 'boss',
      message: 'audit done',
    });
    expect(shortened.overrides).toEqual([
      expect.objectContaining({ from: far, to: near, author: 'boss', message: 'audit done' }),
    ]);
    const audit = await admin.readAudit({ limit: 10_000 });
    expect(audit.records).toContainEqual(
      expect.objectContaining({
        action: 'hold.retain-until.override',
        entry: expect.objectContaining({ id: entry.id }),
        outcome: 'ok',
      }),
    );
    await admin.retention.setRetainUntil(entry.id, { until: far, mode: 'compliance' });
    for (const body of [
      { until: near, mode: 'compliance', override: true },
      { until: null, override: true },
    ]) {
      const answer = await problemOf('PUT', `/v1/entries/${entry.id}/holds/retain-until`, body);
      expect(answer.status).toBe(409);
      expect(answer.problem.details).toMatchObject({ hold: 'compliance', until: far });
    }
    expect((await admin.retention.holds(entry.id)).retainUntil).toMatchObject({
      until: far,
      mode: 'compliance',
    });
  });

  it('bad input is a 400 problem: no reason, a date that is not one, an unknown mode', async () => {
    for (const [path, body] of [
      ['legal', { reason: '' }],
      ['legal', {}],
      ['retain-until', { until: 'next tuesday' }],
      ['retain-until', { until: new Date().toISOString(), mode: 'forever' }],
    ] as const) {
      const answer = await problemOf('PUT', `/v1/entries/${config.id}/holds/${path}`, body);
      expect(answer.status).toBe(400);
      expect(answer.problem.code).toBe('VALIDATION');
    }
    expect((await admin.retention.holds(config.id)).legalHold).toBeUndefined();
    expect((await problemOf('GET', '/v1/entries/nope/holds')).status).toBe(404);
  });
});

describe('grants', () => {
  it('a scoped token neither sees another type’s holds nor changes retention', async () => {
    await expect(configReader.retention.holds(macro.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(configReader.retention.setLegalHold(config.id, { reason: 'mine' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(configReader.retention.rules()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(configReader.retention.putRule({ name: 'x', keepLastVersions: 1 })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(configReader.retention.apply()).rejects.toBeInstanceOf(ForbiddenError);
    const nobody = served.client(await served.token([], 'nobody'));
    await expect(nobody.retention.plan()).rejects.toBeInstanceOf(ForbiddenError);
    expect((await admin.retention.holds(config.id)).legalHold).toBeUndefined();
  });

  it('plan lists what goes and the bytes freed; a scoped token sees only its part; apply removes it', async () => {
    await admin.retention.setRules([{ name: 'one version', keepLastVersions: 1 }]);
    const later = new Date(Date.now() + 1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const full = await admin.retention.plan({ now: later });
    expect(full.partial).toBe(false);
    const going = (entry: Entry, plan: typeof full) =>
      plan.versions.find((item) => item.id === entry.id)?.versions.map((version) => version.version);
    expect(going(config, full)).toEqual([1, 2]);
    expect(going(macro, full)).toEqual([1, 2]);
    expect(full.bytesFreed).toBe(full.blobs.reduce((sum, blob) => sum + blob.size, 0));
    expect(full.bytesFreed).toBeGreaterThanOrEqual('onetwosub asub b'.length);
    const scoped = await configReader.retention.plan({ now: later });
    expect(scoped.partial).toBe(true);
    expect(
      scoped.versions.map((item) => item.filePath).every((path) => path.startsWith('configuration/')),
    ).toBe(true);
    expect(going(macro, scoped)).toBeUndefined();
    expect(going(config, scoped)).toEqual([1, 2]);
    expect(scoped.bytesFreed).toBe('onetwo'.length);
    expect(JSON.stringify(scoped)).not.toContain(macro.id);
    const applied = await admin.retention.apply({ now: later });
    expect(applied.bytesFreed).toBe(full.bytesFreed);
    expect((await admin.history(config.id)).versions.map((version) => version.version)).toEqual([3]);
    expect((await admin.retrieve(macro.id)).content).toBe('sub c');
    const audit = await admin.readAudit({ limit: 10_000 });
    expect(audit.records).toContainEqual(
      expect.objectContaining({ action: 'retention.apply', outcome: 'ok' }),
    );
    await admin.retention.setRules([]);
  });

  it('the OpenAPI document describes the retention routes from their schemas', async () => {
    const document = (await raw(served.url, 'GET', '/openapi.json')).json();
    for (const path of [
      '/v1/retention/rules',
      '/v1/retention/rules/{name}',
      '/v1/retention/rules/versions',
      '/v1/retention/plan',
      '/v1/retention/apply',
      '/v1/entries/{id}/holds',
      '/v1/entries/{id}/holds/legal',
      '/v1/entries/{id}/holds/retain-until',
    ])
      expect(Object.keys(document.paths)).toContain(path);
    expect(document.components.schemas).toHaveProperty('RetentionRule');
    expect(document.paths['/v1/retention/rules/{name}'].put.responses).toHaveProperty('409');
  });
});
