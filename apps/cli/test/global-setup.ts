import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './support/cli.js';

const dependencies = [
  'packages/core',
  'packages/backend-disk',
  'packages/backend-memory',
  'packages/backend-s3',
  'packages/client',
  'packages/ingest',
  'apps/server',
];

/** The tests run the built command, so build it (its workspace dependencies are built by turbo first). */
export default function setup(): void {
  const repository = join(packageRoot, '..', '..');
  const missing = dependencies.filter((name) => !existsSync(join(repository, name, 'dist', 'index.js')));
  if (missing.length > 0) {
    throw new Error(`build the workspace first (pnpm build): no dist of ${missing.join(', ')}`);
  }
  execFileSync(join(packageRoot, 'node_modules', '.bin', 'tsup'), { cwd: packageRoot, stdio: 'pipe' });
}
