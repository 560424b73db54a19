import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { parseLakeUrl, s3SettingsFromEnvironment } from '../src/lake-url.js';

describe('parseLakeUrl', () => {
  it('maps paths and file: URLs to the disk backend', () => {
    expect(parseLakeUrl('./.datalake', '/srv')).toEqual({ kind: 'disk', root: resolve('/srv', '.datalake') });
    expect(parseLakeUrl('/data/lake')).toEqual({ kind: 'disk', root: resolve('/data/lake') });
    expect(parseLakeUrl(pathToFileURL('/data/my lake').href)).toEqual({
      kind: 'disk',
      root: resolve('/data/my lake'),
    });
    expect(parseLakeUrl('file:lake', '/srv')).toEqual({ kind: 'disk', root: resolve('/srv', 'lake') });
  });

  it('maps memory: and s3:// URLs', () => {
    expect(parseLakeUrl('memory:')).toEqual({ kind: 'memory' });
    expect(parseLakeUrl('s3://artifacts/team/a/')).toEqual({
      kind: 's3',
      bucket: 'artifacts',
      prefix: 'team/a',
    });
    expect(parseLakeUrl('s3://artifacts')).toEqual({ kind: 's3', bucket: 'artifacts', prefix: '' });
  });

  it('rejects unknown schemes and bad bucket names as usage errors', () => {
    expect(() => parseLakeUrl('ftp://host/lake')).toThrow(UsageError);
    expect(() => parseLakeUrl('s3://')).toThrow(UsageError);
    expect(() => parseLakeUrl('s3://Bad_Bucket/x')).toThrow(UsageError);
    expect(() => parseLakeUrl('')).toThrow(UsageError);
  });
});

describe('s3SettingsFromEnvironment', () => {
  it('prefers options, then S3_ENDPOINT, then the AWS variables', () => {
    const env = { S3_ENDPOINT: 'http://a', AWS_ENDPOINT_URL: 'http://b', AWS_REGION: 'eu-west-1' };
    expect(s3SettingsFromEnvironment({}, env)).toEqual({ endpoint: 'http://a', region: 'eu-west-1' });
    expect(s3SettingsFromEnvironment({ endpoint: 'http://c' }, env)).toEqual({
      endpoint: 'http://c',
      region: 'eu-west-1',
    });
    expect(s3SettingsFromEnvironment({}, { AWS_ENDPOINT_URL: 'http://b' })).toEqual({ endpoint: 'http://b' });
  });
});

describe('server URLs', () => {
  it('http(s) URLs name a lake behind datalake serve; credentials and queries are refused', async () => {
    const { parseLakeUrl: parse } = await import('../src/lake-url.js');
    expect(parse('http://127.0.0.1:8080')).toEqual({ kind: 'remote', url: 'http://127.0.0.1:8080' });
    expect(parse('https://lake.example/base/')).toEqual({ kind: 'remote', url: 'https://lake.example/base' });
    expect(() => parse('http://user:secret@lake:8080')).toThrow(/credentials/);
    expect(() => parse('http://lake:8080/?token=x')).toThrow(/query/);
  });
});
