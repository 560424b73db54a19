export { DiskAdapter, type DiskBackendOptions } from './disk-adapter.js';
export { DiskBackend } from './disk-backend.js';
export {
  type DiskDirent,
  type DiskFileHandle,
  type DiskFs,
  type DiskStats,
  type DiskSyncFs,
  type OpenFlags,
  READ_NO_FOLLOW,
} from './disk-fs.js';
export { INTERNAL_FOLDER } from './layout.js';
