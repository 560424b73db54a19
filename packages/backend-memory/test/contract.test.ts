import { runContractSuite } from '@datalake/core/contract/vitest';
import { MemoryBackend } from '../src/index.js';

runContractSuite({ name: 'memory', create: () => new MemoryBackend() });
