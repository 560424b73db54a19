import { runContractSuite } from '../src/contract/vitest.js';
import { MapAdapter } from './support/map-adapter.js';

// The example adapter of CONTRACT.md validates nothing itself; through core's front it must pass
// the whole suite.
runContractSuite({ name: 'map (example adapter)', create: () => new MapAdapter() });
