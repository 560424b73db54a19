export type { S3BackendOptions } from './options.js';
export { S3Adapter } from './s3-adapter.js';
export { S3Backend } from './s3-backend.js';
