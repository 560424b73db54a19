import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { runContractSuite } from '@datalake/core/contract/vitest';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { S3Backend, type S3BackendOptions } from '../src/index.js';
import { createBucket, emptyBucket, rawClient, uniqueName } from './support/test-bucket.js';

describeEachS3Server('S3Backend contract', (server) => {
  const client = rawClient(server);
  const connection = (bucket: string): S3BackendOptions => ({
    bucket,
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
  });
  let measured: Pick<S3BackendOptions, 'atomicConditionalWrites' | 'atomicConditionalDeletes'> = {};
  // A bucket per backend, without a prefix, so the contract's longest keys (1,024 bytes) fit.
  runContractSuite({
    name: `s3 on ${server.name}`,
    create: async () => {
      const bucket = uniqueName('contract');
      await createBucket(client, bucket);
      // The first connect() measures whether this server's conditional writes are atomic;
      // later ones reuse the answer instead of probing again.
      const backend = await S3Backend.connect({ ...connection(bucket), ...measured });
      measured = {
        atomicConditionalWrites: backend.capabilities.atomicConditionalWrites,
        atomicConditionalDeletes: backend.capabilities.atomicConditionalDeletes,
      };
      return backend;
    },
    reopen: (backend) =>
      S3Backend.connect({
        ...connection((backend as S3Backend).bucket),
        atomicConditionalWrites: backend.capabilities.atomicConditionalWrites,
        atomicConditionalDeletes: backend.capabilities.atomicConditionalDeletes,
      }),
    workers: { module: new URL('./support/worker-factory.ts', import.meta.url) },
    workerOptions: (backend) => ({
      ...connection((backend as S3Backend).bucket),
      atomicConditionalWrites: backend.capabilities.atomicConditionalWrites,
      atomicConditionalDeletes: backend.capabilities.atomicConditionalDeletes,
    }),
    destroy: async (backend) => {
      await backend.close?.();
      const bucket = (backend as S3Backend).bucket;
      await emptyBucket(client, bucket);
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    },
  });
});
