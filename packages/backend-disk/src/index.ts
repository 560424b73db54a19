export { DiskBackend, type DiskBackendOptions } from './disk-backend.js';
export type { DiskDirent, DiskFileHandle, DiskFs, DiskStats, DiskSyncFs } from './disk-fs.js';
export { INTERNAL_FOLDER } from './layout.js';
