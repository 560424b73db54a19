import * as nodeFs from 'node:fs/promises';
import { Volume } from 'memfs';
import type { DiskFs } from '../src/disk-fs.js';
const a: DiskFs = nodeFs;
const b: DiskFs = new Volume().promises;
export { a, b };
