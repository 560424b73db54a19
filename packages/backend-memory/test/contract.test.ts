import { runContractSuite } from '@datalake/core/contract';
import { MemoryBackend } from '../src/index.js';

runContractSuite({ name: 'memory', create: () => new MemoryBackend() });
