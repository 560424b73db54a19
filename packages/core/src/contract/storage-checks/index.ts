import type { ContractCheck } from '../types.js';
import { concurrencyChecks } from './concurrency.js';
import { conditionalChecks } from './conditional.js';
import { copyChecks } from './copy.js';
import { handleChecks } from './handles.js';
import { keyChecks } from './keys.js';
import { listingChecks } from './listing.js';
import { objectChecks } from './objects.js';
import { persistenceChecks } from './persistence.js';
import { processChecks } from './processes.js';
import { raceChecks } from './races.js';
import { rangeChecks } from './ranges.js';

/** Layer (a): the `StorageBackend` semantics every adapter must implement. */
export const storageChecks: readonly ContractCheck[] = [
  ...objectChecks,
  ...keyChecks,
  ...listingChecks,
  ...rangeChecks,
  ...conditionalChecks,
  ...copyChecks,
  ...raceChecks,
  ...concurrencyChecks,
  ...persistenceChecks,
  ...processChecks,
  ...handleChecks,
];
