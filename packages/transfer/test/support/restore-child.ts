// Restores an archive into a disk lake and kills its own process (SIGKILL) once `stopAfter`
// entries are written: a restore stopped halfway, as by a crash or a kill.
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake } from '@datalake/core';
import { restoreBackup } from '../../src/index.js';

const [archive, root, stopAfter] = process.argv.slice(2) as [string, string, string];
const lake = await DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
await restoreBackup(archive, lake, {
  concurrency: 1,
  onProgress: (progress) => {
    if (progress.done >= Number(stopAfter)) process.kill(process.pid, 'SIGKILL');
  },
});
await lake.close();
