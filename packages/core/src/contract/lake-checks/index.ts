import type { ContractCheck } from '../types.js';
import { compressionChecks } from './compression.js';
import { crashChecks } from './crash.js';
import { damagedRecordChecks } from './damaged-records.js';
import { historyChecks } from './history.js';
import { instanceChecks } from './instances.js';
import { listStatsChecks } from './list-stats.js';
import { retentionChecks } from './retention.js';
import { searchChecks } from './search.js';
import { storeRetrieveChecks } from './store-retrieve.js';
import { updateDeleteChecks } from './update-delete.js';
import { validationChecks } from './validation.js';

/** Layer (b): the whole `DataLake` behaviour on top of the backend. */
export const lakeChecks: readonly ContractCheck[] = [
  ...storeRetrieveChecks,
  ...listStatsChecks,
  ...searchChecks,
  ...updateDeleteChecks,
  ...validationChecks,
  ...instanceChecks,
  ...historyChecks,
  ...retentionChecks,
  ...compressionChecks,
  ...crashChecks,
  ...damagedRecordChecks,
];
