import { runContractSuite } from '../src/contract/index.js';
import { MapBackend } from './support/map-backend.js';

// The reference adapter of the strictness tests (and of CONTRACT.md) must pass the whole suite.
runContractSuite({ name: 'map (reference)', create: () => new MapBackend() });
