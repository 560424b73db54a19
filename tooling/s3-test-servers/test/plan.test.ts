import { describe, expect, it } from 'vitest';
import { planS3Suite } from '../src/plan.js';
import type { S3TestServer } from '../src/servers.js';

const server = (name: string, kind: S3TestServer['kind'], faults = true): S3TestServer => ({
  name,
  kind,
  endpoint: `http://127.0.0.1/${name}`,
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  ...(faults ? { faults: { crashableServer: () => Promise.reject(new Error('not in this test')) } } : {}),
});

describe('planS3Suite', () => {
  it('runs the suite once per configured server', () => {
    const servers = [server('minio', 'minio'), server('rgw', 'rgw')];
    expect(planS3Suite('objects', servers, {}, false)).toEqual([
      { action: 'run', server: servers[0] },
      { action: 'run', server: servers[1] },
    ]);
  });

  it('skips once without a server, and fails once under CI', () => {
    const skipped = planS3Suite('objects', [], {}, false);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ action: 'skip', title: 'objects' });
    expect((skipped[0] as { why: string }).why).toMatch(/none is configured.*pnpm test.*S3_ENDPOINT/);
    const failed = planS3Suite('objects', [], {}, true);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ action: 'fail', title: 'objects' });
    expect((failed[0] as { why: string }).why).toMatch(/CI=true, so this is a failure/);
  });

  it('keeps only the servers of the kind asked for', () => {
    const servers = [server('minio', 'minio'), server('rgw', 'rgw')];
    expect(planS3Suite('drives', servers, { kind: 'minio' }, false)).toEqual([
      { action: 'run', server: servers[0] },
    ]);
    const none = planS3Suite('drives', [server('rgw', 'rgw')], { kind: 'minio' }, true);
    expect(none).toMatchObject([{ action: 'fail' }]);
    expect((none[0] as { why: string }).why).toMatch(/needs a MinIO server \(configured: rgw\)/);
  });

  it('skips, per server, a fault suite on a server it cannot crash', () => {
    const servers = [server('s3', 'other', false), server('minio', 'minio')];
    expect(planS3Suite('dying', servers, { faults: true }, false)).toMatchObject([
      { action: 'skip', title: 'dying [s3]' },
      { action: 'run', server: servers[1] },
    ]);
    expect(planS3Suite('dying', servers, { faults: true }, true)[0]).toMatchObject({
      action: 'fail',
      title: 'dying [s3]',
    });
  });
});
