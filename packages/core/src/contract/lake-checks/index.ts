import type { ContractCheck } from '../types.js';

/** Layer (b): the whole `DataLake` behaviour on top of the backend. */
export const lakeChecks: readonly ContractCheck[] = [];
