// Run by contract-runners.test.ts with `node --test`: the contract suite on the node:test runner.
import { runContractSuite } from '../../src/contract/node-test.js';
import { ListsUnsorted } from './broken-backends.js';
import { MapAdapter } from './map-adapter.js';

const broken = process.env.DATALAKE_CONTRACT_BROKEN === '1';
runContractSuite({
  name: broken ? 'map listing unsorted' : 'map',
  create: () => (broken ? new ListsUnsorted() : new MapAdapter()),
});
