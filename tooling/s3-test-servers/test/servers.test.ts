import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredS3Servers, type S3ServerRecord } from '../src/servers.js';

describe('configuredS3Servers', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'datalake-s3-servers-test-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  const record = (name: 'minio' | 'rgw', port: number): S3ServerRecord => ({
    name,
    kind: name,
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: `${name}-key`,
    secretAccessKey: `${name}-secret`,
    stateDir: join(scratch, name),
    minioCache: join(scratch, 'no-minio-build'),
  });
  const isolated = () => ({
    DATALAKE_MINIO_DIR: join(scratch, 'no-minio'),
    DATALAKE_S3_DIR: join(scratch, 'no-rgw'),
  });

  it('is empty when nothing is configured', () => {
    expect(configuredS3Servers(isolated())).toEqual([]);
  });

  it("lists the runner's servers, in order, with their connections", () => {
    const env = {
      ...isolated(),
      DATALAKE_S3_SERVERS: JSON.stringify([record('minio', 9000), record('rgw', 7480)]),
    };
    const servers = configuredS3Servers(env);
    expect(servers.map(({ name, kind, endpoint }) => ({ name, kind, endpoint }))).toEqual([
      { name: 'minio', kind: 'minio', endpoint: 'http://127.0.0.1:9000' },
      { name: 'rgw', kind: 'rgw', endpoint: 'http://127.0.0.1:7480' },
    ]);
    expect(servers[1]?.credentials).toEqual({ accessKeyId: 'rgw-key', secretAccessKey: 'rgw-secret' });
  });

  it('prefers a server of the user’s own, and knows one started by the project scripts', async () => {
    const own = {
      ...isolated(),
      S3_ENDPOINT: 'http://127.0.0.1:9999',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
      DATALAKE_S3_SERVERS: JSON.stringify([record('minio', 9000)]),
    };
    expect(configuredS3Servers(own)).toMatchObject([
      { name: 's3', kind: 'other', endpoint: 'http://127.0.0.1:9999', region: 'us-east-1' },
    ]);
    expect(configuredS3Servers(own)[0]?.faults).toBeUndefined();

    const rgwDir = join(scratch, 'rgw-state');
    await mkdir(rgwDir, { recursive: true });
    await writeFile(
      join(rgwDir, 's3.env'),
      'export S3_ENDPOINT=http://127.0.0.1:9999\nexport DATALAKE_S3_SPARE_ENDPOINT=http://127.0.0.1:9998\n',
    );
    const server = configuredS3Servers({ ...own, DATALAKE_S3_DIR: rgwDir })[0];
    expect(server).toMatchObject({ name: 'rgw', kind: 'rgw' });
    expect(server?.faults).toBeDefined();
  });

  it('names what is wrong with a malformed server list', () => {
    expect(() => configuredS3Servers({ ...isolated(), DATALAKE_S3_SERVERS: '{' })).toThrow(/not valid JSON/);
    expect(() => configuredS3Servers({ ...isolated(), DATALAKE_S3_SERVERS: '{}' })).toThrow(/JSON array/);
    const noEndpoint = { ...record('rgw', 1), endpoint: '' };
    expect(() =>
      configuredS3Servers({ ...isolated(), DATALAKE_S3_SERVERS: JSON.stringify([noEndpoint]) }),
    ).toThrow(/\[0\] has no endpoint/);
    const wrongKind = { ...record('rgw', 1), kind: 'ceph' };
    expect(() =>
      configuredS3Servers({ ...isolated(), DATALAKE_S3_SERVERS: JSON.stringify([wrongKind]) }),
    ).toThrow(/kind "ceph"/);
  });
});
